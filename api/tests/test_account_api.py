"""The phone app's view of the member's own account: profile, loans and renewing, holds, fines,
the digital card. Only the token's own member; refusals answer with a code and a message in the
app's language."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from circulation import services
from circulation.models import Hold, LoanPolicy
from circulation.states import Channel, HoldState

pytestmark = pytest.mark.django_db

EN = {"HTTP_ACCEPT_LANGUAGE": "en"}


@pytest.fixture
def reader(make_member, make_user):
    """Rina, a member who signs in to the app with her card number."""
    user = make_user("m00900", roles={"member"}, first_name="Rina")
    return make_member("Rina", number="M00900", user=user)


@pytest.fixture
def api(client, reader):
    """api.get(path) / api.post(path, body) / api.delete(path), as Rina, in English."""
    response = client.post(
        "/api/auth/token",
        json.dumps({"username": "M00900", "password": "secret-pass-1"}),
        content_type="application/json",
    )
    assert response.status_code == 200, response.content
    auth = {"HTTP_AUTHORIZATION": f"Bearer {response.json()['token']}", **EN}

    class Api:
        def get(self, path, **extra):
            return client.get("/api/account" + path, **{**auth, **extra})

        def post(self, path, body=None, **extra):
            return client.post(
                "/api/account" + path,
                json.dumps(body or {}),
                content_type="application/json",
                **{**auth, **extra},
            )

        def delete(self, path, **extra):
            return client.delete("/api/account" + path, **{**auth, **extra})

    return Api()


def test_my_account_shows_card_category_expiry_counts_and_fines(
    api, reader, item, librarian, branches
):
    services.check_out(item, reader, staff=librarian)
    services.charge(reader, 7500, kind="damaged", reason="sobek", staff=librarian)
    body = api.get("").json()
    assert body["number"] == "M00900"
    assert body["category"]["code"] == "general" and body["category"]["name"]
    assert body["expires_on"] == "2027-12-31"
    assert body["home_branch"]["code"] == "pusat"
    assert body["can_borrow"] is True and body["blocks"] == []
    assert body["counts"] == {"loans": 1, "overdue": 0, "holds": 0, "holds_ready": 0}
    assert body["fines"]["owed"] == 7500
    assert body["fines"]["currency"] == "IDR"


def test_loans_say_when_they_are_due_and_whether_they_can_be_renewed(
    api, reader, make_item, librarian, make_member, branches
):
    free, wanted = make_item(), make_item()
    services.check_out(free, reader, staff=librarian)
    other = make_item(rec=_another_record())
    services.check_out(other, reader, staff=librarian)
    services.place_hold(other.record, make_member("Budi"), pickup_branch=branches[0])
    loans = {loan["barcode"]: loan for loan in api.get("/loans").json()}
    assert set(loans) == {free.barcode, other.barcode}
    assert loans[free.barcode]["renewable"] is True
    assert loans[free.barcode]["not_renewable_because"] == []
    assert loans[free.barcode]["due_on"]
    assert loans[other.barcode]["renewable"] is False
    assert loans[other.barcode]["not_renewable_because"][0]["code"] == "renewal_blocked_by_hold"
    assert "waiting" in loans[other.barcode]["not_renewable_because"][0]["message"]
    assert wanted.pk


def _another_record():
    from catalog.records import ParsedRecord
    from catalog.services import save_parsed_record

    return save_parsed_record(ParsedRecord(title="Bumi manusia", year=1980)).record


def test_renewing_my_loan_moves_the_due_date(api, reader, item, librarian):
    loan = services.check_out(item, reader, staff=librarian).loan
    loan.due_at -= dt.timedelta(days=10)
    loan.save()
    response = api.post(f"/loans/{loan.pk}/renew")
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["renewed"] is True
    assert "is renewed" in body["message"]
    assert body["loan"]["renewals"] == 1
    loan.refresh_from_db()
    assert loan.renewals == 1
    assert loan.events.filter(kind="renewal", channel=Channel.API).exists()


def test_a_refused_renewal_says_why_with_a_code(api, reader, item, librarian):
    LoanPolicy.objects.create(name="Tanpa perpanjangan", max_renewals=0)
    loan = services.check_out(item, reader, staff=librarian).loan
    response = api.post(f"/loans/{loan.pk}/renew")
    assert response.status_code == 409
    body = response.json()
    assert body["code"] == "renewal_limit_reached"
    assert "the most allowed" in body["message"]
    assert body["errors"][0]["code"] == "renewal_limit_reached"
    loan.refresh_from_db()
    assert loan.renewals == 0


def test_refusals_speak_the_apps_language(client, api, reader, item, librarian):
    LoanPolicy.objects.create(name="Tanpa perpanjangan", max_renewals=0)
    loan = services.check_out(item, reader, staff=librarian).loan
    english = api.post(f"/loans/{loan.pk}/renew").json()["message"]
    indonesian = api.post(f"/loans/{loan.pk}/renew", HTTP_ACCEPT_LANGUAGE="id").json()
    assert indonesian["code"] == "renewal_limit_reached"
    assert indonesian["message"] and indonesian["message"] != english


def test_another_members_loan_and_hold_are_not_found(
    api, make_member, item, librarian, record, branches
):
    budi = make_member("Budi")
    loan = services.check_out(item, budi, staff=librarian).loan
    hold = services.place_hold(record, make_member("Citra"), pickup_branch=branches[0])
    response = api.post(f"/loans/{loan.pk}/renew")
    assert response.status_code == 404
    assert response.json()["code"] == "loan_not_found"
    response = api.delete(f"/holds/{hold.pk}")
    assert response.status_code == 404
    assert response.json()["code"] == "hold_not_found"
    hold.refresh_from_db()
    loan.refresh_from_db()
    assert hold.state == HoldState.WAITING and loan.renewals == 0
    assert api.get("/loans").json() == [] and api.get("/holds").json() == []


def test_place_a_hold_see_it_in_the_queue_and_cancel_it(
    api, reader, make_member, item, librarian, record, branches
):
    services.check_out(item, make_member("Budi"), staff=librarian)
    services.place_hold(record, make_member("Citra"), pickup_branch=branches[0])
    response = api.post("/holds", {"record_id": record.pk, "pickup_branch": "cabang"})
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["created"] is True
    assert body["hold"]["position"] == 2
    assert body["hold"]["pickup_branch"]["code"] == "cabang"
    assert "number 2 in line" in body["message"]
    hold = Hold.objects.get(pk=body["hold"]["id"])
    assert hold.member == reader and hold.channel == Channel.API

    again = api.post("/holds", {"record_id": record.pk, "pickup_branch": "cabang"})
    assert again.status_code == 200 and again.json()["created"] is False
    assert Hold.objects.filter(member=reader).count() == 1

    holds = api.get("/holds").json()
    assert [(h["id"], h["position"], h["state"]) for h in holds] == [(hold.pk, 2, "waiting")]

    response = api.delete(f"/holds/{hold.pk}")
    assert response.status_code == 200
    assert response.json()["state"] == "cancelled"
    assert api.get("/holds").json() == []
    assert api.delete(f"/holds/{hold.pk}").status_code == 409


def test_a_hold_without_a_branch_is_collected_at_home(api, reader, record, item):
    response = api.post("/holds", {"record_id": record.pk})
    assert response.status_code == 201
    assert response.json()["hold"]["pickup_branch"]["code"] == "pusat"


def test_a_blocked_member_cannot_place_a_hold(api, reader, record, item):
    reader.manual_block_reason = "kartu hilang"
    reader.save()
    response = api.post("/holds", {"record_id": record.pk, "pickup_branch": "pusat"})
    assert response.status_code == 409
    assert response.json()["code"] == "member_blocked"
    assert "kartu hilang" in response.json()["message"]
    assert not Hold.objects.exists()
    account = api.get("").json()
    assert account["can_borrow"] is False
    assert account["blocks"][0]["code"] == "manual"


def test_holds_not_allowed_for_the_category_are_refused(api, reader, record, item):
    LoanPolicy.objects.create(name="Tanpa pesanan", holds_allowed=False)
    response = api.post("/holds", {"record_id": record.pk, "pickup_branch": "pusat"})
    assert response.status_code == 409
    assert response.json()["code"] == "holds_not_allowed"


def test_unknown_record_and_branch(api, record, item):
    response = api.post("/holds", {"record_id": 999999, "pickup_branch": "pusat"})
    assert response.status_code == 404
    assert response.json()["code"] == "record_not_found"
    response = api.post("/holds", {"record_id": record.pk, "pickup_branch": "bulan"})
    assert response.status_code == 422
    assert response.json()["code"] == "unknown_pickup_branch"
    response = api.post("/holds", {"pickup_branch": "pusat"})
    assert response.status_code == 422
    assert response.json()["code"] == "invalid_input"


def test_fines_list_the_ledger_in_rupiah(api, reader, librarian):
    services.charge(reader, 7500, kind="damaged", reason="sobek", staff=librarian)
    services.pay(reader, 2500, method="cash", staff=librarian)
    body = api.get("/fines").json()
    assert body["balance"] == 5000 and body["owed"] == 5000
    assert body["owed_text"] == "Rp\u00a05.000"
    assert [(e["kind"], e["amount"], e["balance_after"]) for e in body["entries"]] == [
        ("damaged", 7500, 7500),
        ("payment", -2500, 5000),
    ]
    assert body["entries"][1]["receipt_number"]


def test_the_digital_card_carries_the_number_only(api, reader):
    response = api.get("/card")
    assert response["Cache-Control"] == "private, no-store"
    body = response.json()
    assert body["number"] == body["payload"] == "M00900"
    assert body["valid"] is True
    assert body["barcode_format"] == "code128"
    assert body["barcode_svg"].startswith("<svg") and "M00900" in body["barcode_svg"]
    assert body["qr_svg"].startswith("<svg")
    assert "Rina" not in body["barcode_svg"] + body["qr_svg"]


def test_an_expired_card_is_not_valid(api, reader):
    reader.expires_on = dt.date(2020, 1, 1)
    reader.save()
    body = api.get("/card").json()
    assert body["valid"] is False
    assert body["payload"] == "M00900"


def test_staff_without_membership_and_no_token(client, make_user, library):
    make_user("siti", roles={"librarian"})
    token = client.post(
        "/api/auth/token",
        json.dumps({"username": "siti", "password": "secret-pass-1"}),
        content_type="application/json",
    ).json()["token"]
    response = client.get("/api/account", HTTP_AUTHORIZATION=f"Bearer {token}", **EN)
    assert response.status_code == 403
    assert response.json()["code"] == "not_a_member"
    response = client.get("/api/account/loans", **EN)
    assert response.status_code == 401
    assert response.json()["code"] == "unauthorized"
