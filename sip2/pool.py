"""Several SIP2 server processes on one port (`pustaka sip2 --processes N`).

The ORM work of a message is Python under one interpreter lock, so one process uses one core
however many threads it has. The parent listens on the port and accepts; each connection goes,
as a file descriptor over a Unix socket pair, to the child process holding the fewest open
connections (kiosks keep their connection for hours, so balancing by count is balancing the
load). A connection then lives in one child for its whole life: its session (login, PIN checked
once, the last reply for a resend or an AY/AZ retry) stays in that child's memory, as with one
process. What the staff screen shows (open connections, today's counts) is written to the
database by each child (`sip2.server`). A child that dies is started again; the parent itself
does no database work for messages.
"""

from __future__ import annotations

import gc
import logging
import os
import selectors
import signal
import socket
import sys
import time
from collections.abc import Callable

from django.conf import settings
from django.db import connections

log = logging.getLogger("pustaka.sip2")

RESTART_PAUSE = 1.0  # seconds between restarts of a child that keeps dying


def default_processes() -> int:
    """One process per core the server may use, at most 4 (and 1 on a single core)."""
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        cores = os.cpu_count() or 1
    return max(1, min(cores, 4))


def share_process_cache(var_dir) -> None:
    """A per-process cache (LocMemCache, when Redis is not configured) would let each process
    count wrong PINs on its own, so a guesser spreading tries over the processes would get
    five tries per process before the lock. The processes share a file cache instead."""
    from asgiref.local import Local
    from django.core.cache import caches

    default = settings.CACHES.get("default", {})
    if not default.get("BACKEND", "").endswith("LocMemCache"):
        return
    settings.CACHES = {
        **settings.CACHES,
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(var_dir / "cache" / "sip2"),
        },
    }
    caches.__dict__.pop("settings", None)
    caches._settings = None
    caches._connections = Local(caches.thread_critical)


class Child:
    def __init__(self, pid: int, channel: socket.socket):
        self.pid = pid
        self.channel = channel
        self.open = 0


class Pool:
    """The parent: `run()` until `stop()` (a signal handler calls it)."""

    def __init__(
        self,
        listener: socket.socket,
        processes: int,
        child_main: Callable[[socket.socket], int],
        *,
        on_child_exit: Callable[[int], None] | None = None,
    ):
        self.listener = listener
        self.processes = processes
        self.child_main = child_main
        self.on_child_exit = on_child_exit
        self.children: dict[int, Child] = {}
        self.selector = selectors.DefaultSelector()
        self.stopping = False
        self._last_restart = 0.0

    def stop(self, *_args) -> None:
        self.stopping = True

    def _fork(self) -> None:
        parent_end, child_end = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        connections.close_all()  # a child must not share the parent's database connection
        sys.stdout.flush()
        sys.stderr.flush()
        # What the parent loaded (Django, the apps) stays shared with the children page for
        # page, instead of being copied when a child's garbage collector walks it.
        gc.freeze()
        pid = os.fork()
        if pid == 0:  # the child
            code = 1
            try:
                signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C: the parent stops us
                signal.signal(signal.SIGTERM, signal.SIG_DFL)
                self.selector.close()
                self.listener.close()
                parent_end.close()
                for other in self.children.values():
                    other.channel.close()
                code = self.child_main(child_end)
            except BaseException:
                log.exception("sip2: server process failed")
            finally:
                sys.stdout.flush()
                sys.stderr.flush()
                os._exit(code)
        child_end.close()
        child = Child(pid, parent_end)
        self.children[pid] = child
        self.selector.register(parent_end, selectors.EVENT_READ, child)

    def run(self) -> None:
        self.listener.setblocking(False)
        for _ in range(self.processes):
            self._fork()
        self.selector.register(self.listener, selectors.EVENT_READ, None)
        try:
            while not self.stopping:
                for key, _events in self.selector.select(timeout=0.5):
                    if key.data is None:
                        self._accept()
                    else:
                        self._from_child(key.data)
                self._reap()
        finally:
            self._shutdown()

    def _accept(self) -> None:
        while True:
            try:
                conn, _address = self.listener.accept()
            except (BlockingIOError, InterruptedError):
                return
            except OSError as error:  # e.g. out of file descriptors: try again later
                log.warning("sip2: accept failed: %s", error)
                return
            try:
                self._hand_over(conn)
            finally:
                conn.close()

    def _hand_over(self, conn: socket.socket) -> None:
        for child in sorted(self.children.values(), key=lambda c: c.open):
            try:
                socket.send_fds(child.channel, [b"c"], [conn.fileno()])
            except OSError:
                continue  # that child is going away; the next one
            child.open += 1
            return
        log.warning("sip2: no server process to take a connection")

    def _from_child(self, child: Child) -> None:
        try:
            data = child.channel.recv(64)
        except (BlockingIOError, InterruptedError):
            return
        except OSError:
            data = b""
        if data:
            child.open = max(0, child.open - data.count(b"-"))
            return
        self.selector.unregister(child.channel)  # the child is gone; _reap restarts it
        child.channel.close()

    def _reap(self) -> None:
        while True:
            try:
                pid, status = os.waitpid(-1, os.WNOHANG)
            except ChildProcessError:
                return
            if pid == 0:
                return
            child = self.children.pop(pid, None)
            if child is None:
                continue
            if child.channel.fileno() != -1:
                self.selector.unregister(child.channel)
                child.channel.close()
            if self.on_child_exit is not None:
                self.on_child_exit(pid)
            if not self.stopping:
                log.warning(
                    "sip2: server process %s ended (%s); starting another",
                    pid,
                    os.waitstatus_to_exitcode(status),
                )
                pause = RESTART_PAUSE - (time.monotonic() - self._last_restart)
                if pause > 0:
                    time.sleep(pause)
                self._last_restart = time.monotonic()
                self._fork()

    def _shutdown(self) -> None:
        self.selector.close()
        self.listener.close()
        for child in self.children.values():
            try:
                os.kill(child.pid, signal.SIGTERM)
            except ProcessLookupError:
                pass
        deadline = time.monotonic() + 15
        for pid in list(self.children):
            while time.monotonic() < deadline:
                done, _status = os.waitpid(pid, os.WNOHANG)
                if done:
                    break
                time.sleep(0.05)
            else:
                os.kill(pid, signal.SIGKILL)
                os.waitpid(pid, 0)
            self.children.pop(pid).channel.close()


def listen(host: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    return socket.create_server((host, port), family=family, backlog=256)
