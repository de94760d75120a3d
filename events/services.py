"""Every change to events and registrations.

The event's row counts its seats (`Event.seats_taken`, `registrations_waiting`,
`last_waitlist_number`), changed only here and in the same transaction as the registrations
they count. A registration takes its seat or its waiting number in one UPDATE of that row (see
`register`); cancellations, offers, expiries and check-ins lock the row first
(`locks.event_for_update`). Either way the row's lock serialises them, so two people can never
take the last seat: the second one is waitlisted. E-mail is queued with the change.
"""

from __future__ import annotations

import contextlib
import contextvars
import datetime as dt
import secrets
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.db.models import F, Q
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from core import audit
from core.permissions import require
from events import errors, rooms
from events.locks import SEATS_LOCK, event_for_update
from events.models import (
    Certificate,
    CertificateRole,
    Event,
    EventStatus,
    Partner,
    Question,
    Registration,
    Speaker,
)
from events.states import ACTIVE_STATES, SEAT_STATES, RegistrationState, check_transition

S = RegistrationState

audit.register_actions(
    {
        "event.create": _("Created an event"),
        "event.update": _("Changed an event"),
        "event.publish": _("Published an event"),
        "event.cancel": _("Cancelled an event"),
        "event.series": _("Created a series of events"),
        "event.series_update": _("Changed every session of a series"),
        "event.check_in": _("Checked in a registration at an event"),
        "event.walk_in": _("Recorded a walk-in at an event"),
        "event.registrations": _("Opened the registrations of an event"),
        "event.cancel_registration": _("Cancelled a registration for someone"),
        "event.certificates": _("Issued certificates of attendance"),
        "event.certificate_download": _("Downloaded a certificate"),
        "event.attendees_export": _("Exported the attendee list of an event"),
    }
)

MANAGE = "events.change_event"
CERTIFY = "events.add_certificate"
CHECK_IN = "events.change_registration"
# How long a promoted person has to confirm the seat (hours; never beyond the start).
OFFER_HOURS = "PUSTAKA_EVENT_OFFER_HOURS"


def offer_hours() -> int:
    return int(getattr(settings, OFFER_HOURS, 24))


# ---------------------------------------------------------------------------------------------
# Events (programme coordinator)


@transaction.atomic
def save_event(
    event: Event,
    *,
    by,
    speakers=None,
    partners=None,
    questions: list[tuple[str, bool]] | None = None,
    new_speakers: list[tuple[str, str, str]] = (),
    new_partners: list[str] = (),
) -> Event:
    """Create or change an event (from the staff form). Draft until published. `questions`
    (label, required) replace the event's questions; answers already given keep their text.
    `new_speakers` (name, organisation, bio) and `new_partners` (names) are created and added."""
    require(by, MANAGE)
    created = event.pk is None
    if not created:
        # The status changes through publish_event and cancel_event only: an instance read
        # before one of them (the edit form) must not put the old status back.
        event.status = event_for_update(event.pk).status
    event.save()
    if speakers is not None:
        event.speakers.set(speakers)
    if partners is not None:
        event.partners.set(partners)
    for name, organisation, bio in new_speakers:
        event.speakers.add(Speaker.objects.create(name=name, organisation=organisation, bio=bio))
    for name in new_partners:
        event.partners.add(Partner.objects.get_or_create(name=name)[0])
    if questions is not None:
        set_questions(event, questions)
    rooms.sync_room(event)
    audit.record("event.create" if created else "event.update", actor=by, subject=event)
    if not created and event.status == EventStatus.PUBLISHED:
        _promote(event_for_update(event.pk), at=timezone.now())  # more seats may have come
    return event


def set_questions(event: Event, questions: list[tuple[str, bool]]) -> None:
    existing = {q.label: q for q in event.questions.all()}
    keep = []
    for position, (label, required) in enumerate(questions):
        question = existing.get(label) or Question(event=event, label=label)
        question.required, question.position = required, position
        question.save()
        keep.append(question.pk)
    event.questions.exclude(pk__in=keep).delete()


@transaction.atomic
def publish_event(event: Event, *, by) -> Event:
    require(by, MANAGE)
    event = event_for_update(event.pk)
    if event.status == EventStatus.CANCELLED:
        raise errors.EventCancelledError()
    if event.status != EventStatus.PUBLISHED:
        event.status = EventStatus.PUBLISHED
        event.save(update_fields=["status", "updated_at"])
        audit.record("event.publish", actor=by, subject=event)
    return event


@transaction.atomic
def cancel_event(event: Event, *, by, at: dt.datetime | None = None) -> Event:
    """Cancel an event: its live registrations are cancelled and their holders told."""
    require(by, MANAGE)
    at = at or timezone.now()
    event = event_for_update(event.pk)
    if event.status == EventStatus.CANCELLED:
        return event
    event.status = EventStatus.CANCELLED
    event.save(update_fields=["status", "updated_at"])
    rooms.sync_room(event)  # the room is free again
    live = list(event.registrations.filter(state__in=[S.CONFIRMED, S.OFFERED, S.WAITLISTED]))
    for registration in live:
        _move(registration, S.CANCELLED, at=at)
        _notify(registration, "event_cancelled")
    audit.record("event.cancel", actor=by, subject=event, details={"registrations": len(live)})
    return event


# ---------------------------------------------------------------------------------------------
# Registration


@dataclass(frozen=True)
class Registered:
    registration: Registration
    created: bool = True

    @property
    def waitlisted(self) -> bool:
        return self.registration.state == S.WAITLISTED


def _count(event_id: int, before: str | None, after: str, seats: int) -> None:
    """Keep the event's counters with a registration moving from `before` (None: new) to
    `after`. Called with the event locked, in the transaction that moves the registration."""
    taken = seats * (int(after in SEAT_STATES) - int(before in SEAT_STATES))
    waiting = int(after == S.WAITLISTED) - int(before == S.WAITLISTED)
    if taken or waiting:
        Event.objects.filter(pk=event_id).update(
            seats_taken=F("seats_taken") + taken,
            registrations_waiting=F("registrations_waiting") + waiting,
        )


def _move(registration: Registration, to: str, *, at: dt.datetime, **values: Any) -> None:
    check_transition(registration.state, to)
    _count(registration.event_id, registration.state, to, registration.seats)
    registration.state = to
    fields = ["state"]
    if to == S.CANCELLED:
        registration.cancelled_at = at
        fields.append("cancelled_at")
    for name, value in values.items():
        setattr(registration, name, value)
        fields.append(name)
    registration.save(update_fields=fields)


_QUIET: contextvars.ContextVar[bool] = contextvars.ContextVar("events_quiet", default=False)


@contextlib.contextmanager
def without_mail() -> Iterator[None]:
    """Registrations made inside send no e-mail (the demo library, imports of past events)."""
    token = _QUIET.set(True)
    try:
        yield
    finally:
        _QUIET.reset(token)


def _notify(registration: Registration, kind: str) -> None:
    if not registration.email or _QUIET.get():
        return
    from core.tasks import enqueue_with
    from events.tasks import send_registration_mail

    # With the registration's commit (one commit per attempt, not two): see core.tasks.
    enqueue_with(send_registration_mail, registration.pk, kind)


def _notify_registered(registration: Registration) -> None:
    """The confirmation or waiting-list e-mail of a registration about to be inserted: queued
    (by its code) before the seat is taken, so nothing but the seat is written under the
    event's lock. Rolled back with the registration if it is not made."""
    if not registration.email or _QUIET.get():
        return
    from core.tasks import enqueue_with
    from events.tasks import send_registration_answer

    enqueue_with(send_registration_answer, registration.code)


def _clean_answers(questions: list[Question], answers: dict[str, str] | None) -> dict[str, str]:
    answers = answers or {}
    clean = {}
    for question in questions:
        value = " ".join(str(answers.get(str(question.pk), "")).split())[:500]
        if question.required and not value:
            raise errors.AnswerRequiredError(question=question.label)
        if value:
            clean[str(question.pk)] = value
    return clean


def _match(*, member, email: str, phone: str) -> Q:
    """The registrations that are the same person's: the member, or a guest with this e-mail
    address or telephone number."""
    if member is not None:
        return Q(member=member)
    match = Q(pk__in=[])
    if email:
        match |= Q(email__iexact=email)
    if phone:
        match |= Q(phone=phone)
    return match & Q(member__isnull=True)


def _existing(event: Event, *, member, email: str, phone: str) -> Registration | None:
    live = event.registrations.filter(state__in=ACTIVE_STATES)
    return live.filter(_match(member=member, email=email, phone=phone)).first()


def _check_open(event: Event, at: dt.datetime) -> None:
    if event.status == EventStatus.CANCELLED:
        raise errors.EventCancelledError()
    if event.status != EventStatus.PUBLISHED or not event.registration_required:
        raise errors.EventNotOpenError()
    if at >= event.closes_at:
        raise errors.RegistrationClosedError()


def register(
    event: Event,
    *,
    member=None,
    name: str = "",
    email: str = "",
    phone: str = "",
    seats: int = 1,
    group_name: str = "",
    answers: dict[str, str] | None = None,
    at: dt.datetime | None = None,
    series_booking: str = "",
    walk_in: bool = False,
) -> Registered:
    """Register a member (signed in) or a guest (name and a phone or e-mail) for an event,
    bringing `seats` people. Confirmed while seats are free and nobody waits; otherwise
    waitlisted, in order. Registering again returns the registration already made.

    Everything is prepared before the event's row is locked: the input checked, the row built,
    its e-mail queued. Then the seat (or the next waiting number) is taken and the registration
    inserted, on PostgreSQL in one statement, so the lock is held for that statement and the
    commit only (`_take_seat`). A second registration of the same person (a double submit) is
    not inserted because of a unique index (`one_active_registration_per_*`; on PostgreSQL
    `ON CONFLICT DO NOTHING`, so the server logs no error): nothing of it is counted and the
    first one is returned. Its queued e-mail finds no registration by its code and sends
    nothing."""
    at = at or timezone.now()
    _check_open(event, at)  # fail fast; checked again by the statement that takes the seat
    if member is not None:
        name = name or member.full_name
        email = email or member.email
        phone = phone or member.phone
    name = " ".join((name or "").split())[:150]
    email = (email or "").strip()[:254]
    phone = " ".join((phone or "").split())[:30]
    if not name or not (email or phone):
        raise errors.GuestContactRequiredError()
    seats = int(seats or 1)
    if seats < 1 or seats > event.max_group_size:
        raise errors.GroupTooLargeError(limit=event.max_group_size)
    clean_answers = _clean_answers(list(event.questions.all()), answers)
    registration = Registration(
        event=event,
        member=member,
        name=name,
        email=email,
        phone=phone,
        seats=seats,
        group_name=" ".join((group_name or "").split())[:200],
        answers=clean_answers,
        created_at=at,
        series_booking=series_booking,
        walk_in=walk_in,
        language=(translation.get_language() or "id")[:10],
    )
    db = transaction.get_connection()
    alone = db.get_autocommit() and not db.in_atomic_block  # not inside a caller's transaction
    try:
        with transaction.atomic():
            _notify_registered(registration)
            if not _take_seat(registration, at=at, commit=alone):
                _refuse(event.pk, seats, at)
    except (IntegrityError, _SamePerson):
        existing = _existing(event, member=member, email=email, phone=phone)
        if existing is None:
            raise
        return Registered(existing, created=False)
    return Registered(registration)


# SQLite: the seat (or the next waiting number) taken in one UPDATE of the event's row (the
# IMMEDIATE transaction has serialised writers). `fits`: seats free for this registration and
# nobody waiting (or no limit). RETURNING gives the new values: nobody waiting after the
# UPDATE (or no limit) means it fitted, since a registration that does not fit leaves someone
# waiting (itself).
_FITS = "(capacity IS NULL OR (registrations_waiting = 0 AND seats_taken + %s <= capacity))"
_TAKE_SEAT = f"""UPDATE events_event SET
    seats_taken = seats_taken + CASE WHEN {_FITS} THEN %s ELSE 0 END,
    registrations_waiting = registrations_waiting + CASE WHEN {_FITS} THEN 0 ELSE 1 END,
    last_waitlist_number = last_waitlist_number + CASE WHEN {_FITS} THEN 0 ELSE 1 END
WHERE id = %s AND status = %s AND registration_required
    AND COALESCE(registration_closes_at, starts_at) > %s AND max_group_size >= %s
RETURNING CASE WHEN capacity IS NULL OR registrations_waiting = 0 THEN NULL
    ELSE last_waitlist_number END AS number"""  # noqa: S608 - no value in the text


def _take_seat(registration: Registration, *, at: dt.datetime, commit: bool = False) -> bool:
    """Take the seat or the waiting number for `registration` and insert it. False when the
    event is not open for it (cancelled, closed, the group too large): nothing was written.

    On PostgreSQL it is one statement (`_TAKE_SEAT_AND_INSERT`): wait for the event's turn
    (`locks.SEATS_LOCK`), read the event locked, insert the registration unless the same
    person has one (then `_SamePerson` is raised), count its seat. With `commit` (the
    transaction is this registration's alone) the COMMIT goes in the same message, so the
    server releases the locks as soon as the commit is durable, without waiting for this
    thread to be scheduled again to send it (in a busy process that wait was most of the
    time the lock was held, with everyone queued behind it); Django's own commit then finds
    nothing left to commit. SQLite has no UPDATE in WITH; there the transaction itself
    serialises writers (IMMEDIATE), and the insert follows the UPDATE."""
    n = registration.seats
    if connection.vendor != "postgresql":
        params = [n, n, n, n, registration.event_id, EventStatus.PUBLISHED]
        params += [connection.ops.adapt_datetimefield_value(at), n]
        with connection.cursor() as cursor:
            cursor.execute(_TAKE_SEAT, params)
            row = cursor.fetchone()
        if row is None:
            return False
        registration.waitlist_number = row[0]
        registration.state = S.CONFIRMED if row[0] is None else S.WAITLISTED
        registration.save(force_insert=True)
        return True
    fields = [
        f
        for f in Registration._meta.concrete_fields
        if not f.primary_key and f.name not in ("state", "waitlist_number")
    ]
    columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    values = ", ".join(["%s"] * len(fields))
    sql = _TAKE_SEAT_AND_INSERT.format(columns=columns, values=values)
    # Several statements in one message need client-side binding (Django's default).
    if commit and not connection.settings_dict["OPTIONS"].get("server_side_binding"):
        sql += "; COMMIT"
    params = [SEATS_LOCK, registration.event_id, n, registration.event_id]
    params += [EventStatus.PUBLISHED, connection.ops.adapt_datetimefield_value(at), n]
    params += [f.get_db_prep_save(f.pre_save(registration, True), connection) for f in fields]
    params += [S.CONFIRMED, S.WAITLISTED, n, registration.event_id]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        row = cursor.fetchone()
    if row is None:
        return False
    if row[0] is None:
        raise _SamePerson()
    registration.pk, registration.state, registration.waitlist_number = row
    registration._state.adding = False
    registration._state.db = connection.alias
    return True


class _SamePerson(Exception):
    """The registration was not inserted: the same person already has a live one (PostgreSQL's
    `ON CONFLICT DO NOTHING`; SQLite raises IntegrityError for the same)."""


# PostgreSQL: wait for the event's turn (`locks.SEATS_LOCK`); read the event's row, locked, if
# it is open for this registration (`ev`; a row lock returns the row's newest version, the one
# the previous registration committed while this one waited); insert the registration,
# confirmed if it fits, else next on the waiting list, unless the same person already has a
# live one (`ON CONFLICT DO NOTHING` on the `one_active_registration_per_*` indexes: a double
# submit is no error, so nothing is rolled back or logged); and only if it was inserted, count
# its seat or its waiting number on the event. No row: the event is not open for it. A row of
# NULLs: the same person's registration is already there.
_TAKE_SEAT_AND_INSERT = f"""WITH turn AS (SELECT pg_advisory_xact_lock(%s, %s)),
ev AS (
    SELECT {_FITS} AS fits, last_waitlist_number FROM events_event
    WHERE EXISTS (SELECT FROM turn) AND id = %s AND status = %s AND registration_required
        AND COALESCE(registration_closes_at, starts_at) > %s AND max_group_size >= %s
    FOR UPDATE
),
ins AS (
    INSERT INTO events_registration ({{columns}}, state, waitlist_number)
    SELECT {{values}}, CASE WHEN fits THEN %s ELSE %s END,
        CASE WHEN fits THEN NULL ELSE last_waitlist_number + 1 END
    FROM ev
    ON CONFLICT DO NOTHING
    RETURNING id, state, waitlist_number
),
seat AS (
    UPDATE events_event SET
        seats_taken = seats_taken + CASE WHEN ins.waitlist_number IS NULL THEN %s ELSE 0 END,
        registrations_waiting = registrations_waiting
            + CASE WHEN ins.waitlist_number IS NULL THEN 0 ELSE 1 END,
        last_waitlist_number = COALESCE(ins.waitlist_number, last_waitlist_number)
    FROM ins WHERE events_event.id = %s
)
SELECT ins.id, ins.state, ins.waitlist_number FROM ev LEFT JOIN ins ON TRUE"""  # noqa: S608


def _refuse(event_id: int, seats: int, at: dt.datetime) -> None:
    """Say why the seat could not be taken (the event changed since it was read)."""
    event = Event.objects.get(pk=event_id)
    _check_open(event, at)
    if seats > event.max_group_size:
        raise errors.GroupTooLargeError(limit=event.max_group_size)
    raise errors.EventNotOpenError()


def _promote(event: Event, *, at: dt.datetime) -> list[Registration]:
    """Offer freed seats to the waiting list strictly in order (a group that does not fit
    stops the queue: nobody jumps it). Called with the event locked."""
    offered: list[Registration] = []
    event.refresh_from_db(fields=["capacity", "seats_taken", "registrations_waiting"])
    if not event.registrations_waiting:
        return offered
    if event.capacity is None:
        free = sum(event.registrations.filter(state=S.WAITLISTED).values_list("seats", flat=True))
    else:
        free = event.capacity - event.seats_taken
    if free <= 0 or at >= event.starts_at:
        return offered
    deadline = min(at + dt.timedelta(hours=offer_hours()), event.starts_at)
    for registration in event.registrations.filter(state=S.WAITLISTED).order_by("waitlist_number"):
        if registration.seats > free:
            break
        _move(registration, S.OFFERED, at=at, offer_expires_at=deadline)
        _notify(registration, "offered")
        free -= registration.seats
        offered.append(registration)
    return offered


def cancel_registration(
    registration: Registration, *, by=None, at: dt.datetime | None = None
) -> Registration:
    """The registrant (from their link; `by` None) or staff cancel. A freed seat is offered to
    the first person waiting. Cancelling twice changes nothing."""
    at = at or timezone.now()
    with transaction.atomic():
        event = event_for_update(registration.event_id)
        registration = Registration.objects.get(pk=registration.pk)
        if registration.state in (S.CANCELLED, S.EXPIRED):
            return registration
        if by is not None:
            require(by, CHECK_IN)
            audit.record("event.cancel_registration", actor=by, subject=registration)
        _move(registration, S.CANCELLED, at=at)
        _promote(event, at=at)
        return registration


def confirm_offer(registration: Registration, *, at: dt.datetime | None = None) -> Registration:
    """The promoted person takes the seat offered to them, before the offer expires."""
    at = at or timezone.now()
    with transaction.atomic():
        event = event_for_update(registration.event_id)
        registration = Registration.objects.get(pk=registration.pk)
        if registration.state == S.CONFIRMED:
            return registration
        if registration.state != S.OFFERED:
            raise errors.NotOfferedError()
        if registration.offer_expires_at and registration.offer_expires_at <= at:
            _move(registration, S.EXPIRED, at=at)
            _promote(event, at=at)
            expired = True
        else:
            _move(registration, S.CONFIRMED, at=at)
            _notify(registration, "confirmed")
            expired = False
    if expired:
        raise errors.OfferExpiredError()
    return registration


def expire_offers(*, at: dt.datetime | None = None) -> int:
    """The periodic job: offers not confirmed in time expire and their seats go to the next
    people waiting. Safe to run twice."""
    at = at or timezone.now()
    event_ids = set(
        Registration.objects.filter(state=S.OFFERED, offer_expires_at__lte=at).values_list(
            "event_id", flat=True
        )
    )
    count = 0
    for event_id in sorted(event_ids):
        with transaction.atomic():
            event = event_for_update(event_id)
            for registration in event.registrations.filter(
                state=S.OFFERED, offer_expires_at__lte=at
            ):
                _move(registration, S.EXPIRED, at=at)
                count += 1
            _promote(event, at=at)
    return count


# ---------------------------------------------------------------------------------------------
# At the door


@dataclass(frozen=True)
class CheckedIn:
    registration: Registration
    already: bool = False


def check_in(
    registration: Registration, *, by, at: dt.datetime | None = None, event: Event | None = None
) -> CheckedIn:
    """Staff check a confirmed registration in (scanned QR or found by name). Twice is once."""
    require(by, CHECK_IN)
    at = at or timezone.now()
    with transaction.atomic():
        locked = event_for_update(registration.event_id)
        if event is not None and event.pk != locked.pk:
            raise errors.WrongEventError(event=locked.title)
        registration = Registration.objects.get(pk=registration.pk)
        if registration.state == S.ATTENDED:
            return CheckedIn(registration, already=True)
        if registration.state not in (S.CONFIRMED, S.OFFERED):
            raise errors.NotCheckableError(state=registration.get_state_display())
        if registration.state == S.OFFERED:  # came to the door: that is a confirmation
            _move(registration, S.CONFIRMED, at=at)
        _move(registration, S.ATTENDED, at=at, checked_in_at=at, checked_in_by=by)
        audit.record("event.check_in", actor=by, subject=registration)
        return CheckedIn(registration)


def record_walk_in(
    event: Event, *, by, name: str, seats: int = 1, at: dt.datetime | None = None
) -> Registration:
    """Someone came without registering: recorded as attended (they are in the room)."""
    require(by, CHECK_IN)
    at = at or timezone.now()
    name = " ".join((name or "").split())[:150] or str(_("Walk-in"))
    with transaction.atomic():
        event = event_for_update(event.pk)
        registration = Registration.objects.create(
            event=event,
            name=name,
            seats=max(1, int(seats or 1)),
            state=S.ATTENDED,
            walk_in=True,
            created_at=at,
            checked_in_at=at,
            checked_in_by=by,
        )
        _count(event.pk, None, S.ATTENDED, registration.seats)
        audit.record("event.walk_in", actor=by, subject=registration)
        return registration


def new_series_booking() -> str:
    return secrets.token_hex(8)


@dataclass
class SeriesRegistered:
    registrations: list[Registration] = field(default_factory=list)
    waitlisted: int = 0


# ---------------------------------------------------------------------------------------------
# Certificates


@dataclass
class CertificatesIssued:
    attendees: list[Certificate] = field(default_factory=list)
    speakers: list[Certificate] = field(default_factory=list)

    @property
    def count(self) -> int:
        return len(self.attendees) + len(self.speakers)


def issue_certificates(
    event: Event, *, by, speakers: bool = True, at: dt.datetime | None = None
) -> CertificatesIssued:
    """The coordinator issues certificates to everyone checked in at the event (a group
    registration gets one, in its name) and, with `speakers`, to its speakers. Issuing again
    adds only those still without one; codes already given never change."""
    require(by, CERTIFY)
    at = at or timezone.now()
    issued = CertificatesIssued()
    with transaction.atomic():
        event = event_for_update(event.pk)
        if event.status == EventStatus.CANCELLED or event.starts_at > at:
            raise errors.CertificatesTooEarlyError()
        have = set(
            event.certificates.filter(registration__isnull=False).values_list(
                "registration_id", flat=True
            )
        )
        for registration in event.registrations.filter(state=S.ATTENDED).order_by("name", "pk"):
            if registration.pk in have:
                continue
            issued.attendees.append(
                Certificate.objects.create(
                    event=event,
                    role=CertificateRole.ATTENDEE,
                    registration=registration,
                    name=registration.name,
                    issued_at=at,
                    issued_by=by,
                )
            )
        if speakers:
            have = set(
                event.certificates.filter(speaker__isnull=False).values_list(
                    "speaker_id", flat=True
                )
            )
            for speaker in event.speakers.all():
                if speaker.pk in have:
                    continue
                issued.speakers.append(
                    Certificate.objects.create(
                        event=event,
                        role=CertificateRole.SPEAKER,
                        speaker=speaker,
                        name=speaker.name,
                        issued_at=at,
                        issued_by=by,
                    )
                )
        audit.record(
            "event.certificates",
            actor=by,
            subject=event,
            details={"attendees": len(issued.attendees), "speakers": len(issued.speakers)},
        )
    return issued
