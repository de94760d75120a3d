"""Pages of spaces. Members (on a phone first): the rooms of each branch, a room's rules and its
availability per day and week, booking a slot, their bookings (change, cancel, .ics), a weekly
series, and checking in at the door. Staff: the day sheet per branch with approvals, check-in
and cancellations, booking on behalf of a member, blocks, and the door QR of a room."""

from __future__ import annotations

import datetime as dt
from functools import wraps

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from accounts.decorators import member_required, staff_required
from core.errors import DomainError
from core.models import Branch
from core.selectors import active_branches, get_library
from spaces import ics, policies, selectors, services
from spaces.errors import SlotTakenError
from spaces.forms import (
    BlockForm,
    BookingForm,
    ChangeForm,
    ReasonForm,
    SeriesForm,
    StaffBookingForm,
)
from spaces.models import Booking, Equipment, Space


def _today() -> dt.date:
    return timezone.localdate(timezone=get_library().zone)


def _parse_date(value: str | None, default: dt.date) -> dt.date:
    try:
        return dt.date.fromisoformat(value) if value else default
    except ValueError:
        return default


def with_member(view):
    """Signed in and linked to a membership; otherwise a page that says what to do."""

    @member_required
    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs):
        member = selectors.member_for_user(request.user)
        if member is None:
            return render(request, "spaces/no_member.html", status=403)
        return view(request, member, *args, **kwargs)

    return wrapper


# ---------------------------------------------------------------------------------------------
# Public and member pages


def space_list(request: HttpRequest) -> HttpResponse:
    return render(request, "spaces/space_list.html", {"branches": selectors.branches_with_spaces()})


def space_detail(request: HttpRequest, pk: int) -> HttpResponse:
    space = selectors.get_space(pk)
    if space is None:
        raise Http404
    member = selectors.member_for_user(request.user)
    today = _today()
    day = _parse_date(request.GET.get("date"), today)
    week_view = request.GET.get("view") == "week"
    if week_view:
        monday = day - dt.timedelta(days=day.weekday())
        days = selectors.week_grid(space, monday, member=member)
        previous, following = monday - dt.timedelta(days=7), monday + dt.timedelta(days=7)
    else:
        days = [selectors.day_grid(space, day, member=member)]
        previous, following = day - dt.timedelta(days=1), day + dt.timedelta(days=1)
    rules = policies.resolve_rules(space, member.category if member else None)
    return render(
        request,
        "spaces/space_detail.html",
        {
            "space": space,
            "member": member,
            "days": days,
            "day": day,
            "week_view": week_view,
            "previous": previous if previous >= today - dt.timedelta(days=7) else None,
            "following": following,
            "today": today,
            "rules": policies.describe(rules, capacity=space.capacity),
            "equipment": selectors.equipment_for(space.branch),
        },
    )


@with_member
def book(request: HttpRequest, member, pk: int) -> HttpResponse:
    space = selectors.get_space(pk)
    if space is None:
        raise Http404
    rules = policies.resolve_rules(space, member.category)
    equipment = selectors.equipment_for(space.branch)
    initial = {"people": 1}
    if "start" in request.GET:
        try:
            start = dt.datetime.fromisoformat(request.GET["start"])
            initial.update(
                date=start.date(),
                start=start.time(),
                minutes=max(rules.slot_minutes, rules.min_minutes),
            )
        except ValueError:
            pass
    form = BookingForm(
        request.POST or None, initial=initial, rules=rules, space=space, equipment=equipment
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            booking = services.book(
                space,
                member,
                start=data["starts_at"],
                end=data["ends_at"],
                purpose=data["purpose"],
                people=data["people"],
                title=data.get("title", ""),
                equipment=data.get("equipment") or [],
                by=request.user,
                source="web",
            )
        except DomainError as error:
            form.add_error(None, str(error))
        else:
            if booking.state == "pending":
                messages.success(
                    request, _("Booking received. Staff will approve it; we will e-mail you.")
                )
            else:
                messages.success(request, _("Booked. We sent the details to your e-mail."))
            return redirect("spaces:booking", booking.code)
    return render(
        request,
        "spaces/booking_form.html",
        {
            "space": space,
            "form": form,
            "rules": policies.describe(rules, capacity=space.capacity),
        },
        status=400 if request.method == "POST" and form.errors else 200,
    )


@with_member
def my_bookings(request: HttpRequest, member) -> HttpResponse:
    return render(
        request,
        "spaces/my_bookings.html",
        {"member": member, "bookings": selectors.member_bookings(member)},
    )


def _own_booking(request: HttpRequest, member, code: str) -> Booking:
    booking = selectors.get_member_booking(member, code)
    if booking is None:
        raise Http404
    return booking


@with_member
def booking_detail(request: HttpRequest, member, code: str) -> HttpResponse:
    booking = _own_booking(request, member, code)
    opens, closes = services.check_in_window(booking)
    return render(
        request,
        "spaces/booking_detail.html",
        {
            "booking": booking,
            "check_in_opens": opens,
            "check_in_closes": closes,
            "can_change": booking.state in ("pending", "confirmed")
            and booking.starts_at > timezone.now(),
        },
    )


@require_POST
@with_member
def booking_cancel(request: HttpRequest, member, code: str) -> HttpResponse:
    booking = _own_booking(request, member, code)
    try:
        if request.POST.get("series") == "rest":
            count = len(services.cancel_series_from(booking, by=request.user))
            messages.success(
                request,
                ngettext(
                    "%(count)s date of the weekly booking is cancelled.",
                    "%(count)s dates of the weekly booking are cancelled.",
                    count,
                )
                % {"count": count},
            )
        else:
            services.cancel(booking, by=request.user)
            messages.success(request, _("Your booking is cancelled."))
    except DomainError as error:
        messages.error(request, str(error))
        return redirect("spaces:booking", code)
    return redirect("spaces:mine")


@with_member
def booking_change(request: HttpRequest, member, code: str) -> HttpResponse:
    booking = _own_booking(request, member, code)
    if booking.space is None:
        raise Http404
    rules = policies.resolve_rules(booking.space, member.category)
    local_start = timezone.localtime(booking.starts_at, get_library().zone)
    form = ChangeForm(
        request.POST or None,
        rules=rules,
        initial={
            "date": local_start.date(),
            "start": local_start.time(),
            "minutes": booking.minutes,
            "people": booking.people,
        },
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.change(
                booking,
                start=data["starts_at"],
                end=data["ends_at"],
                people=data["people"],
                by=request.user,
            )
        except DomainError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("Your booking is changed."))
            return redirect("spaces:booking", code)
    return render(
        request,
        "spaces/booking_change.html",
        {"booking": booking, "form": form},
        status=400 if request.method == "POST" and form.errors else 200,
    )


@with_member
def booking_ics(request: HttpRequest, member, code: str) -> HttpResponse:
    booking = _own_booking(request, member, code)
    response = HttpResponse(
        ics.calendar_for([booking], name=booking.resource.name),
        content_type="text/calendar; charset=utf-8",
    )
    response["Content-Disposition"] = 'attachment; filename="booking.ics"'
    return response


def space_feed(request: HttpRequest, pk: int) -> HttpResponse:
    """A public iCalendar feed of when a space is taken (no names, no purposes)."""
    space = selectors.get_space(pk)
    if space is None:
        raise Http404
    body = ics.calendar_for(selectors.space_feed_bookings(space), name=space.name, private=False)
    return HttpResponse(body, content_type="text/calendar; charset=utf-8")


@with_member
def series(request: HttpRequest, member, pk: int) -> HttpResponse:
    """A weekly booking for a group: first every date is listed with what stands in its way;
    saving books the free dates (staff approve them)."""
    space = selectors.get_space(pk)
    if space is None:
        raise Http404
    rules = policies.resolve_rules(space, member.category)
    form = SeriesForm(request.POST or None, rules=rules, space=space)
    plan = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        arguments = {
            "start": data["starts_at"],
            "end": data["ends_at"],
            "weeks": data["weeks"],
            "people": data["people"],
            "by": request.user,
        }
        try:
            if request.POST.get("action") == "save":
                result = services.book_series(
                    space,
                    member,
                    purpose=data["purpose"],
                    group_name=data["group_name"],
                    **arguments,
                )
                messages.success(
                    request,
                    _("%(booked)s dates booked for approval, %(skipped)s skipped.")
                    % {"booked": len(result.booked), "skipped": len(result.skipped)},
                )
                return redirect("spaces:mine")
            plan = services.plan_series(space, member, **arguments)
        except DomainError as error:
            form.add_error(None, str(error))
    return render(
        request,
        "spaces/series_form.html",
        {
            "space": space,
            "form": form,
            "plan": plan,
            "free": sum(1 for d in plan if d.is_free) if plan else 0,
            "rules": policies.describe(rules, capacity=space.capacity),
        },
    )


@with_member
def door(request: HttpRequest, member, door_code: str) -> HttpResponse:
    """The QR code at a room's door leads here: the booker checks in from their phone."""
    space = get_object_or_404(Space.objects.select_related("branch"), door_code=door_code)
    booking = selectors.current_booking_at_door(space, member)
    if request.method == "POST" and booking is not None:
        try:
            booking = services.check_in(booking, by=request.user, door_code=door_code)
        except DomainError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, _("You are checked in. Enjoy the room."))
        return redirect("spaces:door", door_code)
    return render(request, "spaces/door.html", {"space": space, "booking": booking})


# ---------------------------------------------------------------------------------------------
# Staff


def _staff_branch(request: HttpRequest) -> Branch:
    branches = list(active_branches().order_by("position", "name"))
    code = request.GET.get("branch") or request.POST.get("branch")
    for branch in branches:
        if branch.code == code:
            return branch
    if not branches:
        raise Http404
    return next((b for b in branches if b.is_main), branches[0])


@staff_required("spaces.view_booking")
def staff_day(request: HttpRequest) -> HttpResponse:
    branch = _staff_branch(request)
    day = _parse_date(request.GET.get("date"), _today())
    return render(
        request,
        "spaces/staff_day.html",
        {
            "branch": branch,
            "branches": active_branches().order_by("position", "name"),
            "day": day,
            "previous": day - dt.timedelta(days=1),
            "following": day + dt.timedelta(days=1),
            "rows": selectors.day_sheet(branch, day),
            "pending": selectors.pending_bookings(branch),
            "reason_form": ReasonForm(auto_id=False),
            "can_manage": request.user.has_perm("spaces.manage_bookings"),
        },
    )


def _back_to_sheet(request: HttpRequest, booking: Booking) -> HttpResponse:
    resource = booking.resource
    day = timezone.localtime(booking.starts_at, get_library().zone).date()
    url = reverse("spaces:staff-day")
    return redirect(f"{url}?branch={resource.branch.code}&date={day.isoformat()}")


def _staff_action(action):
    @staff_required("spaces.manage_bookings")
    @require_POST
    @wraps(action)
    def view(request: HttpRequest, pk: int) -> HttpResponse:
        booking = get_object_or_404(
            Booking.objects.select_related("space__branch", "equipment__branch"), pk=pk
        )
        try:
            text = action(request, booking)
        except DomainError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, text)
        return _back_to_sheet(request, booking)

    return view


@_staff_action
def staff_approve(request: HttpRequest, booking: Booking) -> str:
    services.approve(booking, by=request.user)
    return _("Booking approved; the member is told.")


@_staff_action
def staff_decline(request: HttpRequest, booking: Booking) -> str:
    services.decline(booking, by=request.user, reason=request.POST.get("reason", ""))
    return _("Booking declined; the member is told.")


@_staff_action
def staff_cancel(request: HttpRequest, booking: Booking) -> str:
    if booking.kind == "block":
        services.unblock(booking, by=request.user, reason=request.POST.get("reason", ""))
        return _("Block lifted.")
    services.cancel(booking, by=request.user, reason=request.POST.get("reason", ""))
    return _("Booking cancelled; the member is told.")


@_staff_action
def staff_check_in(request: HttpRequest, booking: Booking) -> str:
    services.check_in(booking, by=request.user)
    return _("Checked in.")


@staff_required("spaces.manage_bookings")
def staff_book(request: HttpRequest) -> HttpResponse:
    """Book a room on behalf of a member (or a partner organisation's member account)."""
    from patrons.models import Member

    branch = _staff_branch(request)
    spaces = Space.objects.filter(branch=branch, is_active=True)
    space = spaces.filter(pk=request.GET.get("space") or request.POST.get("space")).first()
    if space is None:
        space = spaces.first()
    if space is None:
        raise Http404
    rules = policies.resolve_rules(space, None)
    form = StaffBookingForm(
        request.POST or None,
        rules=rules,
        space=space,
        equipment=selectors.equipment_for(branch),
        initial={"date": _parse_date(request.GET.get("date"), _today())},
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        member = (
            Member.objects.select_related("category")
            .filter(number=data["member_number"].strip())
            .first()
        )
        if member is None:
            form.add_error("member_number", _("No member has this number."))
        else:
            try:
                booking = services.book(
                    space,
                    member,
                    start=data["starts_at"],
                    end=data["ends_at"],
                    purpose=data["purpose"],
                    people=data["people"],
                    title=data.get("title", ""),
                    equipment=data.get("equipment") or [],
                    by=request.user,
                    source="desk",
                )
            except DomainError as error:
                form.add_error(None, str(error))
            else:
                messages.success(request, _("Booked for %(name)s.") % {"name": member.full_name})
                return _back_to_sheet(request, booking)
    return render(
        request,
        "spaces/staff_book.html",
        {"form": form, "branch": branch, "space": space, "spaces": spaces},
    )


@staff_required("spaces.block_space")
def staff_block(request: HttpRequest) -> HttpResponse:
    branch = _staff_branch(request)
    form = BlockForm(
        request.POST or None,
        branch=branch,
        initial={"date": _parse_date(request.GET.get("date"), _today())},
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        kind, _sep, pk = data["resource"].partition(":")
        model = Space if kind == "space" else Equipment
        resource = get_object_or_404(model, pk=pk, branch=branch)
        try:
            booking = services.block_space(
                resource,
                data["starts_at"],
                data["ends_at"],
                data["reason"],
                request.user,
                displace=data["displace"],
            )
        except SlotTakenError as error:
            names = ", ".join(
                f"{timezone.localtime(b.starts_at):%H.%M}–{timezone.localtime(b.ends_at):%H.%M}"
                f" {b.member.full_name if b.member else b.title}"
                for b in error.conflicts
            )
            form.add_error(
                None, _("Bookings are in the way: %(list)s.") % {"list": names or str(error)}
            )
        except DomainError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("Blocked."))
            return _back_to_sheet(request, booking)
    return render(request, "spaces/staff_block.html", {"form": form, "branch": branch})


@staff_required("spaces.view_booking")
def staff_door_sign(request: HttpRequest, pk: int) -> HttpResponse:
    """A printable sign with the room's check-in QR code."""
    import segno
    from django.utils.safestring import mark_safe

    space = get_object_or_404(Space.objects.select_related("branch"), pk=pk)
    url = request.build_absolute_uri(reverse("spaces:door", args=[space.door_code]))
    qr = segno.make(url, error="m")
    svg = mark_safe(qr.svg_inline(scale=8, dark="#000", light="#fff"))  # noqa: S308
    return render(request, "spaces/staff_door_sign.html", {"space": space, "qr": svg, "url": url})


def _usage_report(request: HttpRequest):
    branch = _staff_branch(request)
    until = _parse_date(request.GET.get("until"), _today())
    since = _parse_date(request.GET.get("since"), until - dt.timedelta(days=27))
    if since > until:
        since, until = until, since
    since = max(since, until - dt.timedelta(days=MAX_USAGE_DAYS - 1))
    return branch, selectors.usage(branch, since=since, until=until)


# A usage report covers at most two years (the opening hours are counted day by day).
MAX_USAGE_DAYS = 731


@staff_required("spaces.view_booking")
def staff_usage(request: HttpRequest) -> HttpResponse:
    """Occupancy per space by weekday and hour, by purpose, and the no-show rate."""
    import calendar as weekdays

    branch, report = _usage_report(request)
    names = [_(weekdays.day_name[d]) for d in range(7)]
    return render(
        request,
        "spaces/staff_usage.html",
        {
            "branch": branch,
            "branches": active_branches().order_by("position", "name"),
            "report": report,
            "rows": [(names[weekday], cells) for weekday, cells in report.grid],
        },
    )


@staff_required("spaces.view_booking")
def staff_usage_export(request: HttpRequest, fmt: str) -> HttpResponse:
    """The figures of the usage screen for the same branch and period, as an XLSX workbook (one
    sheet per table) or one table as CSV (`table`: rooms, hours or purposes)."""
    from spaces import exports

    branch, report = _usage_report(request)
    stem = f"rooms-{branch.code}-{report.since:%Y%m%d}-{report.until:%Y%m%d}"
    if fmt == "xlsx":
        body = exports.usage_xlsx(report, branch_name=branch.name)
        kind = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        filename = f"{stem}.xlsx"
    elif fmt == "csv" and request.GET.get("table", "rooms") in exports.TABLES:
        table = request.GET.get("table", "rooms")
        body, kind = exports.usage_csv(report, table), "text/csv; charset=utf-8"
        filename = f"{stem}-{table}.csv"
    else:
        raise Http404
    response = HttpResponse(body, content_type=kind)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
