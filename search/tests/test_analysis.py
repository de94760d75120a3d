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
