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
deterministic event id; a malformed update from the agency system is refused with a reason (in
the answer to a push, or dead-lettered by the runtime) and the connector goes on past it to the
next one; an outage is a RetriableError and a permanent rejection a SkippableError. Those cases
call the connector's methods (and check polled records as the runtime does); one more,
``test_runs_through_the_runtime_between_inbox_and_outbox``, runs it as ``lapor-connect run``
does (``check()``, then :class:`ConnectorRuntime`) against a real Kafka broker: an assignment
produced on the agency's inbox reaches the agency system and is receipted, a malformed update
made there is refused (a dead letter with the reason, or the answer to the push), and the
follow-up made after it arrives on the agency's outbox. It is marked ``kafka`` and needs the fixture
``kafka_bootstrap`` (``host:port``); the hub's own tests provide it from their session broker,
an agency's project overrides it with the address of its test broker. The case creates the
agency's topics when they are missing and starts its consumer group at the end of the inbox.
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

from lapor_hub.connectors._runtime_case import AgencyTopics, reachable, run_on, running, wait_until
from lapor_hub.connectors.sdk.config import ConnectorConfig
from lapor_hub.connectors.sdk.connector import Connector, ConnectorContext
from lapor_hub.connectors.sdk.inbound import InboundServer
from lapor_hub.connectors.sdk.model import AgencyUpdate, Delivery
from lapor_hub.connectors.sdk.updates import update_value
from lapor_hub.connectors.sdk.vetting import sort_polled
from lapor_hub.errors import RetriableError, SkippableError
from lapor_hub.streams.directory import default_directory

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
        #: records refused with their reason, as the runtime would dead-letter them
        self.refused: list[tuple[Any, str]] = []
        #: the polling watermark, as the runtime would keep it for a connector with a ``cursor``
        self.after: Any = None
        self._lock = threading.Lock()
        super().__init__(config.id, config.agency, self._publish, logging.getLogger("lapor_hub.connectors.test"),
                         refuse=lambda record, reason: self.refused.append((record, reason)))

    def _publish(self, updates: Sequence[AgencyUpdate]) -> list[str]:
        values = [update_value(u, connector_id=self.connector_id, agency=self.agency) for u in updates]
        with self._lock:
            self.published.extend(zip(updates, values, strict=True))
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
    def record_malformed_update(self, tracking_id: str, update_id: str) -> str | None:
        """The agency system makes an update the hub cannot take (say, an unknown ``type``). Return
        the reason the agency was told at once (a push's 4xx answer), or None when the connector
        reads it later (the runtime then dead-letters it with the reason)."""

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
    def kafka_bootstrap(self, request) -> str:
        """``host:port`` of the Kafka broker the runtime case uses: the session's ``kafka_broker``."""
        try:
            return request.getfixturevalue("kafka_broker").bootstrap
        except pytest.FixtureLookupError:
            pytest.fail("the runtime case needs a Kafka broker: override the 'kafka_bootstrap' fixture "
                        "to return host:port of a broker for tests", pytrace=False)

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

    def test_a_malformed_update_is_refused_and_the_connector_goes_on(self, opened):
        connector, counterpart, context = opened
        _deliver(connector, [sample_delivery(connector.config.agency, "LPR-CONF-7")])
        told = counterpart.record_malformed_update("LPR-CONF-7", "agency-bad-1")
        taken = _collect(connector, context)
        reasons = [told] if told is not None else [reason for _, reason in context.refused]
        assert reasons and all(reasons), "a malformed update is refused with a reason"
        assert [u for u, _ in taken if u.record_type == "FollowUpRecorded"] == []
        counterpart.record_follow_up("LPR-CONF-7", "Sudah ditangani", "agency-update-7")
        refused_before = len(context.refused)
        follow_ups = [v for u, v in _collect(connector, context) if u.record_type == "FollowUpRecorded"]
        assert [v["note"] for v in follow_ups] == ["Sudah ditangani"], "the next update goes through"
        assert len(context.refused) == refused_before, "the malformed update is not read again"

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

    # -- the same connector run by the runtime, between real topics --------------------------

    @pytest.mark.kafka
    def test_runs_through_the_runtime_between_inbox_and_outbox(self, harness, kafka_bootstrap):
        connector, counterpart = harness
        run_on(connector, kafka_bootstrap)
        config = connector.config
        hub = AgencyTopics(kafka_bootstrap, config.agency)
        try:
            hub.start_group_at_the_end(config.consumer_group)
            tracking_id = f"LPR-RT-{uuid.uuid4().hex[:10].upper()}"
            connector.check()  # as `lapor-connect run` does before it starts the runtime
            with running(connector) as runtime:
                if runtime.inbound_port is not None:
                    counterpart.inbound_url = f"http://{reachable(config.inbound.host)}:{runtime.inbound_port}"
                event_id = hub.assign(sample_assignment(config.agency, tracking_id))
                wait_until(lambda: event_id in counterpart.held(), "the assignment at the agency system")
                receipt = hub.receipt(config.id, event_id)
                told = counterpart.record_malformed_update(tracking_id, f"rt-bad-{tracking_id}")
                # polled: the runtime dead-letters it and goes on (the follow-up below is the proof)
                letter = None if told is not None else hub.agency_system_dead_letter(config.id)
                counterpart.record_follow_up(tracking_id, "Petugas sudah meninjau lokasi", f"rt-{tracking_id}")
                headers, update = hub.outbox_update(tracking_id, "FollowUpRecorded")
            committed, inbox_end = hub.committed(config.consumer_group), hub.inbox_end()
        finally:
            hub.close()
        assert counterpart.held().count(event_id) == 1
        assert (receipt["status"], receipt["agency"]) == ("DELIVERED", config.agency)
        assert committed == inbox_end, "the runtime commits the inbox once the agency system accepted"
        assert update["note"] == "Petugas sudah meninjau lokasi"
        assert update["actor"] == update["agency"] == config.agency
        assert headers["ce_source"] == config.source and headers["ce_subject"] == tracking_id
        if letter is not None:  # polled: the runtime dead-lettered the malformed one and went on
            assert letter["reason"] and letter["stage"] == f"connector.{connector.type}"
        else:
            assert told, "a pushed malformed update is answered with the reason"


def _deliver(connector: Connector, batch: list[Delivery]) -> list:
    results = connector.deliver(batch)
    return [None] * len(batch) if results is None else list(results)


def _collect(connector: Connector, context: RecordingContext, *, acknowledge: bool = True) -> list:
    """What one poll publishes, checked record by record as the runtime does."""
    if not connector.polls():
        return context.drain()
    config = connector.config
    polled = sort_polled(connector.poll_from(context.after), cursor=connector.cursor, after=context.after,
                         value_of=lambda u: update_value(u, connector_id=config.id, agency=config.agency))
    if acknowledge:
        for record, error in polled.refused:  # as the runtime does after dead-lettering it
            context.refused.append((record, error.reason))
            connector.refused(record, error.reason)
        connector.acknowledge([update for update, _ in polled.taken])
        context.after = polled.after
    return polled.taken

