"""``lapor-connect sandbox CONFIG``: try a connector and the agency system with nothing at stake.

No broker and no hub are involved and nothing is published: the sandbox plays the hub. It runs
the connector's ``check()`` (the webhook's signed ping), delivers one sample event of every inbox
kind (:mod:`lapor_hub.connectors.samples`, tracking id ``LPR-SANDBOX-…``, no personal data) and
the assignment a second time (a redelivery must be accepted and not stored twice), and shows what
the agency system answered. Then, for ``--wait`` seconds or until a valid update about the
sample complaint came, it takes the agency's updates as the connector would (a push-style
connector serves its endpoint on ``inbound``; a polling one is polled, without moving any
watermark) and says of each whether it was valid, with the reason when not. The summary is PASS
only when every step passed.
"""

from __future__ import annotations

import functools
import json
import time
import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

from lapor_hub.connectors.samples import sample_deliveries
from lapor_hub.connectors.sdk.connector import Connector, ConnectorContext
from lapor_hub.connectors.sdk.http import HttpClient, HttpResponse
from lapor_hub.connectors.sdk.inbound import InboundServer
from lapor_hub.connectors.sdk.model import AgencyUpdate, Delivery
from lapor_hub.connectors.sdk.updates import update_value
from lapor_hub.connectors.sdk.vetting import check_pushed, record_id, sort_polled
from lapor_hub.errors import HubError

__all__ = ["Sandbox", "SandboxReport"]


@dataclass
class SandboxReport:
    lines: list[tuple[bool, str]] = field(default_factory=list)

    def add(self, passed: bool, text: str) -> None:
        self.lines.append((passed, text))

    @property
    def passed(self) -> bool:
        return bool(self.lines) and all(ok for ok, _ in self.lines)


class _AnswerLog(HttpClient):
    """The connector's HTTP client, keeping the last answer so the sandbox can show it."""

    def __init__(self, inner: HttpClient) -> None:
        super().__init__(timeout=inner.timeout, user_agent=inner.user_agent)
        self.inner = inner
        self.last: HttpResponse | None = None

    def request(self, method: str, url: str, **kwargs: Any) -> HttpResponse:
        self.last = None
        self.last = self.inner.request(method, url, **kwargs)
        return self.last


class Sandbox:
    def __init__(self, connector: Connector, *, wait: float = 30.0, echo: Callable[[str], None] = print) -> None:
        self.connector, self.wait, self.echo = connector, wait, echo
        self.report = SandboxReport()
        self.tracking_id = f"LPR-SANDBOX-{uuid.uuid4().hex[:8].upper()}"
        self._valid: list[AgencyUpdate] = []
        self._seen_refused: set[str] = set()

    def run(self) -> SandboxReport:
        connector = self.connector
        answers = connector.http = _AnswerLog(connector.http)
        config = connector.config
        self.echo(f"sandbox: {config.type} connector {config.id!r} for agency {config.agency}; nothing is published")
        self._step("check (the webhook's signed ping)" if connector.type == "webhook" else "check", connector.check,
                   answers)
        connector.open(ConnectorContext(config.id, config.agency, self._publish, refuse=self._refused))
        server = None
        try:
            routes = connector.inbound_routes()
            if routes and config.inbound is not None:
                server = InboundServer(routes, host=config.inbound.host, port=config.inbound.port,
                                       middlewares=(self._watch_pushes,))
                port = server.start()
                self.echo(f"  listening for updates on http://{config.inbound.host}:{port}/updates")
            if connector.delivers():
                self._deliver_samples(answers)
            self._take_updates()
        finally:
            if server is not None:
                server.stop()
            connector.close()
        ok = self.report.passed
        failed = sum(1 for passed, _ in self.report.lines if not passed)
        self.echo(f"{'PASS' if ok else 'FAIL'}: {len(self.report.lines) - failed} passed, {failed} failed")
        return self.report

    # -- steps ---------------------------------------------------------------------------

    def _line(self, passed: bool, text: str) -> None:
        self.report.add(passed, text)
        self.echo(f"  {'ok  ' if passed else 'FAIL'} {text}")

    def _step(self, what: str, action: Callable[[], Any], answers: _AnswerLog) -> Any:
        try:
            result = action()
        except HubError as exc:
            self._line(False, f"{what}: {_answered(answers)}{type(exc).__name__}: {exc}")
            return None
        self._line(True, f"{what}: {_answered(answers) or 'done'}".rstrip(", "))
        return result

    def _deliver_samples(self, answers: _AnswerLog) -> None:
        deliveries = sample_deliveries(self.connector.config.agency, self.tracking_id)
        self.echo(f"  delivering one sample of every kind about {self.tracking_id}:")
        for number, delivery in enumerate([*deliveries, deliveries[0]]):
            again = " again (a redelivery: accept it, do not store it twice)" if number == len(deliveries) else ""
            self._step(f"{delivery.record_type}{again}", functools.partial(self._deliver_one, delivery), answers)

    def _deliver_one(self, delivery: Delivery) -> list[str | None]:
        return list(self.connector.deliver([delivery]) or [])

    def _take_updates(self) -> None:
        connector = self.connector
        pushes = bool(connector.inbound_routes())
        if not pushes and not connector.polls():
            return
        self.echo(f"  waiting up to {self.wait:g} s for an update about {self.tracking_id} from the agency system "
                  "(it may send any update it likes; none is published)")
        deadline = time.monotonic() + self.wait
        while time.monotonic() < deadline and not any(u.tracking_id == self.tracking_id for u in self._valid):
            if connector.polls():
                self._poll_once()
            time.sleep(1.0)
        if not any(u.tracking_id == self.tracking_id for u in self._valid):
            self._line(False, f"no valid update about {self.tracking_id} came in {self.wait:g} s: let the agency "
                              "system answer the sample assignment (ComplaintAccepted or FollowUpRecorded)")

    def _poll_once(self) -> None:
        try:
            polled = sort_polled(self.connector.poll_from(None), cursor=self.connector.cursor, after=None,
                                 value_of=self._value_of)
        except HubError as exc:
            self._line(False, f"poll: {type(exc).__name__}: {exc}")
            return
        for record, error in polled.refused:  # polled again each second: report each record once
            if record_id(record) not in self._seen_refused:
                self._seen_refused.add(record_id(record))
                self._refused(record, error.reason)
        for update, _ in polled.taken:
            if update.update_id not in {u.update_id for u in self._valid}:
                self._line(True, f"update {update.record_type} about {update.tracking_id}: valid")
                self._valid.append(update)

    # -- the hub's side -----------------------------------------------------------------

    def _value_of(self, update: AgencyUpdate) -> dict[str, Any]:
        return update_value(update, connector_id=self.connector.config.id, agency=self.connector.config.agency)

    def _publish(self, updates: Sequence[AgencyUpdate]) -> list[str]:
        checked = check_pushed(updates, value_of=self._value_of)  # InvalidUpdate: answered 422 by the route
        for update, _ in checked:
            self._line(True, f"update {update.record_type} about {update.tracking_id}: valid")
            self._valid.append(update)
        return [value["event_id"] for _, value in checked]

    def _refused(self, record: Any, reason: str) -> None:
        kind = record.get("type") if isinstance(record, Mapping) else getattr(record, "record_type", "?")
        self._line(False, f"update {kind!r} refused: {reason}")

    @web.middleware
    async def _watch_pushes(self, request: web.Request, handler) -> web.StreamResponse:
        response = await handler(request)
        if request.path != "/health" and response.status >= 400:
            self._line(False, f"{request.method} {request.path} answered {response.status}: {_reason(response)}")
        return response


def _answered(answers: _AnswerLog) -> str:
    last = answers.last
    return f"the agency system answered HTTP {last.status}, " if last is not None else ""


def _reason(response: web.StreamResponse) -> str:
    body = getattr(response, "body", None)
    try:
        return "; ".join(e["description"] for e in json.loads(body)["errors"])  # type: ignore[arg-type]
    except (TypeError, ValueError, KeyError):
        return "see the connector's documentation"

