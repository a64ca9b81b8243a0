"""``lapor-hub bench``: one run, every figure measured in it, the baseline included.

Order: the codec (nothing else running), topics, the raw aiokafka passthrough and the smallest Faust
agent passthrough (each: warm-up, burst, offered load), then one hub worker (warm-up and catch-up,
burst, offered load, full lifecycle), then the scale-out (:mod:`.scaleout`: burst and lifecycle
with several workers in the same group), then the extrapolation and the report. Everything the
bench starts it stops: the workers, the passthroughs, their topics and, unless ``--broker`` named
one, the broker.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from lapor_hub.errors import FatalError
from lapor_hub.streams.broker import LocalBroker, free_port
from lapor_hub.streams.core import topics
from lapor_hub.streams.core.config import HubSettings
from lapor_hub.streams.ops.bench import phases
from lapor_hub.streams.ops.bench.codec_bench import compare_codec, dispositioned_values
from lapor_hub.streams.ops.bench.kafka_io import ArrivalWatcher, disposition_watcher, new_producer
from lapor_hub.streams.ops.bench.options import BenchOptions, parse_options
from lapor_hub.streams.ops.bench.processes import (
    FaustPassthrough,
    HubWorker,
    Passthrough,
    ReadModelProbe,
    catch_up,
)
from lapor_hub.streams.ops.bench.procstat import machine, peak_rss_bytes
from lapor_hub.streams.ops.bench.report import render, summary, write_json
from lapor_hub.streams.ops.bench.sampler_bench import sampler_cost
from lapor_hub.streams.ops.bench.scaleout import scale_out
from lapor_hub.streams.ops.bench.updates import expected_events, plan_updates
from lapor_hub.streams.ops.bench.workload import WorkloadGenerator
from lapor_hub.streams.ops.provenance import code_version, loadavg

__all__ = ["main", "run_bench"]

_CATCH_UP_S = 120.0


def main(argv: list[str] | None = None) -> int:
    options = parse_options(argv)
    results = run_bench(options)
    path = write_json(results, options.json_path or Path("bench-results") / f"bench-{results['run_id']}.json")
    print(render(results))
    print(f"\nresults written to {path}")
    return 0


def run_bench(options: BenchOptions) -> dict:
    started = datetime.now(UTC)
    run_id = started.strftime("%Y%m%dT%H%M%SZ") + "-" + uuid.uuid4().hex[:6]
    results: dict = {"run_id": run_id, "started_at": started.isoformat(timespec="seconds"),
                     "options": _options_json(options), "machine": machine(), "code": code_version()}
    results["machine"]["loadavg_start"] = loadavg()
    _say(f"bench {run_id}: codec")
    results["codec"] = _codec(options)
    results["chain"] = _chain(options)
    if options.profile:
        from lapor_hub.streams.ops.bench.profiling import profile_hot_path

        _say("profiling the pure hot path in-process")
        results["profile"] = profile_hot_path(500 if options.quick else 2000, seed=options.seed)
    with tempfile.TemporaryDirectory(prefix="lapor-bench-") as tmp, _broker(options, Path(tmp)) as (bootstrap, info):
        results["broker"] = info
        partitions = _hub_topics(bootstrap, options, Path(tmp))
        results["partitions"] = partitions
        _say("health sampler rounds")
        results["health_sampler"] = sampler_cost(bootstrap, Path(tmp) / "sampler")
        asyncio.run(_measure(options, bootstrap, info.get("pid"), partitions, Path(tmp), run_id, results))
    results["summary"] = summary(results)
    if options.profile_worker is not None:
        from lapor_hub.streams.ops.bench.profiling import summarize_profile

        results["worker_profile"] = summarize_profile(options.profile_worker)
    results["finished_at"] = datetime.now(UTC).isoformat(timespec="seconds")
    results["machine"]["loadavg_end"] = loadavg()
    return results




def _say(text: str) -> None:
    print(f"[bench] {text}", file=sys.stderr, flush=True)




def _options_json(options: BenchOptions) -> dict:
    return {k: (str(v) if isinstance(v, Path) else v) for k, v in vars(options).items()}


def _codec(options: BenchOptions) -> dict:
    generator = WorkloadGenerator(options.seed + 1)
    submissions = generator.submissions(200 if options.quick else 1000)
    return {"ComplaintSubmitted": compare_codec("ComplaintSubmitted", [s.record for s in submissions]),
            "ComplaintDispositioned": compare_codec("ComplaintDispositioned", dispositioned_values(submissions))}


def _chain(options: BenchOptions) -> dict:
    from lapor_hub.streams.ops.bench.chain_bench import chain_cost

    submissions = WorkloadGenerator(options.seed + 1).submissions(200 if options.quick else 1000)
    return chain_cost(dispositioned_values(submissions))


@contextlib.contextmanager
def _broker(options: BenchOptions, home: Path) -> Iterator[tuple[str, dict]]:
    if options.broker:
        yield options.broker, {"bootstrap": options.broker, "managed_by": "caller (--broker)", "pid": None}
        return
    cache = HubSettings.from_env().cache_dir
    broker = LocalBroker(home / "kafka", port=free_port(), controller_port=free_port(), cache_dir=cache)
    _say(f"starting a broker at {broker.bootstrap}")
    status = broker.start()
    try:
        yield broker.bootstrap, {"bootstrap": broker.bootstrap, "managed_by": "bench (temporary)", "pid": status.pid}
    finally:
        broker.stop()


def _hub_topics(bootstrap: str, options: BenchOptions, data_dir: Path) -> int:
    """Create the hub's topics where missing; the partitions complaints.intake really has."""
    from kafka import KafkaConsumer

    from lapor_hub.streams.core.admin import init_topics
    from lapor_hub.streams.core.config import HubSettings
    from lapor_hub.streams.directory import default_directory

    settings = HubSettings(broker=bootstrap, data_dir=data_dir, partitions=options.partitions)
    _say("creating the hub's topics")
    init_topics(settings, [a.code for a in default_directory()])
    consumer = KafkaConsumer(bootstrap_servers=bootstrap)
    try:
        return len(consumer.partitions_for_topic(topics.INTAKE) or ())
    finally:
        consumer.close()


def _bench_topics(bootstrap: str, names: list[str], partitions: int, *, delete: bool = False) -> None:
    from kafka import KafkaAdminClient
    from kafka.admin import NewTopic

    admin = KafkaAdminClient(bootstrap_servers=bootstrap)
    try:
        if delete:
            admin.delete_topics(names)
        else:
            admin.create_topics([NewTopic(n, partitions, 1) for n in names])
            deadline = time.monotonic() + 30
            while not set(names) <= set(admin.list_topics()) and time.monotonic() < deadline:
                time.sleep(0.2)
    finally:
        admin.close()


async def _measure(options: BenchOptions, bootstrap: str, broker_pid: int | None, partitions: int, tmp: Path,
                   run_id: str, results: dict) -> None:
    generator = WorkloadGenerator(options.seed)
    latency_count = max(1, round(options.offered_rate * options.duration))
    _say("generating the workload")
    baseline_load = [(s.key, s.value, s.headers) for s in generator.submissions(options.warmup + options.complaints
                                                                                 + latency_count)]
    hub_load = generator.submissions(options.warmup + options.complaints + latency_count + options.lifecycle_complaints)
    scale_load = generator.submissions(options.warmup + options.complaints + options.lifecycle_complaints
                                       if options.scale_out_workers else 0)
    plans = plan_updates(options.lifecycle_complaints, seed=options.seed)
    results["workload"] = {"mean_submission_bytes": round(sum(len(s.value) for s in hub_load) / len(hub_load), 1),
                           "latency_phase_complaints": latency_count}
    producer = new_producer(bootstrap)
    await producer.start()
    try:
        common = {"bench": os.getpid()} | ({"broker": broker_pid} if broker_pid else {})
        # Its own producer per baseline: one that knew a baseline's topics keeps asking for them once deleted.
        for name, kind in (("baseline", "raw"), ("faust_baseline", "faust")):
            baseline_producer = new_producer(bootstrap)
            await baseline_producer.start()
            names = [f"bench.{run_id}.{kind}.in", f"bench.{run_id}.{kind}.out"]
            try:
                results[name] = await _baseline(options, bootstrap, partitions, tmp, run_id, baseline_producer,
                                                baseline_load, latency_count, common, kind=kind, names=names)
            finally:
                await baseline_producer.stop()
                _bench_topics(bootstrap, names, partitions, delete=True)
        app_id = f"lapor-bench-{run_id}"
        results["hub"] = await _hub(options, bootstrap, partitions, tmp, app_id, producer, hub_load, plans,
                                    latency_count, common)
        if options.scale_out_workers:
            _say(f"hub: scale-out, {options.scale_out_workers} workers")
            warmup, burst, _, lifecycle_load = _split(scale_load, options, 0)
            results["scale_out"] = await scale_out(
                options.scale_out_workers, bootstrap=bootstrap, partitions=partitions, tmp=tmp, app_id=app_id,
                producer=producer, warmup=warmup, burst=burst, lifecycle=lifecycle_load, plans=plans,
                billed=common, timeout=options.timeout, catch_up_s=_CATCH_UP_S)
    finally:
        await producer.stop()


def _split(load: list, options: BenchOptions, latency_count: int) -> tuple[list, list, list, list]:
    w, n = options.warmup, options.complaints
    return load[:w], load[w:w + n], load[w + n:w + n + latency_count], load[w + n + latency_count:]


async def _baseline(options, bootstrap, partitions, tmp, run_id, producer, load, latency_count, common, *,
                    kind: str, names: list[str]) -> dict:
    """A passthrough of the same records on the same broker: ``raw`` aiokafka, or the smallest ``faust`` agent."""
    source, target = names
    _bench_topics(bootstrap, [source, target], partitions)
    watcher = ArrivalWatcher(bootstrap, target, partitions)
    await watcher.start()
    if kind == "raw":
        _say("baseline: raw aiokafka passthrough")
        child: Passthrough | FaustPassthrough = await asyncio.to_thread(
            Passthrough.start, bootstrap, source, target, f"bench-{run_id}-passthrough", tmp)
    else:
        _say("baseline: the smallest Faust agent passthrough")
        child = await asyncio.to_thread(FaustPassthrough.start, bootstrap, source, target,
                                        f"bench-{run_id}-faust-passthrough", tmp)
    try:
        warmup, burst, paced, _ = _split(load, options, latency_count)
        target_ = phases.Target(f"{kind} baseline", source, watcher, {"passthrough": child.pid, **common})
        await phases.burst(producer, target_, warmup, timeout=options.timeout)
        measured: dict[str, Any] = {"burst": await phases.burst(producer, target_, burst, timeout=options.timeout)}
        measured["latency"] = await phases.offered_load(producer, target_, paced, per_second=options.offered_rate,
                                                        timeout=options.timeout)
        measured["peak_memory_mib"] = round(peak_rss_bytes(child.pid) / 2**20, 1)
    finally:
        await watcher.stop()
        child.stop(timeout=30)
    return measured


async def _hub(options, bootstrap, partitions, tmp, app_id, producer, load, plans, latency_count, common) -> dict:
    watcher = disposition_watcher(bootstrap, partitions)
    await watcher.start()
    _say(f"hub: starting a worker ({app_id})")
    worker = await asyncio.to_thread(HubWorker.start, bootstrap, tmp / "hub", partitions=partitions, app_id=app_id,
                                     profile_to=options.profile_worker, timeout=max(300.0, options.timeout))
    probe = ReadModelProbe(worker.read_model_path)
    try:
        warmup, burst, paced, lifecycle_load = _split(load, options, latency_count)
        target = phases.Target("hub", topics.INTAKE, watcher, {"hub_worker": worker.pid, **common})

        records = lambda batch: [(s.key, s.value, s.headers) for s in batch]  # noqa: E731
        _say("hub: warm-up")
        await phases.burst(producer, target, records(warmup), timeout=options.timeout, settle=probe.settled(warmup))
        backlog = await catch_up(bootstrap, app_id, timeout=_CATCH_UP_S)
        _say("hub: burst")
        measured: dict[str, Any] = {"backlog_at_start": backlog,
                                    "burst": await phases.burst(producer, target, records(burst),
                                                                timeout=options.timeout, settle=probe.settled(burst))}
        _say(f"hub: {options.offered_rate:g}/s offered for {options.duration:g}s")
        measured["latency"] = await phases.offered_load(producer, target, records(paced),
                                                        per_second=options.offered_rate, timeout=options.timeout)
        _say("hub: full lifecycle")
        measured["lifecycle"] = await phases.lifecycle(producer, target, lifecycle_load, plans, probe.events_for,
                                                       timeout=options.timeout)
        measured["lifecycle"]["expected_events_per_complaint"] = round(
            sum(expected_events(p) for p in plans) / len(plans), 2)
        measured["peak_memory_mib"] = round(peak_rss_bytes(worker.pid) / 2**20, 1)
    finally:
        probe.dispose()
        await watcher.stop()
        code = await asyncio.to_thread(worker.stop)
    if code not in (0, None):
        raise FatalError(f"the hub worker exited with {code}:\n{worker.log_tail()}")
    return measured
