"""The lifecycle agent's decision, without Faust or a broker: a record in, events out, state stored."""

from __future__ import annotations

import asyncio
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime

import pytest

from lapor_hub.errors import SkippableError
from lapor_hub.schemas import cloudevent_headers, decode, encode
from lapor_hub.streams.core import topics
from lapor_hub.streams.core.publisher import SENDER_HEADER, header
from lapor_hub.streams.directory import default_directory
from lapor_hub.streams.intake.submission import partition_of
from lapor_hub.streams.intake.tracking import new_tracking_id
from lapor_hub.streams.intake.validation import to_submission
from lapor_hub.streams.lifecycle import LifecycleContext
from lapor_hub.streams.lifecycle.agent import Lifecycle
from lapor_hub.streams.sla import ScaledClock
from tests.hub.complaints import complaint_body

PARTITIONS = 4
NOW = datetime(2026, 11, 30, 2, 0, tzinfo=UTC)


@dataclass
class _Message:
    topic: str
    partition: int
    key: bytes | None
    value: bytes
    headers: list


class _Publisher:
    source = "/lapor-hub/lifecycle"

    def __init__(self) -> None:
        self.sent: list[tuple[str, bytes, str, dict]] = []

    def headers(self, record_type: str, value: dict) -> list:
        return cloudevent_headers(record_type, value["event_id"], self.source, value["tracking_id"], value["occurred_at"])

    async def send(self, topic, key, value, headers) -> None:
        self.sent.append((topic, key, decode(value)[0] if value else "", dict(headers)))


@pytest.fixture
def lifecycle():
    directory = default_directory()
    table: dict = {}
    publisher = _Publisher()
    agent = Lifecycle(table=table, publisher=publisher, context=LifecycleContext(directory=directory),
                      clock=ScaledClock(1.0, NOW), directory=directory, partitions=PARTITIONS)
    return agent, table, publisher


def _submission(tracking_id: str | None = None) -> _Message:
    tracking_id = tracking_id or new_tracking_id(NOW)
    event_id = str(uuid.uuid4())
    value = to_submission(complaint_body(), tracking_id=tracking_id, event_id=event_id, now=NOW)
    headers = cloudevent_headers("ComplaintSubmitted", event_id, "/lapor-hub/api", tracking_id, NOW)
    return _Message(topics.INTAKE, partition_of(tracking_id.encode(), PARTITIONS), tracking_id.encode(),
                    encode("ComplaintSubmitted", value), headers)


def test_a_submission_in_its_own_partition_is_decided_and_stored(lifecycle):
    agent, table, publisher = lifecycle
    message = _submission()
    asyncio.run(agent.handle(message))
    tracking_id = message.key.decode()
    sent = [(topic, record_type) for topic, _, record_type, _ in publisher.sent]
    assert sent == [(topics.EVENTS, "ComplaintSubmitted"), (topics.EVENTS, "ComplaintDispositioned"),
                    (topics.inbox("18.10"), "ComplaintDispositioned")]
    assert table[tracking_id]["status"] == "dispositioned" and table[tracking_id]["agency"] == "18.10"


def test_a_submission_in_another_partition_is_rekeyed_not_decided(lifecycle):
    agent, table, publisher = lifecycle
    message = _submission()
    message.partition = (message.partition + 1) % PARTITIONS
    asyncio.run(agent.handle(message))
    [(topic, key, record_type, headers)] = publisher.sent
    assert (topic, record_type, key) == (topics.COMMANDS, "ComplaintSubmitted", message.key)
    assert header(headers.items(), SENDER_HEADER) == "intake" and table == {}


def test_the_same_submission_twice_changes_nothing_the_second_time(lifecycle):
    agent, table, publisher = lifecycle
    message = _submission()
    asyncio.run(agent.handle(message))
    stored, sent = dict(table), len(publisher.sent)
    asyncio.run(agent.handle(message))
    assert table == stored and len(publisher.sent) == sent


def test_a_record_that_is_not_a_submission_is_refused_for_the_failure_policy(lifecycle):
    agent, table, _ = lifecycle
    garbage = _Message(topics.INTAKE, 0, b"x", b"\x07not avro", [])
    with pytest.raises(SkippableError):
        asyncio.run(agent.handle(garbage))
    assert table == {}
