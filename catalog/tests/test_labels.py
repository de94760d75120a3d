"""Spine and barcode labels: the grid, the start position, the remembered sheet, bad input."""

from __future__ import annotations

import datetime as dt
import re

import pytest
import time_machine
from django.conf import settings
from django.urls import reverse

from catalog.errors import LabelSheetError, NoItemsToLabelError
from catalog.labels import (
    PRESETS,
    LabelChoice,
    LabelSheet,
    call_number_of,
    pages_needed,
    print_labels,
    printable,
    remembered_choice,
    render_labels,
    spine_lines,
)
from catalog.models import Item, LabelPreference
from catalog.records import ParsedContributor, ParsedRecord
from catalog.services import add_items, create_record
from core.errors import PermissionDeniedError
from core.models import Branch
from core.tests.test_views import signed_in

pytestmark = pytest.mark.django_db

SHEET_3X8 = PRESETS["3x8-70x37"].sheet


def page_count(pdf: bytes) -> int:
    return len(re.findall(rb"/Type /Page\b(?!s)", pdf))


def is_pdf(pdf: bytes) -> bool:
    return pdf.startswith(b"%PDF-") and pdf.rstrip().endswith(b"%%EOF")


@pytest.fixture
def cataloguer(make_user, library):
    return make_user("katalog", roles={"cataloguer"})


@pytest.fixture
def record(cataloguer):
    return create_record(
        ParsedRecord(
            title="Laskar pelangi",
            subtitle="sebuah novel tentang sekolah di Belitung yang hampir ditutup",
            contributors=[ParsedContributor("Hirata, Andrea", "author", "1967-")],
            year=2005,
            ddc="899.221 3",
        ),
        by=cataloguer,
    )


def copies(record, cataloguer, count: int, first: str = "P0001") -> list[Item]:
    return add_items(
        record,
        count=count,
        branch=Branch.objects.get(code="pusat"),
        first_barcode=first,
        by=cataloguer,
    )


# ---------------------------------------------------------------------------------------------
# What goes on a label


def test_call_numbers_break_into_spine_lines():
    assert spine_lines("899.221 3 HIR l", year=2005) == ["899.221 3", "HIR", "l", "2005"]
    assert spine_lines("R 2X4.1 ABD t 2010", year=2010) == ["R", "2X4.1", "ABD", "t", "2010"]
    assert spine_lines("813/.54 SMI w") == ["813.54", "SMI", "w"]
    assert spine_lines("FIC HIR") == ["FIC", "HIR"]


def test_without_a_call_number_one_is_built_from_class_author_and_title(record, cataloguer):
    (item,) = copies(record, cataloguer, 1)
    assert call_number_of(item) == "899.221 3 HIR l"
    item.call_number = "R 899.221 3 HIR l"
    assert call_number_of(item) == "R 899.221 3 HIR l"


def test_text_the_pdf_fonts_cannot_show_is_folded_not_dropped():
    assert printable("Pramoedya Ánanta") == "Pramoedya Ánanta"
    assert printable("Nguyễn Văn") == "Nguyen Van"
    assert printable("كتاب") == "????"


# ---------------------------------------------------------------------------------------------
# The sheet


def test_every_preset_fits_on_an_a4_sheet():
    for preset in PRESETS.values():
        assert preset.sheet.problems() == [], preset.key


def test_impossible_sheets_name_the_setting_at_fault():
    problems = dict(LabelSheet(rows=0, columns=3, label_width=70, label_height=37).problems())
    assert set(problems) == {"rows"}
    too_wide = LabelSheet(rows=8, columns=4, label_width=70, label_height=37)
    (field, message), *_ = too_wide.problems()
    assert field == "columns" and "280 mm" in message
    with pytest.raises(LabelSheetError) as error:
        too_wide.check()
    assert error.value.field == "columns"


@pytest.mark.parametrize(
    ("count", "start", "pages"),
    [(1, 1, 1), (24, 1, 1), (25, 1, 2), (30, 1, 2), (30, 20, 3), (5, 20, 1), (5, 21, 2)],
)
def test_pages_follow_the_count_and_the_start_position(count, start, pages, record, cataloguer):
    items = copies(record, cataloguer, count)
    for kind in ("spine", "barcode"):
        pdf = render_labels(items, kind=kind, sheet=SHEET_3X8, start=start)
        assert is_pdf(pdf)
        assert page_count(pdf) == pages == pages_needed(count, start=start, sheet=SHEET_3X8)


def test_barcode_labels_carry_the_barcode_text_and_title_in_order(record, cataloguer):
    items = copies(record, cataloguer, 3, first="P0099")
    pdf = render_labels(items, kind="barcode", sheet=PRESETS["5x13-38x21"].sheet)
    positions = [pdf.index(f"({barcode})".encode()) for barcode in ("P0099", "P0100", "P0101")]
    assert positions == sorted(positions)
    assert b"Laskar pelangi" in pdf
    assert b"\\205" in pdf or "…".encode("cp1252") in pdf  # the long title was shortened


def test_spine_labels_carry_the_call_number_lines(record, cataloguer):
    items = copies(record, cataloguer, 1)
    pdf = render_labels(items, kind="spine", sheet=SHEET_3X8)
    for line in (b"(899.221 3)", b"(HIR)", b"(l)", b"(2005)"):
        assert line in pdf


def test_choosing_copies_for_labels_costs_the_same_queries_for_few_or_many(record, cataloguer):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from catalog.selectors import items_with_barcodes

    items = copies(record, cataloguer, 20)
    barcodes = [item.barcode for item in items]

    def queries_for(wanted: list[str]) -> int:
        with CaptureQueriesContext(connection) as queries:
            found, _missing = items_with_barcodes(wanted)
            render_labels(found, kind="spine", sheet=SHEET_3X8)
        return len(queries)

    assert queries_for(barcodes[:2]) == queries_for(barcodes) == 2


def test_bad_start_or_no_items_are_refused(record, cataloguer):
    items = copies(record, cataloguer, 1)
    with pytest.raises(LabelSheetError) as error:
        render_labels(items, kind="spine", sheet=SHEET_3X8, start=25)
    assert error.value.field == "start" and "from 1 to 24" in str(error.value)
    with pytest.raises(NoItemsToLabelError):
        render_labels([], kind="spine", sheet=SHEET_3X8)


# ---------------------------------------------------------------------------------------------
# The service remembers


def test_the_sheet_and_the_next_free_position_are_remembered_per_kind(record, cataloguer):
    items = copies(record, cataloguer, 5)
    sheet = PRESETS["4x10-48.5x25.4"].sheet
    choice = LabelChoice(preset="4x10-48.5x25.4", sheet=sheet, show_library=False)
    print_labels(items, kind="spine", choice=choice, start=38, by=cataloguer)
    remembered = remembered_choice(cataloguer, "spine")
    assert remembered.sheet == sheet and remembered.preset == "4x10-48.5x25.4"
    assert remembered.show_library is False
    assert remembered.start == 3  # 38, 39, 40, then 1, 2 of the next sheet
    # The other kind keeps its own default.
    assert remembered_choice(cataloguer, "barcode").preset == "4x10-48.5x25.4"
    assert remembered_choice(cataloguer, "barcode").start == 1
    assert LabelPreference.objects.count() == 1


def test_a_test_print_with_outlines_uses_up_no_labels(record, cataloguer):
    items = copies(record, cataloguer, 5)
    choice = remembered_choice(cataloguer, "barcode")
    print_labels(items, kind="barcode", choice=choice, start=4, outline=True, by=cataloguer)
    assert remembered_choice(cataloguer, "barcode").start == 4
    print_labels(items, kind="barcode", choice=choice, start=4, by=cataloguer)
    assert remembered_choice(cataloguer, "barcode").start == 9


def test_printing_labels_needs_the_permission(record, cataloguer, make_user):
    items = copies(record, cataloguer, 1)
    member = make_user("ani", roles={"member"})
    with pytest.raises(PermissionDeniedError):
        print_labels(
            items,
            kind="spine",
            choice=remembered_choice(member, "spine"),
            by=member,
        )
    assert not LabelPreference.objects.exists()


# ---------------------------------------------------------------------------------------------
# The screen


def english(user):
    client = signed_in(user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def form_data(**extra) -> dict:
    data = {
        "kind": "spine",
        "selection": "barcodes",
        "preset": "3x8-70x37",
        "rows": "8",
        "columns": "3",
        "label_width": "70",
        "label_height": "37",
        "margin_top": "0.5",
        "margin_left": "0",
        "gap_x": "0",
        "gap_y": "0",
        "start": "1",
        "show_library": "on",
    }
    data.update(extra)
    return data


def test_librarian_prints_labels_for_a_record_as_an_inline_pdf(record, cataloguer, make_user):
    withdrawn, *_rest = copies(record, cataloguer, 31)
    Item.objects.filter(pk=withdrawn.pk).update(status="withdrawn")  # no label for it
    librarian = make_user("siti", roles={"librarian"})
    client = english(librarian)
    page = client.get(reverse("cataloguing:labels"), {"kind": "barcode", "record": record.pk})
    assert page.context["form"].initial["record"] == record.pk
    response = client.post(
        reverse("cataloguing:labels"),
        form_data(kind="barcode", selection="record", record=str(record.pk), start="20"),
    )
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("inline")
    assert is_pdf(response.content) and page_count(response.content) == 3
    assert b"(Perpustakaan Uji)" in response.content
    # Next time the form opens on the same sheet at the next free position.
    again = client.get(reverse("cataloguing:labels"), {"kind": "barcode"})
    assert again.context["form"].initial["start"] == (19 + 30) % 24 + 1


def test_pasted_barcodes_are_printed_in_the_order_given_and_unknown_ones_listed(record, cataloguer):
    copies(record, cataloguer, 3, first="P0010")
    client = english(cataloguer)
    url = reverse("cataloguing:labels")
    response = client.post(url, form_data(kind="barcode", barcodes="P0012\nX-1 P0010, Y-2"))
    assert response.status_code == 200 and response["Content-Type"].startswith("text/html")
    errors = response.context["form"].errors["barcodes"]
    assert errors == ["The catalogue has no copies with these 2 barcodes: X-1, Y-2."]
    response = client.post(
        url, form_data(kind="barcode", barcodes="P0012\nX-1 P0010, Y-2", skip_unknown="on")
    )
    assert response["Content-Type"] == "application/pdf"
    assert response.content.index(b"(P0012)") < response.content.index(b"(P0010)")
    assert b"(P0011)" not in response.content


@time_machine.travel(dt.datetime(2026, 3, 2, 1, 0, tzinfo=dt.UTC), tick=False)
def test_copies_added_today_in_the_library_time_zone(record, cataloguer):
    with time_machine.travel(dt.datetime(2026, 3, 1, 15, 30, tzinfo=dt.UTC), tick=False):
        copies(record, cataloguer, 2, first="OLD1")  # 23.30 yesterday in Samarinda
    copies(record, cataloguer, 3, first="NEW1")  # 09.00 today
    client = english(cataloguer)
    response = client.post(reverse("cataloguing:labels"), form_data(selection="today"))
    assert response["Content-Type"] == "application/pdf"
    pdf = response.content
    assert b"(NEW1)" not in pdf  # spine labels show the call number, not the barcode
    assert page_count(pdf) == 1
    barcodes = client.post(
        reverse("cataloguing:labels"), form_data(kind="barcode", selection="today")
    ).content
    assert b"(NEW1)" in barcodes and b"(NEW3)" in barcodes and b"(OLD1)" not in barcodes


@pytest.mark.parametrize(
    ("extra", "field", "wording"),
    [
        ({"preset": "custom", "rows": "0"}, "rows", "at least 1"),
        ({"preset": "custom", "columns": "4"}, "columns", "wider than an A4 sheet"),
        ({"start": "25"}, "start", "from 1 to 24"),
        ({"start": "0"}, "start", "at least 1"),
        ({"selection": "record", "record": ""}, "record", "record number"),
        ({"selection": "record", "record": "999"}, "record", "no record number 999"),
        ({"selection": "barcodes", "barcodes": "  "}, "barcodes", "at least one barcode"),
        ({"selection": "today"}, "selection", "No copies have been added today"),
    ],
)
def test_bad_input_gets_a_form_error_on_the_field(cataloguer, library, extra, field, wording):
    client = english(cataloguer)
    response = client.post(reverse("cataloguing:labels"), form_data(**{"barcodes": "P1", **extra}))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")
    errors = response.context["form"].errors
    assert field in errors, errors
    assert wording in " ".join(errors[field])
    assert not LabelPreference.objects.exists()


def test_a_preset_wins_over_the_sizes_typed(cataloguer, record):
    copies(record, cataloguer, 1)
    client = english(cataloguer)
    response = client.post(
        reverse("cataloguing:labels"), form_data(barcodes="P0001", rows="0", columns="99")
    )
    assert response["Content-Type"] == "application/pdf"


def test_members_may_not_print_labels(make_user, library):
    member = make_user("ani", roles={"member"})
    response = english(member).post(reverse("cataloguing:labels"), form_data(barcodes="P1"))
    assert response.status_code == 403
