"""Who is asking and from where, for the audit log, without passing the request into services.

`core.middleware.RequestContextMiddleware` sets it for each web request; the SIP2 server and
commands set their own with `request_context(...)`.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from contextvars import ContextVar
from dataclasses import dataclass


@dataclass(frozen=True)
class RequestMeta:
    ip_address: str | None = None
    user_agent: str = ""
    path: str = ""


_NO_REQUEST = RequestMeta()
_current: ContextVar[RequestMeta] = ContextVar("pustaka_request_meta", default=_NO_REQUEST)  # noqa: B039


def current_request_meta() -> RequestMeta:
    return _current.get()


@contextlib.contextmanager
def request_context(meta: RequestMeta) -> Iterator[None]:
    token = _current.set(meta)
    try:
        yield
    finally:
        _current.reset(token)
