"""Competitions (lomba): the rules for entries (registered people, before the deadline, a
document or an image of limited size), the judges' scores on the rubric, the ranking and its
publication. State changes here are services (audited where staff act); the ranking a selector.
"""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core import audit
from core.permissions import require
from events import errors
from events.models import Competition, Criterion, Entry, Registration, Review
from events.states import RegistrationState

S = RegistrationState
MANAGE = "events.change_event"

audit.register_actions(
    {
        "event.competition": _("Set up a competition"),
        "event.competition_score": _("Scored a competition entry"),
        "event.competition_publish": _("Published the results of a competition"),
    }
)

# Extension → the bytes such a file starts with.
ALLOWED = {
    ".pdf": (b"%PDF",),
    ".docx": (b"PK\x03\x04",),
    ".jpg": (b"\xff\xd8\xff",),
    ".jpeg": (b"\xff\xd8\xff",),
    ".png": (b"\x89PNG\r\n\x1a\n",),
}


@transaction.atomic
def set_up(
    event, *, by, entries_close_at, max_file_mb=5, winners=3, criteria=(), judges=()
) -> Competition:
    """Create or change an event's competition: deadline, file size, places, the rubric
    (name, most points) and the judges. Criteria already scored keep their ids by name."""
    require(by, MANAGE)
    competition, _created = Competition.objects.update_or_create(
        event=event,
        defaults={
            "entries_close_at": entries_close_at,
            "max_file_mb": max_file_mb,
            "winners": winners,
        },
    )
    existing = {c.name: c for c in competition.criteria.all()}
    keep = []
    for position, (name, max_points) in enumerate(criteria):
        criterion = existing.get(name) or Criterion(competition=competition, name=name)
        criterion.max_points, criterion.position = max_points, position
        criterion.save()
        keep.append(criterion.pk)
    competition.criteria.exclude(pk__in=keep).delete()
    competition.judges.set(judges)
    audit.record("event.competition", actor=by, subject=event)
    return competition


def _extension(upload) -> str:
    name = (upload.name or "").lower()
    return name[name.rfind(".") :] if "." in name else ""


def _check_file(upload, competition: Competition) -> None:
    extension = _extension(upload)
    if extension not in ALLOWED:
        raise errors.EntryFileTypeError()
    if upload.size > competition.max_file_mb * 1024 * 1024:
        raise errors.EntryFileTooLargeError(limit=competition.max_file_mb)
    upload.seek(0)
    head = upload.read(16)
    upload.seek(0)
    if not any(head.startswith(magic) for magic in ALLOWED[extension]):
        raise errors.EntryFileTypeError()


def submit_entry(
    registration: Registration, *, title: str, upload, at: dt.datetime | None = None
) -> Entry:
    """The registrant sends (or replaces) their entry before the deadline. A refused file
    changes nothing: an entry already sent stays."""
    at = at or timezone.now()
    competition = Competition.objects.filter(event_id=registration.event_id).first()
    if competition is None or registration.state not in (S.CONFIRMED, S.ATTENDED, S.OFFERED):
        raise errors.EntryNotAllowedError()
    if at >= competition.entries_close_at:
        raise errors.EntriesClosedError()
    _check_file(upload, competition)
    title = " ".join((title or "").split())[:200] or upload.name[:200]
    with transaction.atomic():
        entry = (
            Entry.objects.select_for_update()
            .filter(competition=competition, registration=registration)
            .first()
        )
        old = entry.file.name if entry else None
        entry = entry or Entry(competition=competition, registration=registration)
        entry.title, entry.submitted_at = title, at
        entry.file_name, entry.size = upload.name[:200], upload.size
        # Stored under an unguessable name (entries are private until judged); the name the
        # entrant gave is kept for the download.
        entry.file.save(secrets.token_hex(12) + _extension(upload), upload, save=False)
        entry.save()
        entry.reviews.all().delete()  # a new file is judged afresh
    if old and old != entry.file.name:
        entry.file.storage.delete(old)
    return entry


def is_judge(competition: Competition, user) -> bool:
    return bool(getattr(user, "pk", None)) and competition.judges.filter(pk=user.pk).exists()


def score_entry(entry: Entry, *, judge, points: dict, feedback: str = "") -> Review:
    """A judge scores an entry on every criterion (0 … its most points), with feedback for
    the entrant. Scoring again replaces the judge's earlier scores."""
    competition = entry.competition
    if not is_judge(competition, judge):
        raise errors.NotAJudgeError()
    clean = {}
    for criterion in competition.criteria.all():
        try:
            value = int(points.get(str(criterion.pk), points.get(criterion.pk, "")))
        except (TypeError, ValueError):
            value = -1
        if not 0 <= value <= criterion.max_points:
            raise errors.PointsOutOfRangeError(criterion=criterion.name, max=criterion.max_points)
        clean[str(criterion.pk)] = value
    review, _created = Review.objects.update_or_create(
        entry=entry,
        judge=judge,
        defaults={
            "points": clean,
            "total": sum(clean.values()),
            "feedback": (feedback or "").strip()[:4000],
            "scored_at": timezone.now(),
        },
    )
    audit.record("event.competition_score", actor=judge, subject=entry)
    return review


def publish_results(competition: Competition, *, by) -> Competition:
    require(by, MANAGE)
    if competition.results_published_at is None:
        competition.results_published_at = timezone.now()
        competition.save(update_fields=["results_published_at"])
        audit.record("event.competition_publish", actor=by, subject=competition.event)
    return competition


@dataclass(frozen=True)
class Ranked:
    entry: Entry
    score: float | None  # the judges' average total; None before any judge scored it
    reviews: int
    place: int | None


def ranking(competition: Competition) -> list[Ranked]:
    """Entries by the average of the judges' totals, highest first; ties share a place."""
    rows = []
    for entry in competition.entries.select_related("registration").prefetch_related("reviews"):
        totals = [review.total for review in entry.reviews.all()]
        score = round(sum(totals) / len(totals), 2) if totals else None
        rows.append((entry, score, len(totals)))
    rows.sort(key=lambda r: (r[1] is None, -(r[1] or 0), r[0].submitted_at))
    ranked, place, previous = [], 0, object()
    for index, (entry, score, count) in enumerate(rows, start=1):
        if score != previous:
            place, previous = index, score
        ranked.append(Ranked(entry, score, count, place if score is not None else None))
    return ranked


def winners(competition: Competition) -> list[Ranked]:
    if competition.results_published_at is None:
        return []
    return [
        r for r in ranking(competition) if r.place is not None and r.place <= competition.winners
    ]
