"""Real races on PostgreSQL: threads released together, each on its own connection."""

from __future__ import annotations

import pytest
from django.db import connection

from circulation import services
from circulation.errors import CirculationError
from circulation.models import FineEntry, Hold, Loan
from circulation.selectors import hold_position
from core.testing import race

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="row-lock races need PostgreSQL"),
]


def test_two_desks_and_a_kiosk_lending_one_item_make_exactly_one_loan(item, make_member, librarian):
    members = [make_member() for _ in range(3)]
    workers = [
        lambda m=members[0]: services.check_out(item, m, staff=librarian),
        lambda m=members[1]: services.check_out(item, m, staff=librarian),
        lambda m=members[2]: services.check_out(item, m, staff=None, channel="sip2"),
    ]
    results, errors = race(workers)
    assert len(results) == 1
    assert len(errors) == 2 and all(isinstance(e, CirculationError) for e in errors)
    assert Loan.objects.filter(item=item, state="on_loan").count() == 1


def test_fifty_members_placing_holds_at_once_get_distinct_gap_free_positions(
    record, item, make_member, branches
):
    members = [make_member() for _ in range(50)]
    results, errors = race(
        [lambda m=m: services.place_hold(record, m, pickup_branch=branches[0]) for m in members]
    )
    assert errors == []
    holds = list(Hold.objects.filter(record=record))
    assert len(holds) == 50
    assert sorted(h.queue_number for h in holds) == list(range(1, 51))
    assert sorted(hold_position(h) for h in holds) == list(range(1, 51))


def test_checking_in_one_item_twice_at_once_is_harmless(item, member, librarian, branches):
    import datetime as dt

    import time_machine

    with time_machine.travel(dt.datetime(2026, 11, 2, 2, 0, tzinfo=dt.UTC), tick=False):
        services.check_out(item, member, staff=librarian)
    with time_machine.travel(dt.datetime(2026, 12, 10, 3, 0, tzinfo=dt.UTC), tick=True):
        results, errors = race(
            [lambda: services.check_in(item, staff=librarian, branch=branches[0]) for _ in range(4)]
        )
    assert errors == []
    assert sorted(r.already_in for r in results) == [False, True, True, True]
    assert FineEntry.objects.filter(kind="overdue").count() == 1


def test_two_copies_of_a_title_returned_at_once_fill_one_waiting_hold_once(
    record, make_item, make_member, librarian, branches
):
    """Two desks take back two copies of the same title while one member waits for it: one
    copy goes to the hold shelf for them, the other back to the shelf; neither desk fails."""
    copies = [make_item(), make_item()]
    for copy in copies:
        services.check_out(copy, make_member(), staff=librarian)
    waiting = services.place_hold(record, make_member(), pickup_branch=branches[0])

    results, errors = race(
        [lambda c=c: services.check_in(c, staff=librarian, branch=branches[0]) for c in copies]
    )
    assert errors == []
    assert sorted(r.route for r in results) == ["hold_shelf", "shelve"]
    waiting.refresh_from_db()
    assert waiting.state == "ready"
    assert waiting.item_id in {c.pk for c in copies}
    assert waiting.events.filter(to_state="ready").count() == 1


def test_two_copies_returned_at_once_fill_the_first_two_holds_in_order(
    record, make_item, make_member, librarian, branches
):
    copies = [make_item(), make_item()]
    for copy in copies:
        services.check_out(copy, make_member(), staff=librarian)
    holds = [
        services.place_hold(record, make_member(), pickup_branch=branches[0]) for _ in range(3)
    ]

    results, errors = race(
        [lambda c=c: services.check_in(c, staff=librarian, branch=branches[0]) for c in copies]
    )
    assert errors == []
    assert [r.route for r in results] == ["hold_shelf", "hold_shelf"]
    for hold in holds:
        hold.refresh_from_db()
    assert [h.state for h in holds] == ["ready", "ready", "waiting"]
    assert sorted(h.item_id for h in holds[:2]) == sorted(c.pk for c in copies)
