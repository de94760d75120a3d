"""GET /api/catalog/search and /api/catalog/records/{id}: shapes, filters, errors."""

import pytest

from search.tests.conftest import sample_catalogue

pytestmark = pytest.mark.django_db


@pytest.fixture
def cataloguer(make_user, library):
    return make_user("katalog", roles={"cataloguer"})


@pytest.fixture
def catalogue(cataloguer, django_capture_on_commit_callbacks):
    from search.tests.conftest import add_record

    return sample_catalogue(add_record.__wrapped__(cataloguer, django_capture_on_commit_callbacks))


def test_search_answers_with_total_facets_and_hits(client, catalogue):
    response = client.get("/api/catalog/search", {"q": "membaca"})
    assert response.status_code == 200
    body = response.json()
    assert body["total"] == 1 and body["total_is_exact"] and body["complete"]
    assert (body["page"], body["pages"], body["per_page"]) == (1, 1, 20)
    (hit,) = body["hits"]
    assert hit["id"] == catalogue["bacaan"].pk
    assert hit["title"] == "Bacaan anak"
    assert hit["contributors"] == ["Sutrisno, Budi"]
    assert hit["year"] == 2019
    assert hit["material_type"] == "book"
    assert hit["availability"] == {
        "total": 3,
        "available": 3,
        "branches": [
            {"code": "pusat", "name": "Pusat", "total": 2, "available": 2},
            {"code": "cabang", "name": "Cabang", "total": 1, "available": 1},
        ],
    }
    assert hit["url"] == f"http://testserver/catalogue/records/{hit['id']}/"
    names = [facet["name"] for facet in body["facets"]]
    assert {"available", "material_type", "branch", "language", "year", "subject"} <= set(names)
    branch = next(f for f in body["facets"] if f["name"] == "branch")
    assert {v["value"]: v["count"] for v in branch["values"]} == {"pusat": 1, "cabang": 1}


def test_search_filters_by_facets_given_back(client, catalogue):
    body = client.get(
        "/api/catalog/search?q=hirata&branch=cabang&available=true&language=ind"
    ).json()
    assert [hit["id"] for hit in body["hits"]] == [catalogue["pemimpi"].pk]
    selected = {
        (f["name"], v["value"]) for f in body["facets"] for v in f["values"] if v["selected"]
    }
    assert selected == {("branch", "cabang"), ("available", "1"), ("language", "ind")}


def test_search_pages_and_sorting(client, catalogue):
    body = client.get("/api/catalog/search", {"sort": "title", "per_page": 2, "page": 2}).json()
    assert body["total"] == 5 and body["pages"] == 3 and body["sort"] == "title"
    assert [hit["title"] for hit in body["hits"]] == ["Laskar pelangi", "Menulis itu mudah"]
    past = client.get("/api/catalog/search", {"per_page": 2, "page": 99}).json()
    assert past["hits"] == [] and past["total"] == 5


@pytest.mark.parametrize(
    ("params", "code"),
    [
        ({"q": "x" * 10_000}, "invalid_input"),
        ({"page": -1}, "invalid_input"),
        ({"page": 10**9}, "invalid_input"),
        ({"page": "abc"}, "invalid_input"),
        ({"material_type": "spaceship"}, "invalid_input"),
    ],
)
def test_search_refuses_what_it_cannot_run_with_a_clear_error(client, library, params, code):
    response = client.get("/api/catalog/search", params)
    assert response.status_code == 422
    assert response.json()["code"] == code
    assert response.json()["message"]


def test_a_query_with_nothing_to_look_for_says_so(client, catalogue):
    body = client.get("/api/catalog/search", {"q": "!!! ???"}).json()
    assert body["total"] == 0 and body["hits"] == []
    assert body["problem"]["code"] == "query_has_no_words"
    assert "tidak berisi huruf atau angka" in body["problem"]["message"]  # Indonesian by default
    english = client.get(
        "/api/catalog/search", {"q": "!!! ???"}, headers={"accept-language": "en"}
    ).json()
    assert "no letters or numbers" in english["problem"]["message"]
    assert client.get("/api/catalog/search", {"q": "membaca"}).json()["problem"] is None


def test_no_hits_come_with_a_suggestion(client, catalogue):
    body = client.get("/api/catalog/search", {"q": "pelangu"}).json()
    assert body["total"] == 0 and body["hits"] == []
    assert body["suggestion"] == "pelangi"


def test_record_with_its_items_per_branch(client, catalogue):
    record = catalogue["bacaan"]
    response = client.get(f"/api/catalog/records/{record.pk}")
    assert response.status_code == 200
    body = response.json()
    assert body["title"] == "Bacaan anak"
    assert (
        body["contributors"]
        == [{"name": "Sutrisno, Budi", "role": "author", "role_label": "Author"}]
        or body["contributors"][0]["name"] == "Sutrisno, Budi"
    )
    assert [s["heading"] for s in body["subjects"]] == ["Buku bacaan -- Anak-anak"]
    assert (body["total"], body["available"]) == (3, 3)
    assert [(b["code"], b["total"], len(b["items"])) for b in body["branches"]] == [
        ("pusat", 2, 2),
        ("cabang", 1, 1),
    ]
    item = body["branches"][0]["items"][0]
    assert item["status"] == "available" and item["available"] is True
    assert set(item) == {
        "barcode",
        "shelf_location",
        "collection",
        "call_number",
        "status",
        "status_label",
        "available",
    }
    assert body["hold_queue_length"] == 0


@pytest.mark.parametrize("record_id", ["999999", "0", "-5", str(2**70)])
def test_unknown_record_is_404(client, library, record_id):
    response = client.get(f"/api/catalog/records/{record_id}")
    assert response.status_code in (404, 422)
    assert response.json()["code"] in ("not_found", "invalid_input")
