"""Searching: analysis at work, phrases and fields, facets and counts, sorting, pages,
"did you mean", bad queries, exports. The same tests run on SQLite and PostgreSQL."""

import pytest

from catalog.models import Subject
from core.models import Branch
from search import engine
from search.engine import Sort, matching_record_ids, search
from search.errors import NothingToSearchError, QueryTooLongError
from search.facets import Filters, parse_filters

pytestmark = pytest.mark.django_db


def ids(result):
    return set(result.record_ids)


def facet(result, name):
    return {v.key: v.count for f in result.facets if f.name == name for v in f.values}


def test_membaca_finds_bacaan_anak(catalogue):
    assert ids(search("membaca")) == {catalogue["bacaan"].pk}
    assert ids(search("MEMBACA buku-buku")) == {catalogue["bacaan"].pk}


def test_menulis_and_pendidikan_find_their_stems(catalogue):
    assert ids(search("tulisan")) == {catalogue["menulis"].pk}
    assert ids(search("mendidik")) == {catalogue["menulis"].pk}


def test_accents_and_decomposed_text_do_not_matter(catalogue):
    assert ids(search("Pramoedya Ánanta")) == {catalogue["menulis"].pk}


def test_every_word_must_match(catalogue):
    assert ids(search("laskar pelangi")) == {catalogue["laskar"].pk, catalogue["pemimpi"].pk}
    assert ids(search("laskar pemimpi")) == {catalogue["pemimpi"].pk}


def test_a_phrase_needs_its_words_together_in_order(catalogue):
    assert ids(search('"laskar pelangi"')) == {catalogue["laskar"].pk, catalogue["pemimpi"].pk}
    assert ids(search('"pelangi laskar"')) == set()
    # Words in different fields do not make a phrase.
    assert ids(search('"pelangi hirata"')) == set()


def test_field_search(catalogue):
    assert ids(search("author:hirata")) == {catalogue["laskar"].pk, catalogue["pemimpi"].pk}
    assert ids(search("title:laskar")) == {catalogue["laskar"].pk}
    assert ids(search('title:"sang pemimpi"')) == {catalogue["pemimpi"].pk}
    assert ids(search("series:tetralogi")) == {catalogue["laskar"].pk, catalogue["pemimpi"].pk}
    assert ids(search("subject:belitung")) == {catalogue["laskar"].pk, catalogue["pemimpi"].pk}
    assert ids(search("pengarang: hirata judul: sang")) == {catalogue["pemimpi"].pk}
    # "laskar" is in a series and in notes, but in only one title.
    assert ids(search("laskar")) >= {catalogue["history"].pk, catalogue["pemimpi"].pk}
    assert ids(search("series:movements")) == set()


def test_isbn_with_or_without_hyphens_and_as_isbn10(catalogue):
    laskar = {catalogue["laskar"].pk}
    assert ids(search("9789793062792")) == laskar
    assert ids(search("979-3062-79-7")) == laskar
    assert ids(search("isbn:978-979-3062-79-2")) == laskar


def test_leaving_words_out(catalogue):
    assert ids(search("hirata -sang")) == {catalogue["laskar"].pk}
    everything_else = {r.pk for r in catalogue.values()} - {catalogue["history"].pk}
    assert ids(search("-history")) == everything_else
    assert search("-history").sort == Sort.NEWEST


def test_best_match_first_title_beats_notes(catalogue):
    result = search("laskar")
    assert result.record_ids[0] == catalogue["laskar"].pk  # in the title and the series
    # Only in its notes: last on SQLite; on PostgreSQL series and notes share weight class D.
    assert result.record_ids.index(catalogue["history"].pk) >= 1
    assert search("pelangi").record_ids[0] == catalogue["laskar"].pk


def test_facets_count_the_hits(catalogue):
    result = search("hirata")
    assert facet(result, "branch") == {"pusat": 1, "cabang": 1}
    assert facet(result, "year") == {"2000_2009": 2}
    assert facet(result, "language") == {"ind": 2}
    assert facet(result, "available") == {"1": 2}
    subject = Subject.objects.get(heading__startswith="Belitung")
    assert facet(result, "subject") == {str(subject.pk): 2}
    assert result.total == 2 and result.total_is_exact and result.complete


def test_filters_narrow_and_combine(catalogue):
    pusat = Branch.objects.get(code="pusat").pk
    assert ids(search("", Filters(branch=(pusat,)))) == {
        catalogue["bacaan"].pk,
        catalogue["laskar"].pk,
    }
    assert ids(search("hirata", Filters(branch=(pusat,)))) == {catalogue["laskar"].pk}
    assert ids(search("", Filters(material_type=("large_print",)))) == {catalogue["menulis"].pk}
    assert ids(search("", Filters(accessible=("large_print",)))) == {catalogue["menulis"].pk}
    assert ids(search("", Filters(language=("eng",)))) == {catalogue["history"].pk}
    assert ids(search("", Filters(audience=("children",)))) == {catalogue["bacaan"].pk}
    assert ids(search("", Filters(year=("1950_1999",)))) == {
        catalogue["menulis"].pk,
        catalogue["history"].pk,
    }
    # Two values of one facet: either; two facets: both.
    both_years = Filters(year=("1950_1999", "2000_2009"), language=("ind",))
    assert ids(search("", both_years)) == {
        catalogue["menulis"].pk,
        catalogue["laskar"].pk,
        catalogue["pemimpi"].pk,
    }


def test_available_now_and_per_branch(catalogue, cataloguer, django_capture_on_commit_callbacks):
    from catalog.services import update_item

    cabang = Branch.objects.get(code="cabang").pk
    available_at_cabang = Filters(branch=(cabang,), available=True)
    assert ids(search("", available_at_cabang)) == {
        catalogue["bacaan"].pk,
        catalogue["pemimpi"].pk,
        catalogue["menulis"].pk,
    }
    item = catalogue["pemimpi"].items.get()
    with django_capture_on_commit_callbacks(execute=True):
        update_item(item, {"status": "on_loan"}, by=cataloguer)
    assert catalogue["pemimpi"].pk not in ids(search("", available_at_cabang))
    assert catalogue["pemimpi"].pk in ids(search("", Filters(branch=(cabang,))))
    assert facet(search("hirata"), "available") == {"1": 1}


def test_filters_from_parameters_drop_what_they_do_not_know(library):
    from django.http import QueryDict

    params = QueryDict(
        "material_type=book&material_type=spaceship&language=IND&language=x'--&year=2000_2009"
        "&year=1066&subject=3&subject=abc&branch=pusat&branch=mars&available=1&ddc=59&ddc=x"
    )
    filters = parse_filters(params, branches={"pusat": 7})
    assert filters == Filters(
        material_type=("book",),
        language=("ind",),
        year=("2000_2009",),
        subject=(3,),
        branch=(7,),
        available=True,
        ddc="59",
    )


def test_sorting(catalogue):
    newest = search("", Filters(language=("ind",)), sort=Sort.NEWEST).record_ids
    assert newest == [
        catalogue["bacaan"].pk,
        catalogue["pemimpi"].pk,
        catalogue["laskar"].pk,
        catalogue["menulis"].pk,
    ]
    by_title = search("", Filters(language=("ind",)), sort=Sort.TITLE).record_ids
    assert by_title == [
        catalogue["bacaan"].pk,
        catalogue["laskar"].pk,
        catalogue["menulis"].pk,
        catalogue["pemimpi"].pk,
    ]
    # The whole catalogue sorts on its indexes.
    everything = search("", sort=Sort.TITLE)
    assert everything.record_ids[0] == catalogue["bacaan"].pk  # "A history" sorts as "history"
    assert everything.total == 5


@pytest.mark.parametrize(("requested", "expected"), [(-1, 1), (0, 1), (2, 2), (10**9, 3)])
def test_pages_out_of_range_land_on_a_real_page(catalogue, requested, expected):
    result = search("", per_page=2, page=requested)
    assert result.page == expected
    assert result.num_pages == 3
    assert result.page_was_adjusted == (requested != expected)
    assert len(result.record_ids) == (1 if expected == 3 else 2)


def test_did_you_mean_suggests_a_close_indexed_word(catalogue):
    result = search("pelangu")
    assert result.total == 0
    assert result.suggestion == "pelangi"
    assert search("membca").suggestion == "baca"
    assert search('author:hirat "sang pemimpi"').suggestion == 'author:hirata "sang pemimpi"'
    assert search("zzzzqqq").suggestion is None


def test_did_you_mean_reads_the_vocabulary_of_a_letter_once(catalogue):
    """A second misspelling of the same first letter is answered from the kept word list (at
    a million records, reading the list is a sort of every word of that letter)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def vocabulary_reads() -> int:
        return sum(
            1
            for query in context.captured_queries
            if "search_term" in query["sql"] and "ORDER BY" in query["sql"]
        )

    with CaptureQueriesContext(connection) as context:
        assert search("pelangu").suggestion == "pelangi"
    assert vocabulary_reads() == 2  # words in p, and in l for 'langu' without 'pe-'

    with CaptureQueriesContext(connection) as context:
        assert search("pelangii").suggestion == "pelangi"
    assert vocabulary_reads() == 0


def test_no_suggestion_when_the_close_word_finds_nothing_either(catalogue):
    result = search("pelangu", Filters(language=("eng",)))
    assert result.total == 0 and result.suggestion is None


def test_queries_that_cannot_run_say_why(library):
    with pytest.raises(NothingToSearchError):
        search("!!! ... ???")
    with pytest.raises(QueryTooLongError) as error:
        search("a" * 10_000)
    assert "10" in str(error.value) and "500" in str(error.value)


def test_many_words_are_capped_not_refused(catalogue):
    result = search(" ".join(["hirata"] * 60))
    assert result.query.truncated
    assert len(result.query.clauses) == 32
    assert result.total == 2


def test_matching_record_ids_returns_every_match_for_export(catalogue):
    everything = matching_record_ids("", {})
    assert everything == sorted(r.pk for r in catalogue.values())
    assert matching_record_ids("hirata", {"branch": ["pusat"]}) == [catalogue["laskar"].pk]
    assert matching_record_ids("", {"available": True, "language": ["eng"]}) == []
    with pytest.raises(NothingToSearchError):
        matching_record_ids("!!!", {})


def test_beyond_the_candidate_limit_totals_stay_right_and_say_so(catalogue, monkeypatch):
    monkeypatch.setattr(engine, "CANDIDATES", 2)
    result = search("indonesia", per_page=1)
    # "indonesia" is in four records: subjects of three, the title of one. One word: the
    # vocabulary table knows how many, exactly.
    assert not result.complete
    assert result.num_pages == 2
    assert result.total == 4 and result.total_is_exact
    assert sum(v.count for f in result.facets if f.name == "language" for v in f.values) == 2
    # Otherwise an estimate, said to be one.
    result = search("indonesia -zzzz")
    assert not result.complete
    assert result.total >= 3 and not result.total_is_exact


def test_ranking_holds_with_filters(catalogue):
    ranked = search("laskar", Filters(language=("ind",))).record_ids
    assert ranked[0] == catalogue["laskar"].pk
    assert set(ranked) == {catalogue["laskar"].pk, catalogue["pemimpi"].pk}


@pytest.mark.parametrize("candidates", [2, 2000])
def test_postgres_finds_the_same_first_matches_by_either_index(catalogue, monkeypatch, candidates):
    """PostgreSQL reads candidates through the GIN index or along the primary key, whichever
    the document frequencies say is cheaper; both give the first matches by record id."""
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL chooses between two ways; SQLite has one")
    from search.backends import postgres

    monkeypatch.setattr(engine, "CANDIDATES", candidates)
    pusat = Branch.objects.get(code="pusat").pk
    cases = [
        ("indonesia", Filters()),
        ('"laskar pelangi"', Filters()),
        ("author:hirata", Filters()),
        ("indonesia", Filters(language=("ind",), available=True)),
        ("", Filters(branch=(pusat,))),
        ("-history", Filters()),
    ]
    for text, filters in cases:
        monkeypatch.setattr(postgres, "BITMAP_US", 1e9)  # always along the primary key
        ordered = search(text, filters).record_ids
        monkeypatch.setattr(postgres, "BITMAP_US", 0.0)  # always the GIN index
        bitmap = search(text, filters).record_ids
        assert sorted(ordered) == sorted(bitmap), text


def test_sqlite_ranks_very_frequent_words_by_their_place_in_the_title(catalogue, monkeypatch):
    from django.db import connection

    if connection.vendor != "sqlite":
        pytest.skip("SQLite's way around bm25's document counting")
    from search.backends import sqlite

    monkeypatch.setattr(sqlite, "BM25_MAX_DOCUMENTS", 0)
    result = search("laskar")
    assert result.record_ids[0] == catalogue["laskar"].pk
    assert set(result.record_ids) == {
        catalogue["laskar"].pk,
        catalogue["pemimpi"].pk,
        catalogue["history"].pk,
    }
    filtered = search("laskar", Filters(language=("ind",)))
    assert filtered.record_ids[0] == catalogue["laskar"].pk
