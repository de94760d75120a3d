"""Reads: a member's loans, holds, fines and blocks; queues, hold shelf and pull list."""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass

from django.db import connection
from django.db.models import Count, IntegerField, Max, OuterRef, Q, QuerySet, Subquery, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from catalog.identifiers import isbn_or_none
from catalog.models import IdentifierKind, Item, ItemStatus, Record
from circulation import sql
from circulation.errors import (
    AlreadyOnLoanToMemberError,
    CirculationError,
    HoldsNotAllowedError,
    LoanNotOpenError,
    MemberBlockedError,
    NoCopiesError,
    RenewalBlockedByHoldError,
    RenewalLimitReachedError,
)
from circulation.models import (
    AccountDeletionRequest,
    DeletionRequestStatus,
    FineEntry,
    Hold,
    HoldEvent,
    Loan,
    LoanPolicy,
    Notice,
    Transfer,
)
from circulation.policies import LoanRules, overdue_fine, resolve_rules, rules_from_snapshot
from circulation.states import (
    ACTIVE_HOLD_STATES,
    OPEN_LOAN_STATES,
    TRAPPED_HOLD_STATES,
    HoldState,
    LoanState,
)
from core.calendar import BranchCalendar, calendar_for
from core.compiled import CompiledQuery
from core.memo import Memo
from core.models import Branch
from core.money import format_rupiah
from patrons.models import Member, MemberStatus
from patrons.selectors import member_for_user  # noqa: F401 - the phone API and views ask here

# ---------------------------------------------------------------------------------------------
# Rules


#: The loan-rule matrix, read once and kept between checkouts (a few dozen rows that change
#: on the loan-rules screen; `forget_loan_policies` runs on every change, see core/memo.py).
_policies: Memo[tuple[LoanPolicy, ...]] = Memo("loan-policies")


def forget_loan_policies() -> None:
    _policies.forget()


def loan_rule_matrix() -> tuple[LoanPolicy, ...]:
    """Every LoanPolicy row, as `resolve_rules` takes them."""
    return _policies.get("all", lambda: tuple(LoanPolicy.objects.all()))


def loan_rules_for(member: Member, material_type: str, branch: Branch) -> LoanRules:
    """The rules for this member borrowing this kind of material at this branch."""
    return resolve_rules(
        loan_rule_matrix(),
        category=member.category_id,
        material_type=material_type,
        branch_id=branch.pk,
    )


def resolve_rules_for_hold(hold: Hold) -> LoanRules:
    return loan_rules_for(hold.member, hold.record.material_type, hold.pickup_branch)


class CalendarCache:
    """Branch calendars built once per request or job."""

    def __init__(self) -> None:
        self._by_branch: dict[int, BranchCalendar] = {}

    def __call__(self, branch: Branch) -> BranchCalendar:
        if branch.pk not in self._by_branch:
            self._by_branch[branch.pk] = calendar_for(branch)
        return self._by_branch[branch.pk]


# ---------------------------------------------------------------------------------------------
# Loans


#: What lists of loans and holds leave out of each record: the stored MARC record (parsing
#: its JSON for every row cost more than the rest of the page) and the long texts.
RECORD_LONG_FIELDS = ("marc", "summary", "notes")


def open_loans(member: Member) -> QuerySet[Loan]:
    return (
        Loan.objects.filter(member=member, state__in=OPEN_LOAN_STATES)
        .select_related("item__record", "item__branch", "branch")
        .defer(*(f"item__record__{name}" for name in RECORD_LONG_FIELDS))
        .order_by("due_at", "pk")
    )


def panel_loans(member: Member) -> QuerySet[Loan]:
    """`open_loans` with only what the desk's member panel shows of each loan (title, barcode,
    due date, renewals): the desk reads them after every scan."""
    return (
        Loan.objects.filter(member=member, state__in=OPEN_LOAN_STATES)
        .select_related("item__record")
        .only(
            "member_id",
            "state",
            "due_at",
            "renewals",
            "item__barcode",
            "item__record_id",
            "item__record__title",
        )
        .order_by("due_at", "pk")
    )


PANEL_LOAN_LIMIT = 50  # loans the desk's panel lists (the ones due first)
_PANEL_LOANS = CompiledQuery(  # after every scan at the desk
    lambda member: panel_loans(member)[:PANEL_LOAN_LIMIT], member=int
)


def open_loan_for_item(item: Item) -> Loan | None:
    return (
        Loan.objects.filter(item=item, state__in=OPEN_LOAN_STATES)
        .select_related("member__category", "branch")
        .first()
    )


def overdue_loans(*, at: dt.datetime | None = None) -> QuerySet[Loan]:
    at = at or timezone.now()
    return (
        Loan.objects.filter(state=LoanState.ON_LOAN, due_at__lt=at)
        .select_related("member", "item__record", "branch")
        .order_by("due_at")
    )


def loan_history(member: Member) -> QuerySet[Loan]:
    return (
        Loan.objects.filter(member=member, state=LoanState.RETURNED)
        .select_related("item__record")
        .order_by("-returned_at")
    )


# ---------------------------------------------------------------------------------------------
# Fines


def fine_balance(member: Member) -> int:
    """What the member owes on the ledger (charges less payments and waivers), in Rupiah."""
    return FineEntry.objects.filter(member=member).aggregate(total=Sum("amount"))["total"] or 0


def accruing_fines(
    member: Member,
    *,
    at: dt.datetime | None = None,
    calendars: CalendarCache | None = None,
    late: list[Loan] | None = None,
) -> int:
    """Fines building up on loans that are overdue now (charged to the ledger at return).
    `late`: the member's overdue loans, when the caller has already read them."""
    at = at or timezone.now()
    calendars = calendars or CalendarCache()
    today = timezone.localdate(at)
    total = 0
    for loan in late_loans(member, at=at) if late is None else late:
        rules = rules_from_snapshot(loan.rules)
        _days, amount = overdue_fine(
            calendars(loan.branch), rules, due_on=timezone.localdate(loan.due_at), returned_on=today
        )
        total += amount
    return total


def late_loans(member: Member, *, at: dt.datetime) -> list[Loan]:
    """The member's loans overdue at `at` (what fines accrue on and overdue blocks count)."""
    return _LATE_LOANS.all(member=member.pk, at=at)


_LATE_LOANS = CompiledQuery(  # every checkout and card scan of a member with overdue items
    lambda member, at: (
        Loan.objects.filter(member_id=member, state=LoanState.ON_LOAN, due_at__lt=at)
        .select_related("branch")
        .only("due_at", "rules", "branch")
    ),
    member=int,
    at=dt.datetime,
)


@dataclass(frozen=True)
class Standing:
    """Where a member stands now: overdue loans, the ledger, fines accruing, open loans. Read
    by a checkout for its rules and handed on, so the desk's panel need not read it again."""

    late: list[Loan]
    balance: int
    accruing: int
    open_count: int

    @property
    def owed(self) -> int:
        return self.balance + self.accruing


def member_standing(
    member: Member, *, at: dt.datetime, calendars: CalendarCache | None = None
) -> Standing:
    """One statement for most members (loans counted, overdue ones too, the ledger summed:
    `circulation/sql.py`); a second reads the overdue loans when there are any."""
    open_count, late_count, balance = sql.loan_and_fine_counts(member.pk, at=at)
    late = late_loans(member, at=at) if late_count else []
    return Standing(
        late=late,
        balance=balance,
        accruing=accruing_fines(member, at=at, calendars=calendars, late=late),
        open_count=open_count,
    )


# ---------------------------------------------------------------------------------------------
# Blocks


@dataclass(frozen=True)
class Block:
    code: str
    message: str


def member_blocks(
    member: Member,
    *,
    at: dt.datetime | None = None,
    owed: int | None = None,
    overdue: int | None = None,
    calendars: CalendarCache | None = None,
) -> list[Block]:
    """Every reason this member may not borrow now (empty: free to borrow). A caller that has
    already counted what the member owes (ledger and accruing) or how many items are overdue
    passes them, saving the queries; otherwise the overdue loans are read once for both."""
    at = at or timezone.now()
    today = timezone.localdate(at)
    category = member.category
    late = None
    if (category.fine_block_limit is not None and owed is None) or (
        category.overdue_block_count and overdue is None
    ):
        late = late_loans(member, at=at)
    blocks: list[Block] = []
    if member.status == MemberStatus.PENDING:
        blocks.append(Block("pending", _("the membership has not been confirmed yet")))
    elif member.status != MemberStatus.ACTIVE:
        blocks.append(Block("closed", _("the membership is closed")))
    if member.expires_on and member.expires_on < today:
        blocks.append(
            Block(
                "expired",
                _("the membership expired on %(date)s") % {"date": member.expires_on.isoformat()},
            )
        )
    if member.manual_block_reason:
        blocks.append(
            Block("manual", _("blocked: %(reason)s") % {"reason": member.manual_block_reason})
        )
    if category.fine_block_limit is not None:
        if owed is None:
            owed = fine_balance(member) + accruing_fines(
                member, at=at, calendars=calendars, late=late
            )
        if owed > category.fine_block_limit:
            blocks.append(
                Block(
                    "fines",
                    _("unpaid fines of %(owed)s are over the limit of %(limit)s")
                    % {
                        "owed": format_rupiah(owed),
                        "limit": format_rupiah(category.fine_block_limit),
                    },
                )
            )
    if category.overdue_block_count:
        if overdue is None:
            overdue = len(late)
        if overdue >= category.overdue_block_count:
            blocks.append(Block("overdue", _("%(count)s items are overdue") % {"count": overdue}))
    return blocks


# ---------------------------------------------------------------------------------------------
# Holds


def active_holds(member: Member) -> QuerySet[Hold]:
    return (
        Hold.objects.filter(member=member, state__in=ACTIVE_HOLD_STATES)
        .select_related("record", "pickup_branch", "item")
        .defer(*(f"record__{name}" for name in RECORD_LONG_FIELDS))
        .order_by("placed_at")
    )


def hold_queue(record_id: int) -> QuerySet[Hold]:
    """A record's active holds in queue order."""
    return (
        Hold.objects.filter(record_id=record_id, state__in=ACTIVE_HOLD_STATES)
        .select_related("member", "pickup_branch")
        .order_by("queue_number")
    )


def hold_queue_length(record_id: int) -> int:
    return Hold.objects.filter(record_id=record_id, state__in=ACTIVE_HOLD_STATES).count()


def hold_position(hold: Hold) -> int:
    """1 for the first in line; counts only active holds, so there are no gaps."""
    return (
        Hold.objects.filter(
            record_id=hold.record_id,
            state__in=ACTIVE_HOLD_STATES,
            queue_number__lt=hold.queue_number,
        ).count()
        + 1
    )


_NEXT_HOLD = CompiledQuery(  # every check-in asks it
    lambda record, on: (
        Hold.objects.filter(record_id=record, state=HoldState.WAITING)
        .filter(Q(suspended_until__isnull=True) | Q(suspended_until__lt=on))
        .order_by("queue_number", "pk")[:1]
    ),
    record=int,
    on=dt.date,
)


def next_hold_to_fill(record_id: int, *, on: dt.date) -> Hold | None:
    """The first waiting hold of a record that an item can fill now (suspensions respected)."""
    # The caller re-reads the hold it fills under a lock, with its member and branch.
    return _NEXT_HOLD.first(record=int(record_id), on=on)


def next_queue_number(record_id: int) -> int:
    """Call under the record's lock."""
    return (Hold.objects.filter(record_id=record_id).aggregate(n=Max("queue_number"))["n"] or 0) + 1


def hold_shelf(branch: Branch) -> QuerySet[Hold]:
    """Holds ready for pickup at a branch, oldest deadline first."""
    return (
        Hold.objects.filter(pickup_branch=branch, state=HoldState.READY)
        .select_related("member", "record", "item")
        .order_by("pickup_deadline", "pk")
    )


def pull_list(branch: Branch) -> QuerySet[Item]:
    """Available items on this branch's shelves whose title has a waiting hold: fetch them."""
    waiting = Hold.objects.filter(state=HoldState.WAITING).values("record_id")
    return (
        Item.objects.filter(branch=branch, status=ItemStatus.AVAILABLE, record_id__in=waiting)
        .select_related("record")
        .order_by("shelf_location", "record__call_number", "barcode")
    )


def open_transfers(*, to_branch: Branch | None = None) -> QuerySet[Transfer]:
    transfers = Transfer.objects.filter(received_at__isnull=True).select_related(
        "item__record", "from_branch", "to_branch"
    )
    if to_branch is not None:
        transfers = transfers.filter(to_branch=to_branch)
    return transfers.order_by("sent_at")


def loan_counts_by_member(member_ids: list[int]) -> dict[int, int]:
    rows = (
        Loan.objects.filter(member_id__in=member_ids, state__in=OPEN_LOAN_STATES)
        .values("member_id")
        .annotate(n=Count("pk"))
    )
    return {row["member_id"]: row["n"] for row in rows}


# ---------------------------------------------------------------------------------------------
# The desk: what a scan means, the member's session panel, lists per branch


def member_id_for_card(code: str) -> int | None:
    """Whose card `code` is, if anyone's (the desk asks this of every scan, most of them item
    barcodes: an id is all it needs to tell them apart)."""
    code = code.strip()
    return sql.member_id_for_card({code, code.upper()}) if code else None


def member_by_number(code: str) -> Member | None:
    """The member whose card carries `code` (as typed by a scanner: exact, or upper-cased)."""
    code = code.strip()
    if not code:
        return None
    return (
        Member.objects.select_related("category")
        .filter(number__in={code, code.upper()})
        .order_by("pk")
        .first()
    )


def scanned_copy(code: str) -> Item | None:
    """Which copy a scanned barcode is (its id and barcode only: the services lock and read
    the copy again)."""
    code = code.strip()
    row = sql.copy_for_barcode(code) if code else None
    if row is None:
        return None
    return Item.from_db(connection.alias, ["id", "barcode"], row)


def desk_member(pk: int) -> Member | None:
    return Member.objects.select_related("category").filter(pk=pk).first()


#: What the desk's panel shows of each hold (`panel_holds`).
PANEL_HOLD_FIELDS = (
    "record_id",
    "member_id",
    "item_id",
    "pickup_branch_id",
    "state",
    "queue_number",
    "placed_at",
    "pickup_deadline",
    "suspended_until",
    "record__title",
    "item__barcode",
    "pickup_branch__name",
)


_PANEL_HOLDS = CompiledQuery(  # after every scan at the desk
    lambda member: active_holds(member).only(*PANEL_HOLD_FIELDS), member=int
)


def panel_holds(member: Member) -> list[Hold]:
    """The member's active holds with `position` in each title's queue and only the columns
    the desk's panel shows: one plain query, and a second for the positions only when the
    member has holds (most members at the desk have none)."""
    holds = _PANEL_HOLDS.all(member=member.pk)
    if holds:
        queues: dict[int, list[int]] = {}
        for record_id, number in Hold.objects.filter(
            record_id__in={h.record_id for h in holds}, state__in=ACTIVE_HOLD_STATES
        ).values_list("record_id", "queue_number"):
            queues.setdefault(record_id, []).append(number)
        for hold in holds:
            hold.position = sum(1 for n in queues[hold.record_id] if n < hold.queue_number) + 1
    return holds


def holds_with_position(member: Member) -> QuerySet[Hold]:
    """The member's active holds, each with `position` in its title's queue (one query)."""
    ahead = (
        Hold.objects.filter(
            record_id=OuterRef("record_id"),
            state__in=ACTIVE_HOLD_STATES,
            queue_number__lt=OuterRef("queue_number"),
        )
        .order_by()
        .values("record_id")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return active_holds(member).annotate(
        position=Coalesce(Subquery(ahead, output_field=IntegerField()), 0) + 1
    )


@dataclass
class MemberSummary:
    """What the desk (and the member's own account) shows about a member at a glance."""

    member: Member
    blocks: list[Block]
    loans: list[Loan]
    holds: list[Hold]
    balance: int
    accruing: int
    at: dt.datetime
    loan_count: int = 0
    overdue_count: int = 0

    @property
    def overdue(self) -> list[Loan]:
        """The overdue loans among `loans` (all of them unless `loan_limit` cut the list:
        `overdue_count` counts them all)."""
        return [loan for loan in self.loans if loan.due_at < self.at]

    @property
    def ready_holds(self) -> list[Hold]:
        return [hold for hold in self.holds if hold.state == HoldState.READY]

    @property
    def owed(self) -> int:
        return self.balance + self.accruing


def member_summary(
    member: Member,
    *,
    at: dt.datetime | None = None,
    loan_limit: int | None = None,
    include_loans: list[int] | tuple[int, ...] = (),
    standing: Standing | None = None,
) -> MemberSummary:
    """Blocks, current loans (due first), active holds with queue positions, the ledger balance
    and fines still accruing. A fixed number of queries whatever the number of loans.

    With `loan_limit` (the desk's panel), only that many loans are read (the ones due first)
    plus those in `include_loans` (e.g. lent in this desk session), with only the columns the
    panel shows (`panel_loans`); `loan_count` still counts them all. A member with hundreds of
    loans (a school) then costs the desk no more than anyone else.

    `standing`: what a checkout just read about the member (`CheckoutResult.standing`), which
    saves reading it again."""
    at = at or timezone.now()
    calendars = CalendarCache()
    if loan_limit is not None and standing is None:
        # The desk's card scan: counts, overdue loans and ledger in one statement, as a checkout.
        standing = member_standing(member, at=at, calendars=calendars)
    if loan_limit is None:
        loans = list(open_loans(member))
        late = [loan for loan in loans if loan.state == LoanState.ON_LOAN and loan.due_at < at]
        loan_count = len(loans)
    else:
        loans = (
            _PANEL_LOANS.all(member=member.pk)
            if loan_limit == PANEL_LOAN_LIMIT
            else list(panel_loans(member)[:loan_limit])
        )
        if standing is not None:
            loan_count = standing.open_count
        else:
            loan_count = Loan.objects.filter(member=member, state__in=OPEN_LOAN_STATES).count()
        missing = set(include_loans) - {loan.pk for loan in loans}
        if missing and loan_count > len(loans):
            loans += list(panel_loans(member).filter(pk__in=missing))
        late = standing.late if standing is not None else late_loans(member, at=at)
    if standing is not None:
        accruing, balance = standing.accruing, standing.balance
    else:
        accruing = accruing_fines(member, at=at, calendars=calendars, late=late)
        balance = fine_balance(member)
    return MemberSummary(
        member=member,
        blocks=member_blocks(member, at=at, owed=balance + accruing, overdue=len(late)),
        loans=loans,
        holds=panel_holds(member) if loan_limit is not None else list(holds_with_position(member)),
        balance=balance,
        accruing=accruing,
        at=at,
        loan_count=loan_count,
        overdue_count=len(late),
    )


def find_record_for_hold(code: str) -> Record | None:
    """The title meant by `code`: the barcode of any copy, an ISBN, or a record number."""
    code = code.strip()
    if not code:
        return None
    item = (
        Item.objects.select_related("record")
        .filter(barcode__in={code, code.upper()})
        .order_by("pk")
        .first()
    )
    if item is not None:
        return item.record
    isbn = isbn_or_none(code)
    if isbn:
        record = (
            Record.objects.filter(identifiers__kind=IdentifierKind.ISBN, identifiers__value=isbn)
            .order_by("pk")
            .first()
        )
        if record is not None:
            return record
    if code.isdigit() and len(code) < 12:
        return Record.objects.filter(pk=int(code)).first()
    return None


def member_loan(member: Member, pk: int) -> Loan | None:
    """One of the member's loans (None if it is someone else's: callers answer 404)."""
    return (
        Loan.objects.filter(member=member, pk=pk).select_related("item__record", "branch").first()
    )


def member_hold(member: Member, pk: int) -> Hold | None:
    return Hold.objects.filter(member=member, pk=pk).select_related("record").first()


def loans_for_receipt(member: Member, loan_ids: list[int]) -> list[Loan]:
    """The member's open loans among `loan_ids` (all open loans when none are given)."""
    loans = open_loans(member)
    if loan_ids:
        loans = loans.filter(pk__in=loan_ids)
    return list(loans)


def latest_loan_of_item_to(item: Item, member: Member) -> Loan | None:
    return Loan.objects.filter(item=item, member=member).order_by("-checked_out_at").first()


def hold_for_slip(pk: int) -> Hold | None:
    return (
        Hold.objects.filter(pk=pk)
        .select_related("member", "record", "item", "pickup_branch")
        .first()
    )


def transfer_for_slip(pk: int) -> Transfer | None:
    return (
        Transfer.objects.filter(pk=pk)
        .select_related("item__record", "from_branch", "to_branch", "hold__member")
        .first()
    )


def holds_past_deadline(branch: Branch, *, on: dt.date) -> QuerySet[Hold]:
    """Ready holds at `branch` whose collection date has passed (the daily job expires them)."""
    return hold_shelf(branch).filter(pickup_deadline__lt=on)


@dataclass(frozen=True)
class ClearedHold:
    """A copy that may still sit on the hold shelf for a hold it no longer serves, and where it
    goes now. `why`: "expired" (not collected in time) or "another_copy" (the member borrowed
    another copy of the title)."""

    hold: Hold
    item: Item | None
    next_hold: Hold | None
    why: str = "expired"
    at: dt.datetime | None = None


def holds_to_clear(branch: Branch, *, since: dt.datetime) -> list[ClearedHold]:
    """Copies to take off the hold shelf at `branch` since `since`, newest first: those of holds
    that expired, and those set aside for a member who then borrowed another copy (filled at a
    kiosk, nobody at the desk was told), each with the hold it now serves, if any: staff
    re-slip it, send it on, or shelve it. Four queries."""
    expired = list(
        Hold.objects.filter(pickup_branch=branch, state=HoldState.EXPIRED, closed_at__gte=since)
        .select_related("member", "record", "item__branch")
        .order_by("-closed_at", "-pk")
    )
    filled = list(
        HoldEvent.objects.filter(
            hold__pickup_branch=branch,
            to_state=HoldState.FULFILLED,
            at__gte=since,
            details__has_key="freed_item",
        )
        .select_related("hold__member", "hold__record")
        .order_by("-at", "-pk")
    )
    freed = Item.objects.in_bulk([event.details["freed_item"] for event in filled])
    rows = [
        ClearedHold(hold=hold, item=hold.item, next_hold=None, at=hold.closed_at)
        for hold in expired
    ] + [
        ClearedHold(
            hold=event.hold,
            item=freed.get(event.details["freed_item"]),
            next_hold=None,
            why="another_copy",
            at=event.at,
        )
        for event in filled
    ]
    item_ids = [row.item.pk for row in rows if row.item is not None]
    serving = {
        hold.item_id: hold
        for hold in Hold.objects.filter(
            item_id__in=item_ids, state__in=TRAPPED_HOLD_STATES
        ).select_related("member", "pickup_branch")
    }
    rows = [
        dataclasses.replace(row, next_hold=serving.get(row.item.pk) if row.item else None)
        for row in rows
    ]
    return sorted(rows, key=lambda row: row.at, reverse=True)


def fine_ledger(member: Member) -> QuerySet[FineEntry]:
    return (
        FineEntry.objects.filter(member=member)
        .select_related("loan__item__record", "by")
        .order_by("at", "pk")
    )


def payment_for_receipt(pk: int) -> FineEntry | None:
    return FineEntry.objects.filter(pk=pk, kind="payment").select_related("member", "by").first()


def loan_policies() -> QuerySet[LoanPolicy]:
    return LoanPolicy.objects.select_related("member_category", "branch").order_by(
        "branch__position", "branch__name", "member_category__position", "material_type", "pk"
    )


def open_deletion_requests() -> QuerySet[AccountDeletionRequest]:
    return AccountDeletionRequest.objects.select_related("member", "handled_by").order_by(
        "status", "-requested_at"
    )


def open_deletion_request(member: Member) -> AccountDeletionRequest | None:
    return AccountDeletionRequest.objects.filter(
        member=member, status=DeletionRequestStatus.OPEN
    ).first()


# ---------------------------------------------------------------------------------------------
# Everything Pustaka holds about a member, for "download all my data"


def member_data(member: Member) -> dict[str, list[dict] | dict]:
    """Profile, loans, holds, fines and notices as plain values (dates as ISO strings)."""

    def iso(value) -> str:
        return value.isoformat() if value else ""

    profile = {
        "member_number": member.number,
        "full_name": member.full_name,
        "gender": member.get_gender_display() if member.gender else "",
        "birth_date": iso(member.birth_date),
        "category": str(member.category),
        "status": member.get_status_display(),
        "nik": member.nik,
        "institution": member.institution,
        "email": member.email,
        "phone": member.phone,
        "address": member.address,
        "city": member.city,
        "home_branch": str(member.home_branch) if member.home_branch_id else "",
        "member_since": iso(member.joined_on),
        "membership_expires": iso(member.expires_on),
        "confirmed": iso(getattr(member, "confirmed_at", None)),
        "closed": iso(getattr(member, "closed_at", None)),
        "guardian_name": member.guardian_name,
        "guardian_relationship": member.guardian_relationship,
        "guardian_phone": member.guardian_phone,
        "guardian_consent_at": iso(member.guardian_consent_at),
        "photo": member.photo.name if member.photo else "",
        "language_for_notices": member.preferred_language,
        "notices_by_email": member.notify_by_email,
        "keep_reading_history": member.keep_reading_history,
        "blocked_because": member.manual_block_reason,
    }
    loans = [
        {
            "title": loan.item.record.title,
            "barcode": loan.item.barcode,
            "state": loan.get_state_display(),
            "lent_at": str(loan.branch),
            "checked_out": iso(loan.checked_out_at),
            "due": iso(loan.due_at),
            "renewals": loan.renewals,
            "returned": iso(loan.returned_at),
        }
        for loan in Loan.objects.filter(member=member)
        .select_related("item__record", "branch")
        .order_by("checked_out_at", "pk")
    ]
    holds = [
        {
            "title": hold.record.title,
            "state": hold.get_state_display(),
            "pickup_branch": str(hold.pickup_branch),
            "placed": iso(hold.placed_at),
            "ready_since": iso(hold.ready_at),
            "collect_by": iso(hold.pickup_deadline),
            "suspended_until": iso(hold.suspended_until),
            "closed": iso(hold.closed_at),
        }
        for hold in Hold.objects.filter(member=member)
        .select_related("record", "pickup_branch")
        .order_by("placed_at", "pk")
    ]
    fines = [
        {
            "when": iso(entry.at),
            "kind": entry.get_kind_display(),
            "amount": entry.amount,
            "paid_by": entry.get_method_display() if entry.method else "",
            "reason": entry.reason,
            "receipt": entry.receipt_number,
        }
        for entry in FineEntry.objects.filter(member=member).order_by("at", "pk")
    ]
    notices = [
        {
            "created": iso(notice.created_at),
            "kind": notice.get_kind_display(),
            "channel": notice.channel,
            "to": notice.recipient,
            "subject": notice.subject,
            "message": notice.body,
            "status": notice.get_status_display(),
            "sent": iso(notice.sent_at),
        }
        for notice in Notice.objects.filter(member=member).order_by("created_at", "pk")
    ]
    return {"profile": profile, "loans": loans, "holds": holds, "fines": fines, "notices": notices}


def balance_after(entry: FineEntry) -> int:
    """The member's ledger balance right after `entry` (for a reprinted receipt)."""
    return (
        FineEntry.objects.filter(member_id=entry.member_id)
        .filter(Q(at__lt=entry.at) | Q(at=entry.at, pk__lte=entry.pk))
        .aggregate(total=Sum("amount"))["total"]
        or 0
    )


@dataclass(frozen=True)
class RuleLine:
    name: str
    label: str
    value: object
    source: str


@dataclass(frozen=True)
class RuleAnswer:
    """'Which rule applies and why': each value with the policy it came from, the policies
    that matched (most specific first), and the due date of a checkout on `on`."""

    rules: LoanRules
    lines: list[RuleLine]
    matching: list[LoanPolicy]
    due_on: dt.date
    pickup_deadline: dt.date


def explain_rules(*, category: str, material_type: str, branch: Branch, on: dt.date) -> RuleAnswer:
    from circulation.policies import RULE_FIELDS, due_date, matches, specificity

    policies = list(loan_policies())
    rules = resolve_rules(
        policies, category=category, material_type=material_type, branch_id=branch.pk
    )
    matching = sorted(
        (
            p
            for p in policies
            if matches(p, category=category, material_type=material_type, branch_id=branch.pk)
        ),
        key=specificity,
        reverse=True,
    )
    lines = [
        RuleLine(
            name=name,
            label=str(LoanPolicy._meta.get_field(name).verbose_name),
            value=getattr(rules, name),
            source=rules.sources[name],
        )
        for name in RULE_FIELDS
    ]
    calendar = calendar_for(branch)
    return RuleAnswer(
        rules=rules,
        lines=lines,
        matching=matching,
        due_on=due_date(calendar, lent_on=on, loan_days=rules.loan_days),
        pickup_deadline=calendar.add_open_days(on, rules.hold_pickup_days),
    )


# ---------------------------------------------------------------------------------------------
# Renewals and holds as the member sees them (the phone app, the OPAC)


def renewal_refusals(
    loan: Loan,
    member: Member,
    *,
    record_id: int,
    blocks: list[Block],
    others_waiting: bool | None = None,
) -> list[CirculationError]:
    """Every rule that stops `loan` being renewed now, in the order `services.renew` checks
    them (empty: it may be renewed). `blocks` are the member's (`member_blocks`); being overdue
    does not stop a renewal. `others_waiting` can be given when the caller already knows
    whether someone else waits for the title."""
    if loan.state != LoanState.ON_LOAN:
        return [LoanNotOpenError()]
    refusals: list[CirculationError] = []
    rules = rules_from_snapshot(loan.rules)
    if loan.renewals >= rules.max_renewals:
        refusals.append(RenewalLimitReachedError(count=loan.renewals))
    if others_waiting is None:
        others_waiting = (
            Hold.objects.filter(record_id=record_id, state=HoldState.WAITING)
            .exclude(member_id=member.pk)
            .exists()
        )
    if others_waiting:
        refusals.append(RenewalBlockedByHoldError())
    stopping = [block for block in blocks if block.code != "overdue"]
    if stopping:
        refusals.append(MemberBlockedError.of(member, stopping))
    return refusals


@dataclass(frozen=True)
class LoanOutlook:
    loan: Loan
    overdue: bool
    refusals: list[CirculationError]

    @property
    def renewable(self) -> bool:
        return not self.refusals


def loans_with_renewal_outlook(
    member: Member, *, at: dt.datetime | None = None, blocks: list[Block] | None = None
) -> list[LoanOutlook]:
    """The member's open loans (due first), each with whether it may be renewed now and, if
    not, why. A fixed number of queries whatever the number of loans."""
    at = at or timezone.now()
    if blocks is None:
        blocks = member_blocks(member, at=at)
    loans = list(open_loans(member))
    waited_for = set(
        Hold.objects.filter(
            record_id__in={loan.item.record_id for loan in loans}, state=HoldState.WAITING
        )
        .exclude(member_id=member.pk)
        .values_list("record_id", flat=True)
    )
    return [
        LoanOutlook(
            loan=loan,
            overdue=loan.due_at < at,
            refusals=renewal_refusals(
                loan,
                member,
                record_id=loan.item.record_id,
                blocks=blocks,
                others_waiting=loan.item.record_id in waited_for,
            ),
        )
        for loan in loans
    ]


def pickup_branches() -> QuerySet[Branch]:
    return Branch.objects.filter(is_active=True).order_by("position", "name")


@dataclass(frozen=True)
class HoldOption:
    """What a member may do about holding a title now, for the record page."""

    existing: Hold | None
    position: int | None
    branches: list[Branch]  # where they may collect it (holds allowed there)
    default_branch: Branch | None
    refusal: CirculationError | None  # why they may not place a hold, if they may not

    @property
    def can_place(self) -> bool:
        return self.existing is None and self.refusal is None and bool(self.branches)


def hold_option(member: Member, record: Record, *, at: dt.datetime | None = None) -> HoldOption:
    """Whether `member` may place a hold on `record` and where they could collect it. The same
    rules as `services.place_hold`, which checks them again under its locks."""
    at = at or timezone.now()
    existing = (
        Hold.objects.filter(record=record, member=member, state__in=ACTIVE_HOLD_STATES)
        .select_related("pickup_branch")
        .first()
    )
    policies = loan_rule_matrix()  # read once, resolved per branch
    branches = [
        branch
        for branch in pickup_branches()
        if resolve_rules(
            policies,
            category=member.category_id,
            material_type=record.material_type,
            branch_id=branch.pk,
        ).holds_allowed
    ]
    default = None
    if branches:
        default = next((b for b in branches if b.pk == member.home_branch_id), branches[0])
    refusal: CirculationError | None = None
    if existing is None:
        blocks = member_blocks(member, at=at)
        if not branches:
            refusal = HoldsNotAllowedError()
        elif blocks:
            refusal = MemberBlockedError.of(member, blocks)
        elif Loan.objects.filter(
            item__record=record, member=member, state__in=OPEN_LOAN_STATES
        ).exists():
            refusal = AlreadyOnLoanToMemberError(member=member.full_name)
        elif (
            not Item.objects.filter(record=record)
            .exclude(status__in=[ItemStatus.WITHDRAWN, ItemStatus.LOST])
            .exists()
        ):
            refusal = NoCopiesError()
    return HoldOption(
        existing=existing,
        position=hold_position(existing) if existing else None,
        branches=branches,
        default_branch=default,
        refusal=refusal,
    )
