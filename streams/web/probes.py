"""``GET /health`` (liveness) and ``GET /ready`` (readiness), for orchestrators and load balancers.

``/ready`` is a promise that this worker can serve: it answers 200 only when every condition
of :class:`Readiness` holds, and otherwise 503 naming each one that does not. A load balancer
then sends requests only to workers that can keep what they answer. ``/health`` stays a
liveness probe: the process is up (and says whether the broker answers).
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, fields

__all__ = ["Readiness", "endpoints", "broker_reachable"]

_CONNECT_TIMEOUT_S = 1.0


@dataclass(frozen=True)
class Readiness:
    """What a worker needs to serve; each field's metadata says what is wrong when it is False."""

    #: The worker is running: not stopping, not crashed (a crashed app's web server may still answer).
    running: bool
    broker: bool
    #: Faust gave this worker partitions of the lifecycle's topics, and no rebalance is under way.
    partitions: bool
    #: The complaint table of those partitions is restored from its changelog.
    tables: bool
    #: The HTTP write path's producer is connected.
    writer: bool
    #: Every Idempotency-Key claim written before this worker started has been read.
    idempotency: bool
    #: Every data key written before this worker started has been read (identities can be opened).
    data_keys: bool
    #: The read model shows every event that happened before this worker started.
    read_model: bool
    #: How many partitions of the lifecycle's topics this worker holds (informational).
    assigned_partitions: int = 0

    _REASONS = {
        "running": "the worker is stopping or has crashed; it takes no more work",
        "broker": "the Kafka broker is unreachable",
        "partitions": "no partitions assigned to this worker yet (starting, or rebalancing)",
        "tables": "the complaint table is being restored from its changelog",
        "writer": "the write path is not connected to the broker yet",
        "idempotency": "the Idempotency-Key log is still being read",
        "data_keys": "the key store (hub.data-keys) is still being read",
        "read_model": "the read model is catching up with complaints.events",
    }

    @property
    def ready(self) -> bool:
        return not self.reasons

    @property
    def checks(self) -> dict[str, bool]:
        return {f.name: getattr(self, f.name) for f in fields(self) if f.name in self._REASONS}

    @property
    def reasons(self) -> list[str]:
        return [self._REASONS[name] for name, ok in self.checks.items() if not ok]

    def as_json(self) -> dict:
        return {"ready": self.ready, "checks": self.checks, "reasons": self.reasons,
                "assigned_partitions": self.assigned_partitions}


async def broker_reachable(bootstrap: str) -> bool:
    """True when at least one bootstrap server accepts a TCP connection."""
    for server in bootstrap.split(","):
        host, _, port = server.strip().rpartition(":")
        try:
            _, writer = await asyncio.wait_for(asyncio.open_connection(host, int(port)), _CONNECT_TIMEOUT_S)
        except (OSError, asyncio.TimeoutError, ValueError):
            continue
        writer.close()
        return True
    return False


def endpoints() -> list:
    from lapor_hub.streams.web.endpoints import Call, Endpoint, Reply

    async def health(call: Call) -> Reply:
        broker = await broker_reachable(call.hub.settings.broker)
        return Reply({"status": "ok" if broker else "degraded", "worker": "up",
                      "broker": "reachable" if broker else "unreachable"}, status=200 if broker else 503)

    async def ready(call: Call) -> Reply:
        readiness = await call.hub.readiness()
        headers = {} if readiness.ready else {"Retry-After": "2"}
        return Reply(readiness.as_json(), status=200 if readiness.ready else 503, headers=headers)

    return [Endpoint("GET", "/health", "probe.health", health, summary="liveness: the worker is up"),
            Endpoint("GET", "/ready", "probe.ready", ready, summary="readiness: this worker can serve")]
