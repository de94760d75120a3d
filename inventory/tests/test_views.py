"""Stocktake screens: start, scan (with and without htmx), upload, close, reopen, report, CSV."""

from __future__ import annotations

import csv
import io

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from catalog.models import Item, ItemStatus
from core.tests.test_views import signed_in
from inventory.models import StocktakeScan, StocktakeSession

pytestmark = pytest.mark.django_db


@pytest.fixture
def items(make_item, branches):
    return [
        make_item(barcode="B00001", shelf="A-01"),
        make_item(barcode="B00002", shelf="B-01"),
        make_item(barcode="B00003", shelf="C-01", branch=branches[1]),
    ]


def in_english(client):
    """Tests read the English source strings, whatever the catalogues translate."""
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


@pytest.fixture
def client(cataloguer):
    return in_english(signed_in(cataloguer))


def test_start_a_stocktake_from_the_list(client, branches, library):
    url = reverse("inventory:sessions")
    assert client.get(url).status_code == 200
    response = client.post(
        url, {"branch": branches[0].pk, "shelf_from": "A", "shelf_to": "C", "collection": ""}
    )
    session = StocktakeSession.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("inventory:session", args=[session.pk])
    assert (session.shelf_from, session.shelf_to) == ("A", "C")
    html = client.get(url).content.decode()
    assert "Pusat" in html and "shelves A–C" in html


def test_a_backwards_range_is_explained_on_the_form(client, branches):
    data = {"branch": branches[0].pk, "shelf_from": "D", "shelf_to": "A"}
    response = client.post(reverse("inventory:sessions"), data)
    assert response.status_code == 200
    assert "comes after its end" in response.content.decode()
    assert not StocktakeSession.objects.exists()


def test_scan_box_without_javascript_renders_the_whole_page(client, session, items):
    response = client.post(reverse("inventory:scan", args=[session.pk]), {"code": "B00001"})
    html = response.content.decode()
    assert response.status_code == 200
    assert "<html" in html and "Laskar pelangi" in html and 'role="status"' in html
    assert StocktakeScan.objects.filter(session=session).count() == 1


def test_scan_box_with_htmx_swaps_the_panel_and_the_counts(client, session, items):
    response = client.post(
        reverse("inventory:scan", args=[session.pk]), {"code": "B00003"}, HTTP_HX_REQUEST="true"
    )
    html = response.content.decode()
    assert "<html" not in html
    assert 'id="scan-panel"' in html and 'hx-swap-oob="true"' in html
    assert "Misplaced" in html and "Cabang" in html
    again = client.post(
        reverse("inventory:scan", args=[session.pk]), {"code": "B00003"}, HTTP_HX_REQUEST="true"
    ).content.decode()
    assert "already counted" in again


def test_scan_box_explains_bad_input(client, session, items):
    for code, message in (("", "Scan or type"), ("two words", "is not a barcode")):
        html = client.post(
            reverse("inventory:scan", args=[session.pk]), {"code": code}, HTTP_HX_REQUEST="true"
        ).content.decode()
        assert message in html
    assert not StocktakeScan.objects.exists()


def test_upload_reports_garbage_lines_duplicates_and_unknown_codes(client, session, items):
    upload = SimpleUploadedFile("reader.txt", b"B00001\nB00001\n???\nB00002\nNOPE1\n")
    response = client.post(reverse("inventory:upload", args=[session.pk]), {"file": upload})
    html = response.content.decode()
    assert response.status_code == 200
    assert "Line 3 (“???”)" in html
    assert "NOPE1" in html
    assert StocktakeScan.objects.filter(session=session).count() == 3


def test_upload_of_a_binary_file_is_refused_with_its_name(client, session, items):
    upload = SimpleUploadedFile("foto.jpg", b"\xff\xd8\xff\xe0\x00\x10JFIF\x00")
    response = client.post(reverse("inventory:upload", args=[session.pk]), {"file": upload})
    assert response.status_code == 400
    assert "“foto.jpg” is not a text file" in response.content.decode()


def test_close_asks_first_then_closes_once(client, session, items):
    client.post(reverse("inventory:scan", args=[session.pk]), {"code": "B00001"})
    url = reverse("inventory:close", args=[session.pk])
    page = client.get(url).content.decode()
    assert "1 expected item has not been seen" in page
    assert Item.objects.get(barcode="B00002").status == ItemStatus.AVAILABLE
    response = client.post(url, follow=True)
    assert response.redirect_chain[-1][0] == reverse("inventory:report", args=[session.pk])
    assert "1 items not seen are now marked missing" in response.content.decode()
    assert Item.objects.get(barcode="B00002").status == ItemStatus.MISSING
    again = client.post(url, follow=True).content.decode()
    assert "already closed" in again
    assert "B00002" in again  # listed as missing in the report
    closed = client.post(reverse("inventory:scan", args=[session.pk]), {"code": "B00002"})
    assert "This stocktake is closed" in closed.content.decode()


def test_reopen(client, session, items):
    client.post(reverse("inventory:close", args=[session.pk]))
    response = client.post(reverse("inventory:reopen", args=[session.pk]), follow=True)
    assert "2 items it had marked missing are available again" in response.content.decode()
    assert not Item.objects.filter(status=ItemStatus.MISSING).exists()


def test_live_counts_partial(client, session, items):
    client.post(reverse("inventory:scan", args=[session.pk]), {"code": "B00001"})
    html = client.get(reverse("inventory:counts", args=[session.pk])).content.decode()
    assert 'id="counts"' in html and 'hx-trigger="every 15s"' in html


def test_report_and_csv_export(client, session, items, make_item):
    from catalog.records import ParsedRecord
    from catalog.services import save_parsed_record

    formula = save_parsed_record(ParsedRecord(title="=HYPERLINK(1)")).record
    make_item(barcode="B00009", shelf="A-09", rec=formula)
    client.post(reverse("inventory:scan", args=[session.pk]), {"code": "B00001"})
    client.post(reverse("inventory:scan", args=[session.pk]), {"code": "B00003"})
    client.post(reverse("inventory:scan", args=[session.pk]), {"code": "NOPE1"})
    html = client.get(reverse("inventory:report", args=[session.pk])).content.decode()
    assert "B00002" in html and "B00009" in html and "Cabang" in html
    response = client.get(reverse("inventory:export", args=[session.pk]))
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert rows[0][:3] == ["result", "code", "barcode"]
    by_barcode = {row[2] or row[1]: row for row in rows[1:]}
    assert by_barcode["B00002"][0] == "Missing (not seen)"
    assert by_barcode["B00001"][0] == "Found"
    assert by_barcode["B00003"][5] == "cabang"
    assert by_barcode["NOPE1"][0] == "Unknown code"
    assert by_barcode["B00009"][3] == "'=HYPERLINK(1)"  # quoted: no spreadsheet formula


def test_head_of_library_sees_but_does_not_scan(make_user, session, items, library):
    head = make_user("kepala", roles={"head"}, totp=True)
    client = signed_in(head)
    assert client.get(reverse("inventory:session", args=[session.pk])).status_code == 200
    assert (
        client.post(reverse("inventory:scan", args=[session.pk]), {"code": "B00001"}).status_code
        == 403
    )
    assert client.post(reverse("inventory:sessions"), {"branch": 1}).status_code == 403


def test_members_cannot_open_the_stocktake(make_user, session, library):
    client = signed_in(make_user("anggota", roles={"member"}))
    assert client.get(reverse("inventory:sessions")).status_code == 403
    assert client.get(reverse("inventory:session", args=[999])).status_code == 403


def test_staff_menu_links_to_stocktake(client):
    assert reverse("inventory:sessions") in client.get(reverse("core:staff-home")).content.decode()
