"""The hub's side of the conformance suite's runtime case (:mod:`lapor_hub.connectors.testing`).

The case runs a connector the way ``lapor-connect run`` does, with :class:`ConnectorRuntime`
against a real broker, and plays the hub around it: it produces an assignment on the agency's
inbox as the lifecycle would, and reads the receipt on ``connectors.health`` and the update on the
agency's outbox. Only records produced after the case started count, so a broker shared with
other tests (or earlier runs) does not confuse it.
"""

from __future__ import annotations

import contextlib
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from kafka import KafkaAdminClient, KafkaConsumer, KafkaProducer, TopicPartition
from kafka.admin import NewTopic
from kafka.errors import TopicAlreadyExistsError
from kafka.structs import OffsetAndMetadata

from lapor_hub import schemas
from lapor_hub.connectors.sdk.config import BrokerConfig, InboundSettings
from lapor_hub.connectors.sdk.connector import Connector
from lapor_hub.connectors.sdk.runtime import ConnectorRuntime
from lapor_hub.streams.core import topics

__all__ = ["AgencyTopics", "run_on", "running", "reachable", "wait_until"]


#: Timings short enough that the runtime case takes seconds, whatever the harness configured.
_QUICK = {"poll_interval": 0.2, "heartbeat_interval": 0.5, "idle_wait": 0.2, "backoff_initial": 0.05,
          "backoff_max": 0.5, "session_timeout": 6.0}
_WAIT = 30.0


def run_on(connector: Connector, bootstrap: str) -> None:
    """Point the harness's connector at the test broker. Only what the runtime reads changes
    (broker, timings, and an inbound endpoint on a free port if a push-style one has none)."""
    config = connector.config
    changes: dict[str, Any] = {"broker": BrokerConfig(bootstrap=bootstrap),
                               "runtime": config.runtime.model_copy(update=_QUICK),
                               "state_dir": Path(tempfile.mkdtemp(prefix=f"lapor-connect-{config.id}-"))}
    if config.inbound is None and type(connector).inbound_routes is not Connector.inbound_routes:
        changes["inbound"] = InboundSettings(host="127.0.0.1", port=0)
    connector.config = config.model_copy(update=changes)


def reachable(host: str) -> str:
    return "127.0.0.1" if host in ("0.0.0.0", "::", "") else host


@contextlib.contextmanager
def running(connector: Connector) -> Iterator[ConnectorRuntime]:
    """The runtime in a thread, stopped as SIGTERM would stop it; its failure fails the test."""
    runtime = ConnectorRuntime(connector)
    failure: list[BaseException] = []

    def run() -> None:
        try:
            runtime.run()
        except BaseException as exc:  # raised in the test below
            failure.append(exc)

    thread = threading.Thread(target=run, name=f"conformance-{connector.config.id}", daemon=True)
    thread.start()
    assert runtime.ready.wait(_WAIT), "the runtime did not start"
    try:
        if failure:  # it stopped while starting
            raise failure[0]
        yield runtime
    finally:
        runtime.stop()
        thread.join(_WAIT)
        if failure:  # the runtime's own error explains a wait that timed out in the test
            raise failure[0]
    assert not thread.is_alive(), "the runtime did not stop"


def wait_until(predicate: Callable[[], Any], what: str) -> Any:
    deadline = time.monotonic() + _WAIT
    while time.monotonic() < deadline:
        result = predicate()
        if result:
            return result
        time.sleep(0.05)
    raise AssertionError(f"timed out after {_WAIT:g} s waiting for {what}")


class AgencyTopics:
    """The hub's side of one agency's topics: what the lifecycle would send, what it would read."""

    def __init__(self, bootstrap: str, agency: str) -> None:
        self.bootstrap, self.agency = bootstrap, agency
        self.inbox, self.outbox = topics.inbox(agency), topics.outbox(agency)
        self._create_missing([self.inbox, self.outbox, topics.CONNECTOR_HEALTH, topics.DEADLETTER])
        self._reader = KafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False)
        # only what is published from now on counts
        self._from = {name: self._ends(name) for name in (self.outbox, topics.CONNECTOR_HEALTH, topics.DEADLETTER)}
        self._producer = KafkaProducer(bootstrap_servers=bootstrap, acks="all")

    def _create_missing(self, names: list[str]) -> None:
        admin = KafkaAdminClient(bootstrap_servers=self.bootstrap)
        try:
            missing = [NewTopic(name, 1, 1) for name in names if name not in set(admin.list_topics())]
            if missing:
                try:
                    admin.create_topics(missing)
                except TopicAlreadyExistsError:
                    pass
            wait_until(lambda: set(names) <= set(admin.list_topics()), "the agency's topics")
        finally:
            admin.close()

    def _partitions(self, topic: str) -> list[TopicPartition]:
        found = wait_until(lambda: self._reader.partitions_for_topic(topic), f"partitions of {topic}")
        return [TopicPartition(topic, p) for p in sorted(found)]

    def _ends(self, topic: str) -> dict[TopicPartition, int]:
        return self._reader.end_offsets(self._partitions(topic))

    def inbox_end(self) -> dict[TopicPartition, int]:
        return self._ends(self.inbox)

    def start_group_at_the_end(self, group: str) -> None:
        """Earlier records on the inbox (other tests', earlier runs') are not this case's."""
        consumer = KafkaConsumer(bootstrap_servers=self.bootstrap, group_id=group, enable_auto_commit=False)
        try:
            ends = consumer.end_offsets(self._partitions(self.inbox))
            consumer.assign(list(ends))
            consumer.commit({tp: OffsetAndMetadata(offset, "", -1) for tp, offset in ends.items()})
        finally:
            consumer.close(autocommit=False)

    def committed(self, group: str) -> dict[TopicPartition, int | None]:
        consumer = KafkaConsumer(bootstrap_servers=self.bootstrap, group_id=group, enable_auto_commit=False)
        try:
            return {tp: consumer.committed(tp) for tp in self._partitions(self.inbox)}
        finally:
            consumer.close(autocommit=False)

    def assign(self, value: dict) -> str:
        """One assignment (a ComplaintDispositioned value) on the inbox, as the lifecycle sends it;
        returns its event id."""
        tracking_id = value["tracking_id"]
        headers = schemas.cloudevent_headers("ComplaintDispositioned", value["event_id"], "/lapor-hub/lifecycle",
                                             tracking_id, value["occurred_at"])
        self._producer.send(self.inbox, key=tracking_id.encode(), value=schemas.encode("ComplaintDispositioned", value),
                            headers=headers)
        self._producer.flush(_WAIT)
        return value["event_id"]

    def receipt(self, connector_id: str, event_id: str) -> dict:
        _, value = self._first(topics.CONNECTOR_HEALTH, lambda kind, v: kind == "DeliveryReceipt"
                               and v["connector_id"] == connector_id and v["delivered_event_id"] == event_id,
                               "the delivery receipt")
        return value

    def outbox_update(self, tracking_id: str, record_type: str) -> tuple[dict[str, str], dict]:
        return self._first(self.outbox, lambda kind, v: kind == record_type and v["tracking_id"] == tracking_id,
                           f"a {record_type} on {self.outbox}")

    def agency_system_dead_letter(self, connector_id: str) -> dict:
        """The first dead letter of a record the connector read from the agency system."""
        _, value = self._first(topics.DEADLETTER, lambda kind, v: v["source_topic"] == f"agency-system:{connector_id}",
                               "a dead letter of a record from the agency system")
        return value

    def _first(self, topic: str, wanted, what: str) -> tuple[dict[str, str], dict]:
        partitions = self._partitions(topic)
        self._reader.assign(partitions)
        for tp in partitions:
            self._reader.seek(tp, self._from[topic].get(tp, 0))
        deadline = time.monotonic() + _WAIT
        while time.monotonic() < deadline:
            for records in self._reader.poll(timeout_ms=200).values():
                for record in records:
                    kind, value = schemas.decode(record.value)
                    if wanted(kind, value):
                        return {k: v.decode() for k, v in record.headers}, value
        raise AssertionError(f"timed out after {_WAIT:g} s waiting for {what}")

    def close(self) -> None:
        self._producer.close(timeout=5)
        self._reader.close()
