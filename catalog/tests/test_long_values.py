"""Values longer than their column (found in real LC records) are cut, not fatal: on
PostgreSQL an overlong value would otherwise refuse the whole batch of an import."""

import pytest

from catalog.models import Record
from catalog.records import ParsedRecord
from catalog.services import save_parsed_records

pytestmark = pytest.mark.django_db


def test_an_overlong_edition_and_place_are_cut_to_their_columns(library):
    edition = "2nd ed. / Subcommittee on the Revision of the Guidelines " * 6
    parsed = [
        ParsedRecord(title="Guidelines on subject access", edition=edition, place="X" * 400),
        ParsedRecord(title="Another record in the same batch"),
    ]
    outcomes = save_parsed_records(parsed, policy="add")
    assert [o.action for o in outcomes] == ["imported", "imported"]
    record = Record.objects.get(title="Guidelines on subject access")
    assert record.edition == edition[:200]
    assert record.place == "X" * 200
