"""SIP2 server settings: Django settings win, then the environment, then the defaults."""

from __future__ import annotations

from django.conf import settings

from config.env import env_int, env_str


def port() -> int:
    return int(getattr(settings, "SIP2_PORT", None) or env_int("PUSTAKA_SIP2_PORT", 6001))


def host() -> str:
    return getattr(settings, "SIP2_HOST", None) or env_str("PUSTAKA_SIP2_HOST", "0.0.0.0")  # noqa: S104


def tls_files() -> tuple[str, str]:
    cert = getattr(settings, "SIP2_TLS_CERT", None) or env_str("PUSTAKA_SIP2_TLS_CERT")
    key = getattr(settings, "SIP2_TLS_KEY", None) or env_str("PUSTAKA_SIP2_TLS_KEY")
    return cert, key


def login_timeout() -> int:
    """Seconds a connection may stay silent before it has logged in."""
    value = getattr(settings, "SIP2_LOGIN_TIMEOUT", None)
    return int(value or env_int("PUSTAKA_SIP2_LOGIN_TIMEOUT", 60))


def threads() -> int:
    """Database threads per server process."""
    return int(getattr(settings, "SIP2_THREADS", None) or env_int("PUSTAKA_SIP2_THREADS", 3))


def processes() -> int:
    """Server processes sharing the port; default: one per core, at most 4."""
    from sip2.pool import default_processes

    value = getattr(settings, "SIP2_PROCESSES", None) or env_int("PUSTAKA_SIP2_PROCESSES", 0)
    return int(value or default_processes())
