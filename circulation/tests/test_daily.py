"""The daily work: suspended holds come back, uncollected ones expire, running twice is safe."""

import datetime as dt

import pytest
import time_machine
from django.core.management import call_command

from circulation import services
from circulation.daily import run_daily
from circulation.tests.conftest import MONDAY
from core.scheduling import JOBS, next_run

pytestmark = pytest.mark.django_db


def test_a_suspension_ends_and_the_hold_rejoins_the_queue(record, item, member, branches):
    hold = services.place_hold(record, member, pickup_branch=branches[0])
    services.suspend_hold(hold, until=dt.date(2026, 11, 25))
    with time_machine.travel(MONDAY + dt.timedelta(days=2), tick=False):
        assert run_daily()["holds_resumed"] == 0  # still the 25th
    with time_machine.travel(MONDAY + dt.timedelta(days=3), tick=False):
        first = run_daily()
        second = run_daily()
    hold.refresh_from_db()
    assert hold.state == "waiting"
    assert first["holds_resumed"] == 1 and second["holds_resumed"] == 0


def test_scheduler_runs_every_job_once_on_request(library, capsys):
    call_command("scheduler", "--once")
    assert "circulation:" in capsys.readouterr().out


def test_next_run_is_today_or_tomorrow_at_the_jobs_time():
    job = JOBS[0]
    zone = dt.timezone(dt.timedelta(hours=8))
    early = dt.datetime(2026, 11, 23, 6, 0, tzinfo=zone)
    late = dt.datetime(2026, 11, 23, 9, 0, tzinfo=zone)
    assert next_run(job, early).date() == dt.date(2026, 11, 23)
    assert next_run(job, late).date() == dt.date(2026, 11, 24)
