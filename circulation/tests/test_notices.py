"""Notices: the daily job queues each notice exactly once, in the member's language, through
the member's channel; sending happens once however often a worker runs; staff can resend."""

from __future__ import annotations

import datetime as dt
import logging
import zoneinfo

import pytest
from django.core.management import call_command
from django.template.loader import get_template
from django.test import override_settings

from circulation import notices
from circulation.models import Hold, Loan, Notice, NoticeKind, NoticeStatus
from circulation.tests.conftest import MONDAY
from core.models import AuditEntry
from core.permissions import PermissionDeniedError

pytestmark = pytest.mark.django_db

WITA = zoneinfo.ZoneInfo("Asia/Makassar")


def due(day: dt.date) -> dt.datetime:
    """A due time as checkout sets it: the end of the library's day."""
    return dt.datetime.combine(day, dt.time(23, 59, 59), tzinfo=WITA)


@pytest.fixture
def lend(make_item, branches):
    def factory(member, due_on: dt.date, **extra) -> Loan:
        return Loan.objects.create(
            item=make_item(),
            member=member,
            member_category=member.category_id,
            branch=branches[0],
            due_at=due(due_on),
            checked_out_at=due(due_on) - dt.timedelta(days=14),
            channel="desk",
            **extra,
        )

    return factory


@pytest.fixture
def ready_hold(record, branches):
    def factory(member, *, deadline: dt.date, ready_at: dt.datetime) -> Hold:
        return Hold.objects.create(
            record=record,
            member=member,
            pickup_branch=branches[0],
            state="ready",
            queue_number=Hold.objects.filter(record=record).count() + 1,
            channel="web",
            ready_at=ready_at,
            pickup_deadline=deadline,
        )

    return factory


@pytest.fixture
def one_of_each(make_member, lend, ready_hold):
    """Monday 23 November 2026: one loan due Wednesday, three overdue by 1, 7 and 14 days, a
    hold to collect by tomorrow, a membership ending within 30 days; and things not due."""
    monday = dt.date(2026, 11, 23)
    lend(make_member("Ani"), monday + dt.timedelta(days=2))  # due soon
    lend(make_member("Budi"), monday - dt.timedelta(days=1))  # overdue, first notice
    lend(make_member("Citra"), monday - dt.timedelta(days=7))  # second notice
    lend(make_member("Dewi"), monday - dt.timedelta(days=14))  # third notice
    ready_hold(
        make_member("Eko"),
        deadline=monday + dt.timedelta(days=1),
        ready_at=MONDAY - dt.timedelta(days=3),
    )
    make_member("Fitri", expires_on=monday + dt.timedelta(days=20))
    # Not due: a loan due in three days, one due today, a returned overdue loan.
    lend(make_member("Gita"), monday + dt.timedelta(days=3))
    lend(make_member("Hadi"), monday)
    lend(make_member("Indra"), monday - dt.timedelta(days=5), state="returned")


def run_job(capture, at=MONDAY):
    with capture(execute=True):
        return notices.queue_due_notices(at)


def test_daily_job_queues_every_kind_once_and_a_second_run_sends_nothing(
    one_of_each, django_capture_on_commit_callbacks, mailoutbox
):
    first = run_job(django_capture_on_commit_callbacks)
    assert dict(first.queued) == {
        NoticeKind.DUE_SOON: 1,
        NoticeKind.OVERDUE_1: 1,
        NoticeKind.OVERDUE_2: 1,
        NoticeKind.OVERDUE_3: 1,
        NoticeKind.HOLD_EXPIRING: 1,
        NoticeKind.MEMBERSHIP_EXPIRING: 1,
    }
    assert len(mailoutbox) == 6
    by_member = {n.member.full_name: n.kind for n in Notice.objects.select_related("member")}
    assert by_member == {
        "Ani": "due_soon",
        "Budi": "overdue_1",
        "Citra": "overdue_2",
        "Dewi": "overdue_3",
        "Eko": "hold_expiring",
        "Fitri": "membership_expiring",
    }
    assert set(Notice.objects.values_list("status", flat=True)) == {NoticeStatus.SENT}

    second = run_job(django_capture_on_commit_callbacks)
    assert sum(second.queued.values()) == 0
    assert sum(second.existing.values()) == 6
    assert len(mailoutbox) == 6
    assert Notice.objects.count() == 6

    # Later the same day (a cron retry): still nothing new.
    run_job(django_capture_on_commit_callbacks, at=MONDAY + dt.timedelta(hours=9))
    assert len(mailoutbox) == 6


def test_overdue_notices_follow_each_other_on_the_configured_days(
    make_member, lend, django_capture_on_commit_callbacks, mailoutbox
):
    loan = lend(make_member(), dt.date(2026, 11, 22))
    kinds = []
    for offset in range(0, 20):
        at = MONDAY + dt.timedelta(days=offset)
        run = run_job(django_capture_on_commit_callbacks, at=at)
        kinds += [kind for kind, n in run.queued.items() for _ in range(n)]
    assert kinds == ["overdue_1", "overdue_2", "overdue_3"]
    keys = sorted(Notice.objects.filter(loan=loan).values_list("key", flat=True))
    assert keys == [
        f"overdue_1:loan:{loan.pk}:20261122",
        f"overdue_2:loan:{loan.pk}:20261122",
        f"overdue_3:loan:{loan.pk}:20261122",
    ]
    assert len(mailoutbox) == 3


@override_settings(PUSTAKA_NOTICE_OVERDUE_DAYS=(3, 10, 21), PUSTAKA_NOTICE_DUE_SOON_DAYS=0)
def test_notice_days_come_from_settings(make_member, lend, django_capture_on_commit_callbacks):
    lend(make_member(), dt.date(2026, 11, 22))  # 1 day overdue: not yet with 3
    lend(make_member(), dt.date(2026, 11, 25))  # due soon switched off
    assert sum(run_job(django_capture_on_commit_callbacks).queued.values()) == 0
    later = run_job(django_capture_on_commit_callbacks, at=MONDAY + dt.timedelta(days=2))
    assert dict(later.queued) == {"overdue_1": 1}


def test_a_loan_first_seen_long_overdue_gets_only_its_latest_notice():
    assert notices.overdue_stage(0, (1, 7, 14)) == 0
    assert notices.overdue_stage(1, (1, 7, 14)) == 1
    assert notices.overdue_stage(6, (1, 7, 14)) == 1
    assert notices.overdue_stage(7, (14, 1, 7)) == 2
    assert notices.overdue_stage(40, (1, 7, 14)) == 3


def test_a_renewed_loan_gets_a_due_soon_notice_for_its_new_date(
    make_member, lend, django_capture_on_commit_callbacks, mailoutbox
):
    loan = lend(make_member(), dt.date(2026, 11, 25))
    run_job(django_capture_on_commit_callbacks)
    loan.due_at = due(dt.date(2026, 12, 9))
    loan.save()
    run_job(django_capture_on_commit_callbacks, at=MONDAY + dt.timedelta(days=14))
    assert sorted(Notice.objects.values_list("key", flat=True)) == [
        f"due_soon:loan:{loan.pk}:20261125",
        f"due_soon:loan:{loan.pk}:20261209",
    ]
    assert len(mailoutbox) == 2


def test_a_hold_that_became_ready_today_gets_no_expiring_notice(
    make_member, ready_hold, django_capture_on_commit_callbacks
):
    ready_hold(make_member(), deadline=dt.date(2026, 11, 24), ready_at=MONDAY)
    assert sum(run_job(django_capture_on_commit_callbacks).queued.values()) == 0


def test_closed_memberships_get_no_expiry_notice(make_member, django_capture_on_commit_callbacks):
    make_member(expires_on=dt.date(2026, 12, 1), status="closed")
    assert sum(run_job(django_capture_on_commit_callbacks).queued.values()) == 0


def test_dry_run_counts_without_queueing(one_of_each):
    run = notices.queue_due_notices(MONDAY, dry_run=True)
    assert sum(run.queued.values()) == 6
    assert not Notice.objects.exists()


# ---------------------------------------------------------------------------------------------
# Language and text


@pytest.mark.parametrize(
    ("language", "words"),
    [("id", ["Rabu", "Desember"]), ("en", ["Wednesday", "December"])],
)
def test_notice_is_written_in_the_members_language(
    make_member, lend, language, words, django_capture_on_commit_callbacks, mailoutbox
):
    member = make_member("Rina Wulandari", preferred_language=language)
    lend(member, dt.date(2026, 12, 2))
    run_job(django_capture_on_commit_callbacks, at=MONDAY + dt.timedelta(days=8))
    notice = Notice.objects.get()
    assert notice.language == language
    for word in words:
        assert word in notice.body
    assert "Laskar pelangi" in notice.subject
    assert "Rina Wulandari" in notice.body
    assert mailoutbox[0].subject == notice.subject
    assert mailoutbox[0].to == [member.email]


@pytest.mark.parametrize(
    "kind", [k for k in NoticeKind if k != NoticeKind.RECEIPT], ids=lambda k: k.value
)
@pytest.mark.parametrize("language", ["id", "en"])
def test_every_kind_has_a_message_with_a_subject_line(
    kind, language, make_member, lend, ready_hold, library
):
    member = make_member(preferred_language=language)
    loan = lend(member, dt.date(2026, 11, 20))
    hold = ready_hold(member, deadline=dt.date(2026, 11, 24), ready_at=MONDAY)
    context = {
        **notices._loan_context(loan, WITA),
        "days_overdue": 3,
        "hold": hold,
        "expires_on": dt.date(2026, 12, 20),
    }
    context["branch"] = loan.branch
    subject, body = notices.render_notice(kind, member, context, channel="email")
    assert subject and "\n" not in subject
    assert member.full_name in body
    assert library.name in body
    assert "{{" not in body and "{%" not in body
    get_template(f"circulation/notices/{kind}.txt")


def test_overdue_notice_names_the_fine_and_the_last_one_the_price(
    make_member, lend, django_capture_on_commit_callbacks
):
    member = make_member(preferred_language="en")
    lend(member, dt.date(2026, 11, 9), rules={"fine_per_day": 1000, "max_fine": 20000})
    run_job(django_capture_on_commit_callbacks)
    body = Notice.objects.get().body
    assert "Rp\u00a050.000" in body  # the item's price (the make_item default)
    assert "14 days overdue" in body


# ---------------------------------------------------------------------------------------------
# Exactly once when sending


def test_delivering_one_notice_twice_sends_it_once(member, lend, mailoutbox):
    loan = lend(member, dt.date(2026, 11, 25))
    notice = notices.queue(
        member, NoticeKind.DUE_SOON, key="t:1", context=notices._loan_context(loan, WITA)
    )
    # Not committed-and-enqueued in this test transaction: the worker is simulated by hand.
    assert notices.deliver(notice.pk) == "sent"
    assert notices.deliver(notice.pk) == "already handled"
    assert len(mailoutbox) == 1
    notice.refresh_from_db()
    assert notice.status == NoticeStatus.SENT and notice.sent_at is not None


def test_queueing_the_same_key_twice_keeps_one_notice(member, lend):
    loan = lend(member, dt.date(2026, 11, 25))
    context = notices._loan_context(loan, WITA)
    first = notices.queue(member, NoticeKind.DUE_SOON, key="same", context=context)
    assert first is not None
    assert notices.queue(member, NoticeKind.DUE_SOON, key="same", context=context) is None
    assert Notice.objects.count() == 1


def test_a_restarted_worker_neither_loses_nor_duplicates_a_queued_notice(
    one_of_each, django_capture_on_commit_callbacks, mailoutbox
):
    # The job committed its notices but the worker died before running the tasks.
    notices.queue_due_notices(MONDAY)
    assert Notice.objects.filter(status=NoticeStatus.QUEUED).count() == 6
    assert mailoutbox == []
    # The job runs again (cron the next hour): nothing new is queued ...
    assert sum(notices.queue_due_notices(MONDAY + dt.timedelta(hours=1)).queued.values()) == 0
    # ... and the stuck ones go to the worker again, each sent once, even if handed over twice.
    with django_capture_on_commit_callbacks(execute=True):
        assert notices.requeue_stuck_notices(at=MONDAY + dt.timedelta(hours=2)) == 6
        notices.requeue_stuck_notices(at=MONDAY + dt.timedelta(hours=2))
    assert len(mailoutbox) == 6
    assert notices.requeue_stuck_notices(at=MONDAY + dt.timedelta(hours=3)) == 0


def test_a_transport_failure_is_recorded_for_staff(member, lend, mailoutbox, monkeypatch):
    loan = lend(member, dt.date(2026, 11, 25))
    notice = notices.queue(
        member, NoticeKind.DUE_SOON, key="t:fail", context=notices._loan_context(loan, WITA)
    )

    def refuse(self, notice):
        raise ConnectionRefusedError("SMTP server refused the connection")

    monkeypatch.setattr(notices.EmailChannel, "send", refuse)
    assert notices.deliver(notice.pk) == "failed"
    notice.refresh_from_db()
    assert notice.status == NoticeStatus.FAILED
    assert "refused" in notice.error
    assert notices.deliver(notice.pk) == "already handled"


def test_a_member_who_opted_out_of_email_is_recorded_not_sent(
    make_member, lend, django_capture_on_commit_callbacks, mailoutbox
):
    lend(make_member(notify_by_email=False), dt.date(2026, 11, 25))
    lend(make_member(email=""), dt.date(2026, 11, 25))
    run = run_job(django_capture_on_commit_callbacks)
    assert run.queued["due_soon"] == 2
    assert set(Notice.objects.values_list("status", flat=True)) == {NoticeStatus.SKIPPED}
    assert mailoutbox == []


# ---------------------------------------------------------------------------------------------
# Channels


class FakeSms:
    name = "fake_sms"
    label = "Fake SMS gateway"

    def __init__(self) -> None:
        self.sent: list[tuple[str, str]] = []

    def address(self, member) -> str:
        return member.phone

    def send(self, notice) -> None:
        self.sent.append((notice.recipient, notice.subject))


@pytest.fixture
def fake_sms():
    channel = FakeSms()
    notices.register_channel(channel)
    yield channel
    notices.CHANNELS.pop(channel.name, None)


def test_a_channel_must_implement_the_interface():
    class Incomplete:
        name = "broken"

    with pytest.raises(TypeError):
        notices.register_channel(Incomplete())
    assert isinstance(notices.CHANNELS["email"], notices.NoticeChannel)
    assert isinstance(notices.CHANNELS["log"], notices.NoticeChannel)


@override_settings(PUSTAKA_NOTICE_CHANNELS=("fake_sms", "email"))
def test_channel_is_chosen_per_member_in_the_configured_order(
    make_member, lend, fake_sms, django_capture_on_commit_callbacks, mailoutbox
):
    with_phone = make_member("Ponsel", phone="0812 3456 7890")
    email_only = make_member("Surel")
    lend(with_phone, dt.date(2026, 11, 25))
    lend(email_only, dt.date(2026, 11, 25))
    run_job(django_capture_on_commit_callbacks)
    assert Notice.objects.get(member=with_phone).channel == "fake_sms"
    assert Notice.objects.get(member=email_only).channel == "email"
    assert fake_sms.sent == [("0812 3456 7890", Notice.objects.get(member=with_phone).subject)]
    assert [m.to for m in mailoutbox] == [[email_only.email]]


def test_a_member_record_may_carry_its_own_channel(make_member, fake_sms):
    member = make_member(phone="0811")
    member.notice_channel = "fake_sms"  # once the member's preferences hold a channel
    assert notices.channel_for(member) == "fake_sms"
    member.notice_channel = "no_such_channel"
    assert notices.channel_for(member) == "email"


@override_settings(PUSTAKA_NOTICE_CHANNELS=("email", "log"))
def test_the_log_channel_writes_the_notice_to_the_log(
    make_member, lend, django_capture_on_commit_callbacks, caplog
):
    member = make_member("Tanpa Surel", email="", phone="0813")
    lend(member, dt.date(2026, 11, 25))
    with caplog.at_level(logging.INFO, logger="pustaka.notices"):
        run_job(django_capture_on_commit_callbacks)
    notice = Notice.objects.get()
    assert notice.channel == "log" and notice.recipient == "0813"
    assert notice.status == NoticeStatus.SENT
    assert "Laskar pelangi" in caplog.text and "0813" in caplog.text


def test_an_unknown_channel_is_a_clear_error(member):
    with pytest.raises(notices.UnknownChannelError) as raised:
        notices.queue(member, NoticeKind.MEMBERSHIP_EXPIRING, key="x", context={}, channel="fax")
    assert "fax" in str(raised.value)


# ---------------------------------------------------------------------------------------------
# Resend


@pytest.fixture
def staff_may_resend(db):
    from accounts.roles import sync_role_groups
    from circulation.notice_views import wire_up

    wire_up()
    sync_role_groups()


def failed_notice(member, lend) -> Notice:
    loan = lend(member, dt.date(2026, 11, 25))
    notice = notices.queue(
        member,
        NoticeKind.DUE_SOON,
        key=f"due_soon:loan:{loan.pk}:20261125",
        context=notices._loan_context(loan, WITA),
    )
    Notice.objects.filter(pk=notice.pk).update(status=NoticeStatus.FAILED, error="timeout")
    notice.refresh_from_db()
    return notice


def test_resending_a_failed_notice_sends_a_copy_once_and_is_audited(
    member, lend, librarian, staff_may_resend, django_capture_on_commit_callbacks, mailoutbox
):
    notice = failed_notice(member, lend)
    with django_capture_on_commit_callbacks(execute=True):
        copy = notices.resend(notice, staff=librarian)
    copy.refresh_from_db()
    assert copy.key == f"{notice.key}:resend:{notice.pk}"
    assert copy.body == notice.body and copy.status == NoticeStatus.SENT
    assert len(mailoutbox) == 1
    entry = AuditEntry.objects.get(action="notice.resend")
    assert entry.actor == librarian and entry.object_id == str(member.pk)
    assert entry.details == {"notice": notice.pk, "resent_as": copy.pk, "kind": "due_soon"}
    # A second click on the old notice does not send it again.
    with pytest.raises(notices.NoticeAlreadyResentError):
        notices.resend(notice, staff=librarian)
    # A sent notice is not resent.
    with pytest.raises(notices.NoticeNotResendableError):
        notices.resend(copy, staff=librarian)
    assert len(mailoutbox) == 1


def test_a_failed_resend_can_be_resent_under_its_own_key(member, lend, librarian, staff_may_resend):
    copy = notices.resend(failed_notice(member, lend), staff=librarian)
    Notice.objects.filter(pk=copy.pk).update(status=NoticeStatus.FAILED)
    copy.refresh_from_db()
    again = notices.resend(copy, staff=librarian)
    root = copy.key.split(":resend:")[0]
    assert again.key == f"{root}:resend:{copy.pk}"


def test_resending_a_stuck_queued_notice_withdraws_the_original(
    member, lend, librarian, staff_may_resend, django_capture_on_commit_callbacks, mailoutbox
):
    loan = lend(member, dt.date(2026, 11, 25))
    stuck = notices.queue(
        member, NoticeKind.DUE_SOON, key="stuck", context=notices._loan_context(loan, WITA)
    )
    with django_capture_on_commit_callbacks(execute=True):
        notices.resend(stuck, staff=librarian)
    stuck.refresh_from_db()
    assert stuck.status == NoticeStatus.FAILED and "resent" in stuck.error
    assert notices.deliver(stuck.pk) == "already handled"  # its old task, if it ever runs
    assert len(mailoutbox) == 1


def test_resend_needs_the_permission_and_an_address(
    make_member, lend, make_user, librarian, staff_may_resend
):
    cataloguer = make_user("katalog", roles={"cataloguer"})
    member = make_member()
    notice = failed_notice(member, lend)
    with pytest.raises(PermissionDeniedError):
        notices.resend(notice, staff=cataloguer)
    member.notify_by_email = False
    member.save()
    with pytest.raises(notices.NoRecipientError):
        notices.resend(notice, staff=librarian)
    assert Notice.objects.count() == 1


# ---------------------------------------------------------------------------------------------
# The command cron runs


def test_the_command_queues_once_and_reports(one_of_each, mailoutbox, capsys):
    at = MONDAY.astimezone(WITA).isoformat()
    call_command("circulation_send_notices", "--at", at, "--dry-run")
    assert "would queue 6 notices" in capsys.readouterr().out
    assert not Notice.objects.exists()
    call_command("circulation_send_notices", "--at", at)
    out = capsys.readouterr().out
    assert "queued 6 notices in all" in out and "Due soon: queued 1" in out
    call_command("circulation_send_notices", "--at", at)
    assert "queued 0 notices in all" in capsys.readouterr().out
    assert Notice.objects.count() == 6


def test_the_command_refuses_a_bad_date(library):
    from django.core.management import CommandError

    with pytest.raises(CommandError, match="not a date"):
        call_command("circulation_send_notices", "--at", "tomorrow")


def test_the_daily_task_runs_the_same_job(one_of_each, django_capture_on_commit_callbacks):
    import time_machine

    from circulation.tasks import queue_daily_notices

    with time_machine.travel(MONDAY, tick=False):
        result = queue_daily_notices.call()
    assert sum(result["queued"].values()) == 6
    assert Notice.objects.count() == 6
