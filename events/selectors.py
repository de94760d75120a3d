"""Reads of events and registrations for the pages, the feeds and the door."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.core import signing
from django.db.models import Count, Q, QuerySet, Sum
from django.utils import timezone

from events.models import Certificate, Event, EventStatus, Registration
from events.states import SEAT_STATES, RegistrationState

S = RegistrationState
TOKEN_SALT = "events.registration"  # noqa: S105 - a signing salt, not a secret


def upcoming_events(
    *,
    kind: str = "",
    audience: str = "",
    branch=None,
    at: dt.datetime | None = None,
) -> QuerySet[Event]:
    """Published events not yet over, soonest first (an exhibition stays while it runs)."""
    at = at or timezone.now()
    events = Event.objects.filter(status=EventStatus.PUBLISHED, ends_at__gte=at)
    if kind:
        events = events.filter(kind=kind)
    if audience:
        events = events.filter(audience=audience)
    if branch is not None:
        events = events.filter(branch=branch)
    return events.select_related("branch", "series", "space").order_by("starts_at", "pk")


FIRST_DAY, LAST_DAY = dt.date(1900, 1, 1), dt.date(9998, 12, 31)


def day_start(day: dt.date) -> dt.datetime:
    """Midnight at the library (the current time zone) at the start of `day`."""
    day = min(max(day, FIRST_DAY), LAST_DAY)  # far days would not convert to UTC
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def calendar_events(
    *,
    kind: str = "",
    audience: str = "",
    branch=None,
    start: dt.date | None = None,
    end: dt.date | None = None,
    at: dt.datetime | None = None,
) -> QuerySet[Event]:
    """Published events for the calendar: from `start` (a day) or, without one, those not yet
    over; up to the end of `end` when given. An event running over several days (an
    exhibition) shows on every day it overlaps."""
    at = day_start(start) if start is not None else at
    events = upcoming_events(kind=kind, audience=audience, branch=branch, at=at)
    if end is not None:
        events = events.filter(starts_at__lt=day_start(min(end, LAST_DAY) + dt.timedelta(days=1)))
    return events


def month_days(day: dt.date) -> list[dt.date]:
    """Every day of `day`'s month."""
    first = day.replace(day=1)
    following = (first + dt.timedelta(days=32)).replace(day=1)
    return [first + dt.timedelta(days=n) for n in range((following - first).days)]


def week_days(day: dt.date) -> list[dt.date]:
    """Monday to Sunday of `day`'s week."""
    monday = day - dt.timedelta(days=day.weekday())
    return [monday + dt.timedelta(days=n) for n in range(7)]


def events_by_day(events, days: list[dt.date]) -> dict[dt.date, list[Event]]:
    """Each day's events (in the library's time); one running several days is on each."""
    found: dict[dt.date, list[Event]] = {day: [] for day in days}
    for event in events:
        first = timezone.localtime(event.starts_at).date()
        last = timezone.localtime(event.ends_at).date()
        for day in days:
            if first <= day <= last:
                found[day].append(event)
    return found


def public_event(pk: int) -> Event | None:
    return (
        Event.objects.filter(pk=pk, status__in=[EventStatus.PUBLISHED, EventStatus.CANCELLED])
        .select_related("branch", "series", "parent", "space")
        .prefetch_related("speakers", "partners", "questions")
        .first()
    )


def staff_events(*, include_past: bool = False, at: dt.datetime | None = None) -> QuerySet[Event]:
    at = at or timezone.now()
    events = Event.objects.select_related("branch", "series", "space")
    if not include_past:
        events = events.filter(ends_at__gte=at - dt.timedelta(days=1))
    return events.order_by("starts_at", "pk")


def series_sessions(series, *, at: dt.datetime | None = None) -> QuerySet[Event]:
    at = at or timezone.now()
    return series.sessions.filter(status=EventStatus.PUBLISHED, starts_at__gt=at).order_by(
        "starts_at"
    )


# ---------------------------------------------------------------------------------------------
# Registrations


def registration_token(registration: Registration) -> str:
    """The signed token of a registration's private link (cancel, confirm, QR, .ics)."""
    return signing.Signer(salt=TOKEN_SALT).sign(registration.code)


def registration_by_token(token: str) -> Registration | None:
    try:
        code = signing.Signer(salt=TOKEN_SALT).unsign(token)
    except signing.BadSignature:
        return None
    return (
        Registration.objects.select_related("event", "event__branch", "member")
        .filter(code=code)
        .first()
    )


def registrations_of_member(member) -> QuerySet[Registration]:
    return (
        Registration.objects.filter(member=member)
        .select_related("event", "event__branch")
        .order_by("-event__starts_at")
    )


def find_at_door(event: Event, query: str) -> tuple[Registration | None, list[Registration]]:
    """A scanned code (exact) or a name (contains): the exact match, or the candidates."""
    query = " ".join((query or "").split())[:150]
    if not query:
        return None, []
    live = event.registrations.select_related("member")
    exact = live.filter(code=query).first()
    if exact is None and query.upper().startswith("PUSTAKA-EV:"):
        exact = live.filter(code=query.split(":", 1)[1]).first()
    if exact is not None:
        return exact, []
    candidates = list(
        live.filter(
            Q(name__icontains=query) | Q(group_name__icontains=query) | Q(phone=query)
        ).exclude(state__in=[S.CANCELLED, S.EXPIRED])[:20]
    )
    return None, candidates


@dataclass(frozen=True)
class EventCounts:
    capacity: int | None
    taken: int
    confirmed: int
    offered: int
    waitlisted: int
    attended: int
    walk_ins: int
    no_shows: int
    registrations: int
    over: bool = False

    @property
    def free(self) -> int | None:
        return None if self.capacity is None else max(self.capacity - self.taken, 0)

    @property
    def attendance_rate(self) -> int | None:
        """Percent of registered people (not walk-ins) who came, once the event is over."""
        expected = self.attended - self.walk_ins + self.no_shows
        if not self.over:
            return None
        return round(100 * (self.attended - self.walk_ins) / expected) if expected else None


def event_counts(event: Event, *, at: dt.datetime | None = None) -> EventCounts:
    """Seats, waiting list and attendance in people (a group counts its size)."""
    at = at or timezone.now()
    rows = event.registrations.values("state", "walk_in").annotate(n=Sum("seats"))
    by_state: dict[str, int] = {}
    walk_ins = 0
    for row in rows:
        by_state[row["state"]] = by_state.get(row["state"], 0) + row["n"]
        if row["walk_in"]:
            walk_ins += row["n"]
    over = event.ends_at <= at
    return EventCounts(
        capacity=event.capacity,
        taken=sum(by_state.get(s, 0) for s in SEAT_STATES),
        confirmed=by_state.get(S.CONFIRMED, 0),
        offered=by_state.get(S.OFFERED, 0),
        waitlisted=by_state.get(S.WAITLISTED, 0),
        attended=by_state.get(S.ATTENDED, 0),
        walk_ins=walk_ins,
        no_shows=by_state.get(S.CONFIRMED, 0) if over else 0,
        registrations=sum(by_state.values()),
        over=over,
    )


def capacity_use(counts: EventCounts) -> int | None:
    """Percent of the seats used: taken before the event, filled by people who came after."""
    if not counts.capacity:
        return None
    return round(100 * (counts.attended if counts.over else counts.taken) / counts.capacity)


@dataclass(frozen=True)
class EventRow:
    event: Event
    counts: EventCounts

    @property
    def capacity_use(self) -> int | None:
        return capacity_use(self.counts)


@dataclass(frozen=True)
class PeriodSummary:
    rows: list[EventRow]
    registrations: int
    people: int
    attended: int
    walk_ins: int
    no_shows: int
    waitlisted: int
    seats: int
    seated: int = 0

    @property
    def attendance_rate(self) -> int | None:
        expected = self.attended - self.walk_ins + self.no_shows
        return round(100 * (self.attended - self.walk_ins) / expected) if expected else None

    @property
    def capacity_use(self) -> int | None:
        """People who came, of the seats, for the events over that had a limit."""
        return round(100 * self.seated / self.seats) if self.seats else None


def period_summary(
    start: dt.date, end: dt.date, *, branch=None, at: dt.datetime | None = None
) -> PeriodSummary:
    """Every event (not drafts) starting in [start, end] with its numbers, and the totals;
    attendance and no-shows count only events that are over, seats only events with a limit."""
    at = at or timezone.now()
    events = Event.objects.filter(
        status__in=[EventStatus.PUBLISHED, EventStatus.CANCELLED],
        starts_at__gte=day_start(start),
        starts_at__lt=day_start(min(end, LAST_DAY) + dt.timedelta(days=1)),
    ).select_related("branch")
    if branch is not None:
        events = events.filter(branch=branch)
    events = list(events.order_by("starts_at", "pk")[:500])
    by_event: dict[int, dict[tuple[str, bool], int]] = {e.pk: {} for e in events}
    counted: dict[int, int] = dict.fromkeys(by_event, 0)
    rows = (
        Registration.objects.filter(event__in=events)
        .values("event_id", "state", "walk_in")
        .annotate(n=Sum("seats"), registrations=Count("pk"))
    )
    for row in rows:
        by_event[row["event_id"]][(row["state"], row["walk_in"])] = row["n"]
        counted[row["event_id"]] += row["registrations"]
    out = []
    for event in events:
        cells = by_event[event.pk]

        def people(state, cells=cells):
            return cells.get((state, False), 0) + cells.get((state, True), 0)

        over = event.ends_at <= at
        out.append(
            EventRow(
                event,
                EventCounts(
                    capacity=event.capacity,
                    taken=sum(people(s) for s in SEAT_STATES),
                    confirmed=people(S.CONFIRMED),
                    offered=people(S.OFFERED),
                    waitlisted=people(S.WAITLISTED),
                    attended=people(S.ATTENDED),
                    walk_ins=sum(n for (state, walk_in), n in cells.items() if walk_in),
                    no_shows=people(S.CONFIRMED) if over else 0,
                    registrations=counted[event.pk],
                    over=over,
                ),
            )
        )
    held = [r for r in out if r.counts.over and r.event.status == EventStatus.PUBLISHED]
    return PeriodSummary(
        rows=out,
        registrations=sum(r.counts.registrations for r in out),
        people=sum(r.counts.taken + r.counts.waitlisted for r in out),
        attended=sum(r.counts.attended for r in held),
        walk_ins=sum(r.counts.walk_ins for r in held),
        no_shows=sum(r.counts.no_shows for r in held),
        waitlisted=sum(r.counts.waitlisted for r in out),
        seats=sum(r.counts.capacity for r in held if r.counts.capacity),
        seated=sum(r.counts.attended for r in held if r.counts.capacity),
    )


def seats_left(event: Event) -> int | None:
    return event_counts(event).free


# ---------------------------------------------------------------------------------------------
# Certificates


def normalise_certificate_code(code: str) -> str:
    """What someone typed (lower case, spaces, no dashes) as the printed form ABCD-EFGH-JKLM."""
    raw = "".join(ch for ch in (code or "").upper() if ch.isalnum())[:12]
    return "-".join(raw[i : i + 4] for i in range(0, len(raw), 4))


def certificate_by_code(code: str) -> Certificate | None:
    code = normalise_certificate_code(code)
    if len(code) != 14:
        return None
    return (
        Certificate.objects.select_related("event", "event__branch", "registration", "speaker")
        .filter(code=code)
        .first()
    )


def certificate_of_registration(registration: Registration) -> Certificate | None:
    return registration.certificates.select_related("event", "event__branch").first()
