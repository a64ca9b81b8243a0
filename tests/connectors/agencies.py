"""Real counterparts for the connectors: small agency systems served by aiohttp on loopback."""

from __future__ import annotations

import json
import threading

from aiohttp import web

from connectors.sdk.inbound import InboundServer
from connectors.sdk.signing import SIGNATURE_HEADER, SignatureError, verify

__all__ = ["WebhookAgency"]


class WebhookAgency:
    """An agency's case-management app receiving LAPOR assignments by webhook.

    It verifies the signature and the replay window, dedupes on Idempotency-Key as the webhook
    contract asks, stores one case per key and can be made to fail for a while.
    """

    def __init__(self, secret: str) -> None:
        self.secret = secret
        self.cases: dict[str, dict] = {}  # idempotency key → body, first arrival order
        self.posts: list[tuple[str, str]] = []  # (idempotency key, tracking id) of every accepted POST
        self.rejected_signatures = 0
        self.down_with: int | None = None
        self.retry_after: str | None = None
        self._lock = threading.Lock()
        self._server = InboundServer([web.post("/lapor/assignments", self._receive)], host="127.0.0.1", port=0)
        self.url = f"http://127.0.0.1:{self._server.start()}/lapor/assignments"

    async def _receive(self, request: web.Request) -> web.Response:
        body = await request.read()
        try:
            verify(self.secret, body, request.headers.get(SIGNATURE_HEADER), window=60)
        except SignatureError:
            self.rejected_signatures += 1
            return web.json_response({"error": "bad signature"}, status=401)
        if self.down_with is not None:
            headers = {"Retry-After": self.retry_after} if self.retry_after else None
            return web.json_response({"error": "maintenance"}, status=self.down_with, headers=headers)
        payload = json.loads(body)
        if payload.get("type") == "ping":
            return web.json_response({"pong": True})
        if payload["tracking_id"].startswith("REJECT"):
            return web.json_response({"error": "unknown category"}, status=422)
        key = request.headers["Idempotency-Key"]
        with self._lock:
            self.posts.append((key, payload["tracking_id"]))
            self.cases.setdefault(key, payload)
            reference = f"CASE-{list(self.cases).index(key) + 1}"
        return web.json_response({"reference": reference})

    def stop(self) -> None:
        self._server.stop()
