"""What one round of the health sampler costs, on the bench's broker with all the hub's topics.

The sampler runs in a thread of every worker, every few seconds, whatever the traffic: its CPU
is taken from the worker's event loop (the GIL), so it shows in the worker's CPU per complaint
and in its latency. Measured in this process (no other busy thread then) with the hub's groups
and every agency's outbox, without a read model (the SLA panel's queries are the read model's).
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from pathlib import Path

from lapor_hub.streams.core import topics
from lapor_hub.streams.core.config import HubSettings
from lapor_hub.streams.directory import default_directory
from lapor_hub.streams.health.sampler import HealthSampler

__all__ = ["sampler_cost"]


def sampler_cost(bootstrap: str, data_dir: Path, *, rounds: int = 10) -> dict:
    """CPU and wall ms per sampling round, after one round that learns the topics and connects."""
    settings = HubSettings(broker=bootstrap, data_dir=data_dir)
    outboxes = [topics.outbox(agency.code) for agency in default_directory()]
    groups: dict[str, Iterable[str]] = {settings.app_id: [topics.INTAKE, topics.COMMANDS],
                                        f"{settings.app_id}.outbox": outboxes}
    sampler = HealthSampler(settings, hub_groups=lambda: groups, read_model=lambda: None)
    try:
        sampler.sample_once()
        cpu, wall = time.process_time(), time.perf_counter()
        for _ in range(rounds):
            sampler.sample_once()
        cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
        state = sampler.state
    finally:
        sampler.stop()
    if not state.broker_reachable:
        return {"error": state.broker_error}
    return {"rounds": rounds, "interval_s": sampler.interval_s, "round_cpu_ms": round(1000 * cpu / rounds, 1),
            "round_wall_ms": round(1000 * wall / rounds, 1)}
