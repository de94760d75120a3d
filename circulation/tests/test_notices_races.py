"""Exactly once under real concurrency (PostgreSQL): two workers delivering one notice, and two
runs of the daily job at once."""

from __future__ import annotations

import datetime as dt
import threading
import time

import pytest
from django.db import connection

from circulation import notices
from circulation.models import Loan, Notice, NoticeKind, NoticeStatus
from circulation.tests.conftest import MONDAY
from circulation.tests.test_races import race

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="row-lock races need PostgreSQL"),
]


class SlowChannel:
    """Takes its time, so that a second worker would have every chance to send too."""

    name = "slow"
    label = "slow"

    def __init__(self) -> None:
        self.sent: list[int] = []
        self.lock = threading.Lock()

    def address(self, member) -> str:
        return member.email

    def send(self, notice) -> None:
        time.sleep(0.2)
        with self.lock:
            self.sent.append(notice.pk)


@pytest.fixture
def slow():
    channel = SlowChannel()
    notices.register_channel(channel)
    yield channel
    notices.CHANNELS.pop(channel.name, None)


def test_two_workers_delivering_one_notice_send_it_once(member, slow):
    notice = Notice.objects.create(
        member=member,
        kind=NoticeKind.MEMBERSHIP_EXPIRING,
        key="race:1",
        channel="slow",
        recipient=member.email,
        subject="s",
        body="b",
    )
    results, errors = race([lambda: notices.deliver(notice.pk) for _ in range(4)])
    assert errors == []
    assert sorted(results) == ["already handled"] * 3 + ["sent"]
    assert slow.sent == [notice.pk]
    notice.refresh_from_db()
    assert notice.status == NoticeStatus.SENT


def test_two_daily_jobs_at_once_queue_and_send_each_notice_once(
    make_member, make_item, branches, mailoutbox
):
    for n in range(10):
        member = make_member()
        Loan.objects.create(
            item=make_item(),
            member=member,
            member_category=member.category_id,
            branch=branches[0],
            due_at=MONDAY + dt.timedelta(days=1, hours=12),
            channel="desk",
        )
        member.expires_on = dt.date(2026, 12, 1 + n)
        member.save()
    results, errors = race([lambda: notices.queue_due_notices(MONDAY) for _ in range(3)])
    assert errors == []
    assert sum(sum(run.queued.values()) for run in results) == 20
    assert Notice.objects.count() == 20
    assert len(mailoutbox) == 20
    assert set(Notice.objects.values_list("status", flat=True)) == {NoticeStatus.SENT}
