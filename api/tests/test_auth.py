"""The phone app's way in: tokens for a user name and password (and a code for staff)."""

import datetime as dt
import json

import pytest
import time_machine

from accounts.models import ApiToken
from conftest import totp_code

pytestmark = pytest.mark.django_db


def get_token(client, username, password="secret-pass-1", code=None, **headers):
    body = {"username": username, "password": password}
    if code:
        body["code"] = code
    return client.post(
        "/api/auth/token", json.dumps(body), content_type="application/json", **headers
    )


def test_member_gets_a_token_and_reads_their_profile(client, library, make_user):
    make_user("rina", roles={"member"}, first_name="Rina")
    response = get_token(client, "rina")
    assert response.status_code == 200
    token = response.json()["token"]
    assert token.startswith("pus_")
    assert ApiToken.objects.get().key_hash != token  # only the hash is stored
    me = client.get("/api/auth/me", HTTP_AUTHORIZATION=f"Bearer {token}")
    assert me.status_code == 200
    assert me.json()["username"] == "rina"
    assert me.json()["roles"] == ["member"]


def test_wrong_password_gets_401_with_a_code_and_message(client, library, make_user):
    make_user("rina", roles={"member"})
    response = get_token(client, "rina", "wrong")
    assert response.status_code == 401
    assert response.json()["code"] == "invalid_credentials"
    assert response.json()["message"]


def test_staff_with_authenticator_must_send_the_code(client, library, make_user):
    user = make_user("siti", roles={"librarian"}, totp=True)
    assert get_token(client, "siti").json()["code"] == "invalid_two_factor_code"
    response = get_token(client, "siti", code=totp_code(user))
    assert response.status_code == 200


def test_head_without_authenticator_is_told_to_set_it_up_first(client, library, make_user):
    make_user("kepala", roles={"head"})
    response = get_token(client, "kepala")
    assert response.status_code == 401
    assert response.json()["code"] == "two_factor_setup_required"
    assert not ApiToken.objects.exists()


def test_token_sign_in_is_throttled_like_the_web(client, library, make_user, settings):
    settings.PUSTAKA_LOGIN_SLOWDOWN_AFTER = 100
    settings.PUSTAKA_LOGIN_LOCKOUT_AFTER = 2
    make_user("rina", roles={"member"})
    get_token(client, "rina", "x")
    get_token(client, "rina", "x")
    response = get_token(client, "rina")
    assert response.status_code == 429
    assert response.json()["code"] == "sign_in_locked"


def test_revoked_and_expired_tokens_are_refused(client, library, make_user):
    make_user("rina", roles={"member"})
    token = get_token(client, "rina").json()["token"]
    auth = {"HTTP_AUTHORIZATION": f"Bearer {token}"}
    with time_machine.travel(dt.datetime.now(tz=dt.UTC) + dt.timedelta(days=181)):
        assert client.get("/api/auth/me", **auth).status_code == 401
    assert client.delete("/api/auth/token", **auth).status_code == 204
    response = client.get("/api/auth/me", **auth)
    assert response.status_code == 401
    assert response.json()["code"] == "unauthorized"


def test_garbage_body_gets_a_clear_400(client, library):
    response = client.post("/api/auth/token", "\x00{", content_type="application/json")
    assert response.status_code == 400
    assert response.json()["code"] == "unreadable_body"


def test_missing_fields_name_where_the_problem_is(client, library):
    response = client.post(
        "/api/auth/token", json.dumps({"username": "x"}), content_type="application/json"
    )
    assert response.status_code == 422
    assert any("password" in error["where"] for error in response.json()["errors"])


def test_branches_with_todays_hours(client, library):
    with time_machine.travel(dt.datetime(2026, 11, 23, 2, 0, tzinfo=dt.UTC), tick=False):
        data = client.get("/api/branches").json()
    main = next(b for b in data if b["code"] == "pusat")
    assert main["is_open_now"] is True
    assert main["today"]["periods"] == [{"opens_at": "08:00:00", "closes_at": "16:00:00"}]


def test_branch_calendar_names_holidays(client, library):
    response = client.get("/api/branches/pusat/calendar", {"start": "2026-08-16", "days": 3})
    days = response.json()
    assert [d["is_open"] for d in days] == [False, False, True]
    assert "Kemerdekaan" in days[1]["closure_reason"]


def test_branch_calendar_refuses_too_many_days_and_unknown_branches(client, library):
    assert client.get("/api/branches/pusat/calendar", {"days": 500}).status_code == 422
    assert client.get("/api/branches/nowhere/calendar").status_code == 404
