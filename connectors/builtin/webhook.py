"""``webhook``: the agency runs an HTTP endpoint; updates come back to ours.

Out (hub → agency): each inbox event is POSTed as JSON to ``settings.url``::

    {"id": <event id>, "type": "ComplaintDispositioned", "tracking_id": ..., "agency": ...,
     "data": {...the record, timestamps as RFC 3339 UTC...}}

with ``Idempotency-Key: <event id>`` (the same on a redelivery: the agency must answer a
repeated key with success and not store it twice), ``X-Lapor-Event-Type`` and
``X-Lapor-Signature: t=<unix>,v1=<HMAC-SHA256(secret, t + "." + body)>``. The agency may answer
``{"reference": "<its own id>"}``. Status table: 2xx accepted; 408/425/429/5xx retried
(Retry-After honoured); 401/403 stop the connector (the secret or the grant is wrong); other
4xx dead-letter the event. ``check`` POSTs a signed ``{"type": "ping"}``.

In (agency → hub): the agency POSTs signed JSON to ``/updates`` on the connector's inbound
endpoint, one update or ``{"updates": [...]}``; each update is ``{"update_id", "type",
"tracking_id", "occurred_at", ...fields}`` (see :mod:`lapor_hub.connectors.sdk.updates`). Answers: 202
published, 400 not JSON, 401 bad or stale signature, 422 invalid update (nothing published; the
reason names the update and the field), 503 the hub is unreachable (retry later).
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator, Sequence
from urllib.parse import urlsplit

from aiohttp import web
from pydantic import Field, HttpUrl, SecretStr

from lapor_hub.connectors.sdk.config import ConnectorConfig, StrictModel
from lapor_hub.connectors.sdk.connector import Connector
from lapor_hub.connectors.sdk.http import HttpClient, HttpResponse
from lapor_hub.connectors.sdk.model import Delivery
from lapor_hub.connectors.sdk.outcomes import DeliveryOutcome
from lapor_hub.connectors.sdk.signing import SIGNATURE_HEADER, SignatureError, sign, verify
from lapor_hub.connectors.sdk.updates import InvalidUpdate, parse_update
from lapor_hub.errors import ConfigurationError, RetriableError, SkippableError

__all__ = ["WebhookConnector", "WebhookSettings"]

_MAX_UPDATES_PER_REQUEST = 100


class WebhookSettings(StrictModel):
    url: HttpUrl
    secret: SecretStr = Field(min_length=16, description="shared HMAC secret, both directions")
    timeout: float = Field(10.0, gt=0, le=120, description="seconds per request")
    replay_window: float = Field(300.0, gt=0, le=3600, description="max clock skew/age of a signed update")


class WebhookConnector(Connector):
    type = "webhook"
    Settings = WebhookSettings

    def __init__(self, config: ConnectorConfig, *, http: HttpClient | None = None) -> None:
        super().__init__(config, http=http)
        self._path = urlsplit(str(self.settings.url)).path or "/"

    def check(self) -> None:
        if self.config.inbound is None:
            raise ConfigurationError("inbound: missing; the agency posts its updates to this connector's "
                                     "/updates endpoint: add inbound: {host: 0.0.0.0, port: 8088}")
        body = json.dumps({"type": "ping", "connector_id": self.config.id, "agency": self.config.agency}).encode()
        try:
            answer = self._post(body, "ping", f"ping-{self.config.id}")
        except RetriableError as exc:
            # Down or unreachable may be temporary: `run` starts anyway and retries deliveries.
            raise RetriableError(f"settings.url: {exc}; check the URL and that the agency endpoint is up",
                                 retry_after=exc.retry_after) from None
        if answer.status in (401, 403):
            raise ConfigurationError(f"settings.url answered HTTP {answer.status} to a signed ping: the agency "
                                     "does not accept our signature; make settings.secret equal to the agency's")
        if self.outcome_for(answer.status) is DeliveryOutcome.RETRY:
            raise RetriableError(f"settings.url answered HTTP {answer.status} to a signed ping: the agency "
                                 "system is busy or down for now")
        if not 200 <= answer.status < 300:
            raise ConfigurationError(f"settings.url answered HTTP {answer.status} to a signed ping; "
                                     "the endpoint must answer 2xx to {\"type\": \"ping\"}")

    def deliver(self, batch: Sequence[Delivery]) -> Iterator[str | None]:
        for delivery in batch:
            body = json.dumps(delivery.as_json(), ensure_ascii=False, sort_keys=True).encode()
            answer = self._post(body, delivery.record_type, delivery.idempotency_key)
            self.raise_for_status(answer, what=f"POST {self._path}")
            yield answer.reference()

    def _post(self, body: bytes, event_type: str, key: str) -> HttpResponse:
        headers = {"Content-Type": "application/json; charset=utf-8", "Idempotency-Key": key,
                   "X-Lapor-Event-Type": event_type,
                   SIGNATURE_HEADER: sign(self.settings.secret.get_secret_value(), body)}
        return self.http.post(str(self.settings.url), body=body, headers=headers)

    def inbound_routes(self) -> list:
        return [web.post("/updates", self._receive)]

    async def _receive(self, request: web.Request) -> web.Response:
        body = await request.read()
        try:
            verify(self.settings.secret.get_secret_value(), body, request.headers.get(SIGNATURE_HEADER),
                   window=self.settings.replay_window)
        except SignatureError as exc:
            return _errors(401, str(exc))
        try:
            payload = json.loads(body)
        except ValueError:
            return _errors(400, "the body is not JSON")
        items = payload.get("updates") if isinstance(payload, dict) and "updates" in payload else (
            [payload] if isinstance(payload, dict) else payload)
        if not isinstance(items, list) or not items or len(items) > _MAX_UPDATES_PER_REQUEST:
            return _errors(422, "send one update object or {\"updates\": [...]} "
                                f"with 1 to {_MAX_UPDATES_PER_REQUEST} updates")
        try:
            updates = []
            for index, item in enumerate(items):
                if not isinstance(item, dict):
                    raise InvalidUpdate(f"update {index}: send a JSON object, not {type(item).__name__}")
                try:
                    updates.append(parse_update(item))
                except SkippableError as exc:
                    raise InvalidUpdate(f"update {index}: {exc.reason}") from None
            # publish checks every update first (all or nothing) and blocks on the broker's
            # acknowledgement: keep it off the event loop
            event_ids = await asyncio.get_running_loop().run_in_executor(None, self.publish, updates)
        except RetriableError:
            return _errors(503, "the hub is unreachable; send the same update again later", retry_after=5)
        except SkippableError as exc:
            # 422 malformed, 409 the hub can already tell it would refuse it (InvalidUpdate.status)
            return _errors(getattr(exc, "status", 422), exc.reason)
        return web.json_response({"accepted": len(event_ids), "event_ids": event_ids}, status=202)


def _errors(status: int, description: str, *, retry_after: int | None = None) -> web.Response:
    headers = {"Retry-After": str(retry_after)} if retry_after else None
    return web.json_response({"errors": [{"code": status, "description": description}]}, status=status,
                             headers=headers)
