"""The lifecycle's Faust wiring: commands through the state table, events out.

- the outbox relay (:mod:`lapor_hub.streams.lifecycle.outbox`) reads every ``agency.<code>.outbox``, stamps
  the sender from the topic and forwards to the commands topic.
- ``lifecycle`` (:class:`Lifecycle`) reads ``complaints.intake`` and ``complaints.commands``, both keyed by tracking id
  and partitioned alike, runs :func:`transition` on the complaint's state, sends the events, then
  stores the new state (send first: after a crash the command runs again and re-sends the same
  event ids, which consumers drop as duplicates). A submission is decided where it arrives when
  its partition is its tracking id's; otherwise (no tracking id yet, another key or partitioner)
  it is re-keyed through ``complaints.commands`` first.
- ``sla_timer`` proposes an SLA check for every complaint whose next action is due; the
  lifecycle decides what fires, so a repeated proposal fires nothing twice.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from lapor_hub.errors import SkippableError
from lapor_hub.schemas import decode, read_cloudevent_headers
from lapor_hub.streams.core import topics
from lapor_hub.streams.core.deadletter import DeadLetters
from lapor_hub.streams.core.failures import FailurePolicy
from lapor_hub.streams.core.publisher import (
    SENDER_HEADER,
    SUBJECT_HEADER,
    Publisher,
    header,
)
from lapor_hub.streams.intake.submission import partition_of, prepare_submission
from lapor_hub.streams.lifecycle.commands import HUB, INTAKE, SLA_CHECK, Command
from lapor_hub.streams.lifecycle.emissions import emit
from lapor_hub.streams.lifecycle.state import ComplaintState
from lapor_hub.streams.lifecycle.transition import transition
from lapor_hub.streams.routing import default_categories

if TYPE_CHECKING:
    from lapor_hub.streams.hub import Hub

__all__ = ["install", "Lifecycle", "decode_command", "sla_check_headers"]

log = logging.getLogger(__name__)

_SLA_CHECK_TYPE = b"id.go.lapor.hub.sla.check"
_SLA_TIMER_SOURCE = b"/lapor-hub/sla-timer"
#: Real seconds between two scans of the local complaints for due SLA actions.
SLA_SCAN_INTERVAL_S = 1.0


def sla_check_headers(tracking_id: str, due_ts: float) -> list[tuple[str, bytes]]:
    return [("ce_type", _SLA_CHECK_TYPE), ("ce_id", f"{tracking_id}@{due_ts}".encode()),
            ("ce_source", _SLA_TIMER_SOURCE), ("ce_subject", tracking_id.encode()),
            (SENDER_HEADER, HUB.encode())]


def decode_command(key: bytes | None, value: bytes | None, headers) -> Command:
    """A command from a ``complaints.commands`` record; SkippableError when it is not one."""
    tracking_id = key.decode("utf-8", errors="replace") if key else ""
    sender = header(headers, SENDER_HEADER)
    if not tracking_id or not sender:
        raise SkippableError("a command needs the tracking id as key and a lapor-sender header")
    if header(headers, "ce_type") == _SLA_CHECK_TYPE.decode():
        return Command(header(headers, "ce_id") or "", _SLA_TIMER_SOURCE.decode(), SLA_CHECK,
                       {"tracking_id": tracking_id}, sender)
    attributes = read_cloudevent_headers(headers)
    record_type, record = decode(value or b"")
    if record.get("tracking_id") != tracking_id:
        raise SkippableError(f"{record_type} names another complaint than its record key")
    return Command(attributes["id"], attributes["source"], record_type, record, sender,
                   header(headers, SUBJECT_HEADER))


class Lifecycle:
    """What the lifecycle agent does with one record of ``complaints.intake`` or ``complaints.commands``.

    Apart from the Faust agent so that it reads (and can be tested) as one method: decode,
    :func:`transition`, send the events, store the state.
    """

    def __init__(self, *, table, publisher: Publisher, context, clock, directory, partitions: int) -> None:
        self._table = table
        self._publisher = publisher
        self._context = context
        self._clock = clock
        self._directory = directory
        self._partitions = partitions
        self._categories = default_categories()

    async def handle(self, message) -> None:
        """Decide one record; errors are the caller's failure policy's to handle."""
        if message.topic == topics.INTAKE:
            submission = prepare_submission(message.key, message.value or b"", message.headers,
                                            categories=self._categories, directory=self._directory)
            key = submission.tracking_id
            if submission.rekeyed or partition_of(key.encode(), self._partitions) != message.partition:
                await self._publisher.send(topics.COMMANDS, key.encode(), submission.payload,
                                           [*submission.headers, (SENDER_HEADER, INTAKE.encode())])
                return
            command = Command(submission.event_id, submission.source, "ComplaintSubmitted", submission.record,
                              INTAKE)
        else:
            command = decode_command(message.key, message.value, message.headers)
            key = message.key.decode()
        stored = self._table.get(key)
        state = ComplaintState.from_dict(stored) if stored else None
        outcome = transition(state, command, self._context, self._clock.now())
        if outcome.duplicate:
            return
        # Send first, then store: after a crash the command runs again and repeats the event ids.
        for emission in outcome.emissions:
            await emit(self._publisher, emission)
        self._table[key] = outcome.state.to_dict()


def install(hub: Hub) -> None:
    app, settings, clock = hub.app, hub.settings, hub.clock
    publisher = Publisher(app, "/lapor-hub/lifecycle")
    failures = FailurePolicy(DeadLetters(publisher))
    raw = dict(key_type=bytes, value_type=bytes, key_serializer="raw", value_serializer="raw")
    commands = app.topic(topics.INTAKE, topics.COMMANDS, partitions=settings.partitions, **raw)
    complaints = app.Table("complaint-state", default=None, partitions=settings.partitions,
                           key_type=str, value_type=None)
    decider = Lifecycle(table=complaints, publisher=publisher, context=hub.context, clock=clock,
                        directory=hub.directory, partitions=settings.partitions)
    sla_requested: dict[str, float] = {}

    @app.agent(commands, concurrency=1)
    async def lifecycle(stream):
        async for event in stream.events():
            message = event.message
            stage = "intake" if message.topic == topics.INTAKE else "lifecycle"
            await failures.run(message, stage, lambda: decider.handle(message))

    @app.timer(interval=SLA_SCAN_INTERVAL_S)
    async def sla_timer():
        now = clock.now().timestamp()
        for key, stored in list(complaints.items()):
            due = stored.get("next_due_ts") if stored else None
            if due is not None and due <= now and sla_requested.get(key) != due:
                sla_requested[key] = due
                await publisher.send(topics.COMMANDS, key.encode(), b"", sla_check_headers(key, due))
        if len(sla_requested) > 100_000:
            sla_requested.clear()  # a bound; at worst a check is proposed twice, which is harmless
