"""Member cards (KTA) as PDF, and the codes on the digital card.

Wording is asserted in the English interface (the language cookie), so translating the
Indonesian catalogue does not break these tests."""

import datetime as dt
import re

import pytest
from django.conf import settings
from django.urls import reverse

from core.models import AuditEntry
from core.tests.test_views import signed_in
from patrons import cards
from patrons.codes import code128_modules, code128_svg, qr_svg

from .conftest import jpeg_bytes

pytestmark = pytest.mark.django_db


def signed_in_english(user):
    """Staff signed in to the English interface (the language cookie)."""
    client = signed_in(user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def pages(pdf: bytes) -> int:
    return len(re.findall(rb"/Type\s*/Page(?![a-zA-Z])", pdf))


def sample(n: int) -> list[cards.CardData]:
    return [
        cards.CardData(
            name=f"Anggota dengan Nama yang Cukup Panjang Sekali Nomor {i}",
            number=f"A{i:08d}",
            category="Umum",
            expires_on=dt.date(2027, 1, 1) if i % 2 else None,
            photo=jpeg_bytes((300, 400)) if i % 3 == 0 else None,
        )
        for i in range(1, n + 1)
    ]


LIBRARY = cards.LibraryData(
    name="Dinas Perpustakaan dan Kearsipan Kota Samarinda",
    address_lines=["Jl. Dahlia No. 80", "Samarinda 75121", "0541 123 · perpus@example.org"],
    logo=jpeg_bytes((64, 64)),
)


def test_one_card_is_a_front_and_a_back_page_of_card_size():
    pdf = cards.single_cards_pdf(sample(1), LIBRARY)
    assert pdf.startswith(b"%PDF")
    assert pages(pdf) == 2
    # 85.6 x 54 mm in points.
    assert re.search(rb"/MediaBox\s*\[\s*0 0 242\.6\d* 153\.0\d*", pdf)


@pytest.mark.parametrize(("count", "expected"), [(1, 2), (10, 2), (11, 4), (25, 6)])
def test_sheets_hold_ten_cards_fronts_then_backs(count, expected):
    pdf = cards.card_sheet_pdf(sample(count), LIBRARY)
    assert pdf.startswith(b"%PDF")
    assert pages(pdf) == expected


def test_sheet_places_fit_on_a4_and_backs_are_mirrored():
    from reportlab.lib.pagesizes import A4

    positions = cards.sheet_positions()
    assert len(positions) == 10
    for x, y in positions:
        assert x >= 0 and x + cards.CARD_WIDTH <= A4[0]
        assert y >= 0 and y + cards.CARD_HEIGHT <= A4[1]
    # Card 1 is top left on the front and top right on the back.
    assert positions[0][1] == positions[1][1] and positions[0][0] < positions[1][0]


def test_a_damaged_photo_or_odd_name_still_makes_a_card():
    card = cards.CardData(
        name="Ñoño Çağlar Đặng",  # beyond Latin-1
        number="A00000001",
        category="Umum",
        expires_on=None,
        photo=b"not an image",
    )
    pdf = cards.single_cards_pdf([card], cards.LibraryData(name="P", logo=b"junk"))
    assert pdf.startswith(b"%PDF") and pages(pdf) == 2


def test_staff_print_one_card_and_it_is_audited(librarian, make_member, photo_upload):
    from patrons.photos import prepare_photo

    member = make_member(photo=prepare_photo(photo_upload()))
    response = signed_in_english(librarian).get(reverse("patrons:member-card", args=[member.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF") and pages(response.content) == 2
    assert AuditEntry.objects.filter(action="member.card", object_id=str(member.pk)).exists()


def test_staff_print_a_sheet_for_scanned_numbers(librarian, make_member):
    members = [make_member(f"Anggota {n}") for n in range(12)]
    numbers = "\n".join(m.number for m in members)
    response = signed_in_english(librarian).post(
        reverse("patrons:card-sheet"), {"numbers": numbers, "layout": "sheet"}
    )
    assert response.status_code == 200 and response.content.startswith(b"%PDF")
    assert pages(response.content) == 4
    assert AuditEntry.objects.filter(action="member.card").count() == 12


def test_staff_print_card_pages_for_everyone_registered_today(librarian, make_member):
    make_member("A")
    make_member("B")
    today = dt.date.today().isoformat()
    response = signed_in_english(librarian).post(
        reverse("patrons:card-sheet"),
        {"registered_from": today, "registered_to": today, "layout": "single"},
    )
    assert pages(response.content) == 4


def test_unknown_numbers_are_named(librarian, make_member):
    member = make_member()
    response = signed_in_english(librarian).post(
        reverse("patrons:card-sheet"), {"numbers": f"{member.number}\nA99999999", "layout": "sheet"}
    )
    assert response.status_code == 200
    assert "No member has the number A99999999." in response.content.decode()


def test_an_empty_selection_says_what_to_enter(librarian):
    response = signed_in_english(librarian).post(reverse("patrons:card-sheet"), {"layout": "sheet"})
    assert "Enter member numbers" in response.content.decode()


def test_cataloguer_may_not_print_cards(make_user, make_member):
    member = make_member()
    client = signed_in_english(make_user("katalog", roles={"cataloguer"}))
    assert client.get(reverse("patrons:member-card", args=[member.pk])).status_code == 403


def test_barcode_svg_has_the_bars_of_code_128_and_no_style_attributes():
    modules = code128_modules("A00000001")
    assert modules.startswith("11010") and modules.endswith("1100011101011")  # start, stop
    svg = str(code128_svg("A00000001"))
    assert svg.startswith("<svg") and 'aria-label="A00000001"' in svg
    assert "style=" not in svg
    assert svg.count("h") >= modules.count("01")  # one rectangle per bar


def test_qr_svg_is_inline_and_labelled():
    svg = str(qr_svg("A00000001", label="QR <A00000001>"))
    assert svg.startswith("<svg") and "viewBox" in svg
    assert 'aria-label="QR &lt;A00000001&gt;"' in svg
    assert "style=" not in svg


def test_only_active_members_get_cards(librarian, make_member):
    pending = make_member("Menunggu", status="pending")
    active = make_member("Aktif")
    client = signed_in_english(librarian)
    response = client.get(reverse("patrons:member-card", args=[pending.pk]))
    assert response.status_code == 302
    assert not AuditEntry.objects.filter(action="member.card").exists()
    response = client.post(
        reverse("patrons:card-sheet"),
        {"numbers": f"{active.number} {pending.number}", "layout": "sheet"},
    )
    assert response.status_code == 200
    assert f"closed or merged: {pending.number}." in response.content.decode()
