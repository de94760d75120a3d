"""A NUL character, which no text Pustaka keeps may contain and PostgreSQL refuses outright, in
an address, a query string or an API body gets an answer, never a server error (schemathesis
found `GET /api/events?branch=%00%10` answering 500 on PostgreSQL)."""

from __future__ import annotations

import json

import pytest

pytestmark = pytest.mark.django_db


def test_an_api_query_with_a_nul_is_looked_up_as_text_that_matches_nothing(client, library):
    response = client.get("/api/events", {"branch": "\x00\x10"})
    assert response.status_code in (200, 404)
    assert response["Content-Type"].startswith("application/json")
    assert client.get("/api/events", {"branch": "pusat"}).status_code == 200  # the rest works


def test_an_api_body_with_a_nul_is_read_with_the_replacement_character(client, library):
    response = client.post(
        "/api/auth/token",
        json.dumps({"username": "M0\u00001", "password": "x"}),
        content_type="application/json",
    )
    assert response.status_code == 401  # no such member, said as for any unknown name
    unknown = client.post(
        "/api/auth/token",
        json.dumps({"username": "M0?1", "password": "x"}),
        content_type="application/json",
    )
    assert response.json()["code"] == unknown.json()["code"]


def test_an_address_with_a_nul_is_not_found(client, library):
    response = client.get("/api/events/1%00")
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"
    assert client.get("/catalogue/record/1%00/").status_code == 404


def test_a_page_with_a_nul_in_its_query_reads_it_as_the_replacement_character(client, library):
    response = client.get("/catalogue/", {"q": "laskar\x00"})
    assert response.status_code == 200  # a search like any other (catalog's garbage test too)
    assert response.wsgi_request.GET["q"] == "laskar\ufffd"


def test_the_middleware_cleans_nested_json_and_leaves_clean_bodies_alone():
    from core.middleware import _clean, _has_nul

    body = {"a\x00": ["x\x00y", {"k": "v\x00"}], "n": 1}
    assert _has_nul(body) and not _has_nul(_clean(body))
    assert _clean(body) == {"a\ufffd": ["x\ufffdy", {"k": "v\ufffd"}], "n": 1}
    assert not _has_nul({"plain": ["text", 2, None]})
