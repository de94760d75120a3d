"""Book suggestions and the ideas board from the phone app."""

from __future__ import annotations

import json

import pytest

from participation import ideas
from participation.models import CommentReport, Suggestion

pytestmark = pytest.mark.django_db

EN = {"HTTP_ACCEPT_LANGUAGE": "en"}


def token_for(client, username):
    return client.post(
        "/api/auth/token",
        json.dumps({"username": username, "password": "secret-pass-1"}),
        content_type="application/json",
    ).json()["token"]


@pytest.fixture
def rina(make_member, make_user):
    user = make_user("m00900", roles={"member"})
    return make_member("Rina", number="M00900", user=user)


@pytest.fixture
def joko(make_member, make_user):
    return make_member("Joko", number="M00901", user=make_user("m00901", roles={"member"}))


@pytest.fixture
def api(client, rina):
    headers = {"HTTP_AUTHORIZATION": f"Bearer {token_for(client, 'M00900')}", **EN}

    class Api:
        def get(self, path):
            return client.get("/api" + path, **headers)

        def send(self, method, path, body=None):
            return getattr(client, method)(
                "/api" + path, json.dumps(body or {}), content_type="application/json", **headers
            )

        def post(self, path, body=None):
            return self.send("post", path, body)

    return Api()


@pytest.fixture
def held(record):
    record.isbn = "9789793062792"
    record.save(update_fields=["isbn"])
    return record


def test_member_suggests_by_title_and_sees_the_status(api, rina):
    made = api.post("/suggestions", {"title": "Bumi Manusia", "author": "Pramoedya"})
    assert made.status_code == 201, made.content
    assert made.json()["created"] is True
    assert made.json()["suggestion"]["status"] == "submitted"
    again = api.post("/suggestions", {"title": "bumi manusia"})
    assert again.status_code == 200 and again.json()["created"] is False
    assert Suggestion.objects.count() == 1
    mine = api.get("/suggestions/mine")
    assert mine["Cache-Control"] == "private, no-store"
    assert [(s["title"], s["status_label"]) for s in mine.json()] == [("Bumi Manusia", "Suggested")]


def test_a_held_isbn_is_refused_with_a_link_to_the_record(api, held):
    response = api.post("/suggestions", {"isbn": "978-979-3062-79-2"})
    assert response.status_code == 409
    body = response.json()
    assert body["code"] == "already_held" and body["record"]["id"] == held.pk
    assert body["record"]["url"].endswith(f"/catalogue/records/{held.pk}/")
    assert Suggestion.objects.count() == 0


def test_malformed_isbn_and_missing_title(api, client):
    bad = api.post("/suggestions", {"isbn": "978-0-00-000000-1"})
    assert bad.status_code == 409 and bad.json()["code"] == "invalid_isbn"
    assert "is not a valid ISBN" in bad.json()["message"]
    none = api.post("/suggestions", {})
    assert none.status_code == 409 and none.json()["code"] == "title_required"
    assert client.get("/api/suggestions/mine").status_code == 401


def test_board_sorted_by_votes_or_newest_with_my_votes(api, client, rina, joko):
    first = ideas.propose(joko, kind="programme", title="Dongeng", body="Setiap Sabtu")
    second = ideas.propose(joko, kind="collection", title="Komik", body="Lebih banyak komik")
    ideas.set_vote(first, joko, True)
    public = client.get("/api/ideas", **EN).json()
    assert [i["title"] for i in public["ideas"]] == ["Dongeng", "Komik"]
    assert public["ideas"][0]["voted"] is None
    newest = client.get("/api/ideas?sort=new").json()
    assert [i["title"] for i in newest["ideas"]] == ["Komik", "Dongeng"]
    assert client.get("/api/ideas?sort=random").status_code == 422

    voted = api.send("put", f"/ideas/{second.pk}/vote")
    assert voted.status_code == 200 and voted.json() == {
        "voted": True,
        "votes": 1,
        "message": "Your vote is counted.",
    }
    assert api.send("put", f"/ideas/{second.pk}/vote").json()["votes"] == 1  # twice is once
    mine = api.get("/ideas").json()["ideas"]
    assert {i["title"]: i["voted"] for i in mine} == {"Dongeng": False, "Komik": True}
    back = api.send("delete", f"/ideas/{second.pk}/vote")
    assert back.json()["voted"] is False and back.json()["votes"] == 0
    assert api.send("delete", f"/ideas/{second.pk}/vote").json()["votes"] == 0
    assert api.send("put", "/ideas/999999/vote").status_code == 404


def test_voting_on_a_closed_idea_is_refused(api, joko, make_user):
    idea = ideas.propose(joko, kind="service", title="Buka Minggu", body="Buka hari Minggu")
    ideas.set_status(idea, "not_now", staff=make_user("kepala", roles={"head"}), reason="Anggaran")
    refused = api.send("put", f"/ideas/{idea.pk}/vote")
    assert refused.status_code == 409 and refused.json()["code"] == "idea_closed"


def test_propose_comment_and_report(api, rina, joko):
    made = api.post("/ideas", {"kind": "programme", "title": "Klub baca", "body": "Tiap Jumat"})
    assert made.status_code == 201 and made.json()["status"] == "open"
    idea_id = made.json()["id"]
    assert api.post("/ideas", {"kind": "party", "title": "x", "body": "y"}).status_code == 422
    spam = api.post("/ideas", {"kind": "service", "title": "Judi online", "body": "togel"})
    assert spam.status_code == 409 and spam.json()["code"] == "unwelcome_text"

    commented = api.post(f"/ideas/{idea_id}/comments", {"body": "<b>Setuju</b>"})
    assert commented.status_code == 201 and commented.json()["body"] == "<b>Setuju</b>"
    rude = ideas.comment(ideas.Idea.objects.get(pk=idea_id), joko, "Ide jelek sekali.")
    detail = api.get(f"/ideas/{idea_id}").json()
    assert [c["author"] for c in detail["comment_list"]] == ["Rina", "Joko"]

    reported = api.post(f"/ideas/comments/{rude.pk}/report", {"reason": "offensive"})
    assert reported.status_code == 201
    twice = api.post(f"/ideas/comments/{rude.pk}/report", {"reason": "offensive"})
    assert twice.status_code == 409 and twice.json()["code"] == "already_reported"
    assert CommentReport.objects.count() == 1
    assert api.post("/ideas/comments/999999/report", {"reason": "spam"}).status_code == 404
