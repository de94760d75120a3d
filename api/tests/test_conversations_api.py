"""Ask a librarian from the phone app: members and guests ask, follow their thread, write back
and rate; nobody reads another person's thread."""

from __future__ import annotations

import json

import pytest

from conversations import services
from conversations.models import Message, Question

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
    user = make_user("m00900", roles={"member"}, first_name="Rina", last_name="Ayu")
    return make_member("Rina Ayu", number="M00900", user=user)


class Api:
    def __init__(self, client, token=None):
        self.client = client
        self.headers = {**EN, **({"HTTP_AUTHORIZATION": f"Bearer {token}"} if token else {})}

    def get(self, path):
        return self.client.get("/api/questions" + path, **self.headers)

    def post(self, path, body):
        return self.client.post(
            "/api/questions" + path,
            json.dumps(body),
            content_type="application/json",
            **self.headers,
        )


@pytest.fixture
def api(client, rina):
    return Api(client, token_for(client, "M00900"))


@pytest.fixture
def guest(client, library):
    return Api(client)


def test_member_asks_follows_writes_back_and_rates(api, librarian, rina):
    asked = api.post("", {"body": "Ada buku tentang tenun Dayak?", "page_url": "/catalogue/"})
    assert asked.status_code == 201, asked.content
    body = asked.json()
    assert (
        body["status"] == "new" and body["messages"][0]["body"] == "Ada buku tentang tenun Dayak?"
    )
    question = Question.objects.get()
    assert (question.asker, question.name, question.email) == (
        rina.user,
        "Rina Ayu",
        rina.user.email,
    )
    assert question.page_url == "/catalogue/"
    assert asked["Cache-Control"] == "private, no-store"

    services.add_note(question, "Cek rak 745 dulu.", staff=librarian)
    services.reply(question, "Ada, di rak 745.", staff=librarian)
    thread = api.get(f"/{question.pk}").json()
    assert thread["status"] == "answered" and thread["can_rate"] is True
    assert [(m["kind"], m["author"]) for m in thread["messages"]] == [
        ("question", "Rina Ayu"),
        ("reply", "the library"),
    ]
    assert "Cek rak" not in json.dumps(thread)  # staff notes never shown

    rated = api.post(f"/{question.pk}/rating", {"rating": 5, "comment": "Cepat!"})
    assert rated.status_code == 200 and rated.json()["rating"] == 5

    back = api.post(f"/{question.pk}/messages", {"body": "Bisa dipinjam Sabtu?"})
    assert back.status_code == 201
    assert back.json()["status"] == "open"
    assert back.json()["messages"][-1]["kind"] == "patron"

    mine = api.get("/mine").json()
    assert [(q["id"], q["summary"]) for q in mine] == [
        (question.pk, "Ada buku tentang tenun Dayak?")
    ]


def test_guest_asks_with_contact_details_and_follows_by_token(guest, client):
    refused = guest.post("", {"body": "Jam buka?"})
    assert refused.status_code == 409 and refused.json()["code"] == "contact_required"
    bad = guest.post("", {"body": "Jam buka?", "name": "Tamu", "email": "bukan-email"})
    assert bad.status_code == 409 and bad.json()["code"] == "invalid_email"
    asked = guest.post("", {"body": "Jam buka?", "name": "Tamu", "email": "tamu@example.org"})
    assert asked.status_code == 201
    token = asked.json()["thread_token"]
    assert asked.json()["web_url"].endswith(f"/ask/thread/{token}/")
    question = Question.objects.get()
    assert question.asker is None and question.email == "tamu@example.org"
    followed = guest.get(f"/{token}")
    assert followed.status_code == 200 and followed.json()["id"] == question.pk
    # The number alone is not enough for a guest.
    assert guest.get(f"/{question.pk}").status_code == 404
    assert guest.post(f"/{token}/messages", {"body": "Dan hari Sabtu?"}).status_code == 201


def test_nobody_reads_or_writes_in_another_persons_thread(api, guest, client, make_user):
    other = services.ask("Pertanyaan pribadi saya", name="Joko", email="joko@example.org")
    forged = "x" + services.__name__  # any string that is not a signed token
    for ref in (str(other.pk), forged, f"{other.code}:tampered", "99999999999999999999"):
        for response in (
            api.get(f"/{ref}"),
            api.post(f"/{ref}/messages", {"body": "Halo"}),
            api.post(f"/{ref}/rating", {"rating": 1}),
            guest.get(f"/{ref}"),
        ):
            assert response.status_code == 404, (ref, response.content)
            assert response.json()["code"] == "question_not_found"
    assert "Pertanyaan pribadi" not in json.dumps(api.get("/mine").json())
    assert other.messages.count() == 1 and other.rating is None


def test_bad_input_gets_clear_messages_and_stores_nothing(api, guest):
    empty = api.post("", {"body": "   "})
    assert empty.status_code == 409 and empty.json()["code"] == "empty_text"
    assert empty.json()["message"] == "Please write something."
    huge = api.post("", {"body": "a" * 100_000})
    assert huge.status_code == 422 and huge.json()["code"] == "invalid_input"
    long = api.post("", {"body": "a" * 6000})
    assert long.status_code == 409 and long.json()["code"] == "text_too_long"
    assert long.json()["message"] == "Please keep it under 5000 characters."
    spam = api.post("", {"body": "Main slot gacor di sini"})
    assert spam.status_code == 409 and spam.json()["code"] == "unwelcome_text"
    html = api.post("", {"body": "<script>alert(1)</script> Ada buku?"})
    assert html.status_code == 201
    assert html.json()["messages"][0]["body"] == "<script>alert(1)</script> Ada buku?"
    assert Question.objects.count() == 1
    bad_token = Api(api.client, "pus_not-a-token").post("", {"body": "Halo"})
    assert bad_token.status_code == 401


def test_state_refusals_are_409(api, librarian):
    question = Question.objects.get(pk=api.post("", {"body": "Halo?"}).json()["id"])
    early = api.post(f"/{question.pk}/rating", {"rating": 4})
    assert early.status_code == 409 and early.json()["code"] == "not_rateable"
    assert api.post(f"/{question.pk}/rating", {"rating": 9}).status_code == 422
    services.close(question, staff=librarian)
    closed = api.post(f"/{question.pk}/messages", {"body": "Satu lagi"})
    assert closed.status_code == 409 and closed.json()["code"] == "question_closed"
    assert question.messages.filter(kind=Message.Kind.PATRON).count() == 0


def test_asking_is_limited_per_hour(guest, settings):
    settings.PUSTAKA_CONVERSATIONS_PER_HOUR = 2
    data = {"body": "Halo?", "name": "Tamu", "email": "tamu@example.org"}
    assert [guest.post("", data).status_code for _ in range(3)] == [201, 201, 429]
    assert Question.objects.count() == 2
