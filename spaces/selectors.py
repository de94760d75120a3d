"""Reads of spaces: the spaces of each branch, the availability grid of a space per day and
week, a member's bookings, and the staff's day sheet per branch."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Prefetch, Q, QuerySet
from django.utils import timezone

from core.calendar import calendar_for
from core.models import Branch
from core.selectors import get_library
from spaces import policies
from spaces.models import Booking, BookingKind, BookingRule, Equipment, Space, SpacePhoto
from spaces.states import ACTIVE_STATES, BookingState


def get_space(pk: int) -> Space | None:
    return (
        Space.objects.select_related("branch")
        .prefetch_related("photos")
        .filter(pk=pk, is_active=True, branch__is_active=True)
        .first()
    )


def branches_with_spaces() -> list[Branch]:
    """Active branches that have active spaces, each with `.space_list` (photos prefetched)."""
    spaces = (
        Space.objects.filter(is_active=True)
        .prefetch_related(Prefetch("photos", queryset=SpacePhoto.objects.order_by("position")))
        .order_by("position", "name")
    )
    branches = Branch.objects.filter(is_active=True, spaces__is_active=True).distinct()
    branches = branches.order_by("position", "name").prefetch_related(
        Prefetch("spaces", queryset=spaces, to_attr="space_list")
    )
    return list(branches)


def equipment_for(branch: Branch) -> QuerySet[Equipment]:
    return Equipment.objects.filter(branch=branch, is_active=True).order_by("kind", "name")


def member_for_user(user):
    from patrons.models import Member

    if not getattr(user, "is_authenticated", False):
        return None
    return Member.objects.select_related("category", "home_branch").filter(user=user).first()


@dataclass(frozen=True)
class Slot:
    start: dt.datetime
    end: dt.datetime
    status: str  # free, taken, mine, blocked, past

    @property
    def is_free(self) -> bool:
        return self.status == "free"


@dataclass
class DayGrid:
    day: dt.date
    is_open: bool
    closure_reason: str
    hours: str
    slots: list[Slot] = field(default_factory=list)

    @property
    def free_count(self) -> int:
        return sum(1 for slot in self.slots if slot.is_free)


def is_lapsed(booking: Booking, now: dt.datetime) -> bool:
    """Confirmed but not checked in within its window: it will be released (the next booking
    or the nightly job does it), so the grid already shows its time as free."""
    if booking.state != BookingState.CONFIRMED or booking.kind != BookingKind.BOOKING:
        return False
    minutes = int(
        (booking.rules or {}).get("check_in_minutes", policies.DEFAULTS["check_in_minutes"])
    )
    return booking.starts_at + dt.timedelta(minutes=minutes) < now


def _active_bookings(space: Space, begin: dt.datetime, end: dt.datetime) -> list[Booking]:
    now = timezone.now()
    rows = Booking.objects.filter(
        space=space, state__in=ACTIVE_STATES, starts_at__lt=end, blocked_until__gt=begin
    ).only("starts_at", "blocked_until", "member_id", "kind", "state", "rules")
    return [b for b in rows if not is_lapsed(b, now)]


def _grid(space, day, calendar, rules, bookings, *, member, now, zone) -> DayGrid:
    today = calendar.day(day)
    hours = ", ".join(f"{p.opens_at:%H.%M}–{p.closes_at:%H.%M}" for p in today.periods)
    grid = DayGrid(day, today.is_open, today.closure_reason, hours)
    if not today.is_open:
        return grid
    step = dt.timedelta(minutes=rules.slot_minutes or 30)
    for period in today.periods:
        start = dt.datetime.combine(day, period.opens_at, tzinfo=zone)
        closes = dt.datetime.combine(day, period.closes_at, tzinfo=zone)
        while start + step <= closes:
            end = start + step
            status = "past" if start < now else "free"
            for booking in bookings:
                if booking.starts_at < end and start < booking.blocked_until:
                    if member is not None and booking.member_id == member.pk:
                        status = "mine"
                    elif booking.kind == BookingKind.BLOCK:
                        status = "blocked"
                    elif status != "mine":
                        status = "taken"
            grid.slots.append(Slot(start, end, status))
            start = end
    return grid


def day_grid(space: Space, day: dt.date, *, member=None, at: dt.datetime | None = None) -> DayGrid:
    """The slots of one day, each free, taken (someone's booking or its buffer), blocked by
    the library, the member's own, or past. Three queries."""
    return week_grid(space, day, days=1, member=member, at=at)[0]


def week_grid(
    space: Space, first: dt.date, *, days: int = 7, member=None, at: dt.datetime | None = None
) -> list[DayGrid]:
    zone = get_library().zone
    now = timezone.localtime(at or timezone.now(), zone)
    calendar = calendar_for(space.branch)
    rules = policies.resolve_rules(space, member.category if member else None)
    begin = dt.datetime.combine(first, dt.time(0), tzinfo=zone)
    end = begin + dt.timedelta(days=days)
    bookings = _active_bookings(space, begin, end)
    return [
        _grid(
            space,
            first + dt.timedelta(days=offset),
            calendar,
            rules,
            bookings,
            member=member,
            now=now,
            zone=zone,
        )
        for offset in range(days)
    ]


def _with_related(queryset: QuerySet[Booking]) -> QuerySet[Booking]:
    return queryset.select_related(
        "space__branch", "equipment__branch", "member", "booked_by"
    ).prefetch_related(Prefetch("attached", queryset=Booking.objects.select_related("equipment")))


def member_bookings(member, *, at: dt.datetime | None = None) -> dict[str, list[Booking]]:
    """The member's own bookings (rooms, and equipment booked alone): upcoming first, then the
    last few past or closed ones."""
    now = at or timezone.now()
    own = _with_related(
        Booking.objects.filter(member=member, kind=BookingKind.BOOKING, with_booking__isnull=True)
    )
    upcoming = list(own.filter(state__in=ACTIVE_STATES, ends_at__gt=now).order_by("starts_at"))
    past = list(
        own.filter(Q(ends_at__lte=now) | ~Q(state__in=ACTIVE_STATES)).order_by("-starts_at")[:20]
    )
    return {"upcoming": upcoming, "past": past}


def get_member_booking(member, code: str) -> Booking | None:
    return _with_related(Booking.objects.filter(member=member, code=code)).first()


def get_booking(code: str) -> Booking | None:
    return _with_related(Booking.objects.filter(code=code)).first()


def current_booking_at_door(space: Space, member, *, at: dt.datetime | None = None):
    """The member's booking of this space whose check-in window is open (or which is checked
    in), if any."""
    from spaces.services import EARLY_CHECK_IN

    now = at or timezone.now()
    return (
        Booking.objects.filter(
            space=space,
            member=member,
            kind=BookingKind.BOOKING,
            state__in=[BookingState.CONFIRMED, BookingState.CHECKED_IN],
            starts_at__lte=now + EARLY_CHECK_IN,
            ends_at__gt=now,
        )
        .select_related("space__branch")
        .order_by("starts_at")
        .first()
    )


@dataclass
class SheetRow:
    space: Space | Equipment
    bookings: list[Booking]


def day_sheet(branch: Branch, day: dt.date) -> list[SheetRow]:
    """Every space and piece of equipment of a branch with its bookings and blocks of the day
    (active and closed ones, in order): the desk's sheet. Three queries."""
    zone = get_library().zone
    begin = dt.datetime.combine(day, dt.time(0), tzinfo=zone)
    end = begin + dt.timedelta(days=1)
    bookings = list(
        _with_related(
            Booking.objects.filter(starts_at__lt=end, ends_at__gt=begin).filter(
                Q(space__branch=branch) | Q(equipment__branch=branch)
            )
        ).order_by("starts_at", "pk")
    )
    rows = []
    for space in Space.objects.filter(branch=branch, is_active=True).order_by("position", "name"):
        rows.append(SheetRow(space, [b for b in bookings if b.space_id == space.pk]))
    for item in equipment_for(branch):
        rows.append(SheetRow(item, [b for b in bookings if b.equipment_id == item.pk]))
    return rows


def pending_bookings(branch: Branch | None = None) -> QuerySet[Booking]:
    queryset = Booking.objects.filter(
        state=BookingState.PENDING, with_booking__isnull=True, ends_at__gt=timezone.now()
    )
    if branch is not None:
        queryset = queryset.filter(Q(space__branch=branch) | Q(equipment__branch=branch))
    return _with_related(queryset).order_by("starts_at")


def space_feed_bookings(space: Space, *, at: dt.datetime | None = None) -> QuerySet[Booking]:
    """Active bookings and blocks of a space from a week ago on, for its iCalendar feed."""
    since = (at or timezone.now()) - dt.timedelta(days=7)
    return (
        Booking.objects.filter(space=space, state__in=ACTIVE_STATES, ends_at__gte=since)
        .select_related("space__branch")
        .order_by("starts_at")
    )


@dataclass
class SpaceUsage:
    space: Space
    open_minutes: int
    booked_minutes: int
    bookings: int
    used: int
    no_shows: int
    by_weekday_hour: dict[tuple[int, int], int]  # (weekday, hour) -> booked minutes

    @property
    def occupancy(self) -> float:
        return self.booked_minutes / self.open_minutes if self.open_minutes else 0.0

    @property
    def no_show_rate(self) -> float:
        counted = self.used + self.no_shows
        return self.no_shows / counted if counted else 0.0


@dataclass
class Usage:
    since: dt.date
    until: dt.date
    spaces: list[SpaceUsage]
    by_purpose: list[tuple[str, int]]
    hours: list[int]
    grid: list[tuple[int, list[float]]]  # weekday -> booked hours in each of `hours`

    @property
    def no_show_percent(self) -> int:
        return round(self.no_show_rate * 100)

    @property
    def no_show_rate(self) -> float:
        used = sum(s.used for s in self.spaces)
        missed = sum(s.no_shows for s in self.spaces)
        return missed / (used + missed) if used + missed else 0.0


def usage(branch: Branch, *, since: dt.date, until: dt.date) -> Usage:
    """Occupancy of each space of a branch between two days (booked minutes of members'
    bookings that were not cancelled, declined or left unused, against the branch's opening
    minutes), booked hours by weekday and hour, bookings by purpose, and the no-show rate
    (unused among bookings that were checked in or released). Three queries."""
    from spaces.models import Purpose

    zone = get_library().zone
    calendar = calendar_for(branch)
    open_minutes = 0
    for day in calendar.days(since, until):
        if day.is_open:
            open_minutes += sum(
                (p.closes_at.hour * 60 + p.closes_at.minute)
                - (p.opens_at.hour * 60 + p.opens_at.minute)
                for p in day.periods
            )
    begin = dt.datetime.combine(since, dt.time(0), tzinfo=zone)
    end = dt.datetime.combine(until + dt.timedelta(days=1), dt.time(0), tzinfo=zone)
    rows = Booking.objects.filter(
        space__branch=branch,
        kind=BookingKind.BOOKING,
        starts_at__gte=begin,
        starts_at__lt=end,
        state__in=[*ACTIVE_STATES, BookingState.NO_SHOW],
    ).values_list("space_id", "starts_at", "ends_at", "state", "purpose")
    spaces = list(Space.objects.filter(branch=branch, is_active=True).order_by("position", "name"))
    found = {s.pk: SpaceUsage(s, open_minutes, 0, 0, 0, 0, {}) for s in spaces}
    purposes: dict[str, int] = {}
    hours: set[int] = set()
    totals: dict[tuple[int, int], int] = {}
    for space_id, starts_at, ends_at, state, purpose in rows:
        entry = found.get(space_id)
        if entry is None:
            continue
        entry.bookings += 1
        purposes[purpose] = purposes.get(purpose, 0) + 1
        if state == BookingState.NO_SHOW:
            entry.no_shows += 1
            continue
        if state == BookingState.CHECKED_IN:
            entry.used += 1
        entry.booked_minutes += int((ends_at - starts_at).total_seconds() // 60)
        moment = timezone.localtime(starts_at, zone)
        local_end = timezone.localtime(ends_at, zone)
        while moment < local_end:
            cell_end = min(local_end, moment.replace(minute=0) + dt.timedelta(hours=1))
            key = (moment.weekday(), moment.hour)
            entry.by_weekday_hour[key] = entry.by_weekday_hour.get(key, 0) + int(
                (cell_end - moment).total_seconds() // 60
            )
            hours.add(moment.hour)
            moment = cell_end
    for entry in found.values():
        for (weekday, hour), minutes in entry.by_weekday_hour.items():
            totals[(weekday, hour)] = totals.get((weekday, hour), 0) + minutes
    labels = dict(Purpose.choices)
    by_purpose = sorted(
        ((str(labels.get(code, code)), count) for code, count in purposes.items()),
        key=lambda item: -item[1],
    )
    ordered = sorted(hours)
    grid = [
        (weekday, [round(totals.get((weekday, hour), 0) / 60, 1) for hour in ordered])
        for weekday in range(7)
    ]
    return Usage(since, until, list(found.values()), by_purpose, ordered, grid)


def blocks_for_source(source: str) -> QuerySet[Booking]:
    """The active blocks another app made (`source="event:<id>"`), to move or lift them."""
    return Booking.objects.filter(
        kind=BookingKind.BLOCK, source=source, state__in=ACTIVE_STATES
    ).select_related("space__branch", "equipment__branch")


@dataclass
class Setup:
    spaces: list[Space]
    equipment: list[Equipment]
    rules: list[BookingRule]


def setup_overview(branch: Branch) -> Setup:
    """Everything staff set up for a branch: its spaces (in use or not, with photos), its
    equipment, and the booking rules that apply there (for its spaces, for kinds of space, for
    every space). Four queries."""
    spaces = list(
        Space.objects.filter(branch=branch)
        .prefetch_related("photos")
        .order_by("-is_active", "position", "name")
    )
    equipment = list(Equipment.objects.filter(branch=branch).order_by("-is_active", "kind", "name"))
    rules = list(
        BookingRule.objects.filter(Q(space__branch=branch) | Q(space__isnull=True))
        .select_related("space", "member_category")
        .order_by("space__name", "space_kind", "member_category__name", "name")
    )
    return Setup(spaces, equipment, rules)
