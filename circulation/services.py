"""Circulation: check out, check in, renew, holds, lost items, fines.

Every function here locks what it changes (circulation/locks.py, in the order item → record →
member), re-reads under the lock, checks the rules (each refusal its own error class), moves the
loan or hold state machine (circulation/states.py), and tells the search index about changed
availability after commit. Adapters (the desk, SIP2, the API, the member's web account) call
these with their channel; `staff=None` means self-service.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass, field

from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from catalog.models import Item, ItemStatus, Record
from catalog.signals import announce
from circulation import locks, selectors, sql
from circulation.errors import (
    AlreadyOnLoanToMemberError,
    CirculationError,
    HoldNotChangeableError,
    HoldsNotAllowedError,
    InvalidPaymentError,
    ItemAlreadyOnLoanError,
    ItemNotLoanableError,
    ItemOnHoldForAnotherError,
    LoanLimitReachedError,
    LoanNotOpenError,
    MemberBlockedError,
    NoCopiesError,
    OverrideNotPermittedError,
    OverrideReasonRequiredError,
    PickupBranchNotAllowedError,
)
from circulation.models import FineEntry, FineKind, Hold, Loan, Transfer, TransferReason
from circulation.policies import due_date, end_of_day, overdue_fine, rules_from_snapshot
from circulation.states import (
    ACTIVE_HOLD_STATES,
    OPEN_LOAN_STATES,
    TRAPPED_HOLD_STATES,
    Channel,
    HoldState,
    LoanState,
    record_loan_event,
    transition_hold,
    transition_loan,
)
from core import audit, compiled, sequences
from core.models import Branch
from core.money import format_rupiah
from core.permissions import require
from patrons.models import Member

OVERRIDE_PERMISSION = "circulation.override_rules"
LOANABLE_STATUSES = frozenset(
    {ItemStatus.AVAILABLE, ItemStatus.ON_HOLD_SHELF, ItemStatus.IN_TRANSIT}
)

# The reads every checkout and check-in makes, compiled once per connection (core.compiled).
_CHECKOUT_HOLDS = compiled.CompiledQuery(
    # One read for both holds that matter: one set aside with this copy, and the member's own
    # hold on the title (which this loan fills).
    lambda item, record, member: Hold.objects.filter(
        Q(item_id=item, state__in=sorted(TRAPPED_HOLD_STATES))
        | Q(record_id=record, member_id=member, state__in=sorted(ACTIVE_HOLD_STATES))
    ).order_by("queue_number"),
    item=int,
    record=int,
    member=int,
)
_OPEN_LOAN_FOR_UPDATE = compiled.CompiledQuery(
    lambda item: (
        Loan.objects.select_for_update(of=("self",))
        .select_related("member")  # for its reading-history choice (the member is not locked)
        # Whether a fine hangs on it (a returned loan then keeps its member): in the same read.
        .annotate(has_fines=Exists(FineEntry.objects.filter(loan=OuterRef("pk"))))
        .filter(item_id=item, state__in=sorted([*OPEN_LOAN_STATES, LoanState.LOST]))
        .order_by("pk")[:1]
    ),
    item=int,
)

_HOLD_FOR_UPDATE = compiled.CompiledQuery(  # a check-in that fills a hold
    lambda pk: (
        Hold.objects.select_for_update(of=("self",))
        .select_related("pickup_branch", "member", "record")
        .defer(*(f"record__{name}" for name in selectors.RECORD_LONG_FIELDS))
        .filter(pk=pk)
        .order_by()
    ),
    pk=int,
)

audit.register_actions(
    {
        "circulation.override": gettext_lazy("Overrode a circulation warning"),
        "circulation.payment": gettext_lazy("Took a payment"),
        "circulation.waiver": gettext_lazy("Waived a fine"),
        "circulation.charge": gettext_lazy("Charged a fine"),
        "circulation.lost": gettext_lazy("Marked an item lost"),
    }
)


@dataclass
class CheckoutResult:
    loan: Loan
    renewed: bool = False
    # The same member already had this item and renewing would not move the due date (a
    # double-clicked or resent checkout): nothing changed.
    repeated: bool = False
    overridden: list[str] = field(default_factory=list)
    fulfilled_hold: Hold | None = None
    # Another copy had been set aside for that hold (the member took this one from the shelf):
    # where that copy goes now (the next hold, a transfer, or the shelf), for the desk to say.
    freed: CheckinResult | None = None
    # The member's standing after this loan (a new loan only), for the desk's panel.
    standing: selectors.Standing | None = None


@dataclass
class CheckinResult:
    item: Item
    loan: Loan | None
    already_in: bool = False
    fine: int = 0
    days_overdue: int = 0
    # What to do with the item now: "shelve", "hold_shelf", "transfer", or "set_aside" (a
    # copy staff took out of circulation — withdrawn, in processing, being repaired — keeps its
    # status and goes to staff, not back on the shelf).
    route: str = "shelve"
    hold: Hold | None = None
    transfer: Transfer | None = None
    destination: Branch | None = None


# Statuses staff gave a copy that is not on loan; checking it in keeps them.
SET_ASIDE_STATUSES = frozenset({ItemStatus.WITHDRAWN, ItemStatus.IN_PROCESSING, ItemStatus.REPAIR})


def _now(at: dt.datetime | None) -> dt.datetime:
    return at or timezone.now()


def _guard(
    error: CirculationError, *, staff, override: bool, reason: str, overridden: list[str]
) -> None:
    """Raise `error` unless the staff member overrides it (permission and reason required)."""
    if not override or not error.overridable:
        raise error
    if staff is None or not staff.has_perm(OVERRIDE_PERMISSION):
        raise OverrideNotPermittedError()
    if not reason.strip():
        raise OverrideReasonRequiredError()
    overridden.append(error.code)


# ---------------------------------------------------------------------------------------------
# Check out and renew


@transaction.atomic
def check_out(
    item: Item,
    member: Member,
    *,
    staff,
    branch: Branch | None = None,
    at: dt.datetime | None = None,
    channel: str = Channel.DESK,
    override: bool = False,
    override_reason: str = "",
) -> CheckoutResult:
    """Lend `item` to `member`. An item already on loan to the same member is renewed instead
    (a kiosk's repeated checkout). Overridable refusals pass with `override=True`, a reason, and
    the permission circulation.override_rules; the override is audited."""
    if staff is not None:
        require(staff, "circulation.add_loan")
    at = _now(at)
    item = locks.item_for_update(item.pk)
    branch = branch or item.branch

    # Only whose it is matters first; the loan itself is read only for a repeat or renewal.
    holder = sql.open_loan_holder(item.pk)
    if holder is not None:
        if holder[1] == member.pk:
            current = Loan.objects.select_related("branch").get(pk=holder[0])
            if _renewal_due_at(current, at) <= current.due_at:
                # A double-clicked or resent checkout: the loan stands as it is.
                return CheckoutResult(loan=current, repeated=True)
            loan = renew(
                current,
                staff=staff,
                at=at,
                channel=channel,
                override=override,
                override_reason=override_reason,
            )
            return CheckoutResult(loan=loan, renewed=True)
        raise ItemAlreadyOnLoanError()

    overridden: list[str] = []
    options = {
        "staff": staff,
        "override": override,
        "reason": override_reason,
        "overridden": overridden,
    }
    if item.status not in LOANABLE_STATUSES:
        _guard(ItemNotLoanableError(status=item.get_status_display()), **options)
    holds = _CHECKOUT_HOLDS.all(item=item.pk, record=item.record_id, member=member.pk)
    trapped = next(
        (h for h in holds if h.item_id == item.pk and h.state in TRAPPED_HOLD_STATES), None
    )
    own_hold = next((h for h in holds if h.member_id == member.pk), None)
    if own_hold is not None and own_hold.item_id not in (None, item.pk):
        # Another copy is set aside for the member's hold, which this loan fills: that copy is
        # freed below, so it is locked now, with the items, before the member (locks.py).
        locks.item_for_update(own_hold.item_id)
    member = locks.member_for_update(member.pk)
    if trapped is not None and trapped.member_id != member.pk:
        _guard(ItemOnHoldForAnotherError(), **options)
    calendars = selectors.CalendarCache()  # one read of each branch's calendar per checkout
    standing = selectors.member_standing(member, at=at, calendars=calendars)
    blocks = selectors.member_blocks(
        member, at=at, owed=standing.owed, overdue=len(standing.late), calendars=calendars
    )
    if blocks:
        _guard(MemberBlockedError.of(member, blocks), **options)
    rules = selectors.loan_rules_for(member, item.record.material_type, branch)
    count = standing.open_count
    if count >= rules.max_items:
        _guard(
            LoanLimitReachedError(member=member.full_name, count=count, limit=rules.max_items),
            **options,
        )

    due_on = due_date(calendars(branch), lent_on=timezone.localdate(at), loan_days=rules.loan_days)
    try:
        # No savepoint: a failed insert ends this checkout (the exception leaves the atomic
        # block, which rolls back), and the item's row lock makes it all but impossible.
        loan = compiled.insert(
            Loan(
                item=item,
                member=member,
                member_category=member.category_id,
                branch=branch,
                checked_out_at=at,
                due_at=end_of_day(due_on, timezone.get_current_timezone()),
                channel=channel,
                rules=rules.as_dict(),
            )
        )
    except IntegrityError as error:  # a racing checkout of the same item won
        raise ItemAlreadyOnLoanError() from error
    record_loan_event(
        loan,
        "checkout",
        by=staff,
        at=at,
        channel=channel,
        branch=branch,
        reason=override_reason if overridden else "",
        details={"overridden": overridden} if overridden else None,
    )
    fulfilled, freed = _fulfil_hold(own_hold, item, staff=staff, at=at, channel=channel)
    if trapped is not None and trapped.member_id != member.pk:
        # The item set aside for someone else went out: their hold goes back to the queue.
        trapped.item = None
        transition_hold(
            trapped,
            HoldState.WAITING,
            by=staff,
            at=at,
            channel=channel,
            reason="item lent to another member",
        )
    if item.status != ItemStatus.AVAILABLE:  # lent on its way or from the hold shelf
        Transfer.objects.filter(item=item, received_at__isnull=True).update(received_at=at)
    item.status = ItemStatus.ON_LOAN
    compiled.update(item, ["status", "updated_at"])
    if overridden:
        audit.record(
            "circulation.override",
            actor=staff,
            subject=member,
            details={"item": item.barcode, "overridden": overridden, "reason": override_reason},
        )
    announce([item.record_id], availability=True)
    return CheckoutResult(
        loan=loan,
        overridden=overridden,
        fulfilled_hold=fulfilled,
        freed=freed,
        standing=dataclasses.replace(standing, open_count=count + 1),
    )


def _fulfil_hold(
    hold: Hold | None, item: Item, *, staff, at, channel
) -> tuple[Hold | None, CheckinResult | None]:
    """The member's hold on this title, if any, is filled by this loan: locked and looked at
    again first (the member may have cancelled it from the phone a moment ago). A different
    copy set aside for it (the member took another from the open shelf) is freed: to the next
    in line, or back to the shelf (where it goes is returned for the desk to say); one on its
    way is routed when it arrives."""
    if hold is None:
        return None, None
    hold = _HOLD_FOR_UPDATE.first(pk=hold.pk)
    if hold is None or hold.state not in ACTIVE_HOLD_STATES:
        return None, None
    set_aside = None
    if hold.item_id not in (None, item.pk):
        set_aside = locks.item_for_update(hold.item_id)  # already locked by check_out, mostly
    on_shelf = set_aside is not None and set_aside.status == ItemStatus.ON_HOLD_SHELF
    hold.item = item
    hold.closed_at = at
    transition_hold(
        hold,
        HoldState.FULFILLED,
        by=staff,
        at=at,
        channel=channel,
        # The copy left on the hold shelf: the hold-shelf screen lists it to be taken off
        # (`selectors.holds_to_clear`), since at a kiosk nobody was told.
        details={"freed_item": set_aside.pk} if on_shelf else None,
    )
    freed = None
    if set_aside is not None:
        freed = _release_item(
            set_aside, at=at, staff=staff, channel=channel, branch=hold.pickup_branch
        )
    return hold, freed


@transaction.atomic
def renew(
    loan: Loan,
    *,
    staff,
    at: dt.datetime | None = None,
    channel: str = Channel.DESK,
    override: bool = False,
    override_reason: str = "",
) -> Loan:
    """Extend a loan by its loan period from today, if the rules allow. A renewal that passes
    the rules but would not move the due date (a second click, a resent request) changes
    nothing and returns the loan as it is: it does not use up a renewal."""
    if staff is not None:
        require(staff, "circulation.change_loan")
    at = _now(at)
    item = locks.item_for_update(loan.item_id)
    loan = Loan.objects.select_for_update().get(pk=loan.pk)
    member = locks.member_for_update(loan.member_id)
    if loan.state != LoanState.ON_LOAN:
        raise LoanNotOpenError()
    overridden: list[str] = []
    options = {
        "staff": staff,
        "override": override,
        "reason": override_reason,
        "overridden": overridden,
    }
    # The same checks the member's account and the phone app show before anyone asks.
    for refusal in selectors.renewal_refusals(
        loan, member, record_id=item.record_id, blocks=selectors.member_blocks(member, at=at)
    ):
        _guard(refusal, **options)
    new_due_at = _renewal_due_at(loan, at)
    if new_due_at <= loan.due_at:
        return loan
    old_due = loan.due_at
    loan.due_at = new_due_at
    loan.renewals += 1
    loan.save(update_fields=["due_at", "renewals", "updated_at"])
    record_loan_event(
        loan,
        "renewal",
        by=staff,
        at=at,
        channel=channel,
        reason=override_reason if overridden else "",
        details={
            "from": old_due.isoformat(),
            "to": loan.due_at.isoformat(),
            "overridden": overridden,
        },
    )
    if overridden:
        audit.record(
            "circulation.override",
            actor=staff,
            subject=member,
            details={"item": item.barcode, "overridden": overridden, "reason": override_reason},
        )
    return loan


def _renewal_due_at(loan: Loan, at: dt.datetime) -> dt.datetime:
    """Where the due time of `loan` would land if it were renewed at `at`."""
    rules = rules_from_snapshot(loan.rules)
    calendar = selectors.CalendarCache()(loan.branch)
    new_due = due_date(calendar, lent_on=timezone.localdate(at), loan_days=rules.loan_days)
    return end_of_day(new_due, timezone.get_current_timezone())


# ---------------------------------------------------------------------------------------------
# Check in


@transaction.atomic
def check_in(
    item: Item,
    *,
    staff,
    branch: Branch,
    at: dt.datetime | None = None,
    channel: str = Channel.DESK,
) -> CheckinResult:
    """Take an item back at `branch` (any branch). Checking in an item that is already in is
    harmless: nothing changes and `already_in` says so (kiosks resend). Then route the item:
    to the hold shelf, into transit (to a hold's pickup branch or to its home), or the shelf."""
    if staff is not None:
        require(staff, "circulation.change_loan")
    at = _now(at)
    item = locks.item_for_update(item.pk)
    loan = _OPEN_LOAN_FOR_UPDATE.first(item=item.pk)
    result = CheckinResult(item=item, loan=loan, already_in=loan is None)
    was_on_loan = item.status == ItemStatus.ON_LOAN
    if loan is not None:
        loan.returned_at = at
        loan.return_branch = branch
        result.days_overdue, result.fine = _charge_overdue(loan, staff=staff, at=at)
        forget = _may_forget_member(loan, charged=result.fine > 0)
        if forget:
            loan.member = None
        transition_loan(
            loan,
            LoanState.RETURNED,
            by=staff,
            at=at,
            channel=channel,
            branch=branch,
            kind="checkin",
            also=("member",) if forget else (),
        )
    elif item.status in (ItemStatus.ON_HOLD_SHELF,) or (
        item.status == ItemStatus.IN_TRANSIT
        and not Transfer.objects.filter(
            item=item, received_at__isnull=True, to_branch=branch
        ).exists()
    ):
        # Already handled and still on its way or on the hold shelf: say where it goes.
        _describe_current_route(result, item)
        return result
    elif item.status in SET_ASIDE_STATUSES:
        # A book return must not quietly put a withdrawn or unfinished copy back on the shelf.
        result.route = "set_aside"
        return result

    _route(result, item, branch=branch, staff=staff, at=at, channel=channel, lent=was_on_loan)
    announce([item.record_id], availability=True)
    return result


def _describe_current_route(result: CheckinResult, item: Item) -> None:
    hold = (
        Hold.objects.filter(item=item, state__in=TRAPPED_HOLD_STATES)
        .select_related("pickup_branch")
        .first()
    )
    transfer = (
        Transfer.objects.filter(item=item, received_at__isnull=True)
        .select_related("to_branch")
        .first()
    )
    result.hold = hold
    result.transfer = transfer
    if item.status == ItemStatus.ON_HOLD_SHELF:
        result.route = "hold_shelf"
    elif transfer is not None:
        result.route = "transfer"
        result.destination = transfer.to_branch


def _route(
    result: CheckinResult, item: Item, *, branch: Branch, staff, at, channel, lent: bool = False
) -> None:
    """`lent`: the copy was on loan until now, so no transfer is open and no hold is on its
    way with it (its checkout closed the one and put the other back in the queue): two reads
    fewer for the check-in of every lent copy."""
    if not lent:
        # Arriving anywhere ends the copy's journey: shelved here, set aside for a hold here, or
        # sent on with a new transfer (a copy with an open transfer is always in transit).
        Transfer.objects.filter(item=item, received_at__isnull=True).update(received_at=at)
    today = timezone.localdate(at)
    trapped = (
        None
        if lent
        else Hold.objects.filter(item=item, state=HoldState.IN_TRANSIT)
        .select_related("pickup_branch")
        .first()
    )
    # A hold this copy travelled for (the copy's own lock orders it) or the first in the queue.
    hold = None
    if trapped is not None:
        # Read again if the first read under the lock finds nothing: the hold's member changed
        # while this waited (two records of one member merged; the read joins the member).
        hold = _HOLD_FOR_UPDATE.first(pk=trapped.pk) or _HOLD_FOR_UPDATE.first(pk=trapped.pk)
    if hold is None or hold.state != HoldState.IN_TRANSIT or hold.item_id != item.pk:
        hold = _lock_hold_to_fill(item, today)
    if hold is not None:
        hold.item = item
        result.hold = hold
        if hold.pickup_branch_id == branch.pk:
            _make_ready(hold, staff=staff, at=at, channel=channel)
            item.status = ItemStatus.ON_HOLD_SHELF
            result.route = "hold_shelf"
        else:
            if hold.state != HoldState.IN_TRANSIT:
                transition_hold(hold, HoldState.IN_TRANSIT, by=staff, at=at, channel=channel)
            result.transfer = _send(
                item, branch, hold.pickup_branch, TransferReason.HOLD, hold=hold, at=at
            )
            result.route, result.destination = "transfer", hold.pickup_branch
            item.status = ItemStatus.IN_TRANSIT
    elif item.branch_id != branch.pk:
        result.transfer = _send(item, branch, item.branch, TransferReason.RETURN_HOME, at=at)
        result.route, result.destination = "transfer", item.branch
        item.status = ItemStatus.IN_TRANSIT
    else:
        result.route = "shelve"
        item.status = ItemStatus.AVAILABLE
    compiled.update(item, ["status", "updated_at"])


def _lock_hold_to_fill(item: Item, today: dt.date) -> Hold | None:
    """The first hold in the queue this copy can fill, locked, with what making it ready needs
    (rules, slip, notice): the member and the record come along instead of one query each.

    Read first without a lock (most returns fill no hold), then locked and looked at again:
    another copy of the title may have filled it meanwhile, or its member cancelled or
    suspended it. Then the next in line is taken, so two copies returned at once at two desks
    fill the first two holds. The hold's row lock is what orders them (cancelling and
    suspending take it too); the title's lock is not needed here."""
    for _attempt in range(10):
        hold = selectors.next_hold_to_fill(item.record_id, on=today)
        if hold is None:
            return None
        # None: the hold's member changed while this waited for its lock (two records of one
        # member merged; the lock's read joins the member): looked for again.
        hold = _HOLD_FOR_UPDATE.first(pk=hold.pk)
        if (
            hold is not None
            and hold.state == HoldState.WAITING
            and (hold.suspended_until is None or hold.suspended_until < today)
        ):
            return hold
    return None  # the queue keeps changing under us: the copy is shelved; the pull list finds it


def _send(item: Item, source: Branch, target: Branch, reason: str, *, at, hold=None) -> Transfer:
    Transfer.objects.filter(item=item, received_at__isnull=True).update(received_at=at)
    return Transfer.objects.create(
        item=item, from_branch=source, to_branch=target, reason=reason, hold=hold, sent_at=at
    )


def _make_ready(hold: Hold, *, staff, at, channel) -> None:
    rules = selectors.resolve_rules_for_hold(hold)
    calendar = selectors.CalendarCache()(hold.pickup_branch)
    hold.ready_at = at
    hold.pickup_deadline = calendar.add_open_days(timezone.localdate(at), rules.hold_pickup_days)
    transition_hold(hold, HoldState.READY, by=staff, at=at, channel=channel)
    from circulation import notices

    notices.hold_ready(hold)


def _charge_overdue(loan: Loan, *, staff, at) -> tuple[int, int]:
    if timezone.localdate(at) <= timezone.localdate(loan.due_at):
        return 0, 0  # back in time: no open days overdue, no need for the calendar
    rules = rules_from_snapshot(loan.rules)
    calendar = selectors.CalendarCache()(loan.branch)
    days, amount = overdue_fine(
        calendar, rules, due_on=timezone.localdate(loan.due_at), returned_on=timezone.localdate(at)
    )
    if amount > 0:
        FineEntry.objects.get_or_create(
            loan=loan,
            kind=FineKind.OVERDUE,
            defaults={
                "member_id": loan.member_id,
                "amount": amount,
                "reason": f"{days} open days overdue",
                "at": at,
                "by": staff,
            },
        )
    return days, amount


def _may_forget_member(loan: Loan, *, charged: bool) -> bool:
    """Reading history is kept only by the member's choice. Otherwise a returned loan keeps no
    link to the member unless a fine still hangs on it (the ledger needs to know whose it is;
    `_anonymise_settled_loans` unlinks those once paid). The caller clears the link in the
    same save that closes the loan."""
    if loan.member is None or loan.member.keep_reading_history or charged:
        return False
    return not loan.has_fines  # read with the loan (_OPEN_LOAN_FOR_UPDATE)


# ---------------------------------------------------------------------------------------------
# Holds


@transaction.atomic
def place_hold(
    record: Record,
    member: Member,
    *,
    pickup_branch: Branch,
    staff=None,
    at: dt.datetime | None = None,
    channel: str = Channel.WEB,
) -> Hold:
    """Join a title's queue. Placing the same hold twice returns the first one."""
    at = _now(at)
    locks.record_for_update(record.pk)
    member = locks.member_for_update(member.pk)
    existing = Hold.objects.filter(
        record=record, member=member, state__in=ACTIVE_HOLD_STATES
    ).first()
    if existing is not None:
        return existing
    rules = selectors.loan_rules_for(member, record.material_type, pickup_branch)
    if not rules.holds_allowed:
        raise HoldsNotAllowedError()
    blocks = selectors.member_blocks(member, at=at)
    if blocks:
        raise MemberBlockedError.of(member, blocks)
    if Loan.objects.filter(item__record=record, member=member, state__in=OPEN_LOAN_STATES).exists():
        raise AlreadyOnLoanToMemberError(member=member.full_name)
    if (
        not Item.objects.filter(record=record)
        .exclude(status__in=[ItemStatus.WITHDRAWN, ItemStatus.LOST])
        .exists()
    ):
        raise NoCopiesError()
    hold = Hold.objects.create(
        record=record,
        member=member,
        pickup_branch=pickup_branch,
        queue_number=selectors.next_queue_number(record.pk),
        placed_at=at,
        channel=channel,
    )
    from circulation.models import HoldEvent

    HoldEvent.objects.create(
        hold=hold,
        from_state=HoldState.WAITING,
        to_state=HoldState.WAITING,
        at=at,
        by=staff,
        channel=channel,
        reason="placed",
    )
    announce([record.pk], availability=True)
    return hold


@transaction.atomic
def cancel_hold(
    hold: Hold, *, staff=None, at=None, channel: str = Channel.WEB, reason: str = ""
) -> Hold:
    """Cancel a hold (by the member or staff). An item set aside for it goes to the next in line
    or back to the shelf."""
    at = _now(at)
    current = Hold.objects.get(pk=hold.pk)  # the caller's copy may be stale
    if current.item_id:
        locks.item_for_update(current.item_id)
    locks.record_for_update(current.record_id)
    hold = Hold.objects.select_for_update().get(pk=hold.pk)
    item_id = hold.item_id
    hold.closed_at = at
    transition_hold(hold, HoldState.CANCELLED, by=staff, at=at, channel=channel, reason=reason)
    if item_id:
        # Locked above, unless a check-in set a copy aside for the hold between the first read
        # and the hold's lock: then it is locked now (out of order, in that rare moment only).
        _release_item(locks.item_for_update(item_id), at=at, staff=staff, channel=channel)
    announce([hold.record_id], availability=True)
    return hold


@transaction.atomic
def change_hold_pickup(
    hold: Hold,
    *,
    pickup_branch: Branch,
    staff=None,
    at: dt.datetime | None = None,
    channel: str = Channel.WEB,
) -> Hold:
    """Collect a waiting (or suspended) hold at another branch. The branch must take holds on
    this title for this member, as when placing it. Once a copy is set aside (in transit or on
    the hold shelf) the branch is fixed. Choosing the same branch again changes nothing."""
    at = _now(at)
    current = Hold.objects.get(pk=hold.pk)  # the caller's copy may be stale
    locks.record_for_update(current.record_id)
    hold = (
        Hold.objects.select_for_update(of=("self",))
        .select_related("pickup_branch", "record", "member__category")
        .get(pk=hold.pk)
    )
    if hold.state not in (HoldState.WAITING, HoldState.SUSPENDED):
        raise HoldNotChangeableError(state=hold.get_state_display())
    if pickup_branch.pk == hold.pickup_branch_id:
        return hold
    if (
        not pickup_branch.is_active
        or not selectors.loan_rules_for(
            hold.member, hold.record.material_type, pickup_branch
        ).holds_allowed
    ):
        raise PickupBranchNotAllowedError(branch=pickup_branch.name)
    from circulation.models import HoldEvent

    previous = hold.pickup_branch
    hold.pickup_branch = pickup_branch
    hold.save(update_fields=["pickup_branch"])
    HoldEvent.objects.create(
        hold=hold,
        from_state=hold.state,
        to_state=hold.state,
        at=at,
        by=staff if getattr(staff, "pk", None) else None,
        channel=channel,
        reason="pickup changed",
        details={"from": previous.code, "to": pickup_branch.code},
    )
    return hold


def _release_item(
    item: Item, *, at, staff, channel, branch: Branch | None = None
) -> CheckinResult | None:
    """An item freed from a hold: to the next hold at the same pickup place, else the shelf;
    returns where it goes. `branch`: the hold shelf it is on (else the pickup branch of the
    last hold it was set aside for)."""
    if item.status != ItemStatus.ON_HOLD_SHELF:
        return None  # in transit: it is routed when it arrives and is checked in
    if branch is None:
        branch = item.branch
        hold_shelf_branch = (
            Hold.objects.filter(item=item)
            .order_by("-pk")
            .values_list("pickup_branch", flat=True)
            .first()
        )
        if hold_shelf_branch:
            branch = Branch.objects.get(pk=hold_shelf_branch)
    result = CheckinResult(item=item, loan=None)
    _route(result, item, branch=branch, staff=staff, at=at, channel=channel)
    return result


@transaction.atomic
def suspend_hold(
    hold: Hold, *, until: dt.date, staff=None, at=None, channel: str = Channel.WEB
) -> Hold:
    at = _now(at)
    hold = Hold.objects.select_for_update().get(pk=hold.pk)
    hold.suspended_until = until
    transition_hold(hold, HoldState.SUSPENDED, by=staff, at=at, channel=channel)
    return hold


@transaction.atomic
def resume_hold(hold: Hold, *, staff=None, at=None, channel: str = Channel.WEB) -> Hold:
    at = _now(at)
    hold = Hold.objects.select_for_update().get(pk=hold.pk)
    hold.suspended_until = None
    transition_hold(hold, HoldState.WAITING, by=staff, at=at, channel=channel)
    return hold


def expire_uncollected_holds(*, at: dt.datetime | None = None) -> int:
    """Ready holds past their pickup deadline expire; their items go to the next in line."""
    at = _now(at)
    today = timezone.localdate(at)
    expired = 0
    for hold_id, item_id in Hold.objects.filter(
        state=HoldState.READY, pickup_deadline__lt=today
    ).values_list("pk", "item_id"):
        with transaction.atomic():
            # The copy first, then the hold (locks.py): a desk lending that copy at this moment
            # holds the copy's lock and then changes the hold.
            item = locks.item_for_update(item_id) if item_id else None
            hold = (
                Hold.objects.select_for_update()
                .filter(pk=hold_id, state=HoldState.READY, item_id=item_id)
                .first()
            )
            if hold is None:
                continue  # collected, cancelled or given another copy meanwhile
            hold.closed_at = at
            transition_hold(hold, HoldState.EXPIRED, by=None, at=at, channel=Channel.SYSTEM)
            if item is not None:
                _release_item(item, at=at, staff=None, channel=Channel.SYSTEM)
            announce([hold.record_id], availability=True)
            expired += 1
    return expired


# ---------------------------------------------------------------------------------------------
# Lost items and fines


@transaction.atomic
def mark_lost(loan: Loan, *, staff, at=None, channel: str = Channel.DESK) -> Loan:
    """The member lost the item: charge its price; the item leaves the catalogue's counts."""
    require(staff, "circulation.change_loan")
    at = _now(at)
    item = locks.item_for_update(loan.item_id)
    loan = Loan.objects.select_for_update().get(pk=loan.pk)
    transition_loan(loan, LoanState.LOST, by=staff, at=at, channel=channel, kind="lost")
    if item.price:
        FineEntry.objects.create(
            member_id=loan.member_id,
            loan=loan,
            kind=FineKind.LOST,
            amount=item.price,
            reason=item.barcode,
            at=at,
            by=staff,
        )
    item.status = ItemStatus.LOST
    item.save(update_fields=["status", "updated_at"])
    audit.record(
        "circulation.lost", actor=staff, subject=loan.member, details={"item": item.barcode}
    )
    announce([item.record_id], availability=True)
    return loan


@transaction.atomic
def charge(
    member: Member, amount: int, *, kind: str, reason: str, staff, loan: Loan | None = None, at=None
) -> FineEntry:
    """A charge for a damaged item (or another charge a permitted role makes by hand)."""
    require(staff, "circulation.add_fineentry")
    if kind not in (FineKind.DAMAGED, FineKind.LOST, FineKind.OVERDUE):
        raise InvalidPaymentError(problem=_("Unknown kind of charge."))
    if amount <= 0:
        raise InvalidPaymentError(problem=_("A charge must be more than Rp 0."))
    entry = FineEntry.objects.create(
        member=member, loan=loan, kind=kind, amount=amount, reason=reason, at=_now(at), by=staff
    )
    audit.record(
        "circulation.charge",
        actor=staff,
        subject=member,
        details={"amount": amount, "kind": kind, "reason": reason},
    )
    return entry


@transaction.atomic
def pay(member: Member, amount: int, *, method: str, staff, at=None) -> FineEntry:
    """Take a payment. It must be more than Rp 0 and at most what is owed."""
    require(staff, "circulation.add_fineentry")
    member = locks.member_for_update(member.pk)
    balance = selectors.fine_balance(member)
    _check_amount(amount, balance)
    number = f"R{sequences.reserve('receipt', 1)[0]:08d}"
    entry = FineEntry.objects.create(
        member=member,
        kind=FineKind.PAYMENT,
        amount=-amount,
        method=method,
        receipt_number=number,
        at=_now(at),
        by=staff,
    )
    audit.record(
        "circulation.payment",
        actor=staff,
        subject=member,
        details={"amount": amount, "method": method, "receipt": number},
    )
    _anonymise_settled_loans(member)
    return entry


@transaction.atomic
def waive(member: Member, amount: int, *, reason: str, staff, at=None) -> FineEntry:
    require(staff, "circulation.waive_fine")
    if not reason.strip():
        raise OverrideReasonRequiredError()
    member = locks.member_for_update(member.pk)
    _check_amount(amount, selectors.fine_balance(member))
    entry = FineEntry.objects.create(
        member=member, kind=FineKind.WAIVER, amount=-amount, reason=reason, at=_now(at), by=staff
    )
    audit.record(
        "circulation.waiver",
        actor=staff,
        subject=member,
        details={"amount": amount, "reason": reason},
    )
    _anonymise_settled_loans(member)
    return entry


def _anonymise_settled_loans(member: Member) -> None:
    """Once nothing is owed, returned loans of a member who keeps no history lose the link."""
    if member.keep_reading_history or selectors.fine_balance(member) != 0:
        return
    Loan.objects.filter(member=member, state=LoanState.RETURNED).update(member=None)


def forget_reading_history(member: Member) -> int:
    """The member turned their reading history off: unlink every settled returned loan."""
    if selectors.fine_balance(member) != 0:
        settled = Loan.objects.filter(member=member, state=LoanState.RETURNED, fines__isnull=True)
    else:
        settled = Loan.objects.filter(member=member, state=LoanState.RETURNED)
    return settled.update(member=None)


def _check_amount(amount: int, balance: int) -> None:
    if amount <= 0:
        raise InvalidPaymentError(problem=_("The amount must be more than Rp 0."))
    if amount > balance:
        raise InvalidPaymentError(
            problem=_("The amount %(amount)s is more than the %(balance)s owed.")
            % {"amount": format_rupiah(amount), "balance": format_rupiah(balance)}
        )


def resume_due_suspensions(*, at: dt.datetime | None = None) -> int:
    """Suspended holds whose 'suspended until' day has passed rejoin the queue."""
    at = _now(at)
    today = timezone.localdate(at)
    resumed = 0
    due = Hold.objects.filter(state=HoldState.SUSPENDED, suspended_until__lt=today)
    for hold_id in due.values_list("pk", flat=True):
        with transaction.atomic():
            # Looked at again under its lock: the member may have resumed or cancelled it a
            # moment ago (resuming it again would be refused and stop the day's other work).
            hold = due.select_for_update().filter(pk=hold_id).first()
            if hold is None:
                continue
            hold.suspended_until = None
            transition_hold(hold, HoldState.WAITING, by=None, at=at, channel=Channel.SYSTEM)
            resumed += 1
    return resumed
