"""Response-time statistics for questions and feedback: time to first response and to
resolution (median and 90th percentile), items past their deadline and ratings, per period and
per category. Computed in Python over the period's rows (the same on SQLite and PostgreSQL)."""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field

from django.utils import timezone

from conversations.models import Feedback, FeedbackCategory, Question, QuestionTopic
from conversations.states import FEEDBACK_OPEN_STATES, FeedbackState


def percentile(values: list[float], p: float) -> float | None:
    """The p-th percentile by linear interpolation between closest ranks (p in 0..100)."""
    if not values:
        return None
    ordered = sorted(values)
    rank = (len(ordered) - 1) * p / 100
    low, high = math.floor(rank), math.ceil(rank)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


def _hours(start: dt.datetime, end: dt.datetime | None) -> float | None:
    return None if end is None else max((end - start).total_seconds(), 0) / 3600


@dataclass
class Row:
    label: str
    count: int = 0
    first_response: list[float] = field(default_factory=list)
    resolution: list[float] = field(default_factory=list)
    ratings: list[int] = field(default_factory=list)
    past_deadline: int = 0
    open_now: int = 0

    @property
    def first_response_median(self):
        return percentile(self.first_response, 50)

    @property
    def first_response_p90(self):
        return percentile(self.first_response, 90)

    @property
    def resolution_median(self):
        return percentile(self.resolution, 50)

    @property
    def resolution_p90(self):
        return percentile(self.resolution, 90)

    @property
    def rating_average(self):
        return sum(self.ratings) / len(self.ratings) if self.ratings else None

    @property
    def rated(self) -> int:
        return len(self.ratings)


def _bounds(start: dt.date, end: dt.date) -> tuple[dt.datetime, dt.datetime]:
    zone = timezone.get_current_timezone()
    return (
        timezone.make_aware(dt.datetime.combine(start, dt.time.min), zone),
        timezone.make_aware(dt.datetime.combine(end + dt.timedelta(days=1), dt.time.min), zone),
    )


def question_stats(start: dt.date, end: dt.date) -> list[Row]:
    """Questions asked in [start, end]: hours to the first reply and to the answer, one row per
    topic and a total row (last)."""
    low, high = _bounds(start, end)
    rows = {value: Row(label=str(label)) for value, label in QuestionTopic.choices}
    total = Row(label="")
    for q in Question.objects.filter(created_at__gte=low, created_at__lt=high).only(
        "created_at", "first_response_at", "answered_at", "rating", "state", "topic"
    ):
        for row in (rows.get(q.topic, rows[QuestionTopic.OTHER]), total):
            row.count += 1
            if (h := _hours(q.created_at, q.first_response_at)) is not None:
                row.first_response.append(h)
            if (h := _hours(q.created_at, q.answered_at)) is not None:
                row.resolution.append(h)
            if q.rating:
                row.ratings.append(q.rating)
            if q.state in ("new", "open"):
                row.open_now += 1
    return [*rows.values(), total]


def feedback_stats(start: dt.date, end: dt.date, *, today: dt.date) -> list[Row]:
    """Feedback sent in [start, end], one row per category and a total row (last). Past its
    deadline: responded or resolved after the due date, or still open after it on `today`."""
    low, high = _bounds(start, end)
    rows = {value: Row(label=str(label)) for value, label in FeedbackCategory.choices}
    total = Row(label="")
    zone = timezone.get_current_timezone()
    for f in Feedback.objects.filter(created_at__gte=low, created_at__lt=high):
        for row in (rows[f.category], total):
            row.count += 1
            if (h := _hours(f.created_at, f.first_response_at)) is not None:
                row.first_response.append(h)
            if (h := _hours(f.created_at, f.resolved_at)) is not None:
                row.resolution.append(h)
            if f.rating:
                row.ratings.append(f.rating)
            is_open = f.state in FEEDBACK_OPEN_STATES
            row.open_now += is_open
            responded_on = (
                timezone.localtime(f.first_response_at, zone).date()
                if f.first_response_at
                else None
            )
            resolved_on = (
                timezone.localtime(f.resolved_at, zone).date()
                if f.resolved_at and f.state == FeedbackState.RESOLVED
                else None
            )
            late_response = (
                responded_on > f.response_due_on
                if responded_on
                else is_open and today > f.response_due_on
            )
            late_resolution = (
                resolved_on > f.resolution_due_on
                if resolved_on
                else is_open and today > f.resolution_due_on
            )
            if late_response or late_resolution:
                row.past_deadline += 1
    return [*rows.values(), total]
