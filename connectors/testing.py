"""A conformance suite for connector authors (pytest), plus sample hub records.

Subclass :class:`ConnectorConformance` and provide one fixture, ``harness``, returning the
connector (configured, not opened) and a :class:`Counterpart`: the agency system it talks to,
running for real in the test (a local HTTP server, a database, a folder), not a mock::

    class TestMyConnector(ConnectorConformance):
        @pytest.fixture
        def harness(self, tmp_path):
            city = MyCityServer.start()
            yield MyConnector(config_for(city.url)), city
            city.stop()

The suite checks: ``check()`` passes; a delivery reaches the agency system; a redelivery with
the same idempotency key is not stored twice; an agency follow-up becomes a valid
``FollowUpRecorded`` update (the suite first delivers the complaint it follows up) with a
deterministic event id; an outage is a RetriableError and a
permanent rejection a SkippableError.
"""

from __future__ import annotations

import logging
import threading
import uuid
from abc import ABC, abstractmethod
from collections.abc import Sequence
from datetime import datetime, timedelta, timezone
from typing import Any

import pytest

from lapor_hub.connectors.sdk.config import ConnectorConfig
from lapor_hub.connectors.sdk.connector import Connector, ConnectorContext
from lapor_hub.connectors.sdk.inbound import InboundServer
from lapor_hub.connectors.sdk.model import AgencyUpdate, Delivery
from lapor_hub.connectors.sdk.updates import update_value
from lapor_hub.streams.directory import default_directory
from lapor_hub.errors import RetriableError, SkippableError

__all__ = ["ConnectorConformance", "Counterpart", "RecordingContext", "sample_assignment", "sample_delivery"]


def sample_assignment(agency: str, tracking_id: str, *, event_id: str | None = None, **overrides: Any) -> dict:
    """A ComplaintDispositioned value as the hub sends it (privacy already applied)."""
    now = datetime.now(timezone.utc).replace(microsecond=0)
    value = {
        "event_id": event_id or str(uuid.uuid4()), "tracking_id": tracking_id, "occurred_at": now,
        "actor": "hub", "agency": {"code": agency, "name": default_directory().get(agency).name},
        "rule": "category-infrastructure", "reason": "jalan kabupaten adalah wewenang pemda", "hop": 0,
        "privacy": "PUBLIC", "title": "Jalan berlubang", "description": "Lubang besar di depan pasar",
        "content_hidden": False, "category": "infrastruktur.jalan",
        "location": {"region_code": agency if agency[:1].isdigit() else "31", "lat": -5.3582, "lon": 104.9747,
                     "address": "Jl. Ahmad Yani"},
        "attachments": [], "reporter": None, "submitted_at": now - timedelta(days=1),
        "due_at": now + timedelta(days=5),
    }
    value.update(overrides)
    return value


def sample_delivery(agency: str, tracking_id: str, *, event_id: str | None = None, **overrides: Any) -> Delivery:
    value = sample_assignment(agency, tracking_id, event_id=event_id, **overrides)
    return Delivery("ComplaintDispositioned", value, value["tracking_id"], value["event_id"])


class RecordingContext(ConnectorContext):
    """A context whose ``publish`` validates like the runtime does and records instead of sending."""

    def __init__(self, config: ConnectorConfig) -> None:
        self.published: list[tuple[AgencyUpdate, dict]] = []
        self._lock = threading.Lock()
        super().__init__(config.id, config.agency, self._publish, logging.getLogger("lapor_hub.connectors.test"))

    def _publish(self, updates: Sequence[AgencyUpdate]) -> list[str]:
        values = [update_value(u, connector_id=self.connector_id, agency=self.agency) for u in updates]
        with self._lock:
            self.published.extend(zip(updates, values))
        return [v["event_id"] for v in values]

    def drain(self) -> list[tuple[AgencyUpdate, dict]]:
        with self._lock:
            taken, self.published = self.published, []
        return taken


class Counterpart(ABC):
    """The agency system under test. ``inbound_url`` is set for push-style connectors."""

    inbound_url: str | None = None

    @abstractmethod
    def held(self) -> list[str]:
        """Idempotency keys (event ids) of the records the agency system holds, one per record."""

    @abstractmethod
    def record_follow_up(self, tracking_id: str, note: str, update_id: str) -> None:
        """The agency records a follow-up in its own system (or pushes it, push-style)."""

    @abstractmethod
    def go_down(self) -> None:
        """A temporary outage starts."""

    @abstractmethod
    def come_back(self) -> None: ...

    @abstractmethod
    def undeliverable(self, agency: str) -> Delivery:
        """A delivery this agency system refuses for good."""


class ConnectorConformance:
    """Subclass it; provide ``harness`` → (connector, counterpart)."""

    @pytest.fixture
    def harness(self) -> tuple[Connector, Counterpart]:  # pragma: no cover - subclasses provide it
        raise NotImplementedError("provide a 'harness' fixture returning (connector, counterpart)")

    @pytest.fixture
    def opened(self, harness):
        connector, counterpart = harness
        context = RecordingContext(connector.config)
        connector.open(context)
        server = None
        if connector.inbound_routes():
            server = InboundServer(connector.inbound_routes(), host="127.0.0.1", port=0)
            counterpart.inbound_url = f"http://127.0.0.1:{server.start()}"
        yield connector, counterpart, context
        if server is not None:
            server.stop()
        connector.close()

    # -- the contract ----------------------------------------------------------------------

    def test_check_passes(self, opened):
        connector, _, _ = opened
        assert connector.check() is None

    def test_delivery_reaches_the_agency_system(self, opened):
        connector, counterpart, _ = opened
        delivery = sample_delivery(connector.config.agency, "LPR-CONF-1")
        _deliver(connector, [delivery])
        assert counterpart.held() == [delivery.idempotency_key]

    def test_redelivery_is_idempotent(self, opened):
        connector, counterpart, _ = opened
        first = sample_delivery(connector.config.agency, "LPR-CONF-2")
        second = sample_delivery(connector.config.agency, "LPR-CONF-3")
        _deliver(connector, [first, second])
        _deliver(connector, [first, second])  # a crash before the commit: the same batch again
        assert sorted(counterpart.held()) == sorted([first.idempotency_key, second.idempotency_key])

    def test_follow_up_becomes_a_FollowUpRecorded_update(self, opened):
        connector, counterpart, context = opened
        _deliver(connector, [sample_delivery(connector.config.agency, "LPR-CONF-4")])
        counterpart.record_follow_up("LPR-CONF-4", "Petugas sudah meninjau lokasi", "agency-update-1")
        updates = _collect(connector, context)
        follow_ups = [(u, v) for u, v in updates if u.record_type == "FollowUpRecorded"]
        assert [u.tracking_id for u, _ in follow_ups] == ["LPR-CONF-4"], updates
        update, value = follow_ups[0]
        assert value["note"] == "Petugas sudah meninjau lokasi"
        assert value["actor"] == value["agency"] == connector.config.agency

    def test_event_ids_are_deterministic(self, opened):
        connector, counterpart, context = opened
        _deliver(connector, [sample_delivery(connector.config.agency, "LPR-CONF-5")])
        counterpart.record_follow_up("LPR-CONF-5", "Sedang diperbaiki", "agency-update-2")
        if connector.polls():
            first = [v["event_id"] for _, v in _collect(connector, context, acknowledge=False)]
            again = [v["event_id"] for _, v in _collect(connector, context)]
            assert first and first == again, "re-polling an update must give the same event id"
            assert _collect(connector, context) == [], "acknowledged updates must not come back"
        else:
            counterpart.record_follow_up("LPR-CONF-5", "Sedang diperbaiki", "agency-update-2")
            ids = [v["event_id"] for u, v in context.drain() if u.record_type == "FollowUpRecorded"]
            assert len(ids) == 2 and ids[0] == ids[1], "the same pushed update must get the same event id"

    def test_outage_is_retriable(self, opened):
        connector, counterpart, _ = opened
        delivery = sample_delivery(connector.config.agency, "LPR-CONF-6")
        counterpart.go_down()
        try:
            with pytest.raises(RetriableError):
                _deliver(connector, [delivery])
        finally:
            counterpart.come_back()
        _deliver(connector, [delivery])
        assert counterpart.held() == [delivery.idempotency_key]

    def test_permanent_rejection_is_skippable(self, opened):
        connector, counterpart, _ = opened
        with pytest.raises(SkippableError) as failure:
            _deliver(connector, [counterpart.undeliverable(connector.config.agency)])
        assert failure.value.reason


def _deliver(connector: Connector, batch: list[Delivery]) -> list:
    results = connector.deliver(batch)
    return [None] * len(batch) if results is None else list(results)


def _collect(connector: Connector, context: RecordingContext, *, acknowledge: bool = True) -> list:
    if not connector.polls():
        return context.drain()
    updates = list(connector.poll())
    values = [update_value(u, connector_id=connector.config.id, agency=connector.config.agency) for u in updates]
    if acknowledge:
        connector.acknowledge(updates)
    return list(zip(updates, values))
