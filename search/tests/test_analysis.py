"""The one analysis used for documents and queries."""

import unicodedata

from search.analysis import analyse, normalise, sort_key, stem, terms


def test_indonesian_words_are_stemmed_with_the_dictionary_stemmer():
    assert stem("menulis") == "tulis"
    assert stem("pendidikan") == "didik"
    assert stem("bacaan") == "baca"
    assert stem("membaca") == "baca"
    assert terms("Perjuangan kemerdekaan") == ["juang", "merdeka"]


def test_membaca_and_bacaan_meet_in_one_term():
    assert terms("membaca") == terms("Bacaan")


def test_reduplicated_words_become_one_term():
    assert terms("buku-buku") == ["buku"]
    assert terms("kanak-kanak") == ["kanak"]
    assert terms("berlari-lari") == ["lari"]
    assert terms("sayur-mayur") == ["sayur", "mayur"]


def test_decomposed_and_composed_text_analyse_alike():
    composed = "Pramoedya Ánanta Toer: Bumi manusia, Café"
    decomposed = unicodedata.normalize("NFD", composed)
    assert composed != decomposed
    assert (
        terms(composed)
        == terms(decomposed)
        == [
            "pramoedya",
            "ananta",
            "toer",
            "bumi",
            "manusia",
            "cafe",
        ]
    )
    assert normalise("ＦＵＬＬ width") == "full width"
    assert normalise("Straße") == "strasse"


def test_isbns_and_issns_stay_whole_and_isbn10_becomes_isbn13():
    assert terms("ISBN 979-3062-79-7 (pbk.)") == ["isbn", "9789793062792", "pbk"]
    assert terms("9793062797") == terms("978-979-3062-79-2") == ["9789793062792"]
    assert terms("ISSN 0317-8471") == ["issn", "03178471"]
    # Not an ISBN (wrong check digit) and not an ISSN: plain numbers.
    assert terms("1990-2000") == ["1990", "2000"]


def test_english_passes_through_unstemmed():
    assert terms("Reading histories of the United States") == [
        "reading",
        "histories",
        "of",
        "the",
        "united",
        "states",
    ]


def test_other_scripts_are_kept_and_cjk_is_split_into_characters():
    assert terms("كتاب العربية") == ["كتاب", "العربية"]
    assert terms("עברית") == ["עברית"]
    assert terms("東京の歴史") == ["東", "京", "の", "歴", "史"]


def test_punctuation_only_has_no_terms_and_apostrophes_join():
    assert analyse("!!! ... ?? —") == []
    assert terms("Jum'at") == ["jumat"]


def test_sort_key_drops_punctuation_and_a_leading_article():
    assert sort_key("The “history” of Java") == "history of java"
    assert sort_key("[Laskar pelangi]") == "laskar pelangi"


def _catalogue_words(path, fields=("245", "100", "600", "650", "651", "490", "500", "520")):
    import pymarc

    from search.analysis import _TOKEN

    words = set()
    with open(path, "rb") as handle:
        for record in pymarc.MARCReader(handle, to_unicode=True, force_utf8=True, permissive=True):
            if record is None:
                continue
            for marc_field in record.get_fields(*fields):
                for match in _TOKEN.finditer(normalise(marc_field.value())):
                    words.update(match.group(0).split("-"))
    return sorted(words)


def test_the_fast_path_equals_plain_sastrawi():
    """`stem` answers most words without Sastrawi (dictionary words, words no rule can
    touch); over the real titles, names, subjects and notes of the shared LC files (the
    Indonesian and Malay records and 6,000 others) it must give exactly what Sastrawi gives."""
    from pathlib import Path

    from search.analysis import _CAN_CHANGE, _dictionary, plain_stem

    data = Path(__file__).resolve().parents[3] / "shared" / "data"
    files = [
        data / "loc-indonesian-2016" / "BooksAll.2016.part01.ind-may.shared.utf8.mrc",
        data / "loc-booksall-2016" / "BooksAll.2016.part01.records-000001-006000.utf8.mrc",
    ]
    words = sorted({w for path in files for w in _catalogue_words(path)})
    words += ["menulis", "pendidikan", "bacaan", "membaca", "kemerdekaan", "perjuangan"]
    assert len(words) > 20_000
    shortcut = [w for w in words if w in _dictionary() or not _CAN_CHANGE.search(w)]
    assert len(shortcut) > len(words) / 2  # the shortcut matters
    stem.cache_clear()
    assert [stem(w) for w in words] == [plain_stem(w) for w in words]
