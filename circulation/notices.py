"""Notices to members, each exactly once, in the member's language, through a channel.

`queue(...)` creates the Notice row under a unique key ("overdue_1:loan:42:20261201"): a second
call with the same key does nothing, so re-running the daily job or a restarted worker sends no
duplicate. Sending happens in a background task that claims the row under a lock and marks it
sent before the message leaves: a crash can lose a notice (staff see it and resend) but never
send it twice.

The daily job (`queue_due_notices`, run by `pustaka circulation_send_notices` from cron) finds
what is due: loans due soon, overdue loans (first, second, third notice), ready holds about to
expire, memberships about to expire.

Channels (e-mail, the Python log, later an SMS gateway or WhatsApp Business) implement
`NoticeChannel` and are registered in `CHANNELS`; `channel_for(member)` picks one per member
from `PUSTAKA_NOTICE_CHANNELS` (the first channel that can reach the member).
"""

from __future__ import annotations

import datetime as dt
import logging
import re
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any, Protocol, runtime_checkable

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Q, QuerySet
from django.template.loader import select_template
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from circulation.models import Hold, Loan, Notice, NoticeKind, NoticeStatus
from circulation.policies import rules_from_snapshot
from circulation.states import HoldState, LoanState
from core import audit, compiled
from core.errors import DomainError
from core.permissions import require
from patrons.models import Member, MemberStatus

logger = logging.getLogger("pustaka.notices")

audit.register_actions(
    {
        "notice.resend": _("Resent a notice to a member"),
        "notice.view": _("Read a notice sent to a member"),
        "notice.search": _("Searched the notices of a member"),
    }
)

# Settings (optional; read with these defaults). Days are calendar days in the library's zone.
DEFAULTS: dict[str, Any] = {
    "PUSTAKA_NOTICE_DUE_SOON_DAYS": 2,
    "PUSTAKA_NOTICE_OVERDUE_DAYS": (1, 7, 14),
    "PUSTAKA_NOTICE_HOLD_EXPIRING_DAYS": 1,
    "PUSTAKA_NOTICE_MEMBERSHIP_EXPIRING_DAYS": 30,
    "PUSTAKA_NOTICE_CHANNELS": ("email",),
    # QUEUED notices older than this are handed to the worker again by the daily command (their
    # task was lost, e.g. the process died between commit and enqueue). Sending stays once.
    "PUSTAKA_NOTICE_REQUEUE_AFTER_MINUTES": 60,
}

OVERDUE_KINDS = (NoticeKind.OVERDUE_1, NoticeKind.OVERDUE_2, NoticeKind.OVERDUE_3)
RESENDABLE = frozenset({NoticeStatus.FAILED, NoticeStatus.QUEUED, NoticeStatus.SKIPPED})
RESEND_MARK = ":resend:"


def setting(name: str) -> Any:
    return getattr(settings, name, DEFAULTS[name])


# ---------------------------------------------------------------------------------------------
# Errors


class NoticeError(DomainError):
    code = "notice_error"


class UnknownChannelError(NoticeError):
    code = "unknown_channel"
    message = _("There is no notice channel called “%(name)s”.")


class NoticeNotResendableError(NoticeError):
    code = "notice_not_resendable"
    message = _("Only failed, queued or unsent notices can be resent; this one is “%(status)s”.")


class NoticeAlreadyResentError(NoticeError):
    code = "notice_already_resent"
    message = _("This notice has already been resent. Open the newer copy to resend again.")


class NoRecipientError(NoticeError):
    code = "no_recipient"
    message = _("%(member)s cannot be reached through %(channel)s: no address, or they opted out.")


# ---------------------------------------------------------------------------------------------
# Channels


@runtime_checkable
class NoticeChannel(Protocol):
    """How a notice reaches a member. `address` answers "" when the member cannot be reached
    this way (no address, or they opted out); `send` raises on failure (the notice is then
    marked failed with the error for staff)."""

    name: str
    label: Any

    def address(self, member: Member) -> str: ...

    def send(self, notice: Notice) -> None: ...


class EmailChannel:
    name = "email"
    label = _("E-mail")

    def address(self, member: Member) -> str:
        return member.email if member.notify_by_email else ""

    def send(self, notice: Notice) -> None:
        from django.core.mail import EmailMessage

        EmailMessage(notice.subject, notice.body, to=[notice.recipient]).send()


class LogChannel:
    """Writes the notice to the Python log (logger `pustaka.notices`): a stand-in for an SMS or
    WhatsApp gateway until the library has a contract, and a record of what would be sent."""

    name = "log"
    label = _("Log only (no message leaves the library)")

    def address(self, member: Member) -> str:
        return member.phone or member.number

    def send(self, notice: Notice) -> None:
        logger.info(
            "notice %s (%s) to %s: %s\n%s",
            notice.pk,
            notice.kind,
            notice.recipient,
            notice.subject,
            notice.body,
        )


CHANNELS: dict[str, NoticeChannel] = {}


def register_channel(channel: NoticeChannel) -> None:
    """Plug in a channel (an SMS gateway adapter, WhatsApp Business …) under its `name`."""
    if not isinstance(channel, NoticeChannel):
        raise TypeError(f"{channel!r} does not implement NoticeChannel")
    CHANNELS[channel.name] = channel


register_channel(EmailChannel())
register_channel(LogChannel())


def channel_for(member: Member) -> str:
    """The channel for this member: their own choice when the member record carries one
    (`notice_channel`), else the first of PUSTAKA_NOTICE_CHANNELS that can reach them, else the
    first configured one (the notice is then recorded as not sent)."""
    configured = [name for name in setting("PUSTAKA_NOTICE_CHANNELS") if name in CHANNELS]
    preferred = getattr(member, "notice_channel", "")
    order = ([preferred] if preferred in CHANNELS else []) + configured
    for name in order:
        if CHANNELS[name].address(member):
            return name
    return order[0] if order else "email"


def get_channel(name: str) -> NoticeChannel:
    try:
        return CHANNELS[name]
    except KeyError:
        raise UnknownChannelError(name=name) from None


# ---------------------------------------------------------------------------------------------
# Writing and queueing


def render_notice(kind: str, member: Member, context: dict, *, channel: str) -> tuple[str, str]:
    """(subject, body) in the member's language and the library's time zone. A channel may
    have its own shorter template (`<kind>.<channel>.txt`, e.g. for SMS); the first line of the
    rendered text is the subject."""
    from core.selectors import get_library

    library = get_library()
    language = member.preferred_language or settings.LANGUAGE_CODE
    template = select_template(
        [f"circulation/notices/{kind}.{channel}.txt", f"circulation/notices/{kind}.txt"]
    )
    with translation.override(language), timezone.override(library.zone):
        text = template.render({**context, "member": member, "library": library})
    subject, _newline, body = text.strip().partition("\n")
    return subject.strip()[:300], re.sub(r"\n{3,}", "\n\n", body.strip())


def queue(
    member: Member,
    kind: str,
    *,
    key: str,
    context: dict,
    loan=None,
    hold=None,
    channel: str | None = None,
    send: bool = True,
) -> Notice | None:
    """Create the notice (once per key) and send it after commit. None when it already exists.
    `send=False`: the caller delivers it itself (a task that is already in the worker)."""
    channel = channel or channel_for(member)
    backend = get_channel(channel)
    recipient = backend.address(member)
    subject, body = render_notice(kind, member, context, channel=channel)
    notice = compiled.insert(  # one statement, no savepoint: a key already there writes nothing
        Notice(
            member=member,
            kind=kind,
            key=key,
            channel=channel,
            language=member.preferred_language or settings.LANGUAGE_CODE,
            recipient=recipient,
            subject=subject,
            body=body,
            status=NoticeStatus.QUEUED if recipient else NoticeStatus.SKIPPED,
            loan=loan,
            hold=hold,
        ),
        unless_exists=True,
    )
    if notice is None:
        return None
    if recipient and send:
        _enqueue_after_commit(notice.pk)
    return notice


def _enqueue_after_commit(notice_id: int) -> None:
    """With tasks in the database, the task row commits with the notice (one commit, not
    two); with another backend it is queued after the commit (core.tasks.enqueue_with)."""
    from circulation.tasks import send_notice
    from core.tasks import enqueue_with

    enqueue_with(send_notice, notice_id)


def deliver(notice_id: int) -> str:
    """Send one queued notice. Claimed under a row lock and marked sent in the same step, so
    two workers (or a retry) never send it twice."""
    with transaction.atomic():
        notice = (
            Notice.objects.select_for_update()
            .filter(pk=notice_id, status=NoticeStatus.QUEUED)
            .first()
        )
        if notice is None:
            return "already handled"
        notice.status = NoticeStatus.SENT
        notice.sent_at = timezone.now()
        notice.save(update_fields=["status", "sent_at"])
    try:
        get_channel(notice.channel).send(notice)
    except Exception as error:  # noqa: BLE001 - any transport failure is recorded for staff
        logger.warning("notice %s could not be sent: %s", notice.pk, error)
        Notice.objects.filter(pk=notice.pk).update(
            status=NoticeStatus.FAILED, error=str(error)[:2000]
        )
        return "failed"
    return "sent"


def hold_ready(hold: Hold) -> None:
    """Tell the member their hold is ready for pickup. The check-in that sets the copy aside
    only queues a task (committed with it); the worker writes the notice in the member's
    language and sends it (`send_hold_ready`): the desk does not wait for either."""
    from circulation.tasks import send_hold_ready_notice
    from core.tasks import enqueue_with

    enqueue_with(send_hold_ready_notice, hold.pk)


def send_hold_ready(hold_id: int) -> str:
    """The worker's half of `hold_ready`: write the notice once (its key names the hold and
    when it became ready) and deliver it. A hold collected or cancelled in between gets none;
    run twice, it sends once."""
    hold = (
        Hold.objects.select_related("member", "record", "pickup_branch")
        .filter(pk=hold_id, state=HoldState.READY, ready_at__isnull=False)
        .first()
    )
    if hold is None:
        return "no longer ready"
    key = f"hold_ready:hold:{hold.pk}:{hold.ready_at:%Y%m%d%H%M%S}"
    notice = (
        queue(
            hold.member,
            NoticeKind.HOLD_READY,
            key=key,
            context={"hold": hold, "record": hold.record, "branch": hold.pickup_branch},
            hold=hold,
            send=False,
        )
        or Notice.objects.filter(key=key).first()
    )
    if notice.status != NoticeStatus.QUEUED:
        return str(notice.status)
    return deliver(notice.pk)


# ---------------------------------------------------------------------------------------------
# The daily job


@dataclass(frozen=True)
class DueNotice:
    """A notice the daily job would queue."""

    kind: str
    key: str
    member: Member
    context: dict
    loan: Loan | None = None
    hold: Hold | None = None


@dataclass
class NoticeRun:
    """What one run of the daily job did, per notice kind."""

    queued: Counter = field(default_factory=Counter)
    existing: Counter = field(default_factory=Counter)
    failed: Counter = field(default_factory=Counter)

    def as_dict(self) -> dict[str, dict[str, int]]:
        return {
            "queued": dict(self.queued),
            "existing": dict(self.existing),
            "failed": dict(self.failed),
        }


def _start_of(day: dt.date, zone) -> dt.datetime:
    return dt.datetime.combine(day, dt.time.min, tzinfo=zone)


def _loans() -> QuerySet[Loan]:
    return Loan.objects.filter(state=LoanState.ON_LOAN, member__isnull=False).select_related(
        "member", "item__record", "branch"
    )


def _loan_context(loan: Loan, zone) -> dict:
    rules = rules_from_snapshot(loan.rules)
    return {
        "loan": loan,
        "item": loan.item,
        "record": loan.item.record,
        "branch": loan.branch,
        "due_on": timezone.localdate(loan.due_at, zone),
        "fine_per_day": rules.fine_per_day,
        "max_fine": rules.max_fine,
    }


def overdue_stage(days_overdue: int, thresholds: Iterable[int]) -> int:
    """0 when no overdue notice is due yet, else 1, 2 or 3: the latest stage reached. A loan
    first seen long overdue (the job did not run) gets only its latest notice, not all three."""
    stage = 0
    for number, threshold in enumerate(sorted(thresholds)[:3], start=1):
        if days_overdue >= threshold:
            stage = number
    return stage


def due_notices(at: dt.datetime, zone) -> Iterator[DueNotice]:
    """Every notice due on the day of `at` (in `zone`), already-queued ones included."""
    today = timezone.localdate(at, zone)

    soon = int(setting("PUSTAKA_NOTICE_DUE_SOON_DAYS"))
    if soon > 0:
        window = _loans().filter(
            due_at__gte=_start_of(today + dt.timedelta(days=1), zone),
            due_at__lt=_start_of(today + dt.timedelta(days=soon + 1), zone),
        )
        for loan in window.order_by("due_at", "pk").iterator(chunk_size=500):
            context = _loan_context(loan, zone)
            yield DueNotice(
                NoticeKind.DUE_SOON,
                f"due_soon:loan:{loan.pk}:{context['due_on']:%Y%m%d}",
                loan.member,
                context,
                loan=loan,
            )

    thresholds = sorted(int(d) for d in setting("PUSTAKA_NOTICE_OVERDUE_DAYS"))[:3]
    if thresholds:
        overdue = _loans().filter(
            due_at__lt=_start_of(today - dt.timedelta(days=thresholds[0] - 1), zone)
        )
        for loan in overdue.order_by("due_at", "pk").iterator(chunk_size=500):
            context = _loan_context(loan, zone)
            days = (today - context["due_on"]).days
            stage = overdue_stage(days, thresholds)
            if not stage:
                continue
            kind = OVERDUE_KINDS[stage - 1]
            yield DueNotice(
                kind,
                f"{kind}:loan:{loan.pk}:{context['due_on']:%Y%m%d}",
                loan.member,
                {**context, "days_overdue": days, "stage": stage},
                loan=loan,
            )

    expiring = int(setting("PUSTAKA_NOTICE_HOLD_EXPIRING_DAYS"))
    if expiring > 0:
        holds = (
            Hold.objects.filter(
                state=HoldState.READY,
                pickup_deadline__gt=today,
                pickup_deadline__lte=today + dt.timedelta(days=expiring),
                # A hold that became ready today has just had its "ready" notice.
                ready_at__lt=_start_of(today, zone),
            )
            .select_related("member", "record", "pickup_branch")
            .order_by("pickup_deadline", "pk")
        )
        for hold in holds.iterator(chunk_size=500):
            yield DueNotice(
                NoticeKind.HOLD_EXPIRING,
                f"hold_expiring:hold:{hold.pk}:{hold.pickup_deadline:%Y%m%d}",
                hold.member,
                {"hold": hold, "record": hold.record, "branch": hold.pickup_branch},
                hold=hold,
            )

    membership = int(setting("PUSTAKA_NOTICE_MEMBERSHIP_EXPIRING_DAYS"))
    if membership > 0:
        members = Member.objects.filter(
            status=MemberStatus.ACTIVE,
            expires_on__gt=today,
            expires_on__lte=today + dt.timedelta(days=membership),
        ).order_by("expires_on", "pk")
        for member in members.iterator(chunk_size=500):
            yield DueNotice(
                NoticeKind.MEMBERSHIP_EXPIRING,
                f"membership_expiring:member:{member.pk}:{member.expires_on:%Y%m%d}",
                member,
                {"expires_on": member.expires_on},
            )


def _batches(items: Iterable, size: int) -> Iterator[list]:
    batch: list = []
    for item in items:
        batch.append(item)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


def queue_due_notices(at: dt.datetime | None = None, *, dry_run: bool = False) -> NoticeRun:
    """Queue every notice due today (the library's day). Safe to run any number of times: a
    notice whose key exists is not queued again. With `dry_run`, count what would be queued."""
    from core.selectors import get_library

    at = at or timezone.now()
    zone = get_library().zone
    run = NoticeRun()
    for batch in _batches(due_notices(at, zone), 500):
        existing = set(
            Notice.objects.filter(key__in=[due.key for due in batch]).values_list("key", flat=True)
        )
        for due in batch:
            if due.key in existing:
                run.existing[due.kind] += 1
                continue
            if dry_run:
                run.queued[due.kind] += 1
                continue
            try:
                notice = queue(
                    due.member,
                    due.kind,
                    key=due.key,
                    context=due.context,
                    loan=due.loan,
                    hold=due.hold,
                )
            except Exception:  # noqa: BLE001 - one broken notice must not stop the others
                logger.exception("could not queue notice %s", due.key)
                run.failed[due.kind] += 1
                continue
            if notice is None:  # another run queued it in between
                run.existing[due.kind] += 1
            else:
                run.queued[due.kind] += 1
    return run


def requeue_stuck_notices(*, at: dt.datetime | None = None) -> int:
    """Hand QUEUED notices whose task was lost back to the worker. `deliver` claims each under
    a lock, so a notice whose first task is still pending is sent once all the same."""
    at = at or timezone.now()
    minutes = int(setting("PUSTAKA_NOTICE_REQUEUE_AFTER_MINUTES"))
    stuck = list(
        Notice.objects.filter(
            status=NoticeStatus.QUEUED, created_at__lt=at - dt.timedelta(minutes=minutes)
        ).values_list("pk", flat=True)
    )
    for notice_id in stuck:
        _enqueue_after_commit(notice_id)
    return len(stuck)


# ---------------------------------------------------------------------------------------------
# Staff: resend


def resend_key(notice: Notice) -> str:
    """The key of the copy that resends `notice`: one resend per notice (a second click, or
    two staff at once, cannot send it twice); a failed resend can itself be resent."""
    root = notice.key.split(RESEND_MARK, 1)[0]
    return f"{root}{RESEND_MARK}{notice.pk}"


@transaction.atomic
def resend(notice: Notice, *, staff, at: dt.datetime | None = None) -> Notice:
    """Send a failed, stuck or unsent notice again as a new notice (same text, the member's
    current address), audited. A still-queued original is withdrawn so it cannot go out too."""
    require(staff, "circulation.change_notice")
    at = at or timezone.now()
    original = Notice.objects.select_for_update().select_related("member").get(pk=notice.pk)
    if original.status not in RESENDABLE:
        raise NoticeNotResendableError(status=NoticeStatus(original.status).label)
    key = resend_key(original)
    if Notice.objects.filter(key=key).exists():
        raise NoticeAlreadyResentError()
    member = original.member
    channel_name = original.channel if original.channel in CHANNELS else channel_for(member)
    channel = get_channel(channel_name)
    recipient = channel.address(member)
    if not recipient:
        raise NoRecipientError(member=member.full_name, channel=str(channel.label))
    try:
        with transaction.atomic():
            copy = Notice.objects.create(
                member=member,
                kind=original.kind,
                key=key,
                channel=channel_name,
                language=original.language,
                recipient=recipient,
                subject=original.subject,
                body=original.body,
                status=NoticeStatus.QUEUED,
                created_at=at,
                loan_id=original.loan_id,
                hold_id=original.hold_id,
            )
    except IntegrityError as error:
        raise NoticeAlreadyResentError() from error
    if original.status == NoticeStatus.QUEUED:
        original.status = NoticeStatus.FAILED
        original.error = f"Withdrawn: resent as notice {copy.pk}."
        original.save(update_fields=["status", "error"])
    audit.record(
        "notice.resend",
        actor=staff,
        subject=member,
        details={"notice": original.pk, "resent_as": copy.pk, "kind": original.kind},
    )
    _enqueue_after_commit(copy.pk)
    return copy


# ---------------------------------------------------------------------------------------------
# Reads for the staff screen


def search_notices(
    *,
    kind: str = "",
    status: str = "",
    channel: str = "",
    member: str = "",
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
) -> QuerySet[Notice]:
    """Notices, newest first. `member` matches a member number exactly or a name in part;
    dates are the library's days (the current time zone)."""
    notices = Notice.objects.select_related("member")
    if kind:
        notices = notices.filter(kind=kind)
    if status:
        notices = notices.filter(status=status)
    if channel:
        notices = notices.filter(channel=channel)
    member = member.strip()
    if member:
        notices = notices.filter(
            Q(member__number__iexact=member) | Q(member__full_name__icontains=member)
        )
    zone = timezone.get_current_timezone()
    if date_from:
        notices = notices.filter(created_at__gte=_start_of(date_from, zone))
    if date_to:
        notices = notices.filter(created_at__lt=_start_of(date_to + dt.timedelta(days=1), zone))
    return notices.order_by("-created_at", "-pk")


def get_notice(pk: int) -> Notice | None:
    return (
        Notice.objects.select_related("member", "loan__item__record", "hold__record")
        .filter(pk=pk)
        .first()
    )


def resent_copy(notice: Notice) -> Notice | None:
    return Notice.objects.filter(key=resend_key(notice)).first()
