"""Reading settings from the environment.

Every variable Pustaka reads is documented in `.env.example`. A `.env` file at the project root
(optional) is read first; real environment variables win over it.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent


def _load_dotenv(path: Path) -> None:
    if not path.is_file():
        return
    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not line or line.startswith("#") or "=" not in line:
            continue
        key, _, value = line.partition("=")
        key = key.strip().removeprefix("export ").strip()
        value = value.strip().strip("'\"")
        if value:
            os.environ.setdefault(key, value)


_load_dotenv(BASE_DIR / ".env")


def env_str(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None or value.strip() == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name, "").strip()
    return int(value) if value else default


def env_list(name: str, default: list[str]) -> list[str]:
    value = os.environ.get(name)
    if value is None or value.strip() == "":
        return default
    return [part.strip() for part in value.split(",") if part.strip()]


def var_dir() -> Path:
    """Where the embedded install keeps its state (database, media, secret key, mail)."""
    path = Path(env_str("PUSTAKA_VAR_DIR", str(BASE_DIR / "var")))
    path.mkdir(parents=True, exist_ok=True)
    return path


def secret_key() -> str:
    """DJANGO_SECRET_KEY if set; otherwise a key generated once and kept in var/secret_key."""
    configured = env_str("DJANGO_SECRET_KEY")
    if configured:
        return configured
    key_file = var_dir() / "secret_key"
    if not key_file.exists():
        key = secrets.token_urlsafe(50)
        # Create with owner-only permissions; O_EXCL so two processes starting at once agree.
        try:
            fd = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            pass
        else:
            with os.fdopen(fd, "w") as handle:
                handle.write(key)
    return key_file.read_text().strip()
