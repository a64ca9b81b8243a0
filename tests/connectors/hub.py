"""The test plays the hub: it produces encoded inbox records and reads what connectors publish."""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable
from datetime import datetime, timezone
from typing import Any

from kafka import KafkaAdminClient, KafkaConsumer, KafkaProducer, TopicPartition
from kafka.admin import NewTopic
from kafka.errors import TopicAlreadyExistsError

from lapor_hub import schemas
from lapor_hub.connectors.testing import sample_assignment
from lapor_hub.streams.core import topics

__all__ = ["HubPlayer", "Event"]


class Event:
    def __init__(self, record) -> None:
        self.record_type, self.value = schemas.decode(record.value)
        self.headers = {k: v.decode() for k, v in record.headers}
        self.key = record.key
        self.offset = record.offset

    def __repr__(self) -> str:
        return f"Event({self.record_type}, {self.value.get('tracking_id')!r})"


class HubPlayer:
    def __init__(self, bootstrap: str) -> None:
        self.bootstrap = bootstrap
        self._producer = KafkaProducer(bootstrap_servers=bootstrap, acks="all")

    def is_empty(self, agency: str) -> bool:
        """Whether the agency's inbox and outbox have never held a record."""
        consumer = KafkaConsumer(bootstrap_servers=self.bootstrap)
        try:
            partitions = [TopicPartition(name, p) for name in (topics.inbox(agency), topics.outbox(agency))
                          for p in consumer.partitions_for_topic(name) or ()]
            return all(offset == 0 for offset in consumer.end_offsets(partitions).values())
        finally:
            consumer.close()

    def create_topics(self, agency: str, partitions: int = 2) -> None:
        admin = KafkaAdminClient(bootstrap_servers=self.bootstrap)
        try:
            wanted = [topics.inbox(agency), topics.outbox(agency), topics.CONNECTOR_HEALTH, topics.DEADLETTER]
            existing = set(admin.list_topics())
            new = [NewTopic(name, partitions, 1) for name in wanted if name not in existing]
            if new:
                try:
                    admin.create_topics(new)
                except TopicAlreadyExistsError:
                    pass
            deadline = time.monotonic() + 30
            while not set(wanted) <= set(admin.list_topics()):
                assert time.monotonic() < deadline, "topics did not appear"
                time.sleep(0.1)
        finally:
            admin.close()

    def assign(self, agency: str, tracking_id: str, *, event_id: str | None = None, **overrides: Any) -> str:
        """Produce one ComplaintDispositioned to the agency's inbox; returns its event id."""
        value = sample_assignment(agency, tracking_id, event_id=event_id or str(uuid.uuid4()), **overrides)
        self.send(topics.inbox(agency), "ComplaintDispositioned", value)
        return value["event_id"]

    def send(self, topic: str, record_type: str, value: dict, *, raw: bytes | None = None) -> None:
        headers = schemas.cloudevent_headers(record_type, value["event_id"], "/hub/routing",
                                             value["tracking_id"], datetime.now(timezone.utc))
        payload = raw if raw is not None else schemas.encode(record_type, value)
        self._producer.send(topic, key=value["tracking_id"].encode(), value=payload, headers=headers)
        self._producer.flush(10)

    def read(self, topic: str, until: Callable[[list[Event]], bool], *, timeout: float = 30.0,
             where: Callable[[Event], bool] = lambda e: True) -> list[Event]:
        """Every matching event on ``topic`` from the start, once ``until(events)`` holds."""
        consumer = KafkaConsumer(bootstrap_servers=self.bootstrap, enable_auto_commit=False)
        try:
            partitions = [TopicPartition(topic, p) for p in consumer.partitions_for_topic(topic) or ()]
            consumer.assign(partitions)
            consumer.seek_to_beginning(*partitions)
            events: list[Event] = []
            deadline = time.monotonic() + timeout
            while time.monotonic() < deadline:
                for records in consumer.poll(timeout_ms=200).values():
                    events.extend(e for e in map(Event, records) if where(e))
                if until(events):
                    return events
            raise AssertionError(f"timed out after {timeout:g} s waiting on {topic}; saw {events}")
        finally:
            consumer.close()

    def close(self) -> None:
        self._producer.close(timeout=5)
