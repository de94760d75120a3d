"""Every change to bookings: book (a member, or staff on a member's behalf), book a weekly
series, change, cancel, approve, decline, check in, release no-shows, and block a space or a
piece of equipment (maintenance, or another app such as events booking a room).

Never double-booked: each service checks for overlapping active bookings to give a clear
answer, and the database refuses the overlap anyway (exclusion constraint on PostgreSQL,
trigger on SQLite), which is what decides between two requests racing for one slot: the loser
gets `SlotTakenError` ("already booked").
"""

from __future__ import annotations

import contextlib
import contextvars
import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.db import IntegrityError, OperationalError, transaction
from django.db.models import QuerySet
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core import audit
from core.calendar import calendar_for
from core.errors import PermissionDeniedError
from core.selectors import get_library
from spaces import errors, policies
from spaces.locks import attached_for_update, booking_for_update
from spaces.models import (
    Booking,
    BookingEvent,
    BookingKind,
    BookingSeries,
    Equipment,
    Space,
    WhoMayBook,
)
from spaces.states import (
    ACTIVE_STATES,
    TRANSITIONS,
    BookingState,
    InvalidTransitionError,
    transition,
)

MANAGE = "spaces.manage_bookings"
BLOCK = "spaces.block_space"
# How early before the start a booker may check in.
EARLY_CHECK_IN = dt.timedelta(minutes=10)
MAX_SERIES_WEEKS = 26

audit.register_actions(
    {
        "space_booking.create": gettext_lazy("Booked a space for a member"),
        "space_booking.approve": gettext_lazy("Approved a space booking"),
        "space_booking.decline": gettext_lazy("Declined a space booking"),
        "space_booking.cancel": gettext_lazy("Cancelled a member's space booking"),
        "space_booking.change": gettext_lazy("Changed a member's space booking"),
        "space_booking.check_in": gettext_lazy("Checked a member in to a space"),
        "space.block": gettext_lazy("Blocked a space or equipment"),
        "space.unblock": gettext_lazy("Lifted a block on a space or equipment"),
    }
)

Resource = Space | Equipment


# ---------------------------------------------------------------------------------------------
# Helpers


def _field(resource: Resource) -> str:
    return "space" if isinstance(resource, Space) else "equipment"


def _is_manager(user) -> bool:
    return bool(user is not None and getattr(user, "is_active", False) and user.has_perm(MANAGE))


def _zone():
    return get_library().zone


def _local(moment: dt.datetime) -> dt.datetime:
    return timezone.localtime(moment, _zone())


def conflicts(
    resource: Resource, start: dt.datetime, blocked_until: dt.datetime, *, exclude=()
) -> QuerySet[Booking]:
    """Active bookings of `resource` whose blocked range meets `[start, blocked_until)`."""
    return (
        Booking.objects.filter(
            **{_field(resource): resource},
            state__in=ACTIVE_STATES,
            starts_at__lt=blocked_until,
            blocked_until__gt=start,
        )
        .exclude(pk__in=[b for b in exclude if b])
        .order_by("starts_at")
    )


def _assert_free(resource: Resource, start, blocked_until, *, exclude=()) -> None:
    found = list(conflicts(resource, start, blocked_until, exclude=exclude)[:5])
    if found:
        raise errors.SlotTakenError(conflicts=found)


DEADLOCK_DETECTED = "40P01"


def _save_guarded(booking: Booking, *, update_fields: Sequence[str] | None = None) -> None:
    """Insert or update under a savepoint; the database's overlap rule turns into
    SlotTakenError."""
    try:
        with transaction.atomic():
            booking.save(update_fields=update_fields)
    except IntegrityError as error:
        text = str(error)
        if "no_overlap" in text or "booking_overlap" in text or "23P01" in text:
            raise errors.SlotTakenError() from error
        raise
    except OperationalError as error:
        # Two bookings racing for the same pieces in a different order (two rooms, one
        # projector) each wait for the other's exclusion check: PostgreSQL breaks the deadlock
        # by failing one of them, which has lost the slot.
        if getattr(error.__cause__, "sqlstate", None) == DEADLOCK_DETECTED:
            raise errors.SlotTakenError() from error
        raise


def _log(booking: Booking, *, by, at: dt.datetime, reason: str = "") -> None:
    BookingEvent.objects.create(
        booking=booking,
        from_state="",
        to_state=booking.state,
        by=by if getattr(by, "pk", None) else None,
        at=at,
        reason=reason[:300],
    )


def _rules_for(resource: Resource, member) -> policies.Rules:
    category = member.category if member is not None else None
    return policies.resolve_rules(resource, category)


def _check_bookable(resource: Resource) -> None:
    if not resource.is_active or not getattr(resource, "is_bookable", True):
        raise errors.NotBookableError(space=resource.name)


def _check_who(resource: Resource, rules: policies.Rules, member, by) -> None:
    if _is_manager(by):
        return
    who = rules.who_may_book
    if who == WhoMayBook.STAFF or (
        who == WhoMayBook.PARTNERS and not (member and member.category.is_institution)
    ):
        raise errors.NotAllowedToBookError(space=resource.name, who=WhoMayBook(who).label)


def _check_member(member) -> None:
    from patrons.models import MemberStatus

    today = timezone.localdate(timezone=_zone())
    if member.status != MemberStatus.ACTIVE or (member.expires_on and member.expires_on < today):
        raise errors.MemberCannotBookError()


def _week_bounds(local_start: dt.datetime) -> tuple[dt.datetime, dt.datetime]:
    monday = local_start.date() - dt.timedelta(days=local_start.weekday())
    zone = _zone()
    begin = dt.datetime.combine(monday, dt.time(0), tzinfo=zone)
    return begin, begin + dt.timedelta(days=7)


def member_usage(member, *, start: dt.datetime, now: dt.datetime, exclude=()) -> dict[str, int]:
    """What counts against a member's limits: upcoming bookings, minutes booked in the week of
    `start`, and unused bookings (no-shows) in the last `days` days (counted by the caller)."""
    own = Booking.objects.filter(
        member=member, kind=BookingKind.BOOKING, with_booking__isnull=True
    ).exclude(pk__in=[b for b in exclude if b])
    active = own.filter(state__in=ACTIVE_STATES, ends_at__gt=now).count()
    begin, end = _week_bounds(_local(start))
    minutes = sum(
        b.minutes
        for b in own.filter(state__in=ACTIVE_STATES, starts_at__gte=begin, starts_at__lt=end).only(
            "starts_at", "ends_at"
        )
    )
    return {"active": active, "week_minutes": minutes}


def no_show_count(member, *, days: int, now: dt.datetime) -> int:
    return Booking.objects.filter(
        member=member,
        kind=BookingKind.BOOKING,
        with_booking__isnull=True,
        state=BookingState.NO_SHOW,
        starts_at__gte=now - dt.timedelta(days=days),
    ).count()


def validate(
    resource: Resource,
    member,
    *,
    start: dt.datetime,
    end: dt.datetime,
    people: int = 1,
    by=None,
    at: dt.datetime | None = None,
    rules: policies.Rules | None = None,
    exclude=(),
    check_limits: bool = True,
    check_ahead: bool = True,
) -> policies.Rules:
    """Every rule a booking must pass, apart from the slot being free. Raises the first
    refusal; returns the rules in force."""
    now = at or timezone.now()
    rules = rules or _rules_for(resource, member)
    _check_bookable(resource)
    _check_who(resource, rules, member, by)
    if member is not None and not _is_manager(by):
        _check_member(member)
    request = policies.Request(_local(start), _local(end))
    shape_rules = rules
    if not check_ahead:
        shape_rules = policies.Rules(**{**rules.as_dict(), "days_ahead": 10_000})
    policies.check_shape(request, shape_rules, now=_local(now))
    policies.check_calendar(
        request,
        calendar_for(resource.branch),
        branch_name=resource.branch.name,
        slot_minutes=rules.slot_minutes,
    )
    capacity = getattr(resource, "capacity", None)
    if capacity and people > capacity:
        raise errors.TooManyPeopleError(space=resource.name, capacity=capacity)
    if member is not None and check_limits and not _is_manager(by):
        usage = member_usage(member, start=start, now=now, exclude=exclude)
        policies.check_member_limits(
            request,
            rules,
            active_count=usage["active"],
            week_minutes=usage["week_minutes"],
            no_shows=no_show_count(member, days=rules.no_show_days, now=now),
        )
    return rules


_SILENT: contextvars.ContextVar[bool] = contextvars.ContextVar("spaces_silent", default=False)


@contextlib.contextmanager
def silenced():
    """No e-mail to bookers inside this block (the demo library builds bookings with it)."""
    token = _SILENT.set(True)
    try:
        yield
    finally:
        _SILENT.reset(token)


def _send(booking: Booking, kind: str) -> None:
    from spaces.tasks import send_booking_mail

    if _SILENT.get():
        return
    pk = booking.pk
    transaction.on_commit(lambda: send_booking_mail.enqueue(pk, kind))


def _on_behalf(member, by) -> bool:
    """Staff acting for a member (audited), not the member themselves."""
    return by is not None and member is not None and member.user_id != getattr(by, "pk", None)


# ---------------------------------------------------------------------------------------------
# Booking


def book(
    resource: Resource,
    member,
    *,
    start: dt.datetime,
    end: dt.datetime,
    purpose: str = "study",
    people: int = 1,
    title: str = "",
    by=None,
    equipment: Iterable[Equipment] = (),
    at: dt.datetime | None = None,
    source: str = "web",
    series: BookingSeries | None = None,
    check_limits: bool = True,
    check_ahead: bool = True,
    needs_approval: bool | None = None,
) -> Booking:
    """Book a space (with equipment, if asked) or a piece of equipment for `member`.

    `by` is who asks: the member's own user (self-service), a staff user (on behalf: rules of
    who may book and the member's limits are not applied, and no approval is needed), or None
    (self-service through a channel without a user, such as the API's member token)."""
    now = at or timezone.now()
    if by is not None and member is not None and _on_behalf(member, by) and not _is_manager(by):
        raise PermissionDeniedError()
    equipment = list(equipment)
    if isinstance(resource, Equipment) and not resource.bookable_alone and not _is_manager(by):
        raise errors.EquipmentNeedsRoomError(equipment=resource.name)
    with transaction.atomic():
        if member is not None:
            from patrons.locks import member_for_update

            member = member_for_update(member.pk)  # one member's bookings one at a time
        release_no_shows(at=now)  # lapsed bookings free their slots and count first
        rules = validate(
            resource,
            member,
            start=start,
            end=end,
            people=people,
            by=by,
            at=now,
            check_limits=check_limits,
            check_ahead=check_ahead,
        )
        blocked_until = end + rules.buffer
        _assert_free(resource, start, blocked_until)
        approval = rules.needs_approval if needs_approval is None else needs_approval
        state = BookingState.PENDING if approval and not _is_manager(by) else BookingState.CONFIRMED
        booking = Booking(
            kind=BookingKind.BOOKING,
            member=member,
            booked_by=by if getattr(by, "pk", None) else None,
            state=state,
            starts_at=start,
            ends_at=end,
            blocked_until=blocked_until,
            purpose=purpose,
            title=title[:200],
            people=people,
            source=source[:60],
            rules=rules.as_dict(),
            series=series,
            language=(translation.get_language() or "id")[:10],
            **{_field(resource): resource},
        )
        _save_guarded(booking)
        _log(booking, by=by, at=now)
        for item in equipment:
            _attach_equipment(booking, item, by=by, at=now)
        if _on_behalf(member, by):
            audit.record(
                "space_booking.create",
                actor=by,
                subject=booking,
                details={"member": member.number, "source": source},
            )
        if member is not None and series is None:
            _send(booking, "pending" if state == BookingState.PENDING else "confirmed")
    return booking


def _attach_equipment(booking: Booking, item: Equipment, *, by, at: dt.datetime) -> Booking:
    space = booking.space
    if not item.is_active:
        raise errors.NotBookableError(space=item.name)
    if space is not None and item.branch_id != space.branch_id:
        raise errors.WrongBranchEquipmentError(equipment=item.name)
    _assert_free(item, booking.starts_at, booking.ends_at)
    attached = Booking(
        kind=booking.kind,
        member=booking.member,
        booked_by=booking.booked_by,
        state=booking.state,
        starts_at=booking.starts_at,
        ends_at=booking.ends_at,
        blocked_until=booking.ends_at,
        purpose=booking.purpose,
        title=booking.title,
        people=booking.people,
        source=booking.source,
        rules=booking.rules,
        language=booking.language,
        equipment=item,
        with_booking=booking,
    )
    try:
        _save_guarded(attached)
    except errors.SlotTakenError as error:
        raise errors.SlotTakenError(
            _("%(equipment)s is already booked at that time.") % {"equipment": item.name}
        ) from error
    _log(attached, by=by, at=at)
    return attached


def change(
    booking: Booking,
    *,
    start: dt.datetime,
    end: dt.datetime,
    people: int | None = None,
    by,
    at: dt.datetime | None = None,
) -> Booking:
    """Move a booking (and its equipment) to another time of the same space; the old time stays
    held until the new one is saved, so a refused change leaves the booking as it was."""
    now = at or timezone.now()
    with transaction.atomic():
        if booking.member_id is not None:
            from patrons.locks import member_for_update

            member_for_update(booking.member_id)  # member, then booking: the one lock order
        booking = booking_for_update(booking.pk)
        _check_booker_or_manager(booking, by)
        if booking.state not in (BookingState.PENDING, BookingState.CONFIRMED):
            raise errors.NotBookableError(space=str(booking.resource))
        if not _is_manager(by):
            _check_deadline(booking, now)
        resource = booking.resource
        people = people or booking.people
        rules = validate(
            resource,
            booking.member,
            start=start,
            end=end,
            people=people,
            by=by,
            at=now,
            exclude=[booking.pk],
            check_ahead=booking.series_id is None,
            check_limits=booking.series_id is None,
        )
        blocked_until = end + rules.buffer
        _assert_free(resource, start, blocked_until, exclude=[booking.pk])
        booking.starts_at, booking.ends_at = start, end
        booking.blocked_until, booking.people = blocked_until, people
        _save_guarded(
            booking, update_fields=["starts_at", "ends_at", "blocked_until", "people", "updated_at"]
        )
        for attached in attached_for_update(booking):
            if attached.state not in ACTIVE_STATES:
                continue
            attached.starts_at, attached.ends_at, attached.blocked_until = start, end, end
            try:
                _save_guarded(
                    attached, update_fields=["starts_at", "ends_at", "blocked_until", "updated_at"]
                )
            except errors.SlotTakenError as error:
                raise errors.SlotTakenError(
                    _("%(equipment)s is already booked at that time.")
                    % {"equipment": attached.equipment.name}
                ) from error
        BookingEvent.objects.create(
            booking=booking,
            from_state=booking.state,
            to_state=booking.state,
            by=by if getattr(by, "pk", None) else None,
            at=now,
            reason="changed",
        )
        if _on_behalf(booking.member, by):
            audit.record("space_booking.change", actor=by, subject=booking)
        if booking.member is not None:
            _send(booking, "changed")
    return booking


def _check_booker_or_manager(booking: Booking, by) -> None:
    if _is_manager(by):
        return
    member = booking.member
    if by is None or member is None or member.user_id != getattr(by, "pk", None):
        raise PermissionDeniedError()


def _check_deadline(booking: Booking, now: dt.datetime) -> None:
    hours = int(booking.rules.get("cancel_hours_before", policies.DEFAULTS["cancel_hours_before"]))
    if now > booking.starts_at - dt.timedelta(hours=hours):
        raise errors.CancelDeadlinePassedError(hours=hours)


def _move_with_attached(
    booking: Booking, to: str, *, by, at, reason: str = "", also: Sequence[str] = ()
) -> None:
    transition(booking, to, by=by, at=at, reason=reason, also=also)
    attached_to = BookingState.CANCELLED if to == BookingState.NO_SHOW else to
    for attached in attached_for_update(booking):
        if attached.state in ACTIVE_STATES and attached_to in TRANSITIONS[attached.state]:
            transition(attached, attached_to, by=by, at=at, reason=reason)


def cancel(booking: Booking, *, by, reason: str = "", at: dt.datetime | None = None) -> Booking:
    """The booker cancels (up to the deadline in the rules), or staff cancel (any time, with a
    reason). Equipment booked with it is freed too."""
    now = at or timezone.now()
    with transaction.atomic():
        booking = booking_for_update(booking.pk)
        _check_booker_or_manager(booking, by)
        manager = _is_manager(by) and _on_behalf(booking.member, by)
        if not manager:
            _check_deadline(booking, now)
        elif not reason.strip():
            raise errors.ReasonRequiredError()
        booking.reason = reason[:300]
        _move_with_attached(
            booking, BookingState.CANCELLED, by=by, at=now, reason=reason, also=["reason"]
        )
        if manager:
            audit.record("space_booking.cancel", actor=by, subject=booking, details={})
        if booking.member is not None:
            _send(booking, "cancelled")
    return booking


def approve(booking: Booking, *, by, at: dt.datetime | None = None) -> Booking:
    from core.permissions import require

    require(by, MANAGE)
    now = at or timezone.now()
    with transaction.atomic():
        booking = booking_for_update(booking.pk)
        _move_with_attached(booking, BookingState.CONFIRMED, by=by, at=now)
        audit.record("space_booking.approve", actor=by, subject=booking)
        if booking.member is not None:
            _send(booking, "confirmed")
    return booking


def decline(booking: Booking, *, by, reason: str, at: dt.datetime | None = None) -> Booking:
    from core.permissions import require

    require(by, MANAGE)
    if not reason.strip():
        raise errors.ReasonRequiredError()
    now = at or timezone.now()
    with transaction.atomic():
        booking = booking_for_update(booking.pk)
        booking.reason = reason[:300]
        _move_with_attached(
            booking, BookingState.DECLINED, by=by, at=now, reason=reason, also=["reason"]
        )
        audit.record("space_booking.decline", actor=by, subject=booking, details={})
        if booking.member is not None:
            _send(booking, "declined")
    return booking


def check_in_window(booking: Booking) -> tuple[dt.datetime, dt.datetime]:
    minutes = int(booking.rules.get("check_in_minutes", policies.DEFAULTS["check_in_minutes"]))
    return booking.starts_at - EARLY_CHECK_IN, booking.starts_at + dt.timedelta(minutes=minutes)


def check_in(
    booking: Booking, *, by, door_code: str | None = None, at: dt.datetime | None = None
) -> Booking:
    """The booker scans the QR at the door (its `door_code` must be the space's), or staff
    check them in. Only within the window around the start; checking in twice is harmless."""
    now = at or timezone.now()
    with transaction.atomic():
        booking = booking_for_update(booking.pk)
        if booking.state == BookingState.CHECKED_IN:
            return booking
        manager = _is_manager(by)
        if not manager:
            _check_booker_or_manager(booking, by)
            if booking.space is None or door_code != booking.space.door_code:
                raise PermissionDeniedError()
        opens, closes = check_in_window(booking)
        if not (opens <= now <= (booking.ends_at if manager else closes)):
            raise errors.CheckInWindowError(
                opens=_local(opens).strftime("%H.%M"), closes=_local(closes).strftime("%H.%M")
            )
        booking.checked_in_at = now
        _move_with_attached(booking, BookingState.CHECKED_IN, by=by, at=now, also=["checked_in_at"])
        if manager and _on_behalf(booking.member, by):
            audit.record("space_booking.check_in", actor=by, subject=booking)
    return booking


def release_no_shows(*, at: dt.datetime | None = None, resource: Resource | None = None) -> int:
    """Confirmed bookings not checked in by the end of their window become NO_SHOW (counted
    against the member) and their slot is free again. Run by the scheduler and, for one
    space, before each new booking of it. Safe to run twice."""
    now = at or timezone.now()
    candidates = Booking.objects.filter(
        kind=BookingKind.BOOKING,
        with_booking__isnull=True,
        state=BookingState.CONFIRMED,
        starts_at__lt=now,
    )
    if resource is not None:
        candidates = candidates.filter(**{_field(resource): resource})
    released = 0
    for pk, rules, starts_at in candidates.values_list("pk", "rules", "starts_at"):
        minutes = int((rules or {}).get("check_in_minutes", policies.DEFAULTS["check_in_minutes"]))
        if starts_at + dt.timedelta(minutes=minutes) >= now:
            continue
        with transaction.atomic():
            booking = booking_for_update(pk)
            if booking.state != BookingState.CONFIRMED:
                continue
            _move_with_attached(
                booking, BookingState.NO_SHOW, by=None, at=now, reason="not checked in"
            )
            released += 1
    return released


# ---------------------------------------------------------------------------------------------
# Blocks: maintenance, library events


def block_space(
    resource: Resource,
    start: dt.datetime,
    end: dt.datetime,
    reason: str,
    by,
    *,
    source: str = "maintenance",
    title: str = "",
    displace: bool = False,
    at: dt.datetime | None = None,
) -> Booking:
    """Hold a space (or a piece of equipment) for the library: maintenance, or an event in the
    room (`source="event:<id>"`; the events app calls this). No opening-hours rule applies.

    Overlapping bookings make it fail with SlotTakenError listing them, unless `displace`, which
    cancels them (the members are told, with `reason`). `by=None` is a trusted system caller
    that checked its own permission; a user needs `spaces.block_space`."""
    from core.permissions import require

    if by is not None:
        require(by, BLOCK)
    if end <= start:
        raise errors.InvalidTimeError()
    if not reason.strip():
        raise errors.ReasonRequiredError()
    now = at or timezone.now()
    with transaction.atomic():
        found = list(conflicts(resource, start, end))
        if found and not displace:
            raise errors.SlotTakenError(conflicts=found)
        displaced = [
            other.pk
            for other in found
            if cancel_for_block(other, by=by, reason=reason, at=now, start=start, end=end)
        ]
        booking = Booking(
            kind=BookingKind.BLOCK,
            booked_by=by if getattr(by, "pk", None) else None,
            state=BookingState.CONFIRMED,
            starts_at=start,
            ends_at=end,
            blocked_until=end,
            purpose="other",
            title=(title or reason)[:200],
            reason=reason[:300],
            source=source[:60],
            **{_field(resource): resource},
        )
        _save_guarded(booking)
        _log(booking, by=by, at=now, reason=reason)
        audit.record(
            "space.block",
            actor=by,
            subject=booking,
            details={"source": source, "displaced": displaced},
        )
    return booking


def cancel_for_block(
    booking: Booking, *, by, reason: str, at: dt.datetime, start: dt.datetime, end: dt.datetime
) -> bool:
    """Cancel a booking in the way of a block from `start` to `end`. Looked at again under its
    lock: one cancelled or moved out of the way since it was found is left as it is (False)."""
    booking = booking_for_update(booking.pk)
    in_the_way = booking.starts_at < end and booking.blocked_until > start
    if booking.state not in ACTIVE_STATES or not in_the_way:
        return False
    booking.reason = reason[:300]
    _move_with_attached(
        booking, BookingState.CANCELLED, by=by, at=at, reason=reason, also=["reason"]
    )
    if booking.member is not None and booking.kind == BookingKind.BOOKING:
        _send(booking, "cancelled")
    return True


def unblock(booking: Booking, *, by, reason: str = "", at: dt.datetime | None = None) -> Booking:
    """Lift a block (the maintenance is done early, the event is cancelled)."""
    from core.permissions import require

    if by is not None:
        require(by, BLOCK)
    now = at or timezone.now()
    with transaction.atomic():
        booking = booking_for_update(booking.pk)
        if booking.kind != BookingKind.BLOCK:
            raise errors.NotBookableError(space=str(booking.resource))
        if booking.state in ACTIVE_STATES:
            transition(booking, BookingState.CANCELLED, by=by, at=now, reason=reason)
            audit.record("space.unblock", actor=by, subject=booking)
    return booking


def move_block(
    booking: Booking, start: dt.datetime, end: dt.datetime, *, by, at: dt.datetime | None = None
) -> Booking:
    """Move a block to another time (an event rescheduled); refused if the new time is taken."""
    from core.permissions import require

    if by is not None:
        require(by, BLOCK)
    if end <= start:
        raise errors.InvalidTimeError()
    with transaction.atomic():
        booking = booking_for_update(booking.pk)
        resource = booking.resource
        _assert_free(resource, start, end, exclude=[booking.pk])
        booking.starts_at, booking.ends_at, booking.blocked_until = start, end, end
        _save_guarded(
            booking, update_fields=["starts_at", "ends_at", "blocked_until", "updated_at"]
        )
    return booking


# ---------------------------------------------------------------------------------------------
# Weekly series


@dataclass(frozen=True)
class SeriesDate:
    start: dt.datetime
    end: dt.datetime
    problem: str = ""
    code: str = ""

    @property
    def is_free(self) -> bool:
        return not self.problem


def plan_series(
    space: Space,
    member,
    *,
    start: dt.datetime,
    end: dt.datetime,
    weeks: int,
    people: int = 1,
    by=None,
    at: dt.datetime | None = None,
) -> list[SeriesDate]:
    """Every date of a weekly series with what, if anything, stands in its way (taken, closed,
    outside hours …), for the booker to see before saving. Changes nothing."""
    if weeks < 1 or weeks > MAX_SERIES_WEEKS:
        raise errors.SpacesError(
            _("A weekly booking covers 1 to %(weeks)s weeks.") % {"weeks": MAX_SERIES_WEEKS}
        )
    now = at or timezone.now()
    rules = _rules_for(space, member)
    zone = _zone()
    local_start, local_end = _local(start), _local(end)
    dates = []
    for week in range(weeks):
        # Same wall-clock time each week, whatever the offset does.
        day_start = (local_start.replace(tzinfo=None) + dt.timedelta(weeks=week)).replace(
            tzinfo=zone
        )
        day_end = (local_end.replace(tzinfo=None) + dt.timedelta(weeks=week)).replace(tzinfo=zone)
        try:
            validate(
                space,
                member,
                start=day_start,
                end=day_end,
                people=people,
                by=by,
                at=now,
                rules=rules,
                check_limits=False,
                check_ahead=False,
            )
            _assert_free(space, day_start, day_end + rules.buffer)
        except errors.SpacesError as error:
            dates.append(SeriesDate(day_start, day_end, str(error), error.code))
        else:
            dates.append(SeriesDate(day_start, day_end))
    return dates


@dataclass
class SeriesResult:
    series: BookingSeries
    booked: list[Booking]
    skipped: list[SeriesDate]


def book_series(
    space: Space,
    member,
    *,
    start: dt.datetime,
    end: dt.datetime,
    weeks: int,
    purpose: str = "reading_group",
    people: int = 1,
    group_name: str = "",
    by=None,
    at: dt.datetime | None = None,
) -> SeriesResult:
    """Book the free dates of a weekly series (the dates `plan_series` showed as taken are
    skipped and returned). A member's series waits for staff approval; staff's is confirmed.
    The limits on upcoming bookings and days ahead do not apply to a series."""
    now = at or timezone.now()
    with transaction.atomic():
        series = BookingSeries.objects.create(
            space=space,
            member=member,
            group_name=group_name[:120],
            created_by=by if getattr(by, "pk", None) else None,
        )
        booked, skipped = [], []
        for date in plan_series(
            space, member, start=start, end=end, weeks=weeks, people=people, by=by, at=now
        ):
            if not date.is_free:
                skipped.append(date)
                continue
            try:
                with transaction.atomic():
                    booked.append(
                        book(
                            space,
                            member,
                            start=date.start,
                            end=date.end,
                            purpose=purpose,
                            people=people,
                            title=group_name,
                            by=by,
                            at=now,
                            series=series,
                            source="series",
                            check_limits=False,
                            check_ahead=False,
                            needs_approval=True,
                        )
                    )
            except errors.SpacesError as error:  # taken since the plan was shown
                skipped.append(SeriesDate(date.start, date.end, str(error), error.code))
        if booked and member is not None:
            _send(booked[0], "series")
    return SeriesResult(series, booked, skipped)


def cancel_series_from(
    booking: Booking, *, by, reason: str = "", at: dt.datetime | None = None
) -> list[Booking]:
    """Cancel a weekly booking from this date on (the group stops meeting). Each date follows
    `cancel`'s rules; dates past their own deadline stay (the booker is told by the refusal of
    the first one, which is `booking` itself)."""
    now = at or timezone.now()
    if booking.series_id is None:
        return [cancel(booking, by=by, reason=reason, at=now)]
    later = list(
        Booking.objects.filter(
            series_id=booking.series_id,
            with_booking__isnull=True,
            state__in=ACTIVE_STATES,
            starts_at__gte=booking.starts_at,
        ).order_by("starts_at")
    )
    done = []
    with transaction.atomic():
        for item in later:
            if item.pk == booking.pk:
                done.append(cancel(item, by=by, reason=reason, at=now))
                continue
            try:
                with transaction.atomic():
                    done.append(cancel(item, by=by, reason=reason, at=now))
            except (errors.SpacesError, InvalidTransitionError):
                # Past its deadline, or no longer active: declined, cancelled or checked in
                # since the dates were read (each is looked at again under its lock).
                continue
    return done


# For other apps: a short alias with the name the style guide suggests.
book_room = book


def staff_may_manage(user) -> bool:
    return _is_manager(user)


__all__ = [
    "book",
    "book_room",
    "book_series",
    "plan_series",
    "change",
    "cancel",
    "cancel_series_from",
    "approve",
    "decline",
    "check_in",
    "release_no_shows",
    "block_space",
    "unblock",
    "move_block",
    "conflicts",
    "validate",
]
