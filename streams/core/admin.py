"""Broker administration the hub needs: creating its topics, idempotently."""

from __future__ import annotations

import time
from collections.abc import Iterable
from dataclasses import dataclass

from kafka import KafkaAdminClient
from kafka.admin import NewTopic
from kafka.errors import KafkaError, TopicAlreadyExistsError, TopicAuthorizationFailedError

from lapor_hub.errors import ConfigurationError, RetriableError
from lapor_hub.streams.core import topics
from lapor_hub.streams.core.config import HubSettings

__all__ = ["TopicPlan", "plan_topics", "init_topics", "admin_client", "data_keys_plan"]

# Creating ~1,400 topics in one request makes the controller time out; batches are quick.
_BATCH = 200
#: Dead letters and connector health are small and kept a month for operators to inspect.
_TOPIC_ALREADY_EXISTS = TopicAlreadyExistsError.errno
_DAY_MS = 24 * 3600 * 1000
_MONTH_MS = str(30 * _DAY_MS)
_WEEK_MS = str(7 * _DAY_MS)


@dataclass(frozen=True)
class TopicPlan:
    name: str
    partitions: int
    replication_factor: int
    config: tuple[tuple[str, str], ...] = ()


def plan_topics(settings: HubSettings, agency_codes: Iterable[str]) -> list[TopicPlan]:
    """Every topic the hub uses, with its partitions and configuration."""
    rf = settings.replication_factor
    hub = [TopicPlan(name, settings.partitions, rf) for name in topics.HUB_TOPICS if name != topics.DATA_KEYS]
    # complaints.events is the system of record: never delete by age.
    # Nor its signed chain heads, which prove it was not rewritten.
    retention = {topics.EVENTS: "-1", topics.HEADS: "-1",
                 topics.DEADLETTER: _MONTH_MS, topics.CONNECTOR_HEALTH: _MONTH_MS,
                 # Claims outlive the idempotency window by a day: the hub ignores older ones.
                 topics.IDEMPOTENCY: str((settings.idempotency_days + 1) * _DAY_MS),
                 # Accountability for a year; the entries name staff and their network addresses.
                 topics.AUDIT: str(366 * _DAY_MS),
                 # What a channel writes here in clear stays until this deletes it (the hub seals
                 # its own copies at once); a week covers a long outage of the hub.
                 topics.INTAKE: _WEEK_MS}
    hub = [TopicPlan(p.name, p.partitions, rf, (("retention.ms", retention[p.name]),)) if p.name in retention else p
           for p in hub]
    # The tables' changelogs are created here rather than by Faust on its first start: a worker
    # writing to a table Faust had just created saw it without partitions and stopped
    # (PartitionsMismatch), and a changelog must have its source topics' partitions anyway.
    tables = [TopicPlan(topics.changelog(settings.app_id, table), settings.partitions, rf,
                        (("cleanup.policy", "compact"),)) for table in topics.TABLES]
    hub.append(data_keys_plan(settings))
    agency = [TopicPlan(name, settings.agency_partitions, rf) for name in topics.agency_topics(agency_codes)]
    return hub + tables + agency


def data_keys_plan(settings: HubSettings) -> TopicPlan:
    """The key store's topic: one partition (every worker reads it in write order), compacted, and
    rolled often enough that a destroyed data key leaves the broker's disks within
    ``key_compaction_ms`` of the next write after it (README, Privacy)."""
    lag = str(settings.key_compaction_ms)
    return TopicPlan(topics.DATA_KEYS, 1, settings.replication_factor, (
        ("cleanup.policy", "compact"), ("segment.ms", lag), ("max.compaction.lag.ms", lag),
        ("min.compaction.lag.ms", "0"), ("min.cleanable.dirty.ratio", "0.01"),
        # A tombstone itself holds no key; it is kept a day so that a worker reading the topic
        # meanwhile still sees the key destroyed.
        ("delete.retention.ms", str(_DAY_MS))))


def admin_client(settings: HubSettings, *, client_id: str = "lapor-hub-admin") -> KafkaAdminClient:
    try:
        return KafkaAdminClient(**settings.client_options(), client_id=client_id, request_timeout_ms=30000)
    except KafkaError as exc:
        raise RetriableError(
            f"cannot reach the Kafka broker at {settings.broker}: {exc.__class__.__name__}; "
            "start it with `lapor-hub broker start` or set LAPOR_BROKER"
        ) from exc


def init_topics(settings: HubSettings, agency_codes: Iterable[str]) -> tuple[int, int]:
    """Create the missing topics. Returns (created, already existing)."""
    plans = plan_topics(settings, agency_codes)
    admin = admin_client(settings)
    try:
        existing = set(admin.list_topics())
        missing = [p for p in plans if p.name not in existing]
        for start in range(0, len(missing), _BATCH):
            batch = [NewTopic(p.name, p.partitions, p.replication_factor, topic_configs=dict(p.config))
                     for p in missing[start:start + _BATCH]]
            answer = admin.create_topics(batch, timeout_ms=60000, raise_errors=False)
            for result in answer["topics"]:
                # 36: created meanwhile by another process; still idempotent.
                if result["error_code"] == TopicAuthorizationFailedError.errno:
                    raise ConfigurationError(
                        f"creating topic {result['name']} is not allowed for this principal: create the topics as "
                        "the cluster admin (`lapor-hub topics init`, the deploy step of docker/docker-compose.yml)")
                if result["error_code"] not in (0, _TOPIC_ALREADY_EXISTS):
                    raise RetriableError(f"creating topic {result['name']} failed: {result['error_message']}")
        _wait_until_visible(admin, {p.name for p in plans})
    except KafkaError as exc:
        raise RetriableError(f"creating topics failed: {exc}") from exc
    finally:
        admin.close()
    return len(missing), len(plans) - len(missing)


def _wait_until_visible(admin: KafkaAdminClient, names: set[str], timeout: float = 60.0) -> None:
    """Creation is asynchronous: wait until the broker's metadata lists every topic."""
    deadline = time.monotonic() + timeout
    while not names <= set(admin.list_topics()):
        if time.monotonic() > deadline:
            raise RetriableError("topics were created but did not appear in the broker's metadata in time")
        time.sleep(0.25)
