"""`pustaka sip2`: the SIP2 server for self-check kiosks, book returns and sorters."""

from __future__ import annotations

import asyncio
import contextlib
import signal

from django.core.management.base import BaseCommand

from sip2 import conf
from sip2.server import Sip2Server, tls_context

RETRY_SECONDS = 10


class Command(BaseCommand):
    help = "Run the SIP2 server (self-check kiosks, book returns, sorters)."

    def add_arguments(self, parser):
        parser.add_argument("--port", type=int, default=None, help="default: settings SIP2_PORT")
        parser.add_argument("--host", default=None, help="address to listen on (default 0.0.0.0)")
        parser.add_argument("--tls-cert", default=None)
        parser.add_argument("--tls-key", default=None)

    def handle(self, *args, port, host, tls_cert, tls_key, **options):
        cert, key = conf.tls_files()
        cert, key = tls_cert or cert, tls_key or key
        context = tls_context(cert, key) if cert and key else None
        server = Sip2Server(host=host, port=port, ssl_context=context)
        asyncio.run(self._run(server, context is not None))

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
