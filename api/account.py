"""The member's own library account for the phone app: profile and blocks, loans (and renewing
one), holds (placing and cancelling), fines, and the digital member card.

Every call needs a bearer token (POST /api/auth/token with the member number or e-mail and the
password) and answers about the token's own member only: a loan or hold id that is not theirs
answers 404, as if it did not exist. Reads go through circulation.selectors, changes through
circulation.services (channel "api"); a refused change answers 409 with the rule's stable
`code` and a `message` in the user's language (Accept-Language)."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from ninja import Field, Path, Router, Schema, Status

from api.auth import token_auth
from api.schemas import ErrorOut
from catalog.selectors import get_record
from circulation import selectors, services
from circulation.errors import HoldsNotAllowedError
from circulation.models import Hold, Loan
from circulation.states import Channel, HoldState
from core.errors import DomainError
from core.models import Branch
from core.money import format_rupiah
from patrons import codes
from patrons.models import Member, MemberStatus

account_router = Router(tags=["my account"], auth=token_auth)

MAX_ID = 2**63 - 1
CURRENCY = "IDR"
# Personal data: never kept by a cache on the way or on the phone.
PRIVATE = "private, no-store"

READ_ERRORS = {401: ErrorOut, 403: ErrorOut}


# ---------------------------------------------------------------------------------------------
# Schemas


class CodeMessageOut(Schema):
    code: str = Field(description="Stable, for programs.")
    message: str = Field(description="For people, in the user's language.")


class BranchRefOut(Schema):
    id: int
    code: str
    name: str


class CategoryOut(Schema):
    code: str
    name: str


class CountsOut(Schema):
    loans: int = Field(description="Items on loan now.")
    overdue: int = Field(description="Of those, how many are overdue.")
    holds: int = Field(description="Active holds (waiting, paused, on the way or ready).")
    holds_ready: int = Field(description="Holds ready for pickup.")


class MoneyOut(Schema):
    balance: int = Field(description="The ledger: charges less payments and waivers, in Rupiah.")
    accruing: int = Field(description="Fines building up on overdue loans (charged at return).")
    owed: int = Field(description="balance + accruing, in Rupiah.")
    owed_text: str = Field(description="`owed` written out for people, e.g. “Rp 12.500”.")
    currency: Literal["IDR"] = CURRENCY


class AccountOut(Schema):
    number: str = Field(description="The member (card) number.")
    full_name: str
    email: str
    phone: str
    category: CategoryOut
    status: str
    status_label: str
    joined_on: dt.date
    expires_on: dt.date | None = Field(description="Empty: the membership does not expire.")
    home_branch: BranchRefOut | None
    preferred_language: str
    can_borrow: bool = Field(description="False while any block applies.")
    blocks: list[CodeMessageOut] = Field(description="Why the member may not borrow now.")
    counts: CountsOut
    fines: MoneyOut


class LoanOut(Schema):
    id: int
    record_id: int
    title: str
    barcode: str
    branch: BranchRefOut = Field(description="Where it was borrowed.")
    checked_out_at: dt.datetime
    due_at: dt.datetime
    due_on: dt.date = Field(description="The due date in the library's time zone.")
    overdue: bool
    renewals: int = Field(description="Times renewed so far.")
    renewals_allowed: int
    renewable: bool = Field(description="Whether a renewal would be accepted now.")
    not_renewable_because: list[CodeMessageOut] = Field(
        description="Why not, when `renewable` is false (empty otherwise)."
    )


class RenewOut(Schema):
    renewed: bool = Field(
        description="False when renewing today would not move the due date (nothing changed)."
    )
    message: str
    loan: LoanOut


class HoldOut(Schema):
    id: int
    record_id: int
    title: str
    state: str = Field(description="waiting, suspended, in_transit, ready, or a closed state.")
    state_label: str
    position: int | None = Field(description="Place in the title's queue (1: next).")
    pickup_branch: BranchRefOut
    placed_at: dt.datetime
    pickup_deadline: dt.date | None = Field(description="When ready: collect it by this day.")
    suspended_until: dt.date | None


class HoldIn(Schema):
    record_id: int = Field(ge=1, le=MAX_ID, description="The title (a record id from /catalog).")
    pickup_branch: str | None = Field(
        None,
        max_length=50,
        description="Branch code where to collect it; default: the member's home branch.",
    )


class PlacedHoldOut(Schema):
    created: bool = Field(description="False when the member already held this title.")
    message: str
    hold: HoldOut


class FineEntryOut(Schema):
    id: int
    at: dt.datetime
    kind: str = Field(description="overdue, lost, damaged (charges), payment or waiver.")
    kind_label: str
    amount: int = Field(description="Rupiah; charges are positive, payments and waivers negative.")
    amount_text: str = Field(description="`amount` written out for people.")
    balance_after: int = Field(description="The balance right after this entry, in Rupiah.")
    title: str = Field(description="The title the charge is for, if any.")
    method: str
    reason: str
    receipt_number: str


class FinesOut(MoneyOut):
    entries: list[FineEntryOut] = Field(description="The ledger, oldest first.")


class CardOut(Schema):
    number: str
    full_name: str
    category: CategoryOut
    expires_on: dt.date | None
    valid: bool = Field(description="Active and not expired: the desk will accept it.")
    payload: str | None = Field(
        description="What the barcode and the QR code carry: the member number, nothing else."
    )
    barcode_format: Literal["code128"] = "code128"
    barcode_svg: str | None = Field(description="The Code 128 barcode as SVG.")
    qr_svg: str | None = Field(description="The QR code as SVG.")


# ---------------------------------------------------------------------------------------------
# Helpers (shaping only: the rules live in circulation)


def my_member(request: HttpRequest, response: HttpResponse) -> tuple[Member | None, Status | None]:
    """Every answer here is about the token's own member and is private: the member, or the
    403 to send when the account has no membership."""
    response["Cache-Control"] = PRIVATE
    member = selectors.member_for_user(request.user)
    if member is None:
        refusal = ErrorOut(
            code="not_a_member", message=_("This account has no library membership.")
        )
        return None, Status(403, refusal)
    return member, None


def _not_found(code: str, message: str) -> Status:
    return Status(404, ErrorOut(code=code, message=message))


def _refused(error: DomainError, *, all_reasons: list[DomainError] | None = None) -> Status:
    errors = None
    if all_reasons:
        errors = [{"code": reason.code, "message": str(reason)} for reason in all_reasons]
    return Status(409, ErrorOut(code=error.code, message=str(error), errors=errors))


def _branch(branch: Branch) -> BranchRefOut:
    return BranchRefOut(id=branch.pk, code=branch.code, name=branch.name)


def _loan_out(outlook: selectors.LoanOutlook) -> LoanOut:
    loan: Loan = outlook.loan
    return LoanOut(
        id=loan.pk,
        record_id=loan.item.record_id,
        title=loan.item.record.title,
        barcode=loan.item.barcode,
        branch=_branch(loan.branch),
        checked_out_at=loan.checked_out_at,
        due_at=loan.due_at,
        due_on=timezone.localdate(loan.due_at),
        overdue=outlook.overdue,
        renewals=loan.renewals,
        renewals_allowed=int(loan.rules.get("max_renewals", 0) or 0),
        renewable=outlook.renewable,
        not_renewable_because=[
            CodeMessageOut(code=error.code, message=str(error)) for error in outlook.refusals
        ],
    )


def _hold_out(hold: Hold, position: int | None) -> HoldOut:
    return HoldOut(
        id=hold.pk,
        record_id=hold.record_id,
        title=hold.record.title,
        state=hold.state,
        state_label=hold.get_state_display(),
        position=position,
        pickup_branch=_branch(hold.pickup_branch),
        placed_at=hold.placed_at,
        pickup_deadline=hold.pickup_deadline,
        suspended_until=hold.suspended_until,
    )


def _outlook_for(member: Member, loan_id: int) -> selectors.LoanOutlook | None:
    return next(
        (o for o in selectors.loans_with_renewal_outlook(member) if o.loan.pk == loan_id), None
    )


def _hold_message(hold: Hold, position: int | None) -> str:
    if hold.state == HoldState.READY and hold.pickup_deadline:
        return _("Ready for you at %(branch)s. Collect it by %(date)s.") % {
            "branch": hold.pickup_branch.name,
            "date": date_format(hold.pickup_deadline, "l j F Y"),
        }
    return _("You are number %(position)s in line; pickup at %(branch)s.") % {
        "position": position,
        "branch": hold.pickup_branch.name,
    }


# ---------------------------------------------------------------------------------------------
# Endpoints


@account_router.get(
    "",
    response={200: AccountOut, **READ_ERRORS},
    summary="My membership: card number, category, expiry, blocks, loan counts, fines",
)
def my_account(request: HttpRequest, response: HttpResponse):
    member, refusal = my_member(request, response)
    if refusal is not None:
        return refusal
    summary = selectors.member_summary(member)
    return Status(
        200,
        AccountOut(
            number=member.number,
            full_name=member.full_name,
            email=member.email,
            phone=member.phone,
            category=CategoryOut(code=member.category.code, name=member.category.name),
            status=member.status,
            status_label=member.get_status_display(),
            joined_on=member.joined_on,
            expires_on=member.expires_on,
            home_branch=_branch(member.home_branch) if member.home_branch else None,
            preferred_language=member.preferred_language,
            can_borrow=not summary.blocks,
            blocks=[CodeMessageOut(code=b.code, message=b.message) for b in summary.blocks],
            counts=CountsOut(
                loans=len(summary.loans),
                overdue=len(summary.overdue),
                holds=len(summary.holds),
                holds_ready=len(summary.ready_holds),
            ),
            fines=MoneyOut(
                balance=summary.balance,
                accruing=summary.accruing,
                owed=summary.owed,
                owed_text=format_rupiah(summary.owed),
            ),
        ),
    )


@account_router.get(
    "/loans",
    response={200: list[LoanOut], **READ_ERRORS},
    summary="My current loans, due first, each with whether it can be renewed and why not",
)
def my_loans(request: HttpRequest, response: HttpResponse):
    member, refusal = my_member(request, response)
    if refusal is not None:
        return refusal
    return Status(200, [_loan_out(o) for o in selectors.loans_with_renewal_outlook(member)])


@account_router.post(
    "/loans/{loan_id}/renew",
    response={200: RenewOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut, **READ_ERRORS},
    summary="Renew one of my loans",
    description=(
        "409 when a rule refuses: `code` is the first reason (renewal_limit_reached, "
        "renewal_blocked_by_hold, member_blocked, loan_not_open) and `errors` lists them all."
    ),
)
def renew_loan(
    request: HttpRequest, response: HttpResponse, loan_id: int = Path(..., ge=1, le=MAX_ID)
):
    member, refusal = my_member(request, response)
    if refusal is not None:
        return refusal
    loan = selectors.member_loan(member, loan_id)
    if loan is None:
        return _not_found("loan_not_found", _("You have no loan with that number."))
    before = loan.renewals
    try:
        loan = services.renew(loan, staff=None, channel=Channel.API)
    except DomainError as error:
        outlook = _outlook_for(member, loan.pk)
        return _refused(error, all_reasons=outlook.refusals if outlook else None)
    outlook = _outlook_for(member, loan.pk)
    due = date_format(timezone.localdate(loan.due_at), "j F Y")
    title = loan.item.record.title
    if loan.renewals > before:
        message = _("“%(title)s” is renewed. It is now due on %(date)s.")
    else:
        message = _("“%(title)s” is already due on %(date)s; renewing today would not change it.")
    return Status(
        200,
        RenewOut(
            renewed=loan.renewals > before,
            message=message % {"title": title, "date": due},
            loan=_loan_out(outlook),
        ),
    )


@account_router.get(
    "/holds",
    response={200: list[HoldOut], **READ_ERRORS},
    summary="My active holds with their place in the queue",
)
def my_holds(request: HttpRequest, response: HttpResponse):
    member, refusal = my_member(request, response)
    if refusal is not None:
        return refusal
    return Status(
        200, [_hold_out(hold, hold.position) for hold in selectors.holds_with_position(member)]
    )


@account_router.post(
    "/holds",
    response={
        200: PlacedHoldOut,
        201: PlacedHoldOut,
        400: ErrorOut,
        404: ErrorOut,
        409: ErrorOut,
        422: ErrorOut,
        **READ_ERRORS,
    },
    summary="Place a hold on a title, to collect at a branch",
    description=(
        "201 with the new hold; 200 when the member already holds the title (nothing changes). "
        "409 when a rule refuses: member_blocked, holds_not_allowed, already_on_loan_to_member, "
        "no_copies. 422 with unknown_pickup_branch for a branch code the library does not have."
    ),
)
def place_hold(request: HttpRequest, response: HttpResponse, payload: HoldIn):
    member, refusal = my_member(request, response)
    if refusal is not None:
        return refusal
    record = get_record(payload.record_id)
    if record is None:
        return _not_found("record_not_found", _("The catalogue has no title with that number."))
    if payload.pickup_branch:
        branch = selectors.pickup_branches().filter(code=payload.pickup_branch).first()
        if branch is None:
            return Status(
                422,
                ErrorOut(
                    code="unknown_pickup_branch",
                    message=_("The library has no branch with that code to collect from."),
                ),
            )
    else:
        option = selectors.hold_option(member, record)
        branch = option.default_branch
        if branch is None:
            return _refused(option.refusal or HoldsNotAllowedError())
    at = timezone.now()
    try:
        hold = services.place_hold(
            record, member, pickup_branch=branch, staff=None, at=at, channel=Channel.API
        )
    except DomainError as error:
        return _refused(error)
    created = hold.placed_at == at
    hold = selectors.member_hold(member, hold.pk)
    position = selectors.hold_position(hold)
    message = _hold_message(hold, position)
    if not created:
        message = _("You already have a hold on this title.") + " " + message
    return Status(
        201 if created else 200,
        PlacedHoldOut(created=created, message=message, hold=_hold_out(hold, position)),
    )


@account_router.delete(
    "/holds/{hold_id}",
    response={200: HoldOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut, **READ_ERRORS},
    summary="Cancel one of my holds",
)
def cancel_hold(
    request: HttpRequest, response: HttpResponse, hold_id: int = Path(..., ge=1, le=MAX_ID)
):
    member, refusal = my_member(request, response)
    if refusal is not None:
        return refusal
    hold = selectors.member_hold(member, hold_id)
    if hold is None:
        return _not_found("hold_not_found", _("You have no hold with that number."))
    try:
        services.cancel_hold(hold, staff=None, channel=Channel.API, reason="cancelled by member")
    except DomainError as error:
        return _refused(error)
    return Status(200, _hold_out(selectors.member_hold(member, hold_id), None))


@account_router.get(
    "/fines",
    response={200: FinesOut, **READ_ERRORS},
    summary="My fines: the balance in Rupiah and every ledger entry",
)
def my_fines(request: HttpRequest, response: HttpResponse):
    member, refusal = my_member(request, response)
    if refusal is not None:
        return refusal
    summary = selectors.member_summary(member)
    entries = []
    running = 0
    for entry in selectors.fine_ledger(member):
        running += entry.amount
        entries.append(
            FineEntryOut(
                id=entry.pk,
                at=entry.at,
                kind=entry.kind,
                kind_label=entry.get_kind_display(),
                amount=entry.amount,
                amount_text=format_rupiah(entry.amount),
                balance_after=running,
                title=entry.loan.item.record.title if entry.loan_id else "",
                method=entry.method or "",
                reason=entry.reason,
                receipt_number=entry.receipt_number,
            )
        )
    return Status(
        200,
        FinesOut(
            balance=summary.balance,
            accruing=summary.accruing,
            owed=summary.owed,
            owed_text=format_rupiah(summary.owed),
            entries=entries,
        ),
    )


@account_router.get(
    "/card",
    response={200: CardOut, **READ_ERRORS},
    summary="My digital member card: what the phone shows for the desk to scan",
    description=(
        "`payload` is what to encode (the member number); `barcode_svg` (Code 128, for the "
        "desk's scanner) and `qr_svg` are ready to draw. A merged membership has no card: "
        "payload and codes are null."
    ),
)
def my_card(request: HttpRequest, response: HttpResponse):
    member, refusal = my_member(request, response)
    if refusal is not None:
        return refusal
    usable = member.status != MemberStatus.MERGED
    today = timezone.localdate()
    valid = member.status == MemberStatus.ACTIVE and (
        member.expires_on is None or member.expires_on >= today
    )
    label = {"number": member.number}
    return Status(
        200,
        CardOut(
            number=member.number,
            full_name=member.full_name,
            category=CategoryOut(code=member.category.code, name=member.category.name),
            expires_on=member.expires_on,
            valid=valid,
            payload=member.number if usable else None,
            barcode_svg=str(
                codes.code128_svg(
                    member.number, label=_("Barcode of member number %(number)s") % label
                )
            )
            if usable
            else None,
            qr_svg=str(
                codes.qr_svg(member.number, label=_("QR code of member number %(number)s") % label)
            )
            if usable
            else None,
        ),
    )
