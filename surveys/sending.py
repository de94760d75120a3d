"""Sending a survey to people by e-mail, each with a personal one-time link.

- Staff choose members by category and recent activity (visited, borrowed, attended an event),
  see how many that is, and invite them: `recipients`, `invite_members`.
- After an event is over, everyone checked in gets the event's feedback survey; when the library
  closes a question, the asker gets the survey marked "after a closed question": `run_sweeps`
  (a job every hour, safe to run twice; `pustaka surveys_send` for cron).

An `Invitation` is unique per survey and recipient, so nobody is invited twice. The e-mail is
sent by a background task that claims each invitation under its row lock and marks it sent
before sending (a retry never sends twice). The token is made when the e-mail is written and
only its SHA-256 is stored. Answering through it writes a `RespondentMark` for the invitation
(one use only); the response is stored without the person when the survey is anonymous.

The other apps are only read here (patrons, visits, circulation, events, conversations)."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy

from core import audit
from surveys.errors import AlreadyRespondedError, InvalidAnswersError, InvitationInvalidError
from surveys.models import Answer, Invitation, RespondentMark, Response, Survey, SweepMark
from surveys.states import InvitationSource, SurveyState

audit.register_actions(
    {
        "survey.invite": gettext_lazy("Invited members to a survey"),
    }
)

ACTIVITIES = ("visited", "borrowed", "attended")
EVENT_SWEEP_DAYS = 7  # events that ended up to a week ago still get their feedback survey


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


# ---------------------------------------------------------------------------------------------
# Choosing members


@dataclass(frozen=True)
class Criteria:
    """Members of these categories (all when empty) who, within the last `days` days, did at
    least one of `activities` (any member when empty)."""

    categories: tuple[str, ...] = ()
    activities: tuple[str, ...] = ()
    days: int = 90


def recipients(criteria: Criteria, *, at: dt.datetime | None = None) -> QuerySet:
    """Active members with an e-mail address who accept e-mail, matching the criteria.
    "Borrowed" sees loans still linked to the member (current loans, and returned ones of
    members who keep their reading history)."""
    from circulation.models import Loan
    from events.models import Registration
    from events.states import RegistrationState
    from patrons.models import Member, MemberStatus
    from visits.models import Visit

    at = at or timezone.now()
    since = at - dt.timedelta(days=max(criteria.days, 1))
    members = Member.objects.filter(status=MemberStatus.ACTIVE, notify_by_email=True).exclude(
        email=""
    )
    if criteria.categories:
        members = members.filter(category_id__in=criteria.categories)
    if criteria.activities:
        active = Q(pk__in=[])
        if "visited" in criteria.activities:
            active |= Q(
                pk__in=Visit.objects.filter(at__gte=since, member__isnull=False).values("member")
            )
        if "borrowed" in criteria.activities:
            active |= Q(
                pk__in=Loan.objects.filter(checked_out_at__gte=since, member__isnull=False).values(
                    "member"
                )
            )
        if "attended" in criteria.activities:
            active |= Q(
                pk__in=Registration.objects.filter(
                    state=RegistrationState.ATTENDED,
                    event__starts_at__gte=since,
                    event__starts_at__lte=at,
                    member__isnull=False,
                ).values("member")
            )
        members = members.filter(active)
    return members.order_by("pk")


@dataclass
class RecipientCount:
    matching: int
    already_invited: int

    @property
    def new(self) -> int:
        return self.matching - self.already_invited


def count_recipients(survey: Survey, criteria: Criteria) -> RecipientCount:
    members = recipients(criteria)
    invited = Invitation.objects.filter(survey=survey, member__in=members.values("pk"))
    return RecipientCount(members.count(), invited.count())


def invite_members(survey: Survey, criteria: Criteria, *, by) -> int:
    """Invite the matching members not invited before; the e-mails go out in the background.
    Returns how many were invited now."""
    if survey.state != SurveyState.OPEN:
        from surveys.errors import SurveyNotOpenError

        raise SurveyNotOpenError
    rows = [
        Invitation(
            survey=survey,
            recipient=f"member:{member.pk}",
            member=member,
            name=member.full_name,
            email=member.email,
            language=member.preferred_language or "id",
            source=InvitationSource.CHOSEN,
            invited_by=by,
        )
        for member in recipients(criteria).only("pk", "full_name", "email", "preferred_language")
    ]
    created = _create(survey, rows)
    audit.record(
        "survey.invite",
        actor=by,
        subject=survey,
        subject_repr=survey.title,
        details={
            "invited": created,
            "categories": list(criteria.categories),
            "activities": list(criteria.activities),
            "days": criteria.days,
        },
    )
    return created


def _create(survey: Survey, rows: list[Invitation]) -> int:
    """Insert the invitations not there yet, then have them sent after commit."""
    with transaction.atomic():
        before = Invitation.objects.filter(survey=survey).count()
        Invitation.objects.bulk_create(rows, ignore_conflicts=True, batch_size=500)
        created = Invitation.objects.filter(survey=survey).count() - before
        if created:
            transaction.on_commit(lambda: _enqueue(survey.pk))
    return created


def _enqueue(survey_id: int) -> None:
    from surveys.tasks import send_invitations

    send_invitations.enqueue(survey_id)


def invitation_history(survey: Survey) -> QuerySet[Invitation]:
    return Invitation.objects.filter(survey=survey).select_related("member", "invited_by")


def answered_count(survey: Survey) -> int:
    """How many invitations were used (from the marks; which ones is not shown)."""
    pks = list(Invitation.objects.filter(survey=survey).values_list("pk", flat=True))
    used = 0
    for start in range(0, len(pks), 500):
        tokens = [invitation_mark(survey, pk) for pk in pks[start : start + 500]]
        used += RespondentMark.objects.filter(survey=survey, token__in=tokens).count()
    return used


# ---------------------------------------------------------------------------------------------
# Sending (the background task calls this)


def send_pending(survey_id: int) -> int:
    """Send every invitation of the survey not sent yet. Each is claimed under its row lock
    and marked sent before the e-mail goes, so a second worker or a retry sends nothing twice.
    Returns how many were sent."""
    sent = 0
    pending = list(
        Invitation.objects.filter(survey_id=survey_id, sent_at__isnull=True).values_list(
            "pk", flat=True
        )
    )
    for pk in pending:
        with transaction.atomic():
            invitation = (
                Invitation.objects.select_for_update()
                .filter(pk=pk, sent_at__isnull=True)
                .select_related("survey")
                .first()
            )
            if invitation is None:
                continue
            token = secrets.token_urlsafe(24)
            invitation.token_hash = _hash(token)
            invitation.sent_at = timezone.now()
            invitation.save(update_fields=["token_hash", "sent_at"])
        from surveys.mail import build_invitation

        sent += build_invitation(invitation, token).send()
    return sent


# ---------------------------------------------------------------------------------------------
# Answering through an invitation


def invitation_by_token(survey: Survey, token: str) -> Invitation | None:
    if not token or len(token) > 100:
        return None
    return Invitation.objects.filter(
        survey=survey, token_hash=_hash(token), sent_at__isnull=False
    ).first()


def invitation_mark(survey: Survey, invitation_pk: int) -> str:
    key = settings.SECRET_KEY.encode()
    message = f"surveys:{survey.pk}:invitation:{invitation_pk}".encode()
    return hmac.new(key, message, hashlib.sha256).hexdigest()


def invitation_used(invitation: Invitation) -> bool:
    return RespondentMark.objects.filter(
        survey_id=invitation.survey_id, token=invitation_mark(invitation.survey, invitation.pk)
    ).exists()


def check_invitation(survey: Survey, token: str) -> Invitation:
    """The invitation of this link, or a clear refusal (forged, or already used)."""
    from surveys.services import check_can_answer

    invitation = invitation_by_token(survey, token)
    if invitation is None:
        raise InvitationInvalidError
    check_can_answer(survey, user=None, on=None, invited=True)
    if invitation_used(invitation):
        raise AlreadyRespondedError
    user = getattr(invitation.member, "user", None) if invitation.member_id else None
    if survey.one_per_member and user is not None:
        from surveys.services import has_responded

        if has_responded(survey, user):
            raise AlreadyRespondedError
    return invitation


def submit_invited_response(
    survey: Survey, token: str, data: Mapping, *, on: dt.date | None = None
) -> Response:
    """One response through a personal link: the same checks and validation as the public
    form, no sign-in needed (the link proves who it is for), and the link works once. On an
    anonymous survey the response carries no identity; the mark written in the same
    transaction says only that this invitation was used."""
    from surveys.services import _answer, _today, clean_answers, respondent_token

    on = on or _today()
    invitation = check_invitation(survey, token)
    cleaned, errors = clean_answers(survey, data)
    if errors:
        raise InvalidAnswersError(errors)
    member = invitation.member
    user = getattr(member, "user", None) if member else None
    try:
        with transaction.atomic():
            RespondentMark.objects.create(
                survey=survey, token=invitation_mark(survey, invitation.pk)
            )
            if survey.one_per_member and user is not None:
                RespondentMark.objects.create(survey=survey, token=respondent_token(survey, user))
            response = Response.objects.create(
                survey=survey,
                submitted_on=on,
                user=None if survey.is_anonymous else user,
            )
            Answer.objects.bulk_create([_answer(response, q, v) for q, v in cleaned.items()])
    except IntegrityError:
        raise AlreadyRespondedError from None
    return response


# ---------------------------------------------------------------------------------------------
# Automatic sending: after an event, after a closed question


@dataclass
class SweepResult:
    event_invitations: int = 0
    question_invitations: int = 0
    surveys: list[int] = field(default_factory=list)


def _open(surveys: QuerySet[Survey], on: dt.date) -> list[Survey]:
    return [
        s
        for s in surveys.filter(state=SurveyState.OPEN)
        if not (s.opens_on and on < s.opens_on) and not (s.closes_on and on > s.closes_on)
    ]


def _person(member, email: str) -> str:
    return f"member:{member.pk}" if member is not None else f"email:{email.strip().casefold()}"


def invite_event_attendees(*, at: dt.datetime | None = None) -> int:
    """Everyone checked in at an event that ended (within the last week) whose feedback survey
    is open gets it, once."""
    from events.models import EventStatus, Registration
    from events.states import RegistrationState

    at = at or timezone.now()
    on = timezone.localdate(at)
    created = 0
    surveys = _open(Survey.objects.filter(event__isnull=False).select_related("event"), on)
    for survey in surveys:
        event = survey.event
        if event.status != EventStatus.PUBLISHED or event.ends_at > at:
            continue
        if event.ends_at < at - dt.timedelta(days=EVENT_SWEEP_DAYS):
            continue
        attendees = Registration.objects.filter(
            event=event, state=RegistrationState.ATTENDED
        ).select_related("member")
        rows = []
        for registration in attendees:
            email = registration.email or (registration.member.email if registration.member else "")
            if not email:
                continue
            rows.append(
                Invitation(
                    survey=survey,
                    recipient=_person(registration.member, email),
                    member=registration.member,
                    name=registration.name,
                    email=email,
                    language=registration.language or "id",
                    source=InvitationSource.EVENT,
                    source_id=event.pk,
                )
            )
        created += _create(survey, _unique(rows))
    return created


def invite_question_askers(*, since: dt.datetime | None, at: dt.datetime | None = None) -> int:
    """The asker of every question closed since the last sweep (or in the last day) gets each
    open survey marked "after a closed question", once per person and survey."""
    from conversations.models import Question
    from conversations.states import QuestionState
    from patrons.models import Member

    at = at or timezone.now()
    since = since or at - dt.timedelta(days=1)
    surveys = _open(Survey.objects.filter(after_closed_question=True), timezone.localdate(at))
    if not surveys:
        return 0
    questions = list(
        Question.objects.filter(
            state=QuestionState.CLOSED, closed_at__gt=since, closed_at__lte=at
        ).exclude(email="")
    )
    members = {
        m.user_id: m
        for m in Member.objects.filter(user_id__in=[q.asker_id for q in questions if q.asker_id])
    }
    created = 0
    for survey in surveys:
        rows = []
        for question in questions:
            if question.closed_at < survey.created_at:
                continue
            member = members.get(question.asker_id) if question.asker_id else None
            rows.append(
                Invitation(
                    survey=survey,
                    recipient=_person(member, question.email),
                    member=member,
                    name=question.name,
                    email=question.email,
                    language=question.language or "id",
                    source=InvitationSource.QUESTION,
                    source_id=question.pk,
                )
            )
        created += _create(survey, _unique(rows))
    return created


def _unique(rows: Iterable[Invitation]) -> list[Invitation]:
    seen: dict[str, Invitation] = {}
    for row in rows:
        seen.setdefault(row.recipient, row)
    return list(seen.values())


QUESTION_SWEEP = "surveys.closed_questions"


def run_sweeps(*, at: dt.datetime | None = None) -> SweepResult:
    """The hourly job: feedback after events, surveys after closed questions. Running it twice
    invites nobody twice (invitations are unique per survey and person)."""
    at = at or timezone.now()
    result = SweepResult()
    result.event_invitations = invite_event_attendees(at=at)
    mark = SweepMark.objects.filter(name=QUESTION_SWEEP).first()
    result.question_invitations = invite_question_askers(
        since=mark.last_run_at if mark else None, at=at
    )
    SweepMark.objects.update_or_create(name=QUESTION_SWEEP, defaults={"last_run_at": at})
    return result
