"""Scale-out: the same burst and lifecycle with several workers in one group, against one worker.

Runs after the one-worker phase, with its app id: the workers share its consumer group (the
lifecycle's partitions are split between them, its tables restored from the changelogs), so
there is no backlog to replay. The first worker keeps the one-worker phase's data directory and
read model; the others start empty and their projectors (a group per instance on SQLite) read
``complaints.events`` from the beginning before the measured phases start. The read model the
phases wait for is the first worker's, which, like every worker's, shows every complaint.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from aiokafka import AIOKafkaProducer

from lapor_hub.errors import FatalError
from lapor_hub.streams.core import topics
from lapor_hub.streams.ops.bench import phases
from lapor_hub.streams.ops.bench.kafka_io import disposition_watcher
from lapor_hub.streams.ops.bench.processes import BENCH_INSTANCE, HubWorker, ReadModelProbe, catch_up
from lapor_hub.streams.ops.bench.updates import UpdatePlan
from lapor_hub.streams.ops.bench.workload import Submission

__all__ = ["scale_out"]



def _instance(n: int) -> str:
    return BENCH_INSTANCE if n == 0 else f"{BENCH_INSTANCE}-{n}"


async def scale_out(workers: int, *, bootstrap: str, partitions: int, tmp: Path, app_id: str,
                    producer: AIOKafkaProducer, warmup: Sequence[Submission], burst: Sequence[Submission],
                    lifecycle: Sequence[Submission], plans: Sequence[UpdatePlan], billed: dict[str, int],
                    timeout: float, catch_up_s: float) -> dict:
    """Burst and lifecycle figures of ``workers`` workers of ``app_id``; CPU billed per worker and in total."""
    watcher = disposition_watcher(bootstrap, partitions)
    await watcher.start()
    started: list[HubWorker] = []
    probe: ReadModelProbe | None = None
    try:
        for n in range(workers):
            data_dir = tmp / "hub" if n == 0 else tmp / f"hub-{n}"
            started.append(HubWorker.launch(bootstrap, data_dir, partitions=partitions, app_id=app_id,
                                            instance=_instance(n)))
        for worker in started:
            await asyncio.to_thread(worker.wait_ready, max(300.0, timeout))
        probe = ReadModelProbe(started[0].read_model_path)
        pids = {f"hub_worker_{n}": worker.pid for n, worker in enumerate(started)}
        target = phases.Target(f"{workers} hub workers", topics.INTAKE, watcher, {**pids, **billed})
        records = lambda batch: [(s.key, s.value, s.headers) for s in batch]  # noqa: E731
        await catch_up(bootstrap, app_id, [_instance(n) for n in range(workers)], timeout=catch_up_s)
        await phases.burst(producer, target, records(warmup), timeout=timeout, settle=probe.settled(warmup))
        measured: dict[str, Any] = {
            "workers": workers,
            "burst": await phases.burst(producer, target, records(burst), timeout=timeout, settle=probe.settled(burst)),
            "lifecycle": await phases.lifecycle(producer, target, lifecycle, plans, probe.events_for,
                                                timeout=timeout),
        }
        for phase in ("burst", "lifecycle"):
            figures = measured[phase]
            figures["hub_workers_cpu_s_per_1000"] = round(
                sum(figures[f"{name}_cpu_s_per_1000"] for name in pids), 4)
    finally:
        if probe is not None:
            probe.dispose()
        await watcher.stop()
        codes = [await asyncio.to_thread(worker.stop) for worker in started]
    failed = [(worker, code) for worker, code in zip(started, codes, strict=True) if code not in (0, None)]
    if failed:
        worker, code = failed[0]
        raise FatalError(f"a scale-out hub worker exited with {code}:\n{worker.log_tail()}")
    return measured
