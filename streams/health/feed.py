"""The feed thread: reads ``complaints.deadletter`` and ``connectors.health`` into the tallies.

A plain consumer with assigned partitions and no consumer group, apart from the hub's own
group: it never triggers a rebalance of the agents, commits nothing, and on every start reads
again what operators need. Dead letters are read from the start of the topic (it keeps a
month, and only headers are parsed); connector health from ``lookback_s`` ago, because
heartbeats are frequent and only the latest one per connector matters.
"""

from __future__ import annotations

import logging
import threading
import time

from kafka import KafkaConsumer, TopicPartition

from lapor_hub.schemas import decode
from lapor_hub.streams.core import topics
from lapor_hub.streams.core.config import HubSettings
from lapor_hub.streams.health.connectors import ConnectorBoard
from lapor_hub.streams.health.deadletters import DeadLetterTally, entry_from_headers

__all__ = ["HealthFeed", "consumer_options"]

log = logging.getLogger(__name__)

_POLL_MS = 500
_RETRY_S = 2.0


def consumer_options(settings: HubSettings, client_id: str) -> dict:
    """kafka-python options for the hub's broker, with the hub's credentials when it has any."""
    return {**settings.client_options(), "client_id": client_id, "enable_auto_commit": False, "group_id": None,
            "request_timeout_ms": 30000}


class HealthFeed:
    def __init__(self, settings: HubSettings, dead_letters: DeadLetterTally, connectors: ConnectorBoard,
                 *, lookback_s: float = 3600.0) -> None:
        self._settings = settings
        self.dead_letters = dead_letters
        self.connectors = connectors
        self._lookback_s = lookback_s
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        #: Records that could not be read (not Avro, unknown schema): counted, never fatal.
        self.unreadable = 0
        self.caught_up = False
        #: Where reading stopped, so a reconnect neither skips nor counts anything twice.
        self._positions: dict[TopicPartition, int] = {}

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name="lapor-health-feed", daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 10.0) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout)

    def _run(self) -> None:
        while not self._stop.is_set():
            consumer = None
            try:
                consumer = self._open()
                if consumer is not None:
                    self._consume(consumer)
            except Exception as exc:  # noqa: BLE001 - reconnect rather than die with the broker
                log.warning("stream health: reading health topics failed (%s); retrying", type(exc).__name__)
            finally:
                if consumer is not None:
                    consumer.close()
            self._stop.wait(_RETRY_S)

    def _open(self) -> KafkaConsumer | None:
        """A consumer positioned where reading should start; None while the topics do not exist yet."""
        consumer = KafkaConsumer(**consumer_options(self._settings, f"{self._settings.app_id}-health-feed"))
        dead = [TopicPartition(topics.DEADLETTER, p) for p in consumer.partitions_for_topic(topics.DEADLETTER) or ()]
        health = [TopicPartition(topics.CONNECTOR_HEALTH, p)
                  for p in consumer.partitions_for_topic(topics.CONNECTOR_HEALTH) or ()]
        if not dead or not health:
            consumer.close()
            return None
        consumer.assign(dead + health)
        if self._positions:
            for tp, offset in self._positions.items():
                consumer.seek(tp, offset)
            return consumer
        consumer.seek_to_beginning(*dead)
        since_ms = int((time.time() - self._lookback_s) * 1000)
        found = consumer.offsets_for_times({tp: since_ms for tp in health})
        # Resolved now, not lazily at the first poll as seek_to_end would: a heartbeat written
        # in between would be skipped.
        ends = consumer.end_offsets(health)
        for tp in health:
            consumer.seek(tp, found[tp].offset if found.get(tp) is not None else ends[tp])
        return consumer

    def _consume(self, consumer: KafkaConsumer) -> None:
        ends = consumer.end_offsets(list(consumer.assignment()))
        while not self._stop.is_set():
            for tp, records in consumer.poll(timeout_ms=_POLL_MS).items():
                for record in records:
                    self._read(tp.topic, record)
            self._positions = {tp: consumer.position(tp) for tp in consumer.assignment()}
            if not self.caught_up and all(self._positions[tp] >= end for tp, end in ends.items()):
                self.caught_up = True

    def _read(self, topic: str, record) -> None:
        if topic == topics.DEADLETTER:
            self.dead_letters.add(entry_from_headers(record.headers, record.timestamp))
            return
        try:
            record_type, value = decode(record.value or b"")
        except Exception:  # noqa: BLE001 - a stranger's record on the topic is not our crash
            self.unreadable += 1
            return
        self.connectors.observe(record_type, value, record.timestamp)
