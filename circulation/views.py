"""The desk: one scan box for member cards and item barcodes, the member's session panel,
renewals, overrides, receipts and slips; holds, the hold shelf, the pull list and transfers.

Thin adapters over `circulation.services` and `circulation.selectors`. The desk remembers, in
the session, the branch the librarian works at, the member whose card was scanned last (their
session), the loans made in that session (for the receipt) and the last check-ins. Every action
answers an htmx request with the scan result (an aria-live region) and the refreshed panel
(out of band); without JavaScript, the same URLs take a plain POST and redirect back to the
desk, which shows the result once.
"""

from __future__ import annotations

import datetime as dt
from functools import wraps
from urllib.parse import urlencode

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.backends.utils import csrf_input
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.html import escape
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django_htmx.http import HttpResponseClientRedirect

from accounts.decorators import staff_required
from circulation import receipts, selectors, services
from circulation.errors import OverrideReasonRequiredError
from circulation.forms import (
    BranchChoiceForm,
    OverrideReasonForm,
    PlaceHoldForm,
    ScanForm,
    SuspendHoldForm,
)
from circulation.models import Hold, Loan, Transfer
from circulation.states import Channel
from core.errors import DomainError, PermissionDeniedError
from core.models import Branch
from core.selectors import active_branch_list
from patrons.models import Member

SESSION_BRANCH = "desk_branch"
SESSION_MEMBER = "desk_member"
SESSION_LOANS = "desk_loans"
SESSION_CHECKINS = "desk_checkins"
SESSION_LAST = "desk_last"
MAX_CHECKINS = 20
# The panel lists this many loans (due first), plus the ones made in this session; a member with
# hundreds of loans (an institution) gets a link to the whole list.
PANEL_LOANS = selectors.PANEL_LOAN_LIMIT
OVERRIDE_PERMISSION = "circulation.override_rules"
DATE_KEYS = ("due", "deadline", "old_due")


# ---------------------------------------------------------------------------------------------
# The desk's branch


def current_branch(request: HttpRequest) -> Branch | None:
    """The branch this librarian works at today (asked once, kept in the session); with one
    active branch there is nothing to ask."""
    branches = _active_branches(request)
    pk = request.session.get(SESSION_BRANCH)
    branch = next((b for b in branches if b.pk == pk), None)
    if branch is None and len(branches) == 1:
        branch = branches[0]
        request.session[SESSION_BRANCH] = branch.pk
    return branch


def _active_branches(request: HttpRequest) -> list[Branch]:
    """Active branches, read once per request (the desk's branch and the pickup choices)."""
    if not hasattr(request, "_desk_branches"):
        request._desk_branches = list(active_branch_list())
    return request._desk_branches


def with_branch(view):
    """Pass the desk's branch to the view; ask for it first when the session has none."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs):
        branch = current_branch(request)
        if branch is None:
            url = f"{reverse('circulation:branch')}?{urlencode({'next': request.get_full_path()})}"
            if request.htmx:
                return HttpResponseClientRedirect(url)
            return redirect(url)
        return view(request, branch, *args, **kwargs)

    return wrapper


@staff_required("circulation.view_loan")
def choose_branch(request: HttpRequest) -> HttpResponse:
    form = BranchChoiceForm(
        request.POST or None, initial={"branch": request.session.get(SESSION_BRANCH)}
    )
    if request.method == "POST" and form.is_valid():
        request.session[SESSION_BRANCH] = form.cleaned_data["branch"].pk
        messages.success(
            request, _("You are working at %(branch)s.") % {"branch": form.cleaned_data["branch"]}
        )
        return redirect(_safe_next(request, reverse("circulation:desk")))
    return render(request, "circulation/branch_choice.html", {"form": form})


def _safe_next(request: HttpRequest, default: str) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return default


# ---------------------------------------------------------------------------------------------
# Results of a scan or an action: plain values, so that they survive the session (no-JS
# requests redirect back to the desk, which shows the last result once).


def _local_date(moment: dt.datetime | None) -> str:
    return timezone.localtime(moment).date().isoformat() if moment else ""


def _revive(result: dict | None) -> dict | None:
    if not result:
        return result
    revived = dict(result)
    for key in DATE_KEYS:
        if revived.get(key):
            revived[key] = dt.date.fromisoformat(revived[key])
    if revived.get("freed"):
        revived["freed"] = _revive(revived["freed"])
    return revived


def _checkout_result(outcome: services.CheckoutResult) -> dict:
    loan = outcome.loan
    kind = "repeated" if outcome.repeated else "renewed" if outcome.renewed else "checked_out"
    return {
        "kind": kind,
        "level": "ok",
        "title": loan.item.record.title,
        "barcode": loan.item.barcode,
        "due": _local_date(loan.due_at),
        "overridden": [_override_label(code) for code in outcome.overridden],
        "hold_fulfilled": outcome.fulfilled_hold is not None,
        # The copy that was waiting on the hold shelf for this member: where it goes now.
        "freed": _checkin_result(outcome.freed) if outcome.freed else None,
    }


def _checkin_result(outcome: services.CheckinResult) -> dict:
    item = outcome.item
    result = {
        "kind": "checked_in",
        "level": "ok" if outcome.route == "shelve" else "warn",
        "title": item.record.title,
        "barcode": item.barcode,
        "route": outcome.route,
        "already_in": outcome.already_in,
        "fine": outcome.fine,
        "days_overdue": outcome.days_overdue,
        "destination": str(outcome.destination) if outcome.destination else "",
        "hold_id": outcome.hold.pk if outcome.hold else None,
        "transfer_id": outcome.transfer.pk if outcome.transfer else None,
        "member": "",
        "deadline": "",
        "status": item.get_status_display(),
    }
    if outcome.hold is not None:
        hold_member = outcome.hold.member
        result["member"] = f"{hold_member.full_name} ({hold_member.number})"
        if outcome.hold.pickup_deadline:
            result["deadline"] = outcome.hold.pickup_deadline.isoformat()
    return result


def _override_label(code: str) -> str:
    labels = {
        "member_blocked": _("member blocked"),
        "loan_limit_reached": _("loan limit reached"),
        "item_on_hold_for_another": _("set aside for another member's hold"),
        "item_not_loanable": _("item not for loan"),
        "renewal_limit_reached": _("renewal limit reached"),
        "renewal_blocked_by_hold": _("another member is waiting"),
    }
    return labels.get(code, code)


def _refusal(request: HttpRequest, error: DomainError, *, action: str, **target) -> dict:
    """A refused checkout or renewal: the service's message, and whether this user may
    override it with a reason (which the service audits)."""
    overridable = getattr(error, "overridable", False) or isinstance(
        error, OverrideReasonRequiredError
    )
    return {
        "kind": "refused",
        "level": "bad",
        "message": str(error),
        "code": error.code,
        "action": action,
        "can_override": overridable and request.user.has_perm(OVERRIDE_PERMISSION),
        "overridable": overridable,
        **target,
    }


def _message(text: str, *, level: str = "ok") -> dict:
    return {"kind": "message", "level": level, "message": text}


# ---------------------------------------------------------------------------------------------
# The desk page and the scan


def _session_member(request: HttpRequest):
    """The member whose session is open at this desk (read once per request)."""
    member_id = request.session.get(SESSION_MEMBER)
    cached = getattr(request, "_desk_member", None)
    if member_id and (cached is None or cached.pk != member_id):
        cached = selectors.desk_member(member_id)
        if cached is None:
            _end_member_session(request)
        request._desk_member = cached
    return cached if member_id else None


def _row_url(name: str):
    """`reverse(name, args=[pk])` for many rows: reversed once, each key written in."""
    marker = "987654321"
    head, tail = reverse(name, args=[int(marker)]).split(marker)
    return lambda pk: f"{head}{pk}{tail}"


def _panel_context(request: HttpRequest, branch: Branch) -> dict:
    session = request.session
    member = _session_member(request)
    session_loans = session.get(SESSION_LOANS, [])
    summary = None
    if member is not None:
        summary = selectors.member_summary(
            member,
            loan_limit=None if request.GET.get("loans") == "all" else PANEL_LOANS,
            include_loans=session_loans,
            standing=getattr(request, "_desk_standing", None),
        )
    now = timezone.now()
    return {
        "branch": branch,
        "branches": _active_branches(request),
        "summary": summary,
        "loan_rows": _loan_rows(summary, session_loans, now) if summary is not None else [],
        "csrf_field": csrf_input(request) if summary is not None else "",  # once, not per row
        "session_loans": session_loans,
        "checkins": [_revive(c) for c in session.get(SESSION_CHECKINS, [])] if not summary else [],
        "suspend_until": timezone.localdate() + dt.timedelta(days=30),
        "now": now,
    }


def _loan_rows(summary: selectors.MemberSummary, session_loans: list[int], now) -> list[dict]:
    """The panel's loan rows as plain values, each written with one lookup: a school's panel
    lists 50, and walking `loan.item.record.title` three times a row, comparing dates and
    formatting each due date in the template was most of a card scan's time. Due dates are
    formatted once per day, in the active language and time zone as the `date` filter does."""
    renew_url, lost_url = _row_url("circulation:renew"), _row_url("circulation:mark-lost")
    lent_now = set(session_loans)
    due_labels: dict[dt.date, str] = {}
    rows = []
    for loan in summary.loans:
        due_on = timezone.localdate(loan.due_at)
        due = due_labels.get(due_on)
        if due is None:
            due = due_labels[due_on] = formats.date_format(due_on, "j M Y")
        rows.append(
            {
                "title": escape(loan.item.record.title),  # escaped once, written three times
                "barcode": loan.item.barcode,
                "due": due,
                "overdue": loan.due_at < now,
                "new": loan.pk in lent_now,
                "renewals": loan.renewals,
                "renew_url": renew_url(loan.pk),
                "lost_url": lost_url(loan.pk),
            }
        )
    return rows


def _respond(request: HttpRequest, branch: Branch, result: dict) -> HttpResponse:
    if request.htmx:
        context = {"result": _revive(result), **_panel_context(request, branch), "oob": True}
        return HttpResponse(render_to_string("circulation/desk.html#scan_answer", context, request))
    request.session[SESSION_LAST] = result
    return redirect("circulation:desk")


@staff_required("circulation.add_loan")
@with_branch
def desk(request: HttpRequest, branch: Branch) -> HttpResponse:
    result = _revive(request.session.pop(SESSION_LAST, None))
    return render(
        request,
        "circulation/desk.html",
        {"form": ScanForm(auto_id="scan-%s"), "result": result, **_panel_context(request, branch)},
    )


@require_POST
@staff_required("circulation.add_loan")
@with_branch
def scan(request: HttpRequest, branch: Branch) -> HttpResponse:
    form = ScanForm(request.POST)
    if not form.is_valid():
        first_error = next(iter(form.errors.values()))[0]
        return _respond(request, branch, _message(first_error, level="bad"))
    data = form.cleaned_data
    return _respond(
        request,
        branch,
        _handle_scan(
            request, branch, data["code"], override=data["override"], reason=data["reason"]
        ),
    )


def _handle_scan(
    request: HttpRequest, branch: Branch, code: str, *, override: bool, reason: str
) -> dict:
    card_owner = selectors.member_id_for_card(code)
    if card_owner is not None:
        return _open_member(request, selectors.desk_member(card_owner))
    item = selectors.scanned_copy(code)
    if item is None:
        return {
            "kind": "unknown",
            "level": "bad",
            "message": _("No member card or item has the code “%(code)s”.") % {"code": code},
        }
    member_id = request.session.get(SESSION_MEMBER)
    if member_id:
        # The service locks and reads the member itself; the panel then shows the member it
        # read, so a checkout reads the member once.
        return _check_out(request, branch, item, member_id, override=override, reason=reason)
    return _check_in(request, branch, item)


def _open_member(request: HttpRequest, member) -> dict:
    note = ""
    if member.merged_into_id:
        note = _("Card %(old)s belongs to a membership merged into %(number)s.") % {
            "old": member.number,
            "number": member.merged_into.number,
        }
        member = selectors.desk_member(member.merged_into_id)
    if request.session.get(SESSION_MEMBER) != member.pk:
        request.session[SESSION_MEMBER] = member.pk
        request.session[SESSION_LOANS] = []
    request._desk_member = member
    try:
        from patrons.services import record_member_viewed

        record_member_viewed(member, by=request.user)
    except PermissionDeniedError:
        pass
    return {
        "kind": "member",
        "level": "ok",
        "name": member.full_name,
        "number": member.number,
        "note": note,
    }


def _end_member_session(request: HttpRequest) -> None:
    for key in (SESSION_MEMBER, SESSION_LOANS):
        request.session.pop(key, None)


def _check_out(
    request: HttpRequest, branch: Branch, item, member_id: int, *, override: bool, reason: str
) -> dict:
    try:
        outcome = services.check_out(
            item,
            Member(pk=member_id),
            staff=request.user,
            branch=branch,
            override=override,
            override_reason=reason,
        )
    except Member.DoesNotExist:  # the membership went away while its session was open
        _end_member_session(request)
        return _check_in(request, branch, item)
    except DomainError as error:
        return _refusal(request, error, action="checkout", barcode=item.barcode)
    request._desk_member = outcome.loan.member
    request._desk_standing = outcome.standing
    loans = request.session.get(SESSION_LOANS, [])
    if outcome.loan.pk not in loans:
        request.session[SESSION_LOANS] = [*loans, outcome.loan.pk]
    return _checkout_result(outcome)


def _check_in(request: HttpRequest, branch: Branch, item) -> dict:
    try:
        outcome = services.check_in(item, staff=request.user, branch=branch)
    except DomainError as error:
        return _message(str(error), level="bad")
    result = _checkin_result(outcome)
    checkins = request.session.get(SESSION_CHECKINS, [])
    previous = next((c for c in checkins if c["barcode"] == item.barcode), None)
    if outcome.already_in and previous is not None and not previous["already_in"]:
        # Scanned twice (or the request was sent twice): show the first answer again, with
        # the fine it charged, not "it was not on loan".
        result.update(
            already_in=False,
            repeated=True,
            fine=previous["fine"],
            days_overdue=previous["days_overdue"],
        )
    earlier = [c for c in checkins if c["barcode"] != item.barcode]
    request.session[SESSION_CHECKINS] = [result, *earlier][:MAX_CHECKINS]
    return result


@require_POST
@staff_required("circulation.add_loan")
@with_branch
def finish(request: HttpRequest, branch: Branch) -> HttpResponse:
    """End the member's session (the next item scanned is a check-in again)."""
    _end_member_session(request)
    return _respond(request, branch, _message(_("Session ended. Scanning items checks them in.")))


@require_POST
@staff_required("circulation.add_loan")
@with_branch
def clear_checkins(request: HttpRequest, branch: Branch) -> HttpResponse:
    request.session.pop(SESSION_CHECKINS, None)
    return _respond(request, branch, _message(_("The list of check-ins was cleared.")))


@require_POST
@staff_required("circulation.change_loan")
@with_branch
def renew(request: HttpRequest, branch: Branch, pk: int) -> HttpResponse:
    loan = Loan.objects.select_related("item__record").filter(pk=pk).first()
    if loan is None:
        raise Http404
    form = OverrideReasonForm(request.POST)
    form.is_valid()
    renewals = loan.renewals
    try:
        loan = services.renew(
            loan,
            staff=request.user,
            override=form.cleaned_data.get("override", False),
            override_reason=form.cleaned_data.get("reason", ""),
        )
    except DomainError as error:
        result = _refusal(request, error, action="renew", loan_id=loan.pk)
        result["title"] = loan.item.record.title
        return _respond(request, branch, result)
    result = {
        "kind": "renewed" if loan.renewals > renewals else "not_renewed",
        "level": "ok",
        "title": loan.item.record.title,
        "barcode": loan.item.barcode,
        "due": _local_date(loan.due_at),
        "overridden": [],
    }
    return _respond(request, branch, result)


@staff_required("circulation.change_loan")
def mark_lost(request: HttpRequest, pk: int) -> HttpResponse:
    loan = Loan.objects.select_related("item__record", "member").filter(pk=pk).first()
    if loan is None:
        raise Http404
    if request.method == "POST":
        try:
            services.mark_lost(loan, staff=request.user)
        except DomainError as error:
            messages.error(request, str(error))
        else:
            messages.success(
                request,
                _("%(title)s is marked lost; its price was charged.")
                % {"title": loan.item.record.title},
            )
        return redirect("circulation:desk")
    return render(request, "circulation/loan_lost_confirm.html", {"loan": loan})


# ---------------------------------------------------------------------------------------------
# Receipts and slips


def _loan_ids(values: list[str]) -> list[int]:
    return [int(v) for v in values if v.isdigit()][:200]


@staff_required("circulation.view_loan")
def receipt(request: HttpRequest, member_pk: int) -> HttpResponse:
    member = selectors.desk_member(member_pk)
    if member is None:
        raise Http404
    loans = selectors.loans_for_receipt(member, _loan_ids(request.GET.getlist("loan")))
    branch = current_branch(request)
    return render(
        request,
        "circulation/receipt_checkout.html",
        {"receipt": receipts.checkout_receipt(member, loans, branch=branch, staff=request.user)},
    )


@require_POST
@staff_required("circulation.view_loan")
@with_branch
def email_receipt(request: HttpRequest, branch: Branch, member_pk: int) -> HttpResponse:
    member = selectors.desk_member(member_pk)
    if member is None:
        raise Http404
    loans = selectors.loans_for_receipt(member, _loan_ids(request.POST.getlist("loan")))
    receipt = receipts.checkout_receipt(member, loans, branch=branch, staff=request.user)
    if receipts.email_checkout_receipt(receipt):
        result = _message(_("The receipt is on its way to %(email)s.") % {"email": member.email})
    elif not member.email:
        result = _message(_("This member has no e-mail address: print the receipt."), level="bad")
    else:
        result = _message(_("There is nothing on loan to put on a receipt."), level="bad")
    return _respond(request, branch, result)


@staff_required("circulation.view_hold")
def hold_slip(request: HttpRequest, pk: int) -> HttpResponse:
    hold = selectors.hold_for_slip(pk)
    if hold is None:
        raise Http404
    return render(request, "circulation/slip_hold.html", {"hold": hold})


@staff_required("circulation.view_transfer")
def transfer_slip(request: HttpRequest, pk: int) -> HttpResponse:
    transfer = selectors.transfer_for_slip(pk)
    if transfer is None:
        raise Http404
    return render(request, "circulation/slip_transfer.html", {"transfer": transfer})


# ---------------------------------------------------------------------------------------------
# Holds at the desk


@require_POST
@staff_required("circulation.add_hold")
@with_branch
def place_hold(request: HttpRequest, branch: Branch, member_pk: int) -> HttpResponse:
    member = selectors.desk_member(member_pk)
    if member is None:
        raise Http404
    form = PlaceHoldForm(request.POST)
    if not form.is_valid():
        errors = "; ".join(str(e) for errs in form.errors.values() for e in errs)
        return _respond(request, branch, _message(errors, level="bad"))
    code = form.cleaned_data["record"].strip()
    record = selectors.find_record_for_hold(code)
    if record is None:
        return _respond(
            request,
            branch,
            _message(
                _(
                    "No title found for “%(code)s”: give the barcode of any copy, an ISBN or "
                    "the record number."
                )
                % {"code": code},
                level="bad",
            ),
        )
    try:
        hold = services.place_hold(
            record,
            member,
            pickup_branch=form.cleaned_data["pickup_branch"],
            staff=request.user,
            channel=Channel.DESK,
        )
    except DomainError as error:
        return _respond(request, branch, _message(str(error), level="bad"))
    position = selectors.hold_position(hold)
    return _respond(
        request,
        branch,
        _message(
            _("Hold placed on “%(title)s” for pickup at %(branch)s; number %(position)s in line.")
            % {"title": record.title, "branch": hold.pickup_branch, "position": position}
        ),
    )


def _hold_action(request: HttpRequest, branch: Branch, pk: int, action) -> HttpResponse:
    hold = Hold.objects.select_related("record").filter(pk=pk).first()
    if hold is None:
        raise Http404
    try:
        text = action(hold)
    except DomainError as error:
        text, level = str(error), "bad"
    else:
        level = "ok"
    if request.htmx:
        return _respond(request, branch, _message(text, level=level))
    getattr(messages, "success" if level == "ok" else "error")(request, text)
    return redirect(_safe_next(request, reverse("circulation:desk")))


@require_POST
@staff_required("circulation.change_hold")
@with_branch
def cancel_hold(request: HttpRequest, branch: Branch, pk: int) -> HttpResponse:
    def action(hold: Hold) -> str:
        services.cancel_hold(
            hold, staff=request.user, channel=Channel.DESK, reason="cancelled at the desk"
        )
        return _("The hold on “%(title)s” is cancelled.") % {"title": hold.record.title}

    return _hold_action(request, branch, pk, action)


@require_POST
@staff_required("circulation.change_hold")
@with_branch
def suspend_hold(request: HttpRequest, branch: Branch, pk: int) -> HttpResponse:
    form = SuspendHoldForm(request.POST)

    def action(hold: Hold) -> str:
        if not form.is_valid():
            raise DomainError(form.errors["until"][0])
        until = form.cleaned_data["until"]
        services.suspend_hold(hold, until=until, staff=request.user, channel=Channel.DESK)
        return _("The hold on “%(title)s” is paused until %(date)s.") % {
            "title": hold.record.title,
            "date": _format_date(until),
        }

    return _hold_action(request, branch, pk, action)


@require_POST
@staff_required("circulation.change_hold")
@with_branch
def resume_hold(request: HttpRequest, branch: Branch, pk: int) -> HttpResponse:
    def action(hold: Hold) -> str:
        services.resume_hold(hold, staff=request.user, channel=Channel.DESK)
        return _("The hold on “%(title)s” is active again.") % {"title": hold.record.title}

    return _hold_action(request, branch, pk, action)


def _format_date(day: dt.date) -> str:
    from django.utils.formats import date_format

    return date_format(day, "j F Y")


@staff_required("circulation.view_hold")
@with_branch
def hold_shelf(request: HttpRequest, branch: Branch) -> HttpResponse:
    today = timezone.localdate()
    return render(
        request,
        "circulation/hold_shelf.html",
        {
            "branch": branch,
            "today": today,
            "holds": list(selectors.hold_shelf(branch)),
            "expired": selectors.holds_to_clear(
                branch, since=timezone.now() - dt.timedelta(days=7)
            ),
        },
    )


@require_POST
@staff_required("circulation.change_hold")
def expire_holds(request: HttpRequest) -> HttpResponse:
    count = services.expire_uncollected_holds()
    messages.success(
        request,
        _("%(count)s uncollected holds expired; their items are listed below.") % {"count": count},
    )
    return redirect("circulation:hold-shelf")


@staff_required("circulation.view_hold")
@with_branch
def pull_list(request: HttpRequest, branch: Branch) -> HttpResponse:
    return render(
        request,
        "circulation/pull_list.html",
        {"branch": branch, "items": list(selectors.pull_list(branch)), "now": timezone.now()},
    )


@staff_required("circulation.view_transfer")
@with_branch
def transfers(request: HttpRequest, branch: Branch) -> HttpResponse:
    outgoing = selectors.open_transfers().filter(from_branch=branch)
    return render(
        request,
        "circulation/transfer_list.html",
        {
            "branch": branch,
            "incoming": list(selectors.open_transfers(to_branch=branch)),
            "outgoing": list(outgoing),
        },
    )


@require_POST
@staff_required("circulation.change_transfer")
@with_branch
def receive_transfer(request: HttpRequest, branch: Branch, pk: int) -> HttpResponse:
    transfer = Transfer.objects.select_related("item__record").filter(pk=pk).first()
    if transfer is None:
        raise Http404
    try:
        outcome = services.check_in(transfer.item, staff=request.user, branch=branch)
    except DomainError as error:
        messages.error(request, str(error))
    else:
        request.session[SESSION_LAST] = _checkin_result(outcome)
        messages.success(
            request,
            _("%(barcode)s received at %(branch)s.")
            % {"barcode": transfer.item.barcode, "branch": branch},
        )
        if outcome.route != "shelve" or outcome.hold is not None:
            return redirect("circulation:desk")
    return redirect("circulation:transfers")
