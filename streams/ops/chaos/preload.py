"""Complaints the hub holds before the faults: state a restarted worker must restore.

Issue 11 saw ``/ready`` answer 200 before the complaint table was restored, and a restarted
worker take a minute to catch up, at 20,000 complaints; with only the run's own few hundred a
restart restores in a blink and neither shows. The preload writes realistic submissions (the
bench's workload, all agencies) straight onto ``complaints.intake``, as channel adapters would,
and waits until the workers' consumer group has processed them.
"""

from __future__ import annotations

import time

from lapor_hub.errors import FatalError
from lapor_hub.streams.core import topics
from lapor_hub.streams.ops.bench.workload import WorkloadGenerator

__all__ = ["preload_intake", "wait_processed"]

_CHUNK = 2000


def preload_intake(bootstrap: str, count: int, *, seed: int) -> None:
    """Produce ``count`` submissions to complaints.intake, acknowledged by all in-sync replicas."""
    from kafka import KafkaProducer

    generator = WorkloadGenerator(seed)
    producer = KafkaProducer(bootstrap_servers=bootstrap.split(","), acks="all", linger_ms=20,
                             batch_size=256 * 1024)
    try:
        for start in range(0, count, _CHUNK):
            futures = [producer.send(topics.INTAKE, key=s.key, value=s.value, headers=s.headers)
                       for s in generator.submissions(min(_CHUNK, count - start))]
            for future in futures:
                future.get(timeout=120)
    finally:
        producer.close()


def wait_processed(bootstrap: str, group: str, *, timeout: float) -> float:
    """Seconds until ``group`` has committed complaints.intake up to its end; FatalError after ``timeout``."""
    from lapor_hub.streams.ops.bench.processes import group_lag

    started = time.monotonic()
    while time.monotonic() - started < timeout:
        if group_lag(bootstrap, group, [topics.INTAKE]) == 0:
            return time.monotonic() - started
        time.sleep(2.0)
    raise FatalError(f"the workers did not process the preloaded complaints within {timeout:.0f}s")
