"""The inbound HTTP endpoint of a push-style connector: an aiohttp server in its own thread.

The runtime's main loop is synchronous (kafka-python); the agency's pushes arrive here and are
published through the thread-safe producer, so neither side waits for the other.
"""

from __future__ import annotations

import asyncio
import threading

from aiohttp import web

from lapor_hub.errors import ConfigurationError

__all__ = ["InboundServer"]


class InboundServer:
    def __init__(self, routes: list, *, host: str, port: int) -> None:
        self._app = web.Application(client_max_size=1024 * 1024)
        self._app.add_routes([*routes, web.get("/health", _health)])
        self._host, self._port = host, port
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self.port: int | None = None

    def start(self, timeout: float = 10.0) -> int:
        """Bind and serve; returns the port (useful with port 0)."""
        ready = threading.Event()
        failure: list[BaseException] = []

        def serve() -> None:
            loop = self._loop = asyncio.new_event_loop()
            asyncio.set_event_loop(loop)
            try:
                runner = loop.run_until_complete(self._bind())
            except BaseException as exc:  # reported to start() below
                failure.append(exc)
                ready.set()
                return
            ready.set()
            loop.run_forever()
            loop.run_until_complete(runner.cleanup())
            loop.close()

        self._thread = threading.Thread(target=serve, name="lapor-connect-inbound", daemon=True)
        self._thread.start()
        if not ready.wait(timeout):
            raise ConfigurationError(f"inbound endpoint on {self._host}:{self._port} did not start in {timeout:g} s")
        if failure:
            raise ConfigurationError(f"inbound: cannot listen on {self._host}:{self._port}: {failure[0]}; "
                                     "choose a free inbound.port") from failure[0]
        assert self.port is not None, "serve() sets ready without a failure only after _bind() set the port"
        return self.port

    async def _bind(self) -> web.AppRunner:
        runner = web.AppRunner(self._app, access_log=None)
        await runner.setup()
        await web.TCPSite(runner, self._host, self._port).start()
        self.port = runner.addresses[0][1]  # (host, port[, ...]) of the one site's first socket
        return runner

    def stop(self, timeout: float = 10.0) -> None:
        if self._loop is not None and self._thread is not None and self._thread.is_alive():
            self._loop.call_soon_threadsafe(self._loop.stop)
            self._thread.join(timeout)


async def _health(request: web.Request) -> web.Response:
    return web.json_response({"status": "ok"})
