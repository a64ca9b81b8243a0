"""The lifecycle's Faust wiring: commands through the complaint store, events out.

- the outbox relay (:mod:`lapor_hub.streams.lifecycle.outbox`) reads every ``agency.<code>.outbox``, stamps
  the sender from the topic and forwards to the commands topic.
- ``lifecycle`` (:class:`Lifecycle`) reads ``complaints.intake`` and ``complaints.commands``, both keyed by
  tracking id and partitioned alike, a batch at a time: it runs :func:`transition` on each
  complaint's state and sends the events, waits until the broker has them all, then stores the
  new states (:mod:`lapor_hub.streams.lifecycle.store`). After a crash a record runs again and
  re-sends the same event ids, which consumers drop as duplicates. A submission is decided where
  it arrives when its partition is its tracking id's; otherwise (no tracking id yet, another key
  or partitioner) it is re-keyed through ``complaints.commands`` first. A submission that a
  channel wrote with the reporter's identity in clear is sealed before the hub stores it
  anywhere: its data key goes to the key store, and only once the broker has the key is the
  sealed submission re-keyed through ``complaints.commands`` (:meth:`Lifecycle.settle`).
  A command the lifecycle
  refuses from an agency is answered with a rejection notice on that agency's inbox
  (:mod:`lapor_hub.streams.lifecycle.notices`), sent in the batch like an event, then dead-lettered.
- ``sla_timer`` proposes an SLA check for every complaint whose next action is due, found in the
  :class:`DueIndex` (its cost follows the due actions, not the complaints held); the lifecycle
  decides what fires, so a repeated proposal fires nothing twice.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable
from dataclasses import dataclass, field
from datetime import datetime, timezone
from functools import partial
from typing import TYPE_CHECKING, Any

from aiokafka.errors import KafkaError

from lapor_hub.errors import SkippableError
from lapor_hub.schemas import decode, encode, read_cloudevent_headers
from lapor_hub.streams.chain import AuditKeyRing, ChainWriter, TailReader
from lapor_hub.streams.chain.agency import SIGNATURE_STATUS_HEADER
from lapor_hub.streams.core import topics
from lapor_hub.streams.core.deadletter import DeadLetters
from lapor_hub.streams.core.failures import FailurePolicy
from lapor_hub.streams.core.publisher import (
    SENDER_HEADER,
    SUBJECT_HEADER,
    Publisher,
    header,
)
from lapor_hub.streams.core.rewind import install_rewind
from lapor_hub.streams.intake.submission import partition_of, prepare_submission
from lapor_hub.streams.lifecycle.commands import HUB, INTAKE, SLA_CHECK, Command, IllegalTransition
from lapor_hub.streams.lifecycle.dueindex import DueIndex
from lapor_hub.streams.lifecycle.emissions import emit
from lapor_hub.streams.lifecycle.notices import rejection_notice, send_notice
from lapor_hub.streams.lifecycle.scrub import sealed_dead_letters
from lapor_hub.streams.lifecycle.state import ComplaintState
from lapor_hub.streams.lifecycle.store import ComplaintStore, table_options
from lapor_hub.streams.lifecycle.transition import NEEDS_SUBMISSION, transition
from lapor_hub.streams.privacy import IdentityVault, carries_clear_identity
from lapor_hub.streams.privacy.keybook import key_record
from lapor_hub.streams.routing import default_categories

if TYPE_CHECKING:
    from lapor_hub.streams.hub import Hub

__all__ = ["install", "Lifecycle", "Batch", "DueKeeper", "SlaTimerFigures", "decode_command", "sla_check_headers"]

log = logging.getLogger(__name__)

_SLA_CHECK_TYPE = b"id.go.lapor.hub.sla.check"
_SLA_TIMER_SOURCE = b"/lapor-hub/sla-timer"
#: Real seconds between two looks at the SLA index for due actions.
SLA_SCAN_INTERVAL_S = 1.0
#: At most this many SLA checks proposed per tick; the rest wait for the next (a backlog after an
#: outage drains in steps instead of one burst).
SLA_PROPOSALS_PER_TICK = 5_000
#: Records read between two yields to the event loop while the SLA index is rebuilt.
REBUILD_CHUNK = 2_000
#: Records decided together: their events are sent as one burst and awaited once.
BATCH_MAX = 500
BATCH_WITHIN_S = 0.01
SETTLE_RETRY_S = 2.0


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
    # Only the outbox relay says whether an agency's signature held; a submission's headers never do.
    signature = header(headers, SIGNATURE_STATUS_HEADER) if sender != INTAKE else None
    return Command(attributes["id"], attributes["source"], record_type, record, sender,
                   header(headers, SUBJECT_HEADER), signature)


@dataclass
class _Staged:
    state: ComplaintState
    event: Any
    submission: bytes | None


@dataclass
class Batch:
    """The records taken together: their new states wait here until their events are delivered."""

    staged: dict[str, _Staged] = field(default_factory=dict)
    deliveries: list[Awaitable] = field(default_factory=list)
    #: Data keys of submissions sealed here, and the sealed submissions that wait for them.
    keys: list[Awaitable] = field(default_factory=list)
    after_keys: list[tuple[str, bytes, bytes, list[tuple[str, bytes]]]] = field(default_factory=list)


class Lifecycle:
    """What the lifecycle agent does with a batch of ``complaints.intake``/``complaints.commands`` records.

    Apart from the Faust agent so that it reads (and can be tested) as two methods: :meth:`decide`
    one record (decode, :func:`transition`, send its events), then :meth:`settle` the batch
    (wait until the broker has every event, then store the states). Storing after delivery is
    what makes a local persistent store safe: a state on disk always has its events in Kafka,
    so a record handled again after a crash either finds its events sent or sends them again.
    """

    def __init__(self, *, store: ComplaintStore, publisher: Publisher, context, clock, directory,
                 partitions: int, vault: IdentityVault, due: DueIndex | None = None,
                 chain: ChainWriter | None = None) -> None:
        self._store = store
        self._vault = vault
        self._publisher = publisher
        self._context = context
        self._clock = clock
        self._directory = directory
        self._partitions = partitions
        self._due = due
        self._chain = chain
        self._categories = default_categories()

    async def decide(self, event, batch: Batch) -> None:
        """Decide one record; errors are the caller's failure policy's to handle."""
        message = event.message
        payload = None
        if message.topic == topics.INTAKE:
            submission = prepare_submission(message.key, message.value or b"", message.headers,
                                            categories=self._categories, directory=self._directory)
            key = submission.tracking_id
            if carries_clear_identity(submission.record):
                await self._seal(submission.record, key, submission.headers, batch)
                return
            if submission.rekeyed or partition_of(key.encode(), self._partitions) != message.partition:
                batch.deliveries.append(await self._publisher.send(
                    topics.COMMANDS, key.encode(), submission.payload,
                    [*submission.headers, (SENDER_HEADER, INTAKE.encode())]))
                return
            command = Command(submission.event_id, submission.source, "ComplaintSubmitted", submission.record,
                              INTAKE)
            payload = submission.payload
        else:
            command = decode_command(message.key, message.value, message.headers)
            key = message.key.decode()
            if command.record_type == "ComplaintSubmitted":
                payload = message.value
        staged = batch.staged.get(key)
        state = staged.state if staged else self._store.state(key, event)
        try:
            outcome = transition(state, command, self._context, self._clock.now(),
                                 submission=self._submission(key, command, event, batch))
        except IllegalTransition as refused:
            # The sender learns it on its inbox; the failure policy still dead-letters the command.
            notice = rejection_notice(command, refused.reason, self._directory, self._clock.now())
            if notice is not None:
                batch.deliveries.append(await send_notice(self._publisher, notice))
            raise
        if outcome.duplicate:
            return
        signature = ([(SIGNATURE_STATUS_HEADER, command.agency_signature.encode())]
                     if command.agency_signature else [])
        for emission in outcome.emissions:
            batch.deliveries.extend(await emit(self._publisher, emission, self._chain, self._partitions,
                                               extra_headers=signature))
        keep = payload if state is None else (staged.submission if staged else None)
        batch.staged[key] = _Staged(outcome.state, event, keep)

    async def _seal(self, record: dict, key: str, headers, batch: Batch) -> None:
        """Seal a submission that arrived with the identity in clear; re-keyed once its data key is stored."""
        sealing = self._vault.prepare(record, key)
        if sealing.key is not None:
            record_key, value = key_record(sealing.key)
            batch.keys.append(await self._publisher.send(topics.DATA_KEYS, record_key, value, []))
        batch.after_keys.append((topics.COMMANDS, key.encode(), encode("ComplaintSubmitted", sealing.record),
                                 [*headers, (SENDER_HEADER, INTAKE.encode())]))

    async def settle(self, batch: Batch) -> None:
        """Store the batch's states once the broker has all of its events (raises if it has not).

        Sealed submissions are sent only once the broker has their data keys: a sealed record
        whose key was never stored could never be opened. When the broker has not taken the batch,
        the chain heads are read again from the partitions once every send has ended, so that the
        batch decided again links to what the broker really holds.
        """
        try:
            if batch.keys:
                await asyncio.gather(*batch.keys)
            for topic, key, value, headers in batch.after_keys:
                batch.deliveries.append(await self._publisher.send(topic, key, value, headers))
            await asyncio.gather(*batch.deliveries)
        except Exception:
            if self._chain is not None:
                await asyncio.gather(*batch.deliveries, return_exceptions=True)
                self._chain.forget()
            raise
        for staged in batch.staged.values():
            self._store.put(staged.state, staged.event, submission=staged.submission)
            if self._due is not None:
                due = staged.state.next_due_at
                self._due.note(staged.state.tracking_id, due.timestamp() if due else None)

    def _submission(self, key: str, command: Command, event, batch: Batch) -> dict | None:
        if command.record_type not in NEEDS_SUBMISSION:
            return None
        staged = batch.staged.get(key)
        if staged and staged.submission is not None:
            return decode(staged.submission)[1]
        return self._store.submission(key, event)


@dataclass
class SlaTimerFigures:
    """What the SLA timer cost so far on this worker (``/metrics``: ``lapor_sla_*``)."""

    ticks: int = 0
    #: CPU time of the event loop's thread inside ticks (the index rebuilds counted apart).
    tick_cpu_s: float = 0.0
    proposed: int = 0
    rebuilds: int = 0
    rebuild_cpu_s: float = 0.0
    indexed: int = 0


class DueKeeper:
    """Keeps the :class:`DueIndex` true to the complaints this worker holds and proposes the due checks."""

    def __init__(self, app, store: ComplaintStore, index: DueIndex, publisher: Publisher) -> None:
        self._app = app
        self._store = store
        self._index = index
        self._publisher = publisher
        self._built_for: frozenset | None = None
        self.figures = SlaTimerFigures()

    async def tick(self, now_ts: float) -> int:
        """Rebuild the index if the partitions changed, then propose every due check; how many."""
        if not await self._current():
            return 0
        started = time.thread_time()
        due = self._index.take_due(now_ts, SLA_PROPOSALS_PER_TICK)
        for tracking_id, due_ts in due:
            await self._publisher.send(topics.COMMANDS, tracking_id.encode(), b"",
                                       sla_check_headers(tracking_id, due_ts))
        figures = self.figures
        figures.ticks += 1
        figures.tick_cpu_s += time.thread_time() - started
        figures.proposed += len(due)
        figures.indexed = len(self._index)
        return len(due)

    async def _current(self) -> bool:
        app = self._app
        recovery = app.tables.recovery
        if app.rebalancing or recovery.in_recovery or not recovery.completed.is_set():
            return False
        assigned = frozenset(app.assignor.assigned_actives())
        if assigned == self._built_for:
            return True
        started, cpu = time.monotonic(), 0.0
        self._index.begin_rebuild()
        try:
            chunk_started = time.thread_time()
            for count, (tracking_id, due_ts) in enumerate(self._store.due_times(), 1):
                self._index.rebuild_note(tracking_id, due_ts)
                if count % REBUILD_CHUNK == 0:
                    cpu += time.thread_time() - chunk_started
                    await asyncio.sleep(0)  # the agent keeps deciding meanwhile
                    chunk_started = time.thread_time()
            cpu += time.thread_time() - chunk_started
        finally:
            self._index.end_rebuild()
        self._built_for = assigned
        self.figures.rebuilds += 1
        self.figures.rebuild_cpu_s += cpu
        self.figures.indexed = len(self._index)
        log.info("SLA index rebuilt in %.1f s (%.1f CPU-s): %d complaints with a next action due",
                 time.monotonic() - started, cpu, len(self._index))
        return assigned == frozenset(app.assignor.assigned_actives())


def install(hub: Hub) -> None:
    app, settings, clock = hub.app, hub.settings, hub.clock
    publisher = Publisher(app, "/lapor-hub/lifecycle")
    failures = FailurePolicy(DeadLetters(publisher, scrub=sealed_dead_letters(hub.keys.vault, publisher)))
    raw: dict[str, Any] = dict(key_type=bytes, value_type=bytes, key_serializer="raw", value_serializer="raw")
    commands = app.topic(topics.INTAKE, topics.COMMANDS, partitions=settings.partitions, **raw)
    install_rewind(app, settings, (topics.INTAKE, topics.COMMANDS))
    store = ComplaintStore(app, partitions=settings.partitions,
                           options=table_options(settings.state_store, settings.state_cache_mb, settings.partitions))
    index = DueIndex()
    chain = ChainWriter(topics.EVENTS, TailReader(topics.EVENTS, settings.client_options()))
    signing_key = AuditKeyRing(settings.audit_key_folder, settings.audit_signing_key_file).signing_key()
    decider = Lifecycle(store=store, publisher=publisher, context=hub.context, clock=clock,
                        directory=hub.directory, partitions=settings.partitions, vault=hub.keys.vault, due=index,
                        chain=chain)
    keeper = hub.sla = DueKeeper(app, store, index, publisher)

    @app.agent(commands, concurrency=1)
    async def lifecycle(stream):
        async for events in stream.take_events(BATCH_MAX, within=BATCH_WITHIN_S):
            await _settled(events)

    async def _settled(events) -> None:
        # Until the broker has the batch's events, nothing is stored and no offset moves on:
        # the batch is decided again (the same event ids) after a pause.
        while True:
            batch = Batch()
            for event in events:
                stage = "intake" if event.message.topic == topics.INTAKE else "lifecycle"
                await failures.run(event.message, stage, partial(decider.decide, event, batch))
            try:
                await decider.settle(batch)
                return
            except KafkaError as exc:
                log.warning("lifecycle: the broker did not take a batch's events (%s); deciding it again "
                            "in %.0f s", type(exc).__name__, SETTLE_RETRY_S)
                await asyncio.sleep(SETTLE_RETRY_S)

    async def forget_chain_heads(sender: Any, /, *_: Any, **__: Any) -> None:
        chain.forget()  # partitions moved: another worker may have appended meanwhile

    app.on_rebalance_complete.connect(forget_chain_heads)

    @app.timer(interval=settings.audit_sign_interval_s)
    async def chain_signer():
        heads = chain.heads_to_sign(signing_key, datetime.now(timezone.utc).isoformat())
        try:
            await asyncio.gather(*[await publisher.send(topics.HEADS, str(head.partition).encode(), head.encode(), [])
                                   for head in heads])
        except KafkaError as exc:
            log.warning("chain heads not signed this time (%s); trying again in %.0f s", type(exc).__name__,
                        settings.audit_sign_interval_s)
            return
        chain.signed(heads)

    @app.timer(interval=SLA_SCAN_INTERVAL_S)
    async def sla_timer():
        await keeper.tick(clock.now().timestamp())
