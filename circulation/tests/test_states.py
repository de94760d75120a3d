"""The lifecycles' tables, exhaustively: every allowed move passes, every other one raises."""

import datetime as dt
import itertools

import pytest

from circulation.states import (
    HOLD_TRANSITIONS,
    LOAN_TRANSITIONS,
    HoldState,
    InvalidTransitionError,
    LoanState,
    transition_hold,
    transition_loan,
)

AT = dt.datetime(2026, 11, 23, 2, 0, tzinfo=dt.UTC)


def test_every_state_has_a_row_in_its_table():
    assert set(LOAN_TRANSITIONS) == set(LoanState.values)
    assert set(HOLD_TRANSITIONS) == set(HoldState.values)


@pytest.mark.django_db
@pytest.mark.parametrize(("source", "target"), list(itertools.product(LoanState.values, repeat=2)))
def test_loan_moves_follow_the_table(source, target, item, member):
    from circulation.models import Loan

    loan = Loan.objects.create(
        item=item,
        member=member,
        member_category="general",
        branch=item.branch,
        due_at=AT,
        channel="desk",
        state=source,
    )
    if target in LOAN_TRANSITIONS[source]:
        event = transition_loan(loan, target, by=None, at=AT, channel="desk")
        loan.refresh_from_db()
        assert loan.state == target
        assert (event.from_state, event.to_state) == (source, target)
    else:
        with pytest.raises(InvalidTransitionError):
            transition_loan(loan, target, by=None, at=AT, channel="desk")
        loan.refresh_from_db()
        assert loan.state == source
        assert not loan.events.exists()


@pytest.mark.django_db
@pytest.mark.parametrize(("source", "target"), list(itertools.product(HoldState.values, repeat=2)))
def test_hold_moves_follow_the_table(source, target, record, member, branches):
    from circulation.models import Hold

    hold = Hold.objects.create(
        record=record,
        member=member,
        pickup_branch=branches[0],
        queue_number=1,
        channel="web",
        state=source,
    )
    if target in HOLD_TRANSITIONS[source]:
        transition_hold(hold, target, by=None, at=AT, channel="web")
        hold.refresh_from_db()
        assert hold.state == target
        assert hold.events.get().to_state == target
    else:
        with pytest.raises(InvalidTransitionError):
            transition_hold(hold, target, by=None, at=AT, channel="web")
        hold.refresh_from_db()
        assert hold.state == source


@pytest.mark.django_db
def test_database_refuses_a_second_active_loan_of_one_item(item, member, make_member):
    from django.db import IntegrityError, transaction

    from circulation.models import Loan

    Loan.objects.create(
        item=item,
        member=member,
        member_category="general",
        branch=item.branch,
        due_at=AT,
        channel="desk",
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        Loan.objects.create(
            item=item,
            member=make_member(),
            member_category="general",
            branch=item.branch,
            due_at=AT,
            channel="desk",
        )
