"""Connector health from ``connectors.health``: the latest heartbeat of each connector and
counts of its delivery receipts.

A heartbeat carries counts *since the previous heartbeat*, so they are added up here into
totals since the hub started reading. Silence is measured from when the hub read the last
heartbeat's record (the broker's timestamp), not from ``sent_at``: a connector host with a
wrong clock must not look alive, or dead.
"""

from __future__ import annotations

import threading
from collections import Counter
from dataclasses import dataclass, field

__all__ = ["ConnectorState", "ConnectorBoard", "SILENT", "NEVER_SEEN"]

#: Shown instead of the heartbeat's status when a connector has been quiet too long.
SILENT = "SILENT"
#: A connector known only from its consumer group: no heartbeat within the hub's read window.
NEVER_SEEN = "NO_HEARTBEAT"


@dataclass
class ConnectorState:
    connector_id: str
    agency: str = ""
    connector_type: str = ""
    status: str = NEVER_SEEN
    last_seen: float | None = None
    heartbeats: int = 0
    delivered: int = 0
    failed: int = 0
    polled: int = 0
    #: Lag on its inbox as the connector itself reported it.
    reported_lag: int | None = None
    receipts: Counter = field(default_factory=Counter)


class ConnectorBoard:
    """Thread-safe: the feed thread observes records, the web server reads snapshots."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._connectors: dict[str, ConnectorState] = {}

    def observe(self, record_type: str, value: dict, timestamp_ms: int) -> None:
        connector_id = value.get("connector_id")
        if not connector_id:
            return
        seen = timestamp_ms / 1000.0
        with self._lock:
            state = self._connectors.setdefault(connector_id, ConnectorState(connector_id))
            state.agency = value.get("agency") or state.agency
            if record_type == "ConnectorHeartbeat":
                state.connector_type = value.get("connector_type") or state.connector_type
                state.heartbeats += 1
                state.delivered += max(int(value.get("delivered") or 0), 0)
                state.failed += max(int(value.get("failed") or 0), 0)
                state.polled += max(int(value.get("polled") or 0), 0)
                # Records arrive in order per connector (keyed by id), but keep the newest anyway.
                if state.last_seen is None or seen >= state.last_seen:
                    state.last_seen = seen
                    state.status = str(value.get("status") or "DEGRADED")
                    state.reported_lag = value.get("lag")
            elif record_type == "DeliveryReceipt":
                state.receipts[str(value.get("status") or "UNKNOWN")] += 1

    def know(self, connector_id: str) -> None:
        """A connector seen only through its consumer group still gets a tile."""
        with self._lock:
            self._connectors.setdefault(connector_id, ConnectorState(connector_id))

    def snapshot(self, now: float, *, silence_after_s: float) -> list[dict]:
        with self._lock:
            states = [_copy(s) for s in self._connectors.values()]
        out = []
        for s in sorted(states, key=lambda s: s.connector_id):
            silent_s = None if s.last_seen is None else max(now - s.last_seen, 0.0)
            status = SILENT if silent_s is not None and silent_s > silence_after_s else s.status
            out.append({
                "connector_id": s.connector_id, "agency": s.agency, "connector_type": s.connector_type,
                "status": status, "reported_status": s.status, "last_seen": s.last_seen,
                "silent_s": None if silent_s is None else round(silent_s, 1), "heartbeats": s.heartbeats,
                "delivered": s.delivered, "failed": s.failed, "polled": s.polled,
                "reported_lag": s.reported_lag, "receipts": dict(sorted(s.receipts.items())),
            })
        return out


def _copy(state: ConnectorState) -> ConnectorState:
    return ConnectorState(**{**state.__dict__, "receipts": Counter(state.receipts)})
