"""The lifecycle agent's decision, without Faust or a broker: records in, events out, states stored after."""

from __future__ import annotations

import asyncio
import os
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import cast

import pytest

from lapor_hub.errors import SkippableError
from lapor_hub.schemas import cloudevent_headers, decode, encode
from lapor_hub.streams.core import topics
from lapor_hub.streams.core.publisher import SENDER_HEADER, Publisher, header
from lapor_hub.streams.directory import default_directory
from lapor_hub.streams.intake.submission import partition_of
from lapor_hub.streams.intake.tracking import new_tracking_id
from lapor_hub.streams.intake.validation import to_submission
from lapor_hub.streams.lifecycle import LifecycleContext
from lapor_hub.streams.lifecycle.agent import Batch, Lifecycle
from lapor_hub.streams.lifecycle.dueindex import DueIndex
from lapor_hub.streams.lifecycle.state import ComplaintState
from lapor_hub.streams.lifecycle.store import ComplaintStore
from lapor_hub.streams.privacy import IdentityVault, LocalKek
from lapor_hub.streams.sla import ScaledClock
from tests.hub.complaints import complaint_body

PARTITIONS = 4
NOW = datetime(2026, 11, 30, 2, 0, tzinfo=UTC)


@dataclass
class _Message:
    topic: str
    partition: int
    key: bytes
    value: bytes
    headers: list


@dataclass
class _Event:
    message: _Message


class _Publisher:
    source = "/lapor-hub/lifecycle"

    def __init__(self) -> None:
        self.sent: list[tuple[str, bytes, str, dict]] = []
        self.delivered = 0
        #: How many sends the broker had acknowledged when each record was sent.
        self.delivered_at_send: list[int] = []

    def headers(self, record_type: str, value: dict) -> list:
        return cloudevent_headers(record_type, value["event_id"], self.source, value["tracking_id"],
                                  value["occurred_at"])

    async def send(self, topic, key, value, headers):
        record_type = "" if not value else "DataKey" if topic == topics.DATA_KEYS else decode(value)[0]
        self.sent.append((topic, key, record_type, dict(headers)))
        self.delivered_at_send.append(self.delivered)
        return self._delivery()

    async def _delivery(self) -> None:
        await asyncio.sleep(0)
        self.delivered += 1


class _Store:
    """The complaint store's interface over dicts; remembers how many events were delivered at each put."""

    def __init__(self, publisher: _Publisher) -> None:
        self.states: dict[str, ComplaintState] = {}
        self.submissions: dict[str, bytes] = {}
        self.delivered_at_put: list[int] = []
        self._publisher = publisher

    def state(self, tracking_id, event):
        return self.states.get(tracking_id)

    def submission(self, tracking_id, event):
        stored = self.submissions.get(tracking_id)
        return decode(stored)[1] if stored else None

    def put(self, state, event, *, submission=None):
        self.delivered_at_put.append(self._publisher.delivered)
        if submission is not None:
            self.submissions[state.tracking_id] = submission
        self.states[state.tracking_id] = state


@dataclass
class _Agent:
    lifecycle: Lifecycle
    store: _Store
    publisher: _Publisher
    due: DueIndex
    vault: IdentityVault

    def run(self, *messages: _Message) -> Batch:
        async def batch() -> Batch:
            taken = Batch()
            for message in messages:
                await self.lifecycle.decide(_Event(message), taken)
            await self.lifecycle.settle(taken)
            return taken
        return asyncio.run(batch())


@pytest.fixture
def lifecycle() -> _Agent:
    directory = default_directory()
    publisher = _Publisher()
    store = _Store(publisher)
    due = DueIndex()
    vault = IdentityVault(LocalKek(os.urandom(32)))
    # The fakes have what the lifecycle uses of a store and a publisher.
    agent = Lifecycle(store=cast(ComplaintStore, store), publisher=cast(Publisher, publisher),
                      context=LifecycleContext(directory=directory),
                      clock=ScaledClock(1.0, NOW), directory=directory, partitions=PARTITIONS, vault=vault, due=due)
    return _Agent(agent, store, publisher, due, vault)


#: The hub's HTTP API seals before it writes (streams/web/intake.py): most submissions arrive sealed.
_SEALER = IdentityVault(LocalKek(os.urandom(32)))


def _submission(tracking_id: str | None = None, *, sealed: bool = True) -> _Message:
    tracking_id = tracking_id or new_tracking_id(NOW)
    event_id = str(uuid.uuid4())
    value = to_submission(complaint_body(), tracking_id=tracking_id, event_id=event_id, now=NOW)
    if sealed:
        value = _SEALER.prepare(value, tracking_id).record
    headers = cloudevent_headers("ComplaintSubmitted", event_id, "/lapor-hub/api", tracking_id, NOW)
    return _Message(topics.INTAKE, partition_of(tracking_id.encode(), PARTITIONS), tracking_id.encode(),
                    encode("ComplaintSubmitted", value), headers)


def test_a_submission_in_its_own_partition_is_decided_and_stored_after_its_events(lifecycle):
    message = _submission()
    lifecycle.run(message)
    tracking_id = message.key.decode()
    sent = [(topic, record_type) for topic, _, record_type, _ in lifecycle.publisher.sent]
    assert sent == [(topics.EVENTS, "ComplaintSubmitted"), (topics.EVENTS, "ComplaintDispositioned"),
                    (topics.inbox("18.10"), "ComplaintDispositioned")]
    state = lifecycle.store.states[tracking_id]
    assert (state.status.value, state.agency) == ("dispositioned", "18.10")
    # Stored only once the broker had all three events; the submission is kept for forwardings.
    assert lifecycle.store.delivered_at_put == [3]
    assert decode(lifecycle.store.submissions[tracking_id])[1]["tracking_id"] == tracking_id
    assert state.next_due_at is not None and tracking_id in lifecycle.due._due


def test_a_submission_in_another_partition_is_rekeyed_not_decided(lifecycle):
    message = _submission()
    message.partition = (message.partition + 1) % PARTITIONS
    lifecycle.run(message)
    [(topic, key, record_type, headers)] = lifecycle.publisher.sent
    assert (topic, record_type, key) == (topics.COMMANDS, "ComplaintSubmitted", message.key)
    assert header(headers.items(), SENDER_HEADER) == "intake" and lifecycle.store.states == {}


def test_the_same_submission_twice_changes_nothing_the_second_time(lifecycle):
    message = _submission()
    lifecycle.run(message)
    stored, sent = dict(lifecycle.store.states), len(lifecycle.publisher.sent)
    lifecycle.run(message)
    assert lifecycle.store.states == stored and len(lifecycle.publisher.sent) == sent


def test_the_same_submission_twice_in_one_batch_is_decided_once(lifecycle):
    message = _submission()
    lifecycle.run(message, message)
    assert len(lifecycle.publisher.sent) == 3 and len(lifecycle.store.states) == 1


def test_a_forwarding_in_the_same_batch_as_its_submission_delivers_the_submission(lifecycle):
    message = _submission()
    tracking_id = message.key.decode()
    event_id = str(uuid.uuid4())
    forward = {"event_id": event_id, "tracking_id": tracking_id, "occurred_at": NOW, "actor": "18.10",
               "from_agency": "18.10", "to_agency": "", "reason": "bukan wewenang kami", "hop": 0,
               "suggested_by_agency": False}
    headers = [*cloudevent_headers("ComplaintForwarded", event_id, "/agency/18.10", tracking_id, NOW),
               (SENDER_HEADER, b"18.10")]
    command = _Message(topics.COMMANDS, message.partition, message.key, encode("ComplaintForwarded", forward), headers)
    lifecycle.run(message, command)
    holder = lifecycle.store.states[tracking_id].agency
    assert holder != "18.10"
    delivered = [record_type for topic, _, record_type, _ in lifecycle.publisher.sent if topic == topics.inbox(holder)]
    assert delivered == ["ComplaintDispositioned"]
    assert tracking_id in lifecycle.store.submissions


def test_a_record_that_is_not_a_submission_is_refused_for_the_failure_policy(lifecycle):
    garbage = _Message(topics.INTAKE, 0, b"x", b"\x07not avro", [])
    with pytest.raises(SkippableError):
        lifecycle.run(garbage)
    assert lifecycle.store.states == {}


def _agency_update(tracking_id: str, partition: int, record_type: str, fields: dict, *, sender: str = "18.10",
                   event_id: str | None = None) -> _Message:
    event_id = event_id or str(uuid.uuid4())
    value = {"event_id": event_id, "tracking_id": tracking_id, "occurred_at": NOW, "actor": sender, **fields}
    source = f"/agency/{sender}/connector/sipp"
    headers = [*cloudevent_headers(record_type, event_id, source, tracking_id, NOW), (SENDER_HEADER, sender.encode())]
    return _Message(topics.COMMANDS, partition, tracking_id.encode(), encode(record_type, value), headers)


def _run_refused(lifecycle: _Agent, message: _Message) -> None:
    """Decide ``message`` the way the agent does: the refusal reaches the failure policy after the
    batch's sends, and the batch still settles."""
    async def batch() -> None:
        taken = Batch()
        with pytest.raises(SkippableError) as refused:
            await lifecycle.lifecycle.decide(_Event(message), taken)
        assert "not allowed while responded" in refused.value.reason
        await lifecycle.lifecycle.settle(taken)
    asyncio.run(batch())


def test_an_update_the_lifecycle_refuses_is_answered_with_a_notice_on_the_sender_s_inbox(lifecycle):
    message = _submission()
    tracking_id, partition = message.key.decode(), message.partition
    lifecycle.run(message, _agency_update(tracking_id, partition, "ResponseGiven", {"agency": "18.10",
                                                                                    "response": "Sudah diperbaiki"}))
    stored, sent = dict(lifecycle.store.states), len(lifecycle.publisher.sent)
    refused = _agency_update(tracking_id, partition, "ResponseGiven", {"agency": "18.10", "response": "Lagi"},
                             event_id="b3f5d7a1-0000-4000-8000-000000000001")
    _run_refused(lifecycle, refused)
    [(topic, key, record_type, headers)] = lifecycle.publisher.sent[sent:]
    assert (topic, key, record_type) == (topics.inbox("18.10"), tracking_id.encode(), "UpdateRejected")
    assert lifecycle.store.states == stored, "a refusal changes no state"
    notice_id = headers["ce_id"]
    # decided again (a crash before the offsets moved): the same notice, which consumers drop
    _run_refused(lifecycle, refused)
    assert lifecycle.publisher.sent[-1][3]["ce_id"] == notice_id
    assert lifecycle.publisher.sent[-1][3]["ce_subject"] == tracking_id.encode()


def test_the_notice_names_the_refused_update_and_the_reason():
    from lapor_hub.streams.lifecycle.commands import Command
    from lapor_hub.streams.lifecycle.notices import rejection_notice

    command = Command("evt-1", "/agency/18.10/connector/sipp", "ResponseGiven",
                      {"tracking_id": "LPR-1", "response": "Sudah diperbaiki"}, "18.10")
    notice = rejection_notice(command, "ResponseGiven is not allowed while responded", default_directory(), NOW)
    assert notice is not None and notice.agency == "18.10"
    value = notice.value
    assert (value["update_type"], value["update_event_id"], value["update_source"]) == (
        "ResponseGiven", "evt-1", "/agency/18.10/connector/sipp")
    assert value["reason"] == "ResponseGiven is not allowed while responded" and value["actor"] == "hub"
    assert "Sudah diperbaiki" not in str(value), "a notice never repeats the update's text"
    encode("UpdateRejected", value)  # the contract's record
    again = rejection_notice(command, "ResponseGiven is not allowed while responded", default_directory(), NOW)
    assert again is not None and again.value["event_id"] == value["event_id"]


@pytest.mark.parametrize("sender", ["reporter", "national-admin", "intake", "hub"])
def test_only_agencies_get_notices(sender):
    from lapor_hub.streams.lifecycle.commands import Command
    from lapor_hub.streams.lifecycle.notices import rejection_notice

    command = Command("evt-2", "/lapor-hub/api", "ComplaintReopened", {"tracking_id": "LPR-2", "reason": "x"}, sender)
    assert rejection_notice(command, "cannot reopen while accepted", default_directory(), NOW) is None


def test_a_submission_with_the_identity_in_clear_is_sealed_and_rekeyed_once_its_data_key_is_stored(lifecycle):
    message = _submission(sealed=False)
    lifecycle.run(message)
    sent = [(topic, record_type) for topic, _, record_type, _ in lifecycle.publisher.sent]
    assert sent == [(topics.DATA_KEYS, "DataKey"), (topics.COMMANDS, "ComplaintSubmitted")]
    # The sealed submission went out only after the broker had acknowledged its data key.
    assert lifecycle.publisher.delivered_at_send == [0, 1]
    assert lifecycle.store.states == {}
    [headers] = [h for topic, _, _, h in lifecycle.publisher.sent if topic == topics.COMMANDS]
    assert header(headers.items(), SENDER_HEADER) == "intake"


def test_the_sealed_copy_holds_no_identity_in_clear_and_opens_with_the_stored_key(lifecycle):
    message = _submission(sealed=False)
    body = complaint_body()
    captured: list[tuple[str, bytes, bytes]] = []
    original = lifecycle.publisher.send

    async def capture(topic, key, value, headers):
        captured.append((topic, key, value))
        return await original(topic, key, value, headers)

    lifecycle.publisher.send = capture
    lifecycle.run(message)
    [(_, record_key, key_value)] = [c for c in captured if c[0] == topics.DATA_KEYS]
    [(_, _, command)] = [c for c in captured if c[0] == topics.COMMANDS]
    for secret in (body["reporter"]["name"], body["reporter"]["nik"], body["reporter"]["phone"][1:]):
        assert secret.encode() not in command
    lifecycle.vault.book.read(record_key, key_value)  # as the key store's follower would
    _, record = decode(command)
    opened = lifecycle.vault.open(record["identity"], record["tracking_id"])
    assert (opened.name, opened.nik, opened.phone) == (body["reporter"]["name"], body["reporter"]["nik"],
                                                       "+6281234567890")
