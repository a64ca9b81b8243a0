"""Consumer-group lag: how many records each group still has to read, per partition.

Lag is the partition's end offset minus the group's committed offset. A partition the group
has never committed on is counted from the partition's earliest retained offset, because the
hub and the connectors start reading there (``auto_offset_reset=earliest``).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

__all__ = ["CONNECTOR_GROUP_PREFIX", "PartitionLag", "GroupLag", "partition_lags", "group_lag",
           "connector_of_group"]

#: Connector consumer groups are ``lapor-connect.<connector id>`` (connectors/sdk/config.py).
CONNECTOR_GROUP_PREFIX = "lapor-connect."

_TP = tuple[str, int]


@dataclass(frozen=True)
class PartitionLag:
    topic: str
    partition: int
    committed: int | None
    end: int
    lag: int


@dataclass(frozen=True)
class GroupLag:
    group: str
    #: "hub" for the hub's own group, "connector" for a connector's.
    kind: str
    partitions: tuple[PartitionLag, ...]

    @property
    def total(self) -> int:
        return sum(p.lag for p in self.partitions)

    @property
    def max(self) -> int:
        return max((p.lag for p in self.partitions), default=0)


def connector_of_group(group: str) -> str | None:
    return group[len(CONNECTOR_GROUP_PREFIX):] if group.startswith(CONNECTOR_GROUP_PREFIX) else None


def partition_lags(committed: Mapping[_TP, int], end: Mapping[_TP, int], earliest: Mapping[_TP, int],
                   subscribed: Iterable[_TP] = ()) -> tuple[PartitionLag, ...]:
    """Lag of every committed partition and of every ``subscribed`` one, sorted by topic/partition.

    Partitions whose end offset is unknown (topic deleted since the commit) are left out rather
    than shown with an invented lag.
    """
    out = []
    for tp in sorted(set(committed) | set(subscribed)):
        if tp not in end:
            continue
        offset = committed.get(tp)
        start = offset if offset is not None and offset >= 0 else earliest.get(tp, 0)
        # A committed offset past the end happens briefly after a topic was truncated: no lag.
        out.append(PartitionLag(tp[0], tp[1], offset, end[tp], max(end[tp] - start, 0)))
    return tuple(out)


def group_lag(group: str, kind: str, committed: Mapping[_TP, int], end: Mapping[_TP, int],
              earliest: Mapping[_TP, int], subscribed: Iterable[_TP] = ()) -> GroupLag:
    return GroupLag(group, kind, partition_lags(committed, end, earliest, subscribed))
