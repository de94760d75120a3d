"""Series: a weekly or monthly programme generates its sessions from one event (its first
session), skipping the branch's closed days (`core.calendar`). A session can be edited alone
(the ordinary edit) or together with every later session of its series; people register for
one session or the whole series."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from dateutil.relativedelta import relativedelta, weekday
from django.db import transaction
from django.utils import timezone

from core import audit
from core.calendar import calendar_for
from core.permissions import require
from events import errors, rooms, services
from events.locks import events_for_update
from events.models import Event, EventStatus, Frequency, Registration, Series
from events.states import RegistrationState

# Fields copied to every session; the dates are each session's own.
COPIED = [
    "title",
    "description",
    "kind",
    "audience",
    "age_min",
    "age_max",
    "language",
    "branch_id",
    "space_id",
    "place",
    "online_url",
    "capacity",
    "registration_required",
    "max_group_size",
    "cost",
    "accessibility",
    "image",
    "image_alt",
    "tags",
    "status",
    "parent_id",
]
MAX_SPAN = dt.timedelta(days=2 * 366)


def session_dates(
    first: dt.date, *, frequency: str, interval: int, until: dt.date
) -> list[dt.date]:
    """The dates a rule gives from `first` to `until` (closed days not yet removed). Monthly
    means the same weekday of the month ("the second Saturday"; a fifth one becomes the last)."""
    dates = []
    nth = (first.day - 1) // 7 + 1
    step = 0
    while True:
        if frequency == Frequency.WEEKLY:
            day = first + dt.timedelta(weeks=interval * step)
        else:
            which = weekday(first.weekday(), nth if nth < 5 else -1)
            anchor = first + relativedelta(months=interval * step, day=1 if nth < 5 else 31)
            day = anchor + relativedelta(weekday=which)
        if day > until:
            return dates
        dates.append(day)
        step += 1


def _at(day: dt.date, moment: dt.datetime) -> dt.datetime:
    local = timezone.localtime(moment)
    return timezone.make_aware(dt.datetime.combine(day, local.time().replace(tzinfo=None)))


@transaction.atomic
@transaction.atomic
def create_series(event: Event, *, frequency: str, interval: int = 1, until: dt.date, by) -> Series:
    """Turn `event` into the first session of a series and create the later sessions on the
    branch's open days."""
    require(by, services.MANAGE)
    first = timezone.localtime(event.starts_at).date()
    if event.series_id or until <= first or until - first > MAX_SPAN or interval < 1:
        raise errors.SeriesRuleError()
    series = Series.objects.create(
        title=event.title, frequency=frequency, interval=interval, starts_on=first, until=until
    )
    event.series = series
    event.save(update_fields=["series", "updated_at"])
    calendar = calendar_for(event.branch)
    speakers, partners = list(event.speakers.all()), list(event.partners.all())
    questions = [(q.label, q.required) for q in event.questions.all()]
    for day in session_dates(first, frequency=frequency, interval=interval, until=until)[1:]:
        if not calendar.is_open(day):
            continue
        session = Event(series=series, starts_at=_at(day, event.starts_at))
        for name in COPIED:
            setattr(session, name, getattr(event, name))
        session.ends_at = session.starts_at + (event.ends_at - event.starts_at)
        if event.registration_closes_at:
            session.registration_closes_at = session.starts_at - (
                event.starts_at - event.registration_closes_at
            )
        session.save()
        rooms.sync_room(session)  # a session whose room is taken stops the whole series
        session.speakers.set(speakers)
        session.partners.set(partners)
        services.set_questions(session, questions)
    audit.record("event.series", actor=by, subject=event, details={"series": series.pk})
    return series


@transaction.atomic
def update_series(event: Event, data: dict, *, changed: list[str], by) -> Event:
    """Apply the changed fields of the form to `event` and every later session of its series.
    A changed start or end changes the time of day only: each session keeps its date."""
    require(by, services.MANAGE)
    stored = Event.objects.get(pk=event.pk)  # a bound form may have changed `event` already
    # Locked and read again: a session saved as it was read before a cancellation of it
    # committed would be published again.
    sessions = events_for_update(
        Event.objects.filter(series_id=stored.series_id, starts_at__gte=stored.starts_at)
    )
    sessions.sort(key=lambda session: (session.starts_at, session.pk))
    from events.models import Partner, Speaker

    added_speakers = [
        Speaker.objects.create(name=name, organisation=organisation, bio=bio)
        for name, organisation, bio in _speaker_lines(data.get("new_speakers") or "")
    ]
    added_partners = [
        Partner.objects.get_or_create(name=line.strip()[:200])[0]
        for line in (data.get("new_partners") or "").splitlines()
        if line.strip()
    ]
    for session in sessions:
        for name in changed:
            if name in ("speakers", "partners", "questions", "new_speakers", "new_partners"):
                continue
            value = data[name]
            if name in ("starts_at", "ends_at", "registration_closes_at") and value:
                value = _at(
                    timezone.localtime(getattr(session, name) or session.starts_at).date(), value
                )
            setattr(session, name, value)
        if session.ends_at < session.starts_at:
            session.ends_at = session.starts_at
        session.save()
        rooms.sync_room(session)
        if "speakers" in changed:
            session.speakers.set(data["speakers"])
        if "partners" in changed:
            session.partners.set(data["partners"])
        session.speakers.add(*added_speakers)
        session.partners.add(*added_partners)
        if "questions" in changed:
            lines = []
            for line in (data.get("questions") or "").splitlines():
                label = line.strip().rstrip("*").strip()[:200]
                if label:
                    lines.append((label, line.strip().endswith("*")))
            services.set_questions(session, lines)
    audit.record(
        "event.series_update",
        actor=by,
        subject=event,
        details={"sessions": len(sessions), "fields": sorted(changed)},
    )
    return Event.objects.get(pk=stored.pk)


def _speaker_lines(text: str) -> list[tuple[str, str, str]]:
    speakers = []
    for line in text.splitlines():
        parts = [part.strip() for part in line.split("|")] + ["", ""]
        if parts[0]:
            speakers.append((parts[0][:150], parts[1][:200], parts[2]))
    return speakers


@dataclass
class SeriesRegistered:
    registrations: list[Registration] = field(default_factory=list)
    skipped: int = 0

    @property
    def waitlisted(self) -> int:
        return sum(1 for r in self.registrations if r.state == RegistrationState.WAITLISTED)


def register_series(series: Series, *, at: dt.datetime | None = None, **who) -> SeriesRegistered:
    """Register for every upcoming session (each under its own event lock, each confirmed or
    waitlisted on its own). Sessions closed for registration are skipped."""
    at = at or timezone.now()
    sessions = list(
        series.sessions.filter(status=EventStatus.PUBLISHED, starts_at__gt=at).order_by("starts_at")
    )
    if not sessions:
        raise errors.NoSessionsError()
    booking = services.new_series_booking()
    result = SeriesRegistered()
    for session in sessions:
        try:
            made = services.register(session, at=at, series_booking=booking, **who)
        except (errors.RegistrationClosedError, errors.EventNotOpenError):
            result.skipped += 1
            continue
        result.registrations.append(made.registration)
    if not result.registrations:
        raise errors.NoSessionsError()
    return result
