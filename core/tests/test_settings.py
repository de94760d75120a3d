"""Settings come from the environment: embedded default, PostgreSQL and Redis by variable."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from core.management.commands.serve import RQ_WORKER_ARGS

ROOT = Path(__file__).resolve().parents[2]

PROBE = """
import json, django
from django.conf import settings
django.setup()
db = settings.DATABASES["default"]
print(json.dumps({
    "engine": db["ENGINE"], "name": str(db["NAME"]), "options": db.get("OPTIONS", {}),
    "cache": settings.CACHES["default"]["BACKEND"], "sessions": settings.SESSION_ENGINE,
    "tasks": settings.TASKS["default"]["BACKEND"], "debug": settings.DEBUG,
    "hosts": settings.ALLOWED_HOSTS, "secret": settings.SECRET_KEY,
    "secure_cookie": settings.SESSION_COOKIE_SECURE, "apps": settings.INSTALLED_APPS,
}))
"""


def settings_with(tmp_path: Path, **env: str) -> dict:
    clean = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("DJANGO_", "PUSTAKA_")) and k not in {"DATABASE_URL", "REDIS_URL"}
    }
    clean.update(
        {"DJANGO_SETTINGS_MODULE": "config.settings.prod", "PUSTAKA_VAR_DIR": str(tmp_path)}
    )
    clean.update(env)
    out = subprocess.run(
        [sys.executable, "-c", PROBE],
        cwd=ROOT,
        env=clean,
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(out.stdout)


def test_embedded_default_is_sqlite_under_var_with_wal_and_immediate_writes(tmp_path):
    found = settings_with(tmp_path)
    assert found["engine"] == "django.db.backends.sqlite3"
    assert found["name"] == str(tmp_path / "db.sqlite3")
    assert found["options"]["transaction_mode"] == "IMMEDIATE"
    assert found["options"]["timeout"] >= 5
    assert "journal_mode=WAL" in found["options"]["init_command"]
    assert found["tasks"] == "core.task_backends.DatabaseBackend"
    assert found["sessions"] == "django.contrib.sessions.backends.db"
    assert found["debug"] is False
    assert found["hosts"] == ["localhost", "127.0.0.1", "[::1]"]
    assert found["secure_cookie"] is False


def test_secret_key_is_generated_once_and_kept(tmp_path):
    first = settings_with(tmp_path)["secret"]
    second = settings_with(tmp_path)["secret"]
    assert first == second and len(first) >= 50
    assert (tmp_path / "secret_key").stat().st_mode & 0o777 == 0o600
    assert settings_with(tmp_path, DJANGO_SECRET_KEY="from-env")["secret"] == "from-env"


def test_database_url_moves_to_postgresql(tmp_path):
    found = settings_with(tmp_path, DATABASE_URL="postgres://u:p@db.example:5432/pustaka")
    assert found["engine"] == "django.db.backends.postgresql"
    assert found["name"] == "pustaka"


def test_redis_url_moves_cache_sessions_and_tasks_to_redis(tmp_path):
    found = settings_with(tmp_path, REDIS_URL="redis://127.0.0.1:6379/3")
    assert found["cache"] == "django.core.cache.backends.redis.RedisCache"
    assert found["sessions"] == "django.contrib.sessions.backends.cache"
    assert found["tasks"] == "django_tasks_rq.RQBackend"
    assert "django_rq" in found["apps"]


def test_debug_hosts_and_https_follow_their_variables(tmp_path):
    found = settings_with(
        tmp_path,
        DJANGO_DEBUG="true",
        DJANGO_ALLOWED_HOSTS="perpustakaan.example.go.id, localhost",
        PUSTAKA_HTTPS="1",
    )
    assert found["debug"] is True
    assert found["hosts"] == ["perpustakaan.example.go.id", "localhost"]
    assert found["secure_cookie"] is True


def redis_is_up() -> bool:
    import socket

    try:
        socket.create_connection(("127.0.0.1", 6379), timeout=0.5).close()
    except OSError:
        return False
    return True


@pytest.mark.skipif(not redis_is_up(), reason="no Redis on 127.0.0.1:6379")
def test_with_redis_a_task_is_queued_and_run_by_the_rq_worker(tmp_path):
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("DJANGO_", "PUSTAKA_")) and k not in {"DATABASE_URL", "REDIS_URL"}
    }
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "config.settings.prod",
            "PUSTAKA_VAR_DIR": str(tmp_path),
            "REDIS_URL": "redis://127.0.0.1:6379/7",
        }
    )
    enqueue = (
        "import django; django.setup();"
        "from core.tasks import send_email;"
        "send_email.enqueue('Uji antrean', 'Isi', ['a@example.org'])"
    )
    subprocess.run([sys.executable, "-c", enqueue], cwd=ROOT, env=env, check=True)
    subprocess.run(
        [sys.executable, "manage.py", *RQ_WORKER_ARGS, "--burst"],  # as `pustaka serve` runs it
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
        timeout=60,
    )
    sent = list((tmp_path / "mail").iterdir())
    assert len(sent) == 1
    assert "Uji antrean" in sent[0].read_text()
