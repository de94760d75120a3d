"""`pustaka serve`: the web server (gunicorn, static files by WhiteNoise, compressed responses),
the background task worker and the scheduler (daily and interval jobs), side by side. Ctrl-C
stops them all.

Later capabilities that run their own process (the SIP2 server) add themselves to
`extra_processes()`.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

from django.conf import settings
from django.core.management.base import BaseCommand

from config.env import BASE_DIR


def _pustaka(*args: str) -> list[str]:
    return [sys.executable, str(BASE_DIR / "manage.py"), *args]


# The RQ worker must build jobs with django-tasks-rq's Job class, or it cannot run our tasks.
RQ_WORKER_ARGS = ["rqworker", "default", "--job-class", "django_tasks_rq.Job"]
DB_WORKER_ARGS = ["db_worker", "--queue-name", "*", "--no-reload"]


def worker_command() -> list[str]:
    if settings.REDIS_URL:
        return _pustaka(*RQ_WORKER_ARGS, "--with-scheduler")
    return _pustaka(*DB_WORKER_ARGS)


def web_command(bind: str, workers: int, threads: int) -> list[str]:
    return [
        sys.executable,
        "-m",
        "gunicorn",
        "config.wsgi:application",
        "--bind",
        bind,
        "--workers",
        str(workers),
        "--threads",
        str(threads),
        "--worker-class",
        "gthread",
        "--graceful-timeout",
        "10",
        "--access-logfile",
        "-",
        "--forwarded-allow-ips",
        os.environ.get("PUSTAKA_FORWARDED_ALLOW_IPS", "127.0.0.1"),
    ]


def extra_processes() -> dict[str, list[str]]:
    """The SIP2 server for self-check kiosks (port from SIP2_PORT / PUSTAKA_SIP2_PORT, 6001),
    unless PUSTAKA_SIP2=off."""
    if os.environ.get("PUSTAKA_SIP2", "on").strip().lower() in {"0", "off", "false", "no"}:
        return {}
    return {"sip2": _pustaka("sip2")}


class Command(BaseCommand):
    help = "Serve Pustaka (gunicorn) with its background task worker. Ctrl-C stops everything."

    def add_arguments(self, parser):
        parser.add_argument("--bind", default=settings.PUSTAKA_BIND, help="host:port to listen on")
        parser.add_argument("--workers", type=int, default=settings.PUSTAKA_WEB_WORKERS)
        parser.add_argument("--threads", type=int, default=settings.PUSTAKA_WEB_THREADS)
        parser.add_argument("--no-worker", action="store_true", help="Do not start the task worker")
        parser.add_argument(
            "--no-scheduler",
            action="store_true",
            help="Do not start the scheduler (when cron runs the jobs instead)",
        )

    def handle(
        self,
        *args,
        bind: str,
        workers: int,
        threads: int,
        no_worker: bool,
        no_scheduler: bool,
        **options,
    ):
        commands = {"web": web_command(bind, workers, threads)}
        if not no_worker:
            commands["worker"] = worker_command()
        if not no_scheduler:
            commands["scheduler"] = _pustaka("scheduler")
        commands.update(extra_processes())

        env = dict(os.environ)
        children: dict[str, subprocess.Popen] = {}
        for name, command in commands.items():
            children[name] = subprocess.Popen(command, cwd=BASE_DIR, env=env)

        stopping = False

        def stop(signum=None, frame=None) -> None:
            nonlocal stopping
            if stopping:
                return
            stopping = True
            for child in children.values():
                if child.poll() is None:
                    child.send_signal(signal.SIGTERM)

        signal.signal(signal.SIGINT, stop)
        signal.signal(signal.SIGTERM, stop)

        exit_code = 0
        try:
            while True:
                for name, child in children.items():
                    code = child.poll()
                    if code is not None and not stopping:
                        self.stderr.write(f"{name} stopped (exit code {code}); stopping the rest.")
                        exit_code = code or 1
                        stop()
                if all(child.poll() is not None for child in children.values()):
                    break
                time.sleep(0.2)
        finally:
            deadline = time.monotonic() + 15
            for child in children.values():
                remaining = max(0.1, deadline - time.monotonic())
                try:
                    child.wait(timeout=remaining)
                except subprocess.TimeoutExpired:
                    child.kill()
        if exit_code:
            sys.exit(exit_code)
        self.stdout.write("Pustaka stopped.")
