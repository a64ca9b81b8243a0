"""The sampler thread: every few seconds, end offsets of the hub's topics, committed offsets of
the hub's and the connectors' consumer groups, and the SLA figures of the read model.

kafka-python's clients are blocking, and a sampling round can take seconds when the broker is
slow; it runs in its own thread so the worker's event loop never waits for it. Each round
replaces one immutable :class:`SamplerState`, so readers need no lock.

The offsets of the ~1,400 partitions come from a consumer without a group, which keeps the
partition leaders it learned (refreshed by kafka-python every few minutes or when a leader
moves), not from the admin client, whose ``list_partition_offsets`` asks for the metadata of
every topic it names on each call: that request and its answer were most of the sampler's CPU,
taken from the worker's event loop every round (see README, Performance).
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace

from kafka import KafkaConsumer, TopicPartition

from lapor_hub.streams.core.admin import admin_client
from lapor_hub.streams.core.config import HubSettings
from lapor_hub.streams.health.feed import consumer_options
from lapor_hub.streams.health.lag import CONNECTOR_GROUP_PREFIX, GroupLag, group_lag
from lapor_hub.streams.health.throughput import OffsetSample, ThroughputWindow, series_of, sum_by_series

__all__ = ["SamplerState", "HealthSampler"]

log = logging.getLogger(__name__)

_TP = tuple[str, int]
#: Topic metadata changes rarely (agencies join by config); no need to ask every round.
_METADATA_EVERY_S = 60.0


@dataclass(frozen=True)
class SamplerState:
    broker_reachable: bool = False
    broker_error: str | None = None
    #: Wall-clock epoch seconds of the last complete Kafka round.
    sampled_at: float | None = None
    groups: tuple[GroupLag, ...] = ()
    connector_groups: tuple[str, ...] = ()
    sla: dict | None = None
    sla_error: str | None = None
    sla_sampled_at: float | None = None
    throughput: dict = field(default_factory=dict)


class HealthSampler:
    """Owns the admin client and the throughput window; one round every ``interval_s``."""

    def __init__(self, settings: HubSettings, *, hub_groups: Callable[[], dict[str, Iterable[str]]],
                 read_model: Callable[[], object | None], interval_s: float = 5.0, window: int = 60) -> None:
        self._settings = settings
        #: The hub's own consumer groups and the topics each subscribes to.
        self._hub_groups = hub_groups
        self._read_model = read_model
        self.interval_s = interval_s
        self._window = ThroughputWindow(window)
        self._admin = None
        self._offsets_reader: KafkaConsumer | None = None
        self._partitions: dict[str, list[int]] = {}
        self._metadata_at = float("-inf")
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.state = SamplerState()

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name="lapor-health-sampler", daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 10.0) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout)
        self._close_clients()

    def _run(self) -> None:
        while not self._stop.is_set():
            self.sample_once()
            self._stop.wait(self.interval_s)

    def sample_once(self) -> None:
        """One round; never raises: a failure is kept in the state for operators to see."""
        state = self._sample_sla(self.state)
        try:
            state = self._sample_kafka(state)
        except Exception as exc:  # noqa: BLE001 - the thread must outlive any broker trouble
            log.warning("stream health: sampling the broker failed: %s", type(exc).__name__)
            self._close_clients()
            state = replace(state, broker_reachable=False, broker_error=_describe(exc))
        self.state = state

    def _sample_sla(self, state: SamplerState) -> SamplerState:
        from lapor_hub.streams.health.sla import sla_snapshot

        model = self._read_model()
        if model is None:
            return state
        try:
            return replace(state, sla=sla_snapshot(model), sla_error=None, sla_sampled_at=time.time())
        except Exception as exc:  # noqa: BLE001 - keep the last figures, say why they are old
            return replace(state, sla_error=_describe(exc))

    def _sample_kafka(self, state: SamplerState) -> SamplerState:
        admin = self._admin_client()
        monotonic, wall = time.monotonic(), time.time()
        if monotonic - self._metadata_at > _METADATA_EVERY_S:
            self._refresh_metadata(admin)
            self._metadata_at = monotonic
        group_ids = [g["group_id"] for g in admin.list_groups()]
        hub_groups = {group: {(t, p) for t in names for p in self._partitions.get(t, ())}
                      for group, names in self._hub_groups().items()}
        connector_groups = sorted(g for g in group_ids if g.startswith(CONNECTOR_GROUP_PREFIX))
        wanted = [g for g in hub_groups if g in group_ids] + connector_groups
        committed_by_group = {
            group: {(tp.topic, tp.partition): meta.offset for tp, meta in offsets.items()}
            for group, offsets in (admin.list_group_offsets(dict.fromkeys(wanted)) if wanted else {}).items()
        }
        shown = {(t, p) for t, parts in self._partitions.items() if series_of(t) for p in parts}
        subscribed = set().union(*hub_groups.values())
        committed_tps = {tp for offsets in committed_by_group.values() for tp in offsets}
        end = self._offsets(shown | subscribed | committed_tps, latest=True)
        uncommitted = set().union(*(tps - set(committed_by_group.get(group, {})) for group, tps in hub_groups.items()))
        earliest = self._offsets(uncommitted, latest=False)
        groups = [group_lag(group, "hub", committed_by_group.get(group, {}), end, earliest, tps)
                  for group, tps in hub_groups.items()]
        groups += [group_lag(g, "connector", committed_by_group.get(g, {}), end, earliest)
                   for g in connector_groups]
        self._window.add(OffsetSample(monotonic, wall, sum_by_series({tp: end[tp] for tp in shown if tp in end})))
        throughput = {"totals": self._window.latest_totals(), "rates": self._window.rates(),
                      "history": self._window.history(), "interval_s": self.interval_s}
        return replace(state, broker_reachable=True, broker_error=None, sampled_at=wall, groups=tuple(groups),
                       connector_groups=tuple(connector_groups), throughput=throughput)

    def _refresh_metadata(self, admin) -> None:
        subscribed = {t for names in self._hub_groups().values() for t in names}
        names = [t for t in admin.list_topics() if series_of(t) is not None or t in subscribed]
        partitions: dict[str, list[int]] = {}
        for described in admin.describe_topics(names) if names else ():
            if described.get("error_code", 0) == 0:
                partitions[described["name"]] = sorted(p["partition_index"] for p in described["partitions"])
        self._partitions = partitions

    def _offsets(self, tps: Iterable[_TP], *, latest: bool) -> dict[_TP, int]:
        """The end (``latest``) or first offset of each partition."""
        partitions = [TopicPartition(t, p) for t, p in tps]
        if not partitions:
            return {}
        if self._offsets_reader is None:
            self._offsets_reader = KafkaConsumer(**consumer_options(self._settings,
                                                                    f"{self._settings.app_id}-health-offsets"))
        reader = self._offsets_reader
        answer = reader.end_offsets(partitions) if latest else reader.beginning_offsets(partitions)
        return {(tp.topic, tp.partition): offset for tp, offset in answer.items()}

    def _admin_client(self):
        if self._admin is None:
            self._admin = admin_client(self._settings, client_id=f"{self._settings.app_id}-health")
        return self._admin

    def _close_clients(self) -> None:
        clients = (self._admin, self._offsets_reader)
        self._admin = self._offsets_reader = None
        self._metadata_at = float("-inf")
        for client in clients:
            if client is not None:
                try:
                    client.close()
                except Exception:  # noqa: BLE001 - closing a broken client may fail too; nothing to do
                    pass


def _describe(exc: BaseException) -> str:
    # Broker and database errors name hosts and topics, never complaint content.
    text = str(exc).strip()
    return f"{type(exc).__name__}: {text[:200]}" if text else type(exc).__name__
