"""Background work of circulation (django-tasks; the immediate backend in tests, the database or
RQ worker in production). Enqueue after the transaction commits."""

from django_tasks import task


@task()
def send_notice(notice_id: int) -> str:
    from circulation.notices import deliver

    return deliver(notice_id)


@task()
def send_hold_ready_notice(hold_id: int) -> str:
    """Write and send the "ready for pickup" notice of a hold a check-in has just filled."""
    from circulation.notices import send_hold_ready

    return send_hold_ready(hold_id)


@task()
def queue_daily_notices() -> dict:
    """The daily notice job as a task (for a scheduler that enqueues tasks); cron runs the
    same job with `pustaka circulation_send_notices`. Running it twice queues nothing twice."""
    from circulation.notices import queue_due_notices, requeue_stuck_notices

    run = queue_due_notices()
    return {**run.as_dict(), "requeued": requeue_stuck_notices()}
