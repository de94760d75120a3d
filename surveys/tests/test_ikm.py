"""The IKM computation of PermenPANRB 14/2017 against worked examples done by hand."""

from __future__ import annotations

from decimal import Decimal

import pytest

from surveys import ikm


def rows_of(*rows):
    return [dict(row) for row in rows]


def everything(value):
    return {code: value for code in ikm.ELEMENT_CODES}


def test_the_nine_elements_in_the_regulations_order():
    assert [f"U{i}" for i in range(1, 10)] == ikm.ELEMENT_CODES
    assert "pengaduan" in ikm.ELEMENTS[7][1]
    assert "sarana dan prasarana" in ikm.ELEMENTS[8][1]
    assert all(len(labels) == 4 for *_, labels in ikm.ELEMENTS)


def test_all_fours_is_100_and_very_good():
    result = ikm.compute([everything(4), everything(4)])
    assert result.index == Decimal("4.0000")
    assert result.ikm == Decimal("100.00")
    assert (result.category, result.category_name) == ("A", "Sangat Baik")
    assert result.respondents == 2


def test_all_ones_is_25_and_bad():
    result = ikm.compute([everything(1)])
    assert result.ikm == Decimal("25.00")
    assert result.category == "D"


def test_two_respondents_by_hand():
    # NRR of every element (3 + 4) / 2 = 3.5; index 3.5; IKM 3.5 x 25 = 87.50: B (76.61-88.30).
    result = ikm.compute([everything(3), everything(4)])
    assert set(result.elements.values()) == {Decimal("3.5000")}
    assert result.ikm == Decimal("87.50")
    assert result.category == "B"


def test_partly_answered_forms_average_over_those_who_answered():
    # Respondent 1: U1 = 4, the rest 3. Respondent 2: U1 left blank, the rest 2.
    # NRR U1 = 4 / 1 = 4; U2..U9 = (3 + 2) / 2 = 2.5.
    # Index = (4 + 8 x 2.5) / 9 = 24 / 9 = 2.6667; IKM = 66.67: C (65.00-76.60).
    # (With the rounded weight 0.111 it would be 24 x 0.111 x 25 = 66.60.)
    first = {**everything(3), "U1": 4}
    second = {**everything(2), "U1": None}
    result = ikm.compute([first, second])
    assert result.elements["U1"] == Decimal("4.0000")
    assert result.answered["U1"] == 1
    assert result.elements["U2"] == Decimal("2.5000")
    assert result.index == Decimal("2.6667")
    assert result.ikm == Decimal("66.67")
    assert result.category == "C"
    assert result.lowest == [f"U{i}" for i in range(2, 10)]


def test_mixed_example_by_hand():
    # Three respondents; per element totals / 3:
    rows = [
        {"U1": 4, "U2": 3, "U3": 2, "U4": 4, "U5": 3, "U6": 4, "U7": 4, "U8": 2, "U9": 3},
        {"U1": 3, "U2": 3, "U3": 2, "U4": 4, "U5": 3, "U6": 3, "U7": 4, "U8": 1, "U9": 3},
        {"U1": 4, "U2": 4, "U3": 3, "U4": 4, "U5": 3, "U6": 3, "U7": 4, "U8": 2, "U9": 2},
    ]
    # Totals: 11, 10, 7, 12, 9, 10, 12, 5, 8 = 84. Index = 84 / 27 = 3.1111; IKM 77.78: B.
    result = ikm.compute(rows)
    assert result.elements["U3"] == Decimal("2.3333")
    assert result.elements["U8"] == Decimal("1.6667")
    assert result.index == Decimal("3.1111")
    assert result.ikm == Decimal("77.78")
    assert result.category == "B"
    assert result.lowest == ["U8"]


def test_an_element_nobody_answered_leaves_the_index_open():
    row = {**everything(4), "U4": None}
    result = ikm.compute([row])
    assert result.elements["U4"] is None
    assert result.ikm is None and result.category is None


def test_a_blank_form_is_not_a_respondent():
    result = ikm.compute([everything(4), {code: None for code in ikm.ELEMENT_CODES}])
    assert result.respondents == 1


@pytest.mark.parametrize(
    ("value", "letter"),
    [
        ("100.00", "A"),
        ("88.31", "A"),
        ("88.305", "A"),  # rounds half up to 88.31
        ("88.30", "B"),
        ("88.304", "B"),
        ("76.61", "B"),
        ("76.60", "C"),
        ("65.00", "C"),
        ("64.99", "D"),
        ("64.995", "C"),  # rounds to 65.00
        ("25.00", "D"),
    ],
)
def test_category_boundaries(value, letter):
    assert ikm.category_for(Decimal(value))[0] == letter


def test_crossing_a_band_through_the_computation():
    # All 3s: 75.00 (C). One element at 4, the rest 3: 28 / 9 x 25 = 77.78 (B).
    assert ikm.compute([everything(3)]).category == "C"
    assert ikm.compute([{**everything(3), "U9": 4}]).ikm == Decimal("77.78")
