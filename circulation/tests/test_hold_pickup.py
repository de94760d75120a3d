"""Changing where a hold is collected (the member's kiosk or the desk): the copy then travels
to the new branch; a copy already set aside fixes the branch."""

from __future__ import annotations

import pytest
import time_machine

from circulation import services
from circulation.errors import HoldNotChangeableError, PickupBranchNotAllowedError
from circulation.models import HoldEvent, LoanPolicy
from circulation.tests.conftest import MONDAY

pytestmark = pytest.mark.django_db


def test_a_waiting_hold_moves_to_another_branch_and_the_copy_follows(
    record, item, member, make_member, librarian, branches
):
    main, other = branches
    with time_machine.travel(MONDAY, tick=False):
        services.check_out(item, member, staff=librarian)
        hold = services.place_hold(record, make_member(), pickup_branch=main)
        changed = services.change_hold_pickup(hold, pickup_branch=other, channel="sip2")
        result = services.check_in(item, staff=librarian, branch=main)
    assert changed.pickup_branch == other
    assert result.route == "transfer" and result.destination == other
    event = HoldEvent.objects.get(hold=hold, reason="pickup changed")
    assert event.channel == "sip2"
    assert event.details == {"from": main.code, "to": other.code}


def test_the_same_branch_again_changes_nothing(record, item, member, branches):
    hold = services.place_hold(record, member, pickup_branch=branches[0])
    services.change_hold_pickup(hold, pickup_branch=branches[0])
    assert not HoldEvent.objects.filter(hold=hold, reason="pickup changed").exists()


def test_a_branch_that_takes_no_holds_is_refused(record, item, member, branches):
    LoanPolicy.objects.create(name="Cabang tanpa pesanan", branch=branches[1], holds_allowed=False)
    hold = services.place_hold(record, member, pickup_branch=branches[0])
    with pytest.raises(PickupBranchNotAllowedError):
        services.change_hold_pickup(hold, pickup_branch=branches[1])
    hold.refresh_from_db()
    assert hold.pickup_branch == branches[0]


def test_a_copy_on_the_hold_shelf_fixes_the_branch(
    record, item, member, make_member, librarian, branches
):
    with time_machine.travel(MONDAY, tick=False):
        services.check_out(item, member, staff=librarian)
        hold = services.place_hold(record, make_member(), pickup_branch=branches[0])
        services.check_in(item, staff=librarian, branch=branches[0])
    hold.refresh_from_db()
    assert hold.state == "ready"
    with pytest.raises(HoldNotChangeableError):
        services.change_hold_pickup(hold, pickup_branch=branches[1])
    hold.refresh_from_db()
    assert hold.pickup_branch == branches[0]
