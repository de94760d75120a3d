"""The SIP2 server: asyncio over TCP (optionally TLS), many kiosks on persistent connections.

Each connection reads frames (ended by CR, LF or CRLF; split across reads or several in one),
hands each to `acs.respond` in a thread pool (the ORM is synchronous; one transaction per
request), and writes the reply. A connection that says nothing for its account's timeout (the
one its 98 status reply advertises) is closed, as is one that sends a TLS hello to the plain
port, more than a frame's worth of bytes without a terminator, or a message before logging in.
A problem on one connection never touches another.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import ssl
from concurrent.futures import ThreadPoolExecutor

from django.db import DatabaseError, connections
from django.utils import timezone

from sip2 import acs, conf
from sip2.protocol import split_frames

log = logging.getLogger("pustaka.sip2")

MAX_FRAME = 64 * 1024
TLS_HANDSHAKE = 0x16


class Sip2Server:
    def __init__(
        self,
        *,
        host: str | None = None,
        port: int | None = None,
        ssl_context: ssl.SSLContext | None = None,
        threads: int | None = None,
        login_timeout: float | None = None,
        flush_every: float = 5.0,
        keep_connections: bool = True,
    ):
        self.host = host if host is not None else conf.host()
        self.port = port if port is not None else conf.port()
        self.ssl_context = ssl_context
        self.executor = ThreadPoolExecutor(
            max_workers=threads or conf.threads(), thread_name_prefix="sip2"
        )
        self.login_timeout = login_timeout if login_timeout is not None else conf.login_timeout()
        self.flush_every = flush_every
        self.keep_connections = keep_connections
        self.sessions: set[acs.Session] = set()
        self.tasks: set[asyncio.Task] = set()
        self.server: asyncio.base_events.Server | None = None
        self.zone = timezone.get_current_timezone()
        self._flusher: asyncio.Task | None = None

    async def start(self) -> None:
        self.server = await asyncio.start_server(
            self.handle, self.host, self.port, ssl=self.ssl_context, limit=MAX_FRAME
        )
        self.port = self.server.sockets[0].getsockname()[1]
        if self.flush_every:
            self._flusher = asyncio.create_task(self._flush_loop())
        log.info("SIP2 server listening on %s:%s", self.host, self.port)

    async def serve_forever(self) -> None:
        await self.start()
        async with self.server:
            await self.server.serve_forever()

    async def stop(self) -> None:
        if self._flusher is not None:
            self._flusher.cancel()
        if self.server is not None:
            self.server.close()
        await self.flush()
        for task in list(self.tasks):
            task.cancel()
        await asyncio.gather(*self.tasks, return_exceptions=True)
        if self.server is not None:
            await self.server.wait_closed()
        self.executor.shutdown(wait=True, cancel_futures=True)

    async def run_sync(self, function, *args):
        if self.keep_connections:
            return await asyncio.get_running_loop().run_in_executor(self.executor, function, *args)
        return await asyncio.get_running_loop().run_in_executor(
            self.executor, _closing, function, *args
        )

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        peer = writer.get_extra_info("peername")
        session = acs.Session(peer=f"{peer[0]}:{peer[1]}" if peer else "?", zone=self.zone)
        self.sessions.add(session)
        task = asyncio.current_task()
        self.tasks.add(task)
        buffer = b""
        first = True
        try:
            while not session.close:
                timeout = self._timeout(session)
                try:
                    chunk = await asyncio.wait_for(reader.read(4096), timeout)
                except TimeoutError:
                    log.info("sip2 %s: idle timeout", session.peer)
                    break
                if not chunk:
                    break
                if first and chunk[0] == TLS_HANDSHAKE and self.ssl_context is None:
                    # A TLS hello on the plain port (the `sip2` client probes): close, and it
                    # falls back to plain TCP on a new connection.
                    break
                first = False
                buffer += chunk
                frames, buffer = split_frames(buffer)
                if len(buffer) > MAX_FRAME:
                    log.info("sip2 %s: no terminator in %s bytes", session.peer, len(buffer))
                    break
                for frame in frames:
                    if acs.needs_database(session, frame):
                        reply = await self.run_sync(acs.respond, session, frame)
                    else:
                        reply = acs.respond(session, frame, database=False)
                    writer.write(reply)
                    await writer.drain()
                    if session.close:
                        break
        except (ConnectionError, asyncio.IncompleteReadError, ssl.SSLError):
            pass
        except Exception:
            log.exception("sip2 %s: connection failed", session.peer)
        finally:
            self.sessions.discard(session)
            self.tasks.discard(task)
            writer.close()
            with contextlib.suppress(Exception, asyncio.CancelledError):
                await self._record(session, closing=True)
            with contextlib.suppress(Exception):
                await writer.wait_closed()

    def _timeout(self, session: acs.Session) -> float | None:
        if session.account is None:
            return self.login_timeout or None
        return session.account.timeout_seconds or None

    # Activity for the staff screen -------------------------------------------------------

    async def _flush_loop(self) -> None:
        while True:
            await asyncio.sleep(self.flush_every)
            try:
                await self.flush()
            except Exception:
                log.exception("sip2: could not record activity")

    async def flush(self) -> None:
        for session in list(self.sessions):
            await self._record(session)

    async def _record(self, session: acs.Session, *, closing: bool = False) -> None:
        if session.account is None or (not session.counts and not closing):
            session.counts.clear()
            return
        counts, session.counts = session.counts, {}
        open_now = sum(
            1
            for other in self.sessions
            if other.account is not None and other.account.pk == session.account.pk
        )
        await self.run_sync(
            _save_activity,
            session.account.pk,
            session.peer,
            counts,
            open_now,
            session.last_code,
            self.zone,
        )


def _save_activity(
    account_id: int, peer: str, counts: dict, open_now: int, last: str, zone
) -> None:
    from django.db import transaction
    from django.db.models import F

    from sip2.models import SipAccount, SipDailyCount

    try:
        with transaction.atomic(), timezone.override(zone):
            today = timezone.localdate()
            updates = {"connections": open_now, "last_address": peer.rsplit(":", 1)[0]}
            if counts:
                updates |= {"last_seen_at": timezone.now(), "last_message": last}
            SipAccount.objects.filter(pk=account_id).update(**updates)
            for code, (count, errors) in counts.items():
                row, created = SipDailyCount.objects.get_or_create(
                    account_id=account_id,
                    day=today,
                    code=code,
                    defaults={"count": count, "errors": errors},
                )
                if not created:
                    SipDailyCount.objects.filter(pk=row.pk).update(
                        count=F("count") + count, errors=F("errors") + errors
                    )
    except DatabaseError:
        log.exception("sip2: could not record activity")


def _closing(function, *args):
    """For tests: give the thread's database connection back after each request."""
    try:
        return function(*args)
    finally:
        connections.close_all()


def tls_context(cert: str, key: str) -> ssl.SSLContext:
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    context.load_cert_chain(cert, key)
    return context
