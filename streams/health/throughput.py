"""Per-topic throughput: end-offset samples in a short ring buffer, turned into records/s.

The end offset of a partition counts every record ever written to it, so the difference
between two samples divided by the time between them is the write rate, whoever wrote.
Agency topics are summed into two series (all inboxes, all outboxes): ~680 agencies each
would drown the picture, and per-agency traffic is what the SLA view is for.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from lapor_hub.streams.core import topics

__all__ = ["AGENCY_INBOXES", "AGENCY_OUTBOXES", "THROUGHPUT_SERIES", "OffsetSample", "ThroughputWindow",
           "series_of", "sum_by_series"]

AGENCY_INBOXES = "agency.*.inbox"
AGENCY_OUTBOXES = "agency.*.outbox"
#: The series an operator sees, in the order a complaint flows through them.
THROUGHPUT_SERIES = (topics.INTAKE, topics.COMMANDS, topics.EVENTS, AGENCY_INBOXES, AGENCY_OUTBOXES,
                     topics.ESCALATIONS, topics.DEADLETTER, topics.CONNECTOR_HEALTH)


def series_of(topic: str) -> str | None:
    """The throughput series a topic counts towards; None for topics the hub does not show."""
    if topic in THROUGHPUT_SERIES:
        return topic
    if topics.agency_of_topic(topic) is not None:
        return AGENCY_INBOXES if topic.endswith(".inbox") else AGENCY_OUTBOXES
    return None


def sum_by_series(end_offsets: Mapping[tuple[str, int], int]) -> dict[str, int]:
    """End offsets per (topic, partition) summed per series; every series present, 0 when empty."""
    totals = dict.fromkeys(THROUGHPUT_SERIES, 0)
    for (topic, _), offset in end_offsets.items():
        series = series_of(topic)
        if series is not None:
            totals[series] += max(offset, 0)
    return totals


@dataclass(frozen=True)
class OffsetSample:
    #: Seconds on a monotonic clock: rates must not jump when the wall clock is set.
    at: float
    #: Wall-clock epoch seconds of the same instant, for the charts' time axis.
    wall: float
    totals: Mapping[str, int]


class ThroughputWindow:
    """The last ``size`` samples; rates between consecutive samples."""

    def __init__(self, size: int = 60) -> None:
        self._samples: deque[OffsetSample] = deque(maxlen=size)

    def add(self, sample: OffsetSample) -> None:
        if self._samples and sample.at <= self._samples[-1].at:
            return  # a sample out of order would give a negative or infinite rate
        self._samples.append(sample)

    def __len__(self) -> int:
        return len(self._samples)

    def latest_totals(self) -> dict[str, int]:
        return dict(self._samples[-1].totals) if self._samples else dict.fromkeys(THROUGHPUT_SERIES, 0)

    def history(self) -> dict[str, list[tuple[float, float]]]:
        """Per series, (wall time, records/s) for each pair of consecutive samples."""
        out: dict[str, list[tuple[float, float]]] = {series: [] for series in THROUGHPUT_SERIES}
        for before, after in _pairs(self._samples):
            elapsed = after.at - before.at
            for series in out:
                written = after.totals.get(series, 0) - before.totals.get(series, 0)
                # A topic deleted and re-created starts again at 0: that is no negative traffic.
                out[series].append((after.wall, round(max(written, 0) / elapsed, 3)))
        return out

    def rates(self) -> dict[str, float]:
        """Records/s per series over the last interval (0.0 before two samples exist)."""
        return {series: (points[-1][1] if points else 0.0) for series, points in self.history().items()}


def _pairs(samples: Iterable[OffsetSample]):
    previous = None
    for sample in samples:
        if previous is not None:
            yield previous, sample
        previous = sample
