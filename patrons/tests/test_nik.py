"""NIK rules (patrons/nik.py): malformed numbers are refused with a message naming the wrong part;
a date of birth or sex that disagrees with the NIK is only a warning."""

import datetime as dt

import pytest
from django.utils import translation

from patrons.errors import InvalidNikError
from patrons.nik import PROVINCES, is_valid_nik, nik_warnings, normalise_nik, parse_nik

# Kota Samarinda (64.72), district 03, a woman born 15 January 1999 (55 = 15 + 40).
SAMARINDA_WOMAN = "6472035501990003"
# Jakarta Pusat (31.71), a man born 17 August 1945.
JAKARTA_MAN = "3171011708450001"


@pytest.fixture(autouse=True)
def english():
    """The messages asserted here are the English originals; the default language is Indonesian."""
    with translation.override("en"):
        yield


def test_parts_of_a_womans_nik():
    parts = parse_nik(SAMARINDA_WOMAN)
    assert parts.province_code == "64" and parts.province == "Kalimantan Timur"
    assert parts.region_code == "64.72.03"
    assert (parts.birth_day, parts.birth_month, parts.birth_year) == (15, 1, 99)
    assert parts.gender == "f"
    assert parts.serial == "0003"
    assert parts.birth_date(today=dt.date(2026, 1, 1)) == dt.date(1999, 1, 15)


def test_parts_of_a_mans_nik_and_the_century_guess():
    parts = parse_nik(JAKARTA_MAN)
    assert parts.gender == "m"
    assert parts.birth_date(today=dt.date(2026, 1, 1)) == dt.date(1945, 8, 17)
    child = parse_nik("6472031203200001")  # 12 March 2020, not 1920
    assert child.birth_date(today=dt.date(2026, 1, 1)) == dt.date(2020, 3, 12)


def test_typed_with_spaces_dots_and_dashes():
    assert normalise_nik(" 6472 0355.0199-0003 ") == SAMARINDA_WOMAN
    assert parse_nik("6472 0355 0199 0003").nik == SAMARINDA_WOMAN


@pytest.mark.parametrize(
    ("value", "reason", "words"),
    [
        ("64720355019900A3", "not_digits", "“A” is not a digit"),
        ("647203550199000", "length", "has 15"),
        ("64720355019900031", "length", "has 17"),
        ("9972035501990003", "province", "99 is not the code of an Indonesian province"),
        ("2072035501990003", "province", "20 is not"),
        ("9772035501990003", "province", "97 is not"),
        ("6400035501990003", "regency", "Digits 3 and 4"),
        ("6472005501990003", "district", "Digits 5 and 6"),
        ("6472033201990003", "birth_date", "320199 is not a date"),
        ("6472037201990003", "birth_date", "720199 is not a date"),  # 72 - 40 = 32
        ("6472031513990003", "birth_date", "151399 is not a date"),  # month 13
        ("6472033002990003", "birth_date", "300299"),  # 30 February
        ("6472035501990000", "serial", "0000"),
    ],
)
def test_malformed_niks_are_refused_naming_what_is_wrong(value, reason, words):
    with pytest.raises(InvalidNikError) as caught:
        parse_nik(value)
    assert caught.value.reason == reason
    assert caught.value.code == "nik_invalid"
    assert words in str(caught.value)
    assert not is_valid_nik(value)


def test_29_february_exists_in_2000_so_00_is_a_date():
    assert parse_nik("3171012902000001").birth_dates() == [dt.date(2000, 2, 29)]


def test_every_province_including_the_papua_provinces_of_2022():
    assert set(PROVINCES) >= {"11", "21", "36", "65", "91", "92", "93", "94", "95", "96"}
    for code in ("65", "92", "93", "95", "96"):  # stdnum 2.2 refuses these
        assert is_valid_nik(f"{code}71011708450001")


def test_matching_birth_date_and_gender_give_no_warning():
    assert nik_warnings(SAMARINDA_WOMAN, birth_date=dt.date(1999, 1, 15), gender="f") == []
    assert nik_warnings(SAMARINDA_WOMAN, birth_date=None, gender="") == []


def test_birth_date_mismatch_is_a_warning():
    warnings = nik_warnings(SAMARINDA_WOMAN, birth_date=dt.date(1999, 1, 16), gender="f")
    assert [w.code for w in warnings] == ["nik_birth_date_mismatch"]
    assert "15-01-99" in warnings[0].message and "16-01-1999" in warnings[0].message
    # Same day and month, other century digits: still a mismatch.
    warnings = nik_warnings(SAMARINDA_WOMAN, birth_date=dt.date(1989, 1, 15), gender="f")
    assert [w.code for w in warnings] == ["nik_birth_date_mismatch"]


def test_gender_mismatch_is_a_warning_both_ways():
    warnings = nik_warnings(SAMARINDA_WOMAN, birth_date=dt.date(1999, 1, 15), gender="m")
    assert [w.code for w in warnings] == ["nik_gender_mismatch"]
    assert "woman" in warnings[0].message
    warnings = nik_warnings(JAKARTA_MAN, birth_date=None, gender="f")
    assert "man's" in warnings[0].message


def test_a_malformed_nik_gives_no_warnings_only_the_error():
    assert nik_warnings("123", birth_date=dt.date(1999, 1, 15), gender="f") == []
