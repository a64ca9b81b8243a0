"""Real counterparts for the connectors: small agency systems served by aiohttp on loopback."""

from __future__ import annotations

import json
import threading

from aiohttp import web

from lapor_hub.connectors.sdk.inbound import InboundServer
from lapor_hub.connectors.sdk.signing import SIGNATURE_HEADER, SignatureError, verify

__all__ = ["WebhookAgency", "Open311City"]


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
        self.refused = 0  # requests answered with down_with
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
            self.refused += 1
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


class Open311City:
    """A city's GeoReport v2 server (JSON): services, requests, tokens; errors as [{code, description}]."""

    SERVICES = [
        {"service_code": "POTHOLE", "service_name": "Jalan berlubang", "type": "realtime", "metadata": True},
        {"service_code": "STREETLIGHT", "service_name": "Lampu jalan mati", "type": "realtime", "metadata": False},
    ]

    def __init__(self, api_key: str, jurisdiction: str = "kotabandung.go.id") -> None:
        self.api_key, self.jurisdiction = api_key, jurisdiction
        self.requests: dict[str, dict] = {}
        self.down = False
        self._clock = 0
        prefix = "/open311/v2"
        self._server = InboundServer([
            web.get(f"{prefix}/services.json", self._services),
            web.post(f"{prefix}/requests.json", self._create),
            web.get(f"{prefix}/requests.json", self._list),
            web.get(f"{prefix}/tokens/{{token}}.json", self._token),
        ], host="127.0.0.1", port=0)
        self.base_url = f"http://127.0.0.1:{self._server.start()}{prefix}/"

    def _error(self, status: int, description: str) -> web.Response:
        return web.json_response([{"code": status, "description": description}], status=status)

    def _gate(self, request: web.Request) -> web.Response | None:
        if self.down:
            return self._error(503, "service unavailable")
        if request.query.get("jurisdiction_id", self.jurisdiction) != self.jurisdiction:
            return self._error(404, "jurisdiction_id not found")
        return None

    async def _services(self, request: web.Request) -> web.Response:
        return self._gate(request) or web.json_response(self.SERVICES)

    async def _create(self, request: web.Request) -> web.Response:
        form = await request.post()
        refused = self._gate(request) or (None if form.get("jurisdiction_id") == self.jurisdiction
                                          else self._error(404, "jurisdiction_id not found"))
        if refused:
            return refused
        if form.get("api_key") != self.api_key:
            return self._error(403, "Invalid api_key")
        if form.get("service_code") not in {s["service_code"] for s in self.SERVICES}:
            return self._error(400, "service_code not found")
        service_request_id = f"BDG-{len(self.requests) + 1}"
        self.requests[service_request_id] = {
            "service_request_id": service_request_id, "status": "open", "status_notes": None,
            "service_code": form["service_code"], "description": form.get("description"),
            "lat": form.get("lat"), "long": form.get("long"), "address": form.get("address_string"),
            "attributes": {k[10:-1]: v for k, v in form.items() if k.startswith("attribute[")},
            "requested_datetime": self._now(), "updated_datetime": self._now()}
        return web.json_response([{"service_request_id": service_request_id, "service_notice": "Terima kasih"}],
                                 status=201)

    async def _list(self, request: web.Request) -> web.Response:
        refused = self._gate(request)
        if refused:
            return refused
        wanted = request.query.get("service_request_id")
        found = [r for r in self.requests.values() if not wanted or r["service_request_id"] in wanted.split(",")]
        return web.json_response([{k: v for k, v in r.items() if k != "attributes"} for r in found])

    async def _token(self, request: web.Request) -> web.Response:
        return self._error(404, "token not found")

    def update(self, service_request_id: str, status: str, notes: str) -> None:
        self.requests[service_request_id].update(status=status, status_notes=notes, updated_datetime=self._now())

    def by_tracking_id(self, tracking_id: str) -> dict:
        return next(r for r in self.requests.values() if r["attributes"]["lapor_tracking_id"] == tracking_id)

    def _now(self) -> str:
        self._clock += 1  # a strictly increasing change time: each change is a distinct update
        return f"2024-05-02T09:{self._clock // 60:02d}:{self._clock % 60:02d}+07:00"

    def stop(self) -> None:
        self._server.stop()
