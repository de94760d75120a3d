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
import os
import socket
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
        # Open-connection rows (SipConnection) of logged-in connections, and their accounts.
        self.rows: dict[acs.Session, int | None] = {}
        self.row_accounts: dict[acs.Session, int | None] = {}
        self.tasks: set[asyncio.Task] = set()
        self.server: asyncio.base_events.Server | None = None
        self.zone = timezone.get_current_timezone()
        self._flusher: asyncio.Task | None = None
        # Set when this process is one of a pool (`sip2.pool`): where its connections come from.
        self.channel: socket.socket | None = None
        self.parent_gone = asyncio.Event()
        # Names this process's rows of open connections (SipConnection.server).
        self.process_key = f"{socket.gethostname()[:80]}:{os.getpid()}"

    async def start(self, *, channel: socket.socket | None = None) -> None:
        """Listen on host:port; or, in a process of a pool (`sip2.pool`), take the connections
        the pool's parent accepted and passes over `channel`, and tell it when each ends."""
        if channel is None:
            self.server = await asyncio.start_server(
                self.handle, self.host, self.port, ssl=self.ssl_context, limit=MAX_FRAME
            )
            self.port = self.server.sockets[0].getsockname()[1]
            await self.run_sync(_forget_connections, self.process_key.split(":")[0] + ":")
        else:
            self.channel = channel
            channel.setblocking(False)
            asyncio.get_running_loop().add_reader(channel, self._receive)
        if self.flush_every:
            self._flusher = asyncio.create_task(self._flush_loop())
        log.info("SIP2 server listening on %s:%s", self.host, self.port)

    def _receive(self) -> None:
        """Connections passed by the pool's parent (one file descriptor per message)."""
        try:
            _data, fds, _flags, _address = socket.recv_fds(self.channel, 16, 1)
        except BlockingIOError:
            return
        except OSError:
            fds, _data = [], b""
        if not fds and not _data:
            # The parent is gone: stop taking connections (the command then stops).
            asyncio.get_running_loop().remove_reader(self.channel)
            self.parent_gone.set()
            return
        for fd in fds:
            sock = socket.socket(fileno=fd)
            task = asyncio.create_task(self._adopt(sock))
            self.tasks.add(task)
            task.add_done_callback(self.tasks.discard)

    async def _adopt(self, sock: socket.socket) -> None:
        loop = asyncio.get_running_loop()
        reader = asyncio.StreamReader(limit=MAX_FRAME, loop=loop)
        protocol = asyncio.StreamReaderProtocol(reader, self.handle, loop=loop)
        try:
            await loop.connect_accepted_socket(lambda: protocol, sock, ssl=self.ssl_context)
        except (OSError, ssl.SSLError, TimeoutError):
            sock.close()
            self._ended()

    def _ended(self) -> None:
        """Tell the pool's parent one connection of this process ended (it balances by count)."""
        if self.channel is not None:
            with contextlib.suppress(OSError):
                self.channel.send(b"-")

    async def serve_forever(self) -> None:
        await self.start()
        async with self.server:
            await self.server.serve_forever()

    async def stop(self) -> None:
        if self._flusher is not None:
            self._flusher.cancel()
        if self.server is not None:
            self.server.close()
        if self.channel is not None:
            with contextlib.suppress(Exception):
                asyncio.get_running_loop().remove_reader(self.channel)
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
                        account_id = session.account.pk if session.account else None
                        if account_id != self.row_accounts.get(session):
                            await self._track(session, account_id)
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
            self._ended()
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
        """Add this process's counts since the last flush to today's, and renew its open
        connections (one transaction for all its connections)."""
        entries = []
        for session in list(self.sessions):
            if session.account is not None and session.counts:
                counts, session.counts = session.counts, {}
                entries.append((session.account.pk, session.peer, counts, session.last_code))
            elif session.account is None:
                session.counts.clear()
        if entries or self.row_accounts:
            await self.run_sync(_save_activity, entries, self.process_key, None, self.zone)

    async def _record(self, session: acs.Session, *, closing: bool = False) -> None:
        """A connection ends: its last counts, and its open-connection row goes."""
        entries = []
        if session.account is not None and session.counts:
            counts, session.counts = session.counts, {}
            entries.append((session.account.pk, session.peer, counts, session.last_code))
        self.row_accounts.pop(session, None)
        row = self.rows.pop(session, None)
        if entries or row is not None:
            await self.run_sync(_save_activity, entries, None, row, self.zone)

    async def _track(self, session: acs.Session, account_id: int | None) -> None:
        """A login (or a failed login after a good one) changed the connection's account."""
        self.row_accounts[session] = account_id
        self.rows[session] = await self.run_sync(
            _set_connection, self.rows.get(session), account_id, self.process_key, session.peer
        )


def _set_connection(row: int | None, account_id: int | None, server: str, peer: str):
    from sip2.models import SipConnection

    if account_id is None:
        if row is not None:
            SipConnection.objects.filter(pk=row).delete()
        return None
    now = timezone.now()
    if row is not None and SipConnection.objects.filter(pk=row).update(
        account_id=account_id, seen_at=now
    ):
        return row
    return SipConnection.objects.create(
        account_id=account_id, server=server, peer=peer[:64], opened_at=now, seen_at=now
    ).pk


def _forget_connections(prefix: str, *, process: str = "") -> None:
    """The server starts (or one of its processes ended): no connection of a process on this
    host (`prefix` "host:"), or of that `process` ("host:pid"), is open any more."""
    from sip2.models import SipConnection

    rows = SipConnection.objects.filter(server=process) if process else SipConnection.objects
    try:
        rows.filter(server__startswith=prefix).delete()
    except DatabaseError:
        log.exception("sip2: could not clear old connections")


def _save_activity(entries: list, server: str | None, closed_row: int | None, zone) -> None:
    """Add counts to today's (`entries`: account, peer, {code: [count, errors]}, last code),
    renew the `seen_at` of the open connections of process `server`, and delete the row of a
    connection that ended. Several processes add to the same rows: increments, and a second
    creator of a day's row adds to the first's."""
    from django.db import IntegrityError, transaction
    from django.db.models import F

    from sip2.models import SipAccount, SipConnection, SipDailyCount

    merged: dict[int, dict[str, list[int]]] = {}
    last: dict[int, tuple[str, str]] = {}
    for account_id, peer, counts, last_code in entries:
        totals = merged.setdefault(account_id, {})
        for code, (count, errors) in counts.items():
            entry = totals.setdefault(code, [0, 0])
            entry[0] += count
            entry[1] += errors
        last[account_id] = (peer, last_code)
    try:
        with transaction.atomic(), timezone.override(zone):
            today, now = timezone.localdate(), timezone.now()
            if closed_row is not None:
                SipConnection.objects.filter(pk=closed_row).delete()
            if server is not None:
                SipConnection.objects.filter(server=server).update(seen_at=now)
            for account_id, (peer, last_code) in last.items():
                SipAccount.objects.filter(pk=account_id).update(
                    last_seen_at=now, last_message=last_code, last_address=peer.rsplit(":", 1)[0]
                )
            for account_id, totals in merged.items():
                for code, (count, errors) in totals.items():
                    rows = SipDailyCount.objects.filter(account_id=account_id, day=today, code=code)
                    add = {"count": F("count") + count, "errors": F("errors") + errors}
                    if rows.update(**add):
                        continue
                    try:
                        with transaction.atomic():
                            SipDailyCount.objects.create(
                                account_id=account_id,
                                day=today,
                                code=code,
                                count=count,
                                errors=errors,
                            )
                    except IntegrityError:  # another process created it meanwhile
                        rows.update(**add)
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
