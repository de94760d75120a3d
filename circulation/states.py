"""The loan and hold lifecycles: states, the allowed moves, and the one helper per lifecycle
that moves a row and records the move (who, when, where, through which channel, why).

Only `circulation.services` calls `transition_loan` / `transition_hold`. "Overdue" is not a
state: a loan is overdue when it is on loan and its due time has passed.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from django.db import models
from django.utils.translation import gettext_lazy as _

from core import compiled
from core.errors import DomainError

if TYPE_CHECKING:
    from circulation.models import Hold, HoldEvent, Loan, LoanEvent


class Channel(models.TextChoices):
    DESK = "desk", _("Desk")
    SIP2 = "sip2", _("Self-check (SIP2)")
    WEB = "web", _("Member's web account")
    API = "api", _("Phone app (API)")
    SYSTEM = "system", _("System")


class LoanState(models.TextChoices):
    ON_LOAN = "on_loan", _("On loan")
    RETURNED = "returned", _("Returned")
    LOST = "lost", _("Lost")
    CLAIMED_RETURNED = "claimed_returned", _("Claimed returned")


LOAN_TRANSITIONS: dict[str, frozenset[str]] = {
    LoanState.ON_LOAN: frozenset({LoanState.RETURNED, LoanState.LOST, LoanState.CLAIMED_RETURNED}),
    LoanState.LOST: frozenset({LoanState.RETURNED}),  # found and brought back
    LoanState.CLAIMED_RETURNED: frozenset({LoanState.RETURNED, LoanState.LOST}),
    LoanState.RETURNED: frozenset(),
}

# States in which the member still has the item (counts against limits, can go overdue).
OPEN_LOAN_STATES = frozenset({LoanState.ON_LOAN, LoanState.CLAIMED_RETURNED})


class HoldState(models.TextChoices):
    WAITING = "waiting", _("Waiting")
    SUSPENDED = "suspended", _("Suspended")
    IN_TRANSIT = "in_transit", _("In transit to the pickup branch")
    READY = "ready", _("Ready for pickup")
    FULFILLED = "fulfilled", _("Collected")
    CANCELLED = "cancelled", _("Cancelled")
    EXPIRED = "expired", _("Not collected in time")


HOLD_TRANSITIONS: dict[str, frozenset[str]] = {
    # FULFILLED straight from WAITING/SUSPENDED: the member took a copy from the shelf.
    HoldState.WAITING: frozenset(
        {
            HoldState.SUSPENDED,
            HoldState.IN_TRANSIT,
            HoldState.READY,
            HoldState.FULFILLED,
            HoldState.CANCELLED,
        }
    ),
    HoldState.SUSPENDED: frozenset({HoldState.WAITING, HoldState.FULFILLED, HoldState.CANCELLED}),
    # Back to WAITING: the item was lost on the way, or lent to someone else by an override.
    HoldState.IN_TRANSIT: frozenset(
        {HoldState.READY, HoldState.WAITING, HoldState.FULFILLED, HoldState.CANCELLED}
    ),
    HoldState.READY: frozenset(
        {HoldState.FULFILLED, HoldState.EXPIRED, HoldState.CANCELLED, HoldState.WAITING}
    ),
    HoldState.FULFILLED: frozenset(),
    HoldState.CANCELLED: frozenset(),
    HoldState.EXPIRED: frozenset(),
}

# Holds still in the queue or on their way to the member.
ACTIVE_HOLD_STATES = frozenset(
    {HoldState.WAITING, HoldState.SUSPENDED, HoldState.IN_TRANSIT, HoldState.READY}
)
# Holds that have an item set aside for them.
TRAPPED_HOLD_STATES = frozenset({HoldState.IN_TRANSIT, HoldState.READY})


class InvalidTransitionError(DomainError):
    code = "invalid_transition"
    message = _("This cannot happen now: it is %(current)s and cannot become %(target)s.")


def _check(table: dict[str, frozenset[str]], labels, current: str, target: str) -> None:
    if target not in table.get(current, frozenset()):
        raise InvalidTransitionError(current=labels(current).label, target=labels(target).label)


def transition_loan(
    loan: Loan,
    to: str,
    *,
    by,
    at: dt.datetime,
    channel: str,
    branch=None,
    kind: str = "",
    reason: str = "",
    details: dict | None = None,
    also: tuple[str, ...] = (),
) -> LoanEvent:
    """Move a loan to `to` if the table allows it; save the state (and the fields named in
    `also`) and append a LoanEvent."""

    _check(LOAN_TRANSITIONS, LoanState, loan.state, to)
    previous = loan.state
    loan.state = to
    compiled.update(loan, ["state", "returned_at", "return_branch", "updated_at", *also])
    return record_loan_event(
        loan,
        kind or to,
        from_state=previous,
        by=by,
        at=at,
        channel=channel,
        branch=branch,
        reason=reason,
        details=details,
    )


def record_loan_event(
    loan: Loan,
    kind: str,
    *,
    by,
    at: dt.datetime,
    channel: str,
    branch=None,
    reason: str = "",
    details: dict | None = None,
    from_state: str | None = None,
) -> LoanEvent:
    """Append a LoanEvent: one that does not change the state (checkout, renewal, an
    override), or, with `from_state`, the transition `transition_loan` has just made."""
    from circulation.models import LoanEvent

    return compiled.insert(
        LoanEvent(
            loan=loan,
            kind=kind,
            from_state=from_state or loan.state,
            to_state=loan.state,
            at=at,
            by=by if getattr(by, "pk", None) else None,
            channel=channel,
            branch=branch,
            reason=reason,
            details=details or {},
        )
    )


def transition_hold(
    hold: Hold,
    to: str,
    *,
    by,
    at: dt.datetime,
    channel: str,
    reason: str = "",
    details: dict | None = None,
) -> HoldEvent:
    from circulation.models import HoldEvent

    _check(HOLD_TRANSITIONS, HoldState, hold.state, to)
    previous = hold.state
    hold.state = to
    # What `hold.save()` writes (every loaded field: callers set the item, dates, deadlines
    # before the transition), through the statement compiled once.
    deferred = hold.get_deferred_fields()
    compiled.update(
        hold,
        [
            f.attname
            for f in type(hold)._meta.concrete_fields
            if not f.primary_key and f.attname not in deferred
        ],
    )
    return compiled.insert(
        HoldEvent(
            hold=hold,
            from_state=previous,
            to_state=to,
            at=at,
            by=by if getattr(by, "pk", None) else None,
            channel=channel,
            reason=reason,
            details=details or {},
        )
    )
