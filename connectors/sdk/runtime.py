"""The connector runtime: everything around ``check``/``deliver``/``poll`` (kafka-python).

Guarantees, and how:

- **At-least-once**: offsets are committed (auto-commit off) only after the agency system
  accepted a delivery or it was dead-lettered, and after the receipts and dead letters were
  acknowledged by the broker. A crash redelivers, with the same idempotency key.
- **Order per complaint**: the inbox is keyed by tracking id, so one complaint lives in one
  partition; records are handed over in offset order and, on a retriable failure, the runtime
  seeks back to the first record not accepted and tries the same records again. It never skips
  ahead while the agency system is down.
- **No busy loop**: between attempts it waits with capped exponential backoff and jitter (or
  the agency's Retry-After), still sending heartbeats (status DEGRADED).
- **Permanent failures** become ``DeadLetter`` records on ``complaints.deadletter`` with the
  source topic/partition/offset, stage ``connector.<type>``, error class and reason.
- **Bad data from the agency system never stops it**: each polled record is checked on its own
  (:mod:`~lapor_hub.connectors.sdk.vetting`); one that cannot become an update, or that the hub
  can already tell it would refuse, is dead-lettered with the reason (source
  ``agency-system:<connector id>``) and handed to :meth:`Connector.refused`, and the watermark
  moves past it. A ``poll()`` that raises is reported and tried again later; deliveries go on.
- **The polling watermark is the runtime's** for a connector with a ``cursor``
  (:mod:`~lapor_hub.connectors.sdk.watermarks`): stored durably once the updates are on the outbox.
- **One connector per inbox**: a second connector for an agency whose inbox another connector
  already consumes is refused at start (:mod:`~lapor_hub.connectors.sdk.peers`), unless
  ``runtime.allow_other_connectors`` says it is meant.
- **Clean stop**: :meth:`ConnectorRuntime.stop` (the CLI wires SIGTERM and Ctrl-C to it)
  finishes the current call, commits what was accepted and sends a last DOWN heartbeat.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from kafka import KafkaConsumer, KafkaProducer, TopicPartition
from kafka.errors import KafkaError
from kafka.structs import OffsetAndMetadata

from lapor_hub import schemas
from lapor_hub.connectors.sdk.backoff import Backoff
from lapor_hub.connectors.sdk.config import ConnectorConfig, kafka_options
from lapor_hub.connectors.sdk.connector import Connector, ConnectorContext
from lapor_hub.connectors.sdk.disclosure import IdentityClient, without_sealed_identity
from lapor_hub.connectors.sdk.inbound import InboundServer
from lapor_hub.connectors.sdk.model import INBOX_TYPES, AgencyUpdate, Delivery
from lapor_hub.connectors.sdk.peers import refuse_second_connector
from lapor_hub.connectors.sdk.publisher import ConnectorPublisher
from lapor_hub.connectors.sdk.updates import InvalidUpdate
from lapor_hub.connectors.sdk.vetting import UpdateCheck, check_pushed, record_id, record_payload, sort_polled
from lapor_hub.connectors.sdk.watermarks import Watermark
from lapor_hub.errors import ConfigurationError, FatalError, HubError, RetriableError, SkippableError
from lapor_hub.streams.core import topics

__all__ = ["ConnectorRuntime", "Counters", "kafka_options", "check_broker"]

log = logging.getLogger("lapor_hub.connectors.runtime")

#: How many dead-lettered polled records are remembered, so that one read again is not sent twice.
_REFUSED_MEMORY = 10_000


def check_broker(config: ConnectorConfig, *, timeout: float = 10.0) -> None:
    """The broker answers and the topics this connector needs exist; ConfigurationError if not."""
    probe = None
    try:
        probe = KafkaConsumer(**kafka_options(config.broker), request_timeout_ms=max(1000, int(timeout * 1000)))
        existing = probe.topics()
    except KafkaError as exc:
        raise ConfigurationError(f"broker.bootstrap: cannot reach the Kafka broker at {config.broker.bootstrap} "
                                 f"({type(exc).__name__}); check the address, the credentials and the certificates"
                                 ) from None
    finally:
        if probe is not None:
            probe.close()
    needed = [topics.inbox(config.agency), topics.outbox(config.agency), topics.CONNECTOR_HEALTH, topics.DEADLETTER]
    missing = [name for name in needed if name not in existing]
    if missing:
        raise ConfigurationError(f"topics {', '.join(missing)} do not exist on {config.broker.bootstrap}: "
                                 "create them with `lapor-hub topics init`")


class Counters:
    """Per-heartbeat counters (reset when a heartbeat is sent) and totals since start."""

    _NAMES = ("delivered", "failed", "dead_lettered", "polled")

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.since_heartbeat = dict.fromkeys(self._NAMES, 0)
        self.total = dict.fromkeys(self._NAMES, 0)

    def add(self, name: str, n: int = 1) -> None:
        with self._lock:
            self.since_heartbeat[name] += n
            self.total[name] += n

    def take(self) -> dict[str, int]:
        with self._lock:
            taken, self.since_heartbeat = self.since_heartbeat, dict.fromkeys(self._NAMES, 0)
            return taken


@dataclass
class _Undeliverable:
    error: SkippableError


class _RetryLater(Exception):
    def __init__(self, offset: int, error: RetriableError) -> None:
        super().__init__(str(error))
        self.offset, self.error = offset, error


class ConnectorRuntime:
    """Runs one connector until :meth:`stop`. ``run()`` blocks; use a thread in tests."""

    def __init__(self, connector: Connector, *, producer: Any = None, consumer: Any = None,
                 backoff: Backoff | None = None, update_check: UpdateCheck | None = None) -> None:
        self.connector = connector
        self.update_check = update_check
        self.config: ConnectorConfig = connector.config
        rt = self.config.runtime
        self.backoff = backoff or Backoff(rt.backoff_initial, rt.backoff_max)
        self.counters = Counters()
        self.inbound_port: int | None = None
        self.status = "UP"
        self.ready = threading.Event()
        self._stop = threading.Event()
        self._producer, self._consumer = producer, consumer
        self._failures = self._poll_failures = 0
        self._next_poll = self._next_heartbeat = 0.0
        self._committed: dict[TopicPartition, int] = {}
        self._watermark: Watermark | None = None
        self._after: Any = None
        self._refused_ids: dict[str, None] = {}  # recently dead-lettered polled records, oldest first
        hub = self.config.hub
        self._identities = None if hub is None else IdentityClient(hub, self.config.agency)

    def stop(self) -> None:
        self._stop.set()

    def run(self) -> None:
        if self._consumer is None and self.connector.delivers():
            refuse_second_connector(self.config)  # before anything is opened
        opts = kafka_options(self.config.broker)
        producer = self._producer = self._producer or KafkaProducer(
            **opts, acks="all", linger_ms=5, max_block_ms=10000, request_timeout_ms=15000,
            client_id=f"lapor-connect-{self.config.id}")
        self._publisher = ConnectorPublisher(producer, self.config, connector_type=self.connector.type)
        consumer = self._consumer
        if consumer is None and self.connector.delivers():
            consumer = self._consumer = KafkaConsumer(
                topics.inbox(self.config.agency), **opts, group_id=self.config.consumer_group,
                client_id=f"lapor-connect-{self.config.id}", enable_auto_commit=False,
                auto_offset_reset="earliest", max_poll_records=self.config.runtime.batch_size,
                session_timeout_ms=int(self.config.runtime.session_timeout * 1000),
                heartbeat_interval_ms=int(self.config.runtime.session_timeout * 1000 / 3),
                # a whole backoff wait plus a slow batch must fit, or the group evicts us
                max_poll_interval_ms=int((self.config.runtime.backoff_max + 600) * 1000))
        inbound = None
        self.connector.open(ConnectorContext(self.config.id, self.config.agency, self._publish_pushed, log,
                                             refuse=self._refuse_polled))
        try:
            if self.connector.cursor is not None and self.connector.polls():
                self._watermark = Watermark(self.config.state_dir, self.config.id, self.connector.cursor)
                self._after = self._watermark.open()
            routes = self.connector.inbound_routes()
            if routes:
                where = self.config.inbound
                if where is None:
                    raise ConfigurationError(f"{self.connector.type} connectors receive updates: add an "
                                             "'inbound:' section with host and port")
                inbound = InboundServer(routes, host=where.host, port=where.port)
                self.inbound_port = inbound.start()
            log.info("connector %s (%s) for agency %s started", self.config.id, self.connector.type, self.config.agency)
            self._maybe_heartbeat()
            self.ready.set()
            while not self._stop.is_set():
                if consumer is not None:
                    self._consume_once(consumer)
                else:
                    wake = [self._next_heartbeat, *([self._next_poll] if self.connector.polls() else [])]
                    self._stop.wait(max(0.05, min(wake) - time.monotonic()))
                if self.connector.polls() and time.monotonic() >= self._next_poll:
                    self._poll_once()
                self._maybe_heartbeat()
        except FatalError as exc:
            log.error("connector %s stopped: %s", self.config.id, exc)
            raise
        finally:
            self.status = "DOWN"
            self.ready.set()
            if inbound is not None:
                inbound.stop()
            self.connector.close()
            if self._watermark is not None:
                self._watermark.close()
            try:
                self._send_heartbeat()
                self._publisher.flush()
            except HubError:
                log.warning("could not send the last heartbeat: the broker is unreachable")
            if consumer is not None:
                consumer.close(autocommit=False)
            producer.close(timeout=5)
            log.info("connector %s stopped", self.config.id)

    # hub → agency -----------------------------------------------------------------------

    def _consume_once(self, consumer: Any) -> None:
        fetched = consumer.poll(timeout_ms=int(self.config.runtime.idle_wait * 1000),
                                max_records=self.config.runtime.batch_size)
        batches = sorted(fetched.items(), key=lambda item: (item[0].topic, item[0].partition))
        for index, (tp, records) in enumerate(batches):
            self._committed.setdefault(tp, records[0].offset)
            try:
                self._handle_partition(consumer, tp, records)
            except _RetryLater as retry:
                rewind = [(tp, retry.offset)] + [(t, r[0].offset) for t, r in batches[index + 1:]]
                for partition, offset in rewind:
                    try:
                        consumer.seek(partition, offset)
                    except (AssertionError, KafkaError, ValueError):
                        pass  # revoked meanwhile: its next owner starts from the committed offset
                self._back_off(retry.error)
                return
        if batches and self._failures:
            log.info("agency system reachable again after %d failed attempts", self._failures)
            self._failures, self.status = 0, "UP"

    def _handle_partition(self, consumer: Any, tp: TopicPartition, records: list) -> None:
        items = [(record, self._to_delivery(record)) for record in records]
        i = 0
        while i < len(items):
            record, item = items[i]
            if isinstance(item, _Undeliverable):
                self._dead_letter(record, item.error, None)
                i += 1
                continue
            j = i
            while j < len(items) and isinstance(items[j][1], Delivery):
                j += 1
            i += self._deliver_run(consumer, tp, items[i:j])
        try:
            self._settle(consumer, tp, records[-1].offset + 1)
        except RetriableError as exc:
            raise _RetryLater(self._committed[tp], exc) from exc

    def _to_delivery(self, record: Any) -> Delivery | _Undeliverable:
        try:
            if record.value is None:
                raise SkippableError("record has no value (a tombstone): the hub never sends one to an inbox")
            record_type, value = schemas.decode(record.value)
            attributes = schemas.read_cloudevent_headers(record.headers)
        except SkippableError as exc:
            return _Undeliverable(exc)
        if record_type not in INBOX_TYPES:
            return _Undeliverable(SkippableError(f"{record_type} is not an inbox record type "
                                                 f"(expected {', '.join(sorted(INBOX_TYPES))})"))
        tracking_id = value.get("tracking_id") or attributes.get("subject") or ""
        return Delivery(record_type, value, tracking_id, attributes["id"],
                        record.topic, record.partition, record.offset, self.config.agency)

    def _deliver_run(self, consumer: Any, tp: TopicPartition, run: list) -> int:
        done, isolate = 0, False
        while done < len(run):
            rest = [delivery for _, delivery in run[done:]][: 1 if isolate else None]
            accepted = 0
            try:
                results = self.connector.deliver(self._revealed(rest))
                for ref in [None] * len(rest) if results is None else results:
                    if accepted == len(rest):
                        break
                    self._delivered(run[done][1], ref)
                    done, accepted = done + 1, accepted + 1
                if accepted < len(rest):
                    raise RetriableError(f"the connector accepted {accepted} of {len(rest)} deliveries "
                                         "without saying why; retrying the rest")
            except RetriableError as exc:
                self.counters.add("failed")
                self._settle_before(consumer, tp, run[done][0].offset, exc)
                raise _RetryLater(run[done][0].offset, exc) from exc
            except FatalError:
                self._settle_before(consumer, tp, run[done][0].offset, None)
                raise
            except SkippableError as exc:
                if accepted == 0 and len(rest) > 1:
                    isolate = True  # an all-or-nothing batch failed: find the bad one alone
                    continue
                self._dead_letter(run[done][0], exc, run[done][1])
                done += 1
            except (OSError, TimeoutError) as exc:  # an untranslated transport error: temporary
                error = RetriableError(f"{type(exc).__name__} talking to the agency system")
                self.counters.add("failed")
                self._settle_before(consumer, tp, run[done][0].offset, error)
                raise _RetryLater(run[done][0].offset, error) from exc
            except Exception as exc:  # a bug in the connector must not stop the inbox forever
                log.exception("connector %s raised %s on a delivery", self.config.id, type(exc).__name__)
                reason = f"unexpected {type(exc).__name__} in connector {self.connector.type}"
                self._dead_letter(run[done][0], SkippableError(reason), run[done][1])
                done += 1
        return done

    def _revealed(self, deliveries: list[Delivery]) -> list[Delivery]:
        """The deliveries as the agency system gets them: the reporter disclosed by the hub, never sealed."""
        if self._identities is None:
            return [without_sealed_identity(d) for d in deliveries]
        return [self._identities.reveal(d) for d in deliveries]

    def _delivered(self, delivery: Delivery, external_ref: str | None) -> None:
        self._publisher.receipt(delivery, "DELIVERED", external_ref=external_ref)
        self.counters.add("delivered")
        if self.update_check is not None:
            self.update_check.delivered(delivery)

    def _dead_letter(self, record: Any, error: SkippableError, delivery: Delivery | None) -> None:
        tracking_id = delivery.tracking_id if delivery else (record.key or b"").decode("utf-8", "replace")
        log.warning("dead-lettering %s[%d]@%d: %s", record.topic, record.partition, record.offset, error.reason)
        self._publisher.dead_letter(topic=record.topic, partition=record.partition, offset=record.offset,
                                    key=record.key, payload=record.value or b"", error=error,
                                    tracking_id=tracking_id, original_headers=record.headers or ())
        if delivery is not None:
            self._publisher.receipt(delivery, "DEAD_LETTERED", detail=error.reason)
        self.counters.add("dead_lettered")
        self.counters.add("failed")

    def _settle_before(self, consumer: Any, tp: TopicPartition, offset: int, error: RetriableError | None) -> None:
        """Commit what was accepted before ``offset`` so a restart does not redeliver it."""
        try:
            self._settle(consumer, tp, offset)
        except RetriableError:
            pass  # the broker is down too: those records come again, with the same key

    def _settle(self, consumer: Any, tp: TopicPartition, next_offset: int) -> None:
        if self._committed.get(tp) == next_offset:
            return
        self._publisher.flush()  # receipts and dead letters first: then the offset may move
        try:
            consumer.commit({tp: OffsetAndMetadata(next_offset, "", -1)})
        except KafkaError as exc:  # a rebalance: the next owner redelivers, keys dedupe
            log.warning("commit on %s failed (%s); records may be delivered again", tp, type(exc).__name__)
            return
        self._committed[tp] = next_offset

    def _back_off(self, error: RetriableError) -> None:
        self._failures += 1
        self.status = "DEGRADED"
        delay = self.backoff.delay(self._failures, error.retry_after)
        log.warning("agency system unavailable (%s); retrying in %.1f s (attempt %d)", error, delay, self._failures)
        self._wait(delay)

    def _wait(self, seconds: float) -> None:
        deadline = time.monotonic() + seconds
        while not self._stop.is_set():
            self._maybe_heartbeat()
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return
            self._stop.wait(min(remaining, max(0.05, self._next_heartbeat - time.monotonic())))

    # agency → hub -----------------------------------------------------------------------

    def _publish_pushed(self, updates: Sequence[AgencyUpdate]) -> list[str]:
        """All or nothing: InvalidUpdate (or UpdateConflict) names the first refused update."""
        checked = check_pushed(updates, value_of=self._publisher.value_of, check=self.update_check)
        for update, value in checked:
            self._publisher.send_update(update, value)
        self._publisher.flush()
        if self.update_check is not None:
            self.update_check.published(checked)
        self.counters.add("polled", len(checked))
        return [value["event_id"] for _, value in checked]

    def _poll_once(self) -> None:
        interval = self.config.runtime.poll_interval
        try:
            polled = sort_polled(self.connector.poll_from(self._after), cursor=self.connector.cursor,
                                 after=self._after, value_of=self._publisher.value_of, check=self.update_check)
            for record, error in polled.refused:
                self._refuse_polled(record, error.reason, error)
            for update, value in polled.taken:
                self._publisher.send_update(update, value)
            self._publisher.flush()
            if self.update_check is not None:
                self.update_check.published(polled.taken)
            self.connector.acknowledge([update for update, _ in polled.taken])
            if self._watermark is not None and polled.after != self._after:
                self._watermark.store(polled.after)
                self._after = polled.after
        except (RetriableError, SkippableError) as exc:
            self._poll_failed(exc, exc.reason if isinstance(exc, SkippableError) else str(exc))
            return
        except (FatalError, ConfigurationError):
            raise
        except Exception as exc:  # a bug in poll(): report it, keep delivering, poll again later
            log.exception("connector %s raised %s in poll()", self.config.id, type(exc).__name__)
            self._poll_failed(exc, f"unexpected {type(exc).__name__} in poll()")
            return
        self.counters.add("polled", len(polled.taken))
        self._poll_failures = 0
        self._next_poll = time.monotonic() + interval

    def _poll_failed(self, error: Exception, reason: str) -> None:
        self._poll_failures += 1
        delay = self.backoff.delay(self._poll_failures, getattr(error, "retry_after", None))
        log.warning("polling the agency system failed (%s); the connector keeps running, next poll in %.1f s",
                    reason, delay)
        self._next_poll = time.monotonic() + delay

    def _refuse_polled(self, record: Any, reason: str, error: SkippableError | None = None) -> None:
        """Dead-letter a record of the agency system with the reason, and tell the connector."""
        error = error or InvalidUpdate(reason)
        identity = record_id(record)
        if identity in self._refused_ids:  # read again (a record without the cursor): once is enough
            return
        self._refused_ids[identity] = None
        while len(self._refused_ids) > _REFUSED_MEMORY:
            del self._refused_ids[next(iter(self._refused_ids))]
        tracking_id = record.tracking_id if isinstance(record, AgencyUpdate) else str(
            record.get("tracking_id") or "") if isinstance(record, Mapping) else ""
        # No inbox record: the "source" is the agency system as seen by this connector.
        log.warning("dead-lettering a record from the agency system: %s", error.reason)
        self._publisher.dead_letter(topic=f"agency-system:{self.config.id}", partition=-1, offset=-1,
                                    key=tracking_id.encode() or None, payload=record_payload(record), error=error,
                                    tracking_id=tracking_id, record_id=identity)
        self.counters.add("dead_lettered")
        try:
            self.connector.refused(record, error.reason)
        except Exception as exc:  # the report to the agency is a courtesy: never stop for it
            log.warning("connector %s could not report a refused record (%s)", self.config.id, type(exc).__name__)

    # health -----------------------------------------------------------------------------

    def _maybe_heartbeat(self) -> None:
        if time.monotonic() >= self._next_heartbeat:
            try:
                self._send_heartbeat()
            except RetriableError as exc:
                log.warning("heartbeat not sent: %s", exc)
            self._next_heartbeat = time.monotonic() + self.config.runtime.heartbeat_interval

    def _send_heartbeat(self) -> None:
        counts = self.counters.take()
        self._publisher.heartbeat(self.status, delivered=counts["delivered"], failed=counts["failed"],
                                  polled=counts["polled"], lag=self._lag())

    def _lag(self) -> int | None:
        consumer = self._consumer
        if consumer is None:
            return None
        try:
            lags = [consumer.highwater(tp) - consumer.position(tp, timeout_ms=1000)
                    for tp in consumer.assignment() if consumer.highwater(tp) is not None]
        except (KafkaError, AssertionError, TypeError):
            return None
        return sum(lags) if lags else None
