"""Programme evaluation for the head of library: over a period, the events (registrations,
attendance, capacity use, satisfaction from their feedback surveys) and the services (loans,
visits, questions answered, rooms used), which are most used and which best rated.

Read-only: the other apps' selectors where they have one (`events.selectors.period_summary`,
`visits.selectors.visits_between`) and simple aggregate queries otherwise."""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Avg, Count
from django.utils import timezone
from django.utils.translation import gettext as _

TOP = 5


@dataclass
class EventLine:
    event_id: int
    title: str
    kind: str
    starts_at: dt.datetime
    registrations: int
    attended: int
    capacity: int | None
    capacity_use: int | None
    satisfaction: Decimal | None
    scale: int
    responses: int


@dataclass
class KindLine:
    kind: str
    events: int
    attended: int
    satisfaction: Decimal | None


@dataclass
class ServiceLine:
    name: str
    used: int
    unit: str
    rating: Decimal | None = None  # of 5
    ratings: int = 0


@dataclass
class Evaluation:
    since: dt.date
    until: dt.date
    events: list[EventLine]
    kinds: list[KindLine]
    most_attended: list[EventLine]
    best_rated: list[EventLine]
    registrations: int
    attended: int
    attendance_rate: int | None
    capacity_use: int | None
    services: list[ServiceLine]
    rooms: list[ServiceLine] = field(default_factory=list)
    ikm: list[tuple[str, Decimal | None, str | None, int]] = field(default_factory=list)


def _bounds(since: dt.date, until: dt.date) -> tuple[dt.datetime, dt.datetime]:
    zone = timezone.get_current_timezone()
    return (
        dt.datetime.combine(since, dt.time.min, tzinfo=zone),
        dt.datetime.combine(until + dt.timedelta(days=1), dt.time.min, tzinfo=zone),
    )


def evaluate(since: dt.date, until: dt.date) -> Evaluation:
    from events.models import EventKind, EventStatus
    from events.selectors import period_summary
    from surveys.selectors import event_satisfaction

    summary = period_summary(since, until)
    held = [r for r in summary.rows if r.event.status == EventStatus.PUBLISHED]
    satisfaction = event_satisfaction([r.event.pk for r in held])
    lines = []
    for row in held:
        rated = satisfaction.get(row.event.pk)
        lines.append(
            EventLine(
                event_id=row.event.pk,
                title=row.event.title,
                kind=str(EventKind(row.event.kind).label)
                if row.event.kind in EventKind.values
                else row.event.kind,
                starts_at=row.event.starts_at,
                registrations=row.counts.registrations,
                attended=row.counts.attended,
                capacity=row.counts.capacity,
                capacity_use=row.capacity_use,
                satisfaction=rated.average if rated else None,
                scale=rated.scale if rated else 5,
                responses=rated.responses if rated else 0,
            )
        )
    kinds: dict[str, list[EventLine]] = {}
    for line in lines:
        kinds.setdefault(line.kind, []).append(line)
    kind_lines = sorted(
        (
            KindLine(
                kind,
                len(items),
                sum(i.attended for i in items),
                _mean([i.satisfaction for i in items if i.satisfaction is not None]),
            )
            for kind, items in kinds.items()
        ),
        key=lambda k: (-k.attended, k.kind),
    )
    most_attended = sorted(
        (line for line in lines if line.attended), key=lambda e: (-e.attended, e.title)
    )[:TOP]
    best_rated = sorted(
        (line for line in lines if line.satisfaction is not None),
        key=lambda e: (-(e.satisfaction / e.scale), -e.responses, e.title),
    )[:TOP]
    services, rooms = _services(since, until)
    return Evaluation(
        since=since,
        until=until,
        events=lines,
        kinds=kind_lines,
        most_attended=most_attended,
        best_rated=best_rated,
        registrations=summary.registrations,
        attended=summary.attended,
        attendance_rate=summary.attendance_rate,
        capacity_use=summary.capacity_use,
        services=services,
        rooms=rooms,
        ikm=_ikm(since, until),
    )


def _mean(values: list[Decimal]) -> Decimal | None:
    if not values:
        return None
    return (sum(values) / len(values)).quantize(Decimal("0.1"), ROUND_HALF_UP)


def _services(since: dt.date, until: dt.date) -> tuple[list[ServiceLine], list[ServiceLine]]:
    from circulation.models import Loan
    from conversations.models import Feedback, Question
    from spaces.models import Booking, BookingKind
    from spaces.states import BookingState
    from visits.selectors import visits_between

    start, end = _bounds(since, until)
    loans = Loan.objects.filter(checked_out_at__gte=start, checked_out_at__lt=end).count()
    visits = visits_between(since, until).count()
    answered = Question.objects.filter(answered_at__gte=start, answered_at__lt=end)
    rated = answered.filter(rating__isnull=False).aggregate(avg=Avg("rating"), n=Count("pk"))
    feedback = Feedback.objects.filter(created_at__gte=start, created_at__lt=end)
    feedback_rated = feedback.filter(rating__isnull=False).aggregate(
        avg=Avg("rating"), n=Count("pk")
    )
    used = Booking.objects.filter(
        kind=BookingKind.BOOKING,
        state=BookingState.CHECKED_IN,
        starts_at__gte=start,
        starts_at__lt=end,
        space__isnull=False,
    )
    rooms = [
        ServiceLine(row["space__name"], row["n"], _("bookings used"))
        for row in used.values("space__name").annotate(n=Count("pk")).order_by("-n", "space__name")
    ]
    services = [
        ServiceLine(_("Loans"), loans, _("loans")),
        ServiceLine(_("Visits"), visits, _("visits")),
        ServiceLine(
            _("Questions answered"),
            answered.count(),
            _("questions"),
            _rating(rated["avg"]),
            rated["n"],
        ),
        ServiceLine(
            _("Feedback received"),
            feedback.count(),
            _("messages"),
            _rating(feedback_rated["avg"]),
            feedback_rated["n"],
        ),
        ServiceLine(_("Rooms used"), used.count(), _("bookings used")),
    ]
    services.sort(key=lambda s: -s.used)
    return services, rooms


def _rating(value) -> Decimal | None:
    if value is None:
        return None
    return Decimal(str(value)).quantize(Decimal("0.1"), ROUND_HALF_UP)


def _ikm(since: dt.date, until: dt.date) -> list[tuple[str, Decimal | None, str | None, int]]:
    """The IKM of every IKM survey with respondents in the period."""
    from surveys.models import Survey
    from surveys.selectors import ikm_report
    from surveys.states import SurveyKind

    out = []
    for survey in Survey.objects.filter(kind=SurveyKind.IKM).order_by("-created_at")[:10]:
        report = ikm_report(survey, since=since, until=until)
        if report.result.respondents:
            out.append(
                (
                    survey.localized_title,
                    report.result.ikm,
                    report.result.category,
                    report.result.respondents,
                )
            )
    return out


def workbook(evaluation: Evaluation, *, library_name: str) -> bytes:
    """The page as an XLSX workbook: services, events, event kinds."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    book = Workbook()
    sheet = book.active
    sheet.title = _("Services")[:31]
    bold = Font(bold=True)
    sheet.append([library_name])
    sheet.append(
        [
            _("Programme evaluation %(since)s – %(until)s")
            % {"since": evaluation.since.isoformat(), "until": evaluation.until.isoformat()}
        ]
    )
    sheet["A1"].font = bold
    sheet.append([])
    sheet.append([_("Service"), _("Used"), _("Average rating (of 5)"), _("Ratings")])
    for cell in sheet[sheet.max_row]:
        cell.font = bold
    for line in evaluation.services:
        sheet.append(
            [
                _safe(line.name),
                line.used,
                float(line.rating) if line.rating is not None else None,
                line.ratings,
            ]
        )
    if evaluation.rooms:
        sheet.append([])
        sheet.append([_("Room"), _("Bookings used")])
        for line in evaluation.rooms:
            sheet.append([_safe(line.name), line.used])
    if evaluation.ikm:
        sheet.append([])
        sheet.append([_("IKM survey"), _("IKM"), _("Category"), _("Respondents")])
        for title, value, category, respondents in evaluation.ikm:
            sheet.append(
                [_safe(title), float(value) if value is not None else None, category, respondents]
            )
    events = book.create_sheet(_("Events")[:31])
    events.append(
        [
            _("Event"),
            _("Kind"),
            _("Date"),
            _("Registrations"),
            _("Attended"),
            _("Seats"),
            _("Capacity use (%)"),
            _("Satisfaction"),
            _("Of"),
            _("Responses"),
        ]
    )
    for cell in events[1]:
        cell.font = bold
    for line in evaluation.events:
        events.append(
            [
                _safe(line.title),
                line.kind,
                timezone.localtime(line.starts_at).date(),
                line.registrations,
                line.attended,
                line.capacity,
                line.capacity_use,
                float(line.satisfaction) if line.satisfaction is not None else None,
                line.scale if line.satisfaction is not None else None,
                line.responses,
            ]
        )
    kinds = book.create_sheet(_("Event kinds")[:31])
    kinds.append([_("Kind"), _("Events"), _("Attended"), _("Satisfaction")])
    for cell in kinds[1]:
        cell.font = bold
    for line in evaluation.kinds:
        kinds.append(
            [
                line.kind,
                line.events,
                line.attended,
                float(line.satisfaction) if line.satisfaction is not None else None,
            ]
        )
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _safe(text: str) -> str:
    """Text a spreadsheet will not run as a formula."""
    return "'" + text if text[:1] in ("=", "+", "-", "@") else text
