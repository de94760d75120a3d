"""A FAQ entry made from an answered question is found by the FAQ page's search and shown on
the catalogue's results page, matched with the catalogue's Indonesian-aware analysis."""

from __future__ import annotations

import pytest

from conversations import selectors, services
from conversations.models import FaqEntry


@pytest.fixture
def loan_faq(library, librarian):
    return services.publish_faq(
        None,
        "Berapa lama saya boleh meminjam buku?",
        "Peminjaman buku 14 hari dan dapat diperpanjang sekali lewat akun Anda.",
        staff=librarian,
    )


@pytest.fixture
def hours_faq(library, librarian):
    return services.publish_faq(
        None, "When is the library open?", "Weekdays 8.00 to 16.00.", staff=librarian
    )


def test_stemmed_words_find_the_entry(loan_faq, hours_faq):
    assert selectors.faq_for_search("pinjam buku") == [loan_faq]
    assert selectors.faq_for_search("memperpanjang peminjaman") == [loan_faq]
    assert selectors.faq_for_search("LIBRARY OPEN") == [hours_faq]


def test_every_word_must_match_and_small_words_alone_find_nothing(loan_faq, hours_faq):
    assert selectors.faq_for_search("pinjam majalah") == []
    assert selectors.faq_for_search("apakah bisa") == []
    assert selectors.faq_for_search("") == []


def test_unpublished_entries_and_edits(loan_faq):
    loan_faq.answer_text = "Peminjaman majalah 7 hari."
    loan_faq.save(update_fields=["answer_text"])
    assert selectors.faq_for_search("pinjam majalah") == [loan_faq]
    FaqEntry.objects.filter(pk=loan_faq.pk).update(is_published=False)
    assert selectors.faq_for_search("pinjam majalah") == []


def test_field_and_excluded_words_of_a_catalogue_query_are_not_used(loan_faq):
    from search.query import parse

    assert selectors.faq_for_search(parse("pinjam buku")) == [loan_faq]
    assert selectors.faq_for_search(parse("author:pinjam")) == []
    assert selectors.faq_for_search(parse("pinjam -buku")) == [loan_faq]


def test_the_faq_page_search_uses_the_same_analysis(client, loan_faq, hours_faq):
    page = client.get("/faq/", {"q": "meminjam"}).content.decode()
    assert "Berapa lama saya boleh meminjam buku?" in page
    assert "When is the library open?" not in page


def test_catalogue_results_show_answers_from_the_librarians(client, loan_faq, hours_faq):
    client.cookies["django_language"] = "en"
    response = client.get("/catalogue/", {"q": "pinjam buku"})
    page = response.content.decode()
    assert response.status_code == 200
    assert "Answers from the librarians" in page
    assert f'href="/faq/#faq-{loan_faq.pk}"' in page
    assert "When is the library open?" not in page
    assert len(response.content) < 60_000

    nothing = client.get("/catalogue/", {"q": "sejarah kalimantan"}).content.decode()
    assert "Answers from the librarians" not in nothing


def test_catalogue_results_ask_the_faq_once(client, loan_faq):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        client.get("/catalogue/", {"q": "pinjam buku"})
    faq_queries = [q for q in queries.captured_queries if "conversations_faqentry" in q["sql"]]
    assert len(faq_queries) == 1
