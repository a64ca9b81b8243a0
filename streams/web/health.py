"""``GET /health``: is the worker up, and does the broker answer?"""

from __future__ import annotations

import asyncio

from faust.web import Request, Response, View

__all__ = ["install", "broker_reachable"]

_CONNECT_TIMEOUT_S = 1.0


async def broker_reachable(bootstrap: str) -> bool:
    """True when at least one bootstrap server accepts a TCP connection."""
    for server in bootstrap.split(","):
        host, _, port = server.strip().rpartition(":")
        try:
            _, writer = await asyncio.wait_for(asyncio.open_connection(host, int(port)), _CONNECT_TIMEOUT_S)
        except (OSError, asyncio.TimeoutError, ValueError):
            continue
        writer.close()
        return True
    return False


def install(hub) -> None:
    app = hub.app

    @app.page("/health")
    class Health(View):
        async def get(self, request: Request) -> Response:
            broker = await broker_reachable(hub.settings.broker)
            body = {"status": "ok" if broker else "degraded", "worker": "up",
                    "broker": "reachable" if broker else "unreachable"}
            return self.json(body, status=200 if broker else 503)
