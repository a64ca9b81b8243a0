"""Dead letters as operators see them: counts by stage and error class, and the latest ones.

Only what the ``lapor-*`` headers say is kept: stage, error class, reason, where the record
came from and when it failed. Never the payload or the key: they are the original record,
which may hold a reporter's identity. Reasons are written without personal data by the hub
(streams/deadletter.py) and by the connector SDK; a reason is still cut to a short length so a
connector that misbehaves cannot flood the dashboard.
"""

from __future__ import annotations

import threading
from collections import Counter, deque
from dataclasses import asdict, dataclass

__all__ = ["DeadLetterEntry", "DeadLetterTally", "entry_from_headers"]

_REASON_LIMIT = 300
_UNKNOWN = "unknown"


@dataclass(frozen=True)
class DeadLetterEntry:
    stage: str
    error_class: str
    reason: str
    source_topic: str
    source_partition: int | None
    source_offset: int | None
    #: When the record was dead-lettered (epoch seconds, the dead-letter record's timestamp).
    failed_at: float

    def as_json(self) -> dict:
        return asdict(self)


def entry_from_headers(headers, timestamp_ms: int) -> DeadLetterEntry:
    """The entry for one ``complaints.deadletter`` record from its Kafka headers alone."""
    found: dict[str, str] = {}
    for name, value in headers or ():
        key = name.decode("utf-8", "replace") if isinstance(name, bytes) else str(name)
        if key.startswith("lapor-") and not key.startswith("lapor-original-"):
            found[key] = value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value or "")
    return DeadLetterEntry(
        stage=found.get("lapor-stage") or _UNKNOWN,
        error_class=found.get("lapor-error-class") or _UNKNOWN,
        reason=(found.get("lapor-reason") or "")[:_REASON_LIMIT],
        source_topic=found.get("lapor-source-topic") or _UNKNOWN,
        source_partition=_int(found.get("lapor-source-partition")),
        source_offset=_int(found.get("lapor-source-offset")),
        failed_at=timestamp_ms / 1000.0,
    )


class DeadLetterTally:
    """Thread-safe: a feed thread adds, the web server reads snapshots."""

    def __init__(self, latest: int = 50) -> None:
        self._lock = threading.Lock()
        self._by_stage_class: Counter[tuple[str, str]] = Counter()
        self._latest: deque[DeadLetterEntry] = deque(maxlen=latest)
        self._times: deque[float] = deque(maxlen=100_000)

    def add(self, entry: DeadLetterEntry) -> None:
        with self._lock:
            self._by_stage_class[(entry.stage, entry.error_class)] += 1
            self._latest.append(entry)
            self._times.append(entry.failed_at)

    def snapshot(self, now: float, *, recent_window_s: float = 3600.0) -> dict:
        """Counts (all read so far, and within ``recent_window_s`` before ``now``), newest first."""
        with self._lock:
            pairs = dict(self._by_stage_class)
            latest = list(self._latest)
            recent = sum(1 for t in self._times if t >= now - recent_window_s)
        by_stage: Counter[str] = Counter()
        by_class: Counter[str] = Counter()
        for (stage, error_class), count in pairs.items():
            by_stage[stage] += count
            by_class[error_class] += count
        return {
            "total": sum(pairs.values()),
            "recent": recent,
            "recent_window_s": recent_window_s,
            "by_stage": dict(by_stage.most_common()),
            "by_error_class": dict(by_class.most_common()),
            "by_stage_and_error_class": [{"stage": s, "error_class": c, "count": n}
                                         for (s, c), n in sorted(pairs.items())],
            "latest": [e.as_json() for e in sorted(latest, key=lambda e: e.failed_at, reverse=True)],
        }


def _int(text: str | None) -> int | None:
    try:
        return int(text) if text is not None else None
    except ValueError:
        return None
