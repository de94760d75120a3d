"""`pustaka sip2`: the SIP2 server for self-check kiosks, book returns and sorters.

With `--processes N` above 1 (the default on a machine with several cores) a parent process
accepts the connections and hands each to one of N server processes (`sip2.pool`)."""

from __future__ import annotations

import asyncio
import contextlib
import signal
import socket
import time

from django.conf import settings
from django.core.management.base import BaseCommand

from sip2 import conf
from sip2.server import Sip2Server, _forget_connections, tls_context

RETRY_SECONDS = 10


class Command(BaseCommand):
    help = "Run the SIP2 server (self-check kiosks, book returns, sorters)."

    def add_arguments(self, parser):
        parser.add_argument("--port", type=int, default=None, help="default: settings SIP2_PORT")
        parser.add_argument("--host", default=None, help="address to listen on (default 0.0.0.0)")
        parser.add_argument("--tls-cert", default=None)
        parser.add_argument("--tls-key", default=None)
        parser.add_argument(
            "--processes",
            type=int,
            default=None,
            help="server processes sharing the port (default: PUSTAKA_SIP2_PROCESSES, else one "
            "per core, at most 4)",
        )
        parser.add_argument(
            "--threads",
            type=int,
            default=None,
            help="database threads per process (default: PUSTAKA_SIP2_THREADS, else 3)",
        )

    def handle(self, *args, port, host, tls_cert, tls_key, processes, threads, **options):
        cert, key = conf.tls_files()
        cert, key = tls_cert or cert, tls_key or key
        context = tls_context(cert, key) if cert and key else None
        processes = processes or conf.processes()
        if processes <= 1:
            server = Sip2Server(host=host, port=port, ssl_context=context, threads=threads)
            asyncio.run(self._run(server, context is not None))
            return
        self._run_pool(
            host or conf.host(), port or conf.port(), context, processes, threads or conf.threads()
        )

    async def _run(self, server: Sip2Server, tls: bool) -> None:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for signum in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(signum, stop.set)
        while not stop.is_set():
            try:
                await server.start()
                break
            except OSError as error:
                # The port is taken (another Pustaka, an old server): keep the rest of
                # `pustaka serve` running and try again, saying why.
                self.stderr.write(f"SIP2 server cannot listen on port {server.port}: {error}")
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(stop.wait(), RETRY_SECONDS)
        if not stop.is_set():
            where = f"{server.host}:{server.port}" + (" (TLS)" if tls else "")
            self.stdout.write(f"SIP2 server on {where}")
            await stop.wait()
        await server.stop()
        self.stdout.write("SIP2 server stopped.")

    def _run_pool(self, host, port, context, processes: int, threads: int) -> None:
        from sip2.pool import Pool, listen, share_process_cache

        stopped = []

        def stop(*_args):
            stopped.append(True)
            if pool is not None:
                pool.stop()

        pool = None
        signal.signal(signal.SIGINT, stop)
        signal.signal(signal.SIGTERM, stop)
        listener = None
        while not stopped:
            try:
                listener = listen(host, port)
                break
            except OSError as error:  # the port is taken: say so, try again (as above)
                self.stderr.write(f"SIP2 server cannot listen on port {port}: {error}")
                deadline = time.monotonic() + RETRY_SECONDS
                while not stopped and time.monotonic() < deadline:
                    time.sleep(0.2)
        if listener is None:
            self.stdout.write("SIP2 server stopped.")
            return
        host_prefix = socket.gethostname()[:80] + ":"
        _forget_connections(host_prefix)  # nothing of an earlier run on this host is open
        share_process_cache(settings.VAR_DIR)

        def child_main(channel: socket.socket) -> int:
            server = Sip2Server(host=host, port=port, ssl_context=context, threads=threads)
            asyncio.run(self._run_child(server, channel))
            return 0

        pool = Pool(
            listener,
            processes,
            child_main,
            on_child_exit=lambda pid: _forget_connections(
                host_prefix, process=f"{host_prefix}{pid}"
            ),
        )
        where = f"{host}:{port}" + (" (TLS)" if context is not None else "")
        self.stdout.write(f"SIP2 server on {where}: {processes} processes, {threads} threads each")
        self.stdout.flush()
        if not stopped:
            pool.run()
        self.stdout.write("SIP2 server stopped.")

    async def _run_child(self, server: Sip2Server, channel: socket.socket) -> None:
        stop = asyncio.Event()
        asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, stop.set)
        await server.start(channel=channel)
        waiters = [asyncio.create_task(stop.wait()), asyncio.create_task(server.parent_gone.wait())]
        await asyncio.wait(waiters, return_when=asyncio.FIRST_COMPLETED)
        for waiter in waiters:
            waiter.cancel()
        await server.stop()
