"""``lapor-hub bench national``: one worker holding the nation's complaints, restarted and killed.

For each size (50,000 and the national 560,146 by default), in one run on one broker:

1. a synthetic history (:mod:`~lapor_hub.streams.ops.bench.history`) is written in bulk to the
   lifecycle tables' changelog topics, as a worker would have left them;
2. a worker starts on an empty disk and restores it: time to ``/ready``, memory once loaded;
3. one submission: time until its ComplaintDispositioned is on ``complaints.events``;
4. an idle window: the worker's CPU, and the SLA timer's CPU per tick (from its ``/metrics``);
5. a clean restart (SIGINT, start again) and a crash (SIGKILL, start again): time from the
   start to ``/ready`` and to a submission sent at the start being processed;
6. the store's size on disk.

Figures go to ``bench-results/national-<run>.json`` and are printed as a table.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
import uuid
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path

import orjson
from aiokafka import AIOKafkaProducer
from prometheus_client.parser import text_string_to_metric_families

from lapor_hub.errors import FatalError
from lapor_hub.streams.broker import LocalBroker, free_port
from lapor_hub.streams.core import topics
from lapor_hub.streams.core.config import HubSettings
from lapor_hub.streams.directory import default_directory
from lapor_hub.streams.intake.submission import partition_of
from lapor_hub.streams.lifecycle import LifecycleContext
from lapor_hub.streams.ops.bench.history import NATIONAL_COMPLAINTS, HistoryMix, NationalHistory
from lapor_hub.streams.ops.bench.kafka_io import disposition_watcher, new_producer
from lapor_hub.streams.ops.bench.processes import HubWorker
from lapor_hub.streams.ops.bench.procstat import cpu_seconds, machine, peak_rss_bytes, rss_bytes
from lapor_hub.streams.ops.bench.report import write_json
from lapor_hub.streams.ops.bench.workload import WorkloadGenerator

__all__ = ["main", "run_national", "NationalOptions"]

#: Targets of issue #14 on a 2-core machine (benchmark figures, not test assertions).
TARGETS = {"rss_mib": 600, "clean_restart_to_processing_s": 30, "sigkill_to_processing_s": 60}


@dataclass(frozen=True)
class NationalOptions:
    sizes: tuple[int, ...] = (50_000, NATIONAL_COMPLAINTS)
    partitions: int = 4
    #: The lifecycle tables' store under test (``LAPOR_STATE_STORE``).
    store: str = "rocksdb"
    idle_s: float = 20.0
    timeout: float = 900.0
    broker: str | None = None
    json_path: Path | None = None
    seed: int = 1708


def parse_options(argv: Sequence[str] | None) -> NationalOptions:
    parser = argparse.ArgumentParser(
        prog="lapor-hub bench national",
        description="Load a synthetic national history into one worker's tables, then measure its memory, "
                    "restarts (clean and after SIGKILL), SLA timer and store size.")
    parser.add_argument("--sizes", help=f"complaints per run, comma separated (default 50000,{NATIONAL_COMPLAINTS})")
    parser.add_argument("--partitions", type=int, help="partitions of the hub topics (default 4)")
    parser.add_argument("--store", choices=("rocksdb", "memory"),
                        help="LAPOR_STATE_STORE of the worker (default rocksdb)")
    parser.add_argument("--idle", type=float, dest="idle_s", help="seconds of the idle window (default 20)")
    parser.add_argument("--timeout", type=float, help="seconds to wait for a worker to be ready (default 900)")
    parser.add_argument("--broker", help="use this running broker (host:port) instead of starting one")
    parser.add_argument("--json", dest="json_path", type=Path,
                        help="write the results here (default bench-results/national-<timestamp>.json)")
    parser.add_argument("--quick", action="store_true", help="small sizes (2000,10000) and a short idle window")
    parser.add_argument("--seed", type=int)
    args = parser.parse_args(argv)
    options = NationalOptions(sizes=(2_000, 10_000), idle_s=5.0) if args.quick else NationalOptions()
    given = {k: v for k, v in vars(args).items() if v is not None and k not in ("quick", "sizes")}
    if args.sizes:
        try:
            given["sizes"] = tuple(int(n) for n in args.sizes.split(","))
        except ValueError:
            parser.error("--sizes takes numbers separated by commas, e.g. 50000,560146")
        if min(given["sizes"]) < 1:
            parser.error("--sizes must be at least 1")
    return replace(options, **given)


def main(argv: Sequence[str] | None = None) -> int:
    options = parse_options(argv)
    started = datetime.now(UTC)
    run_id = started.strftime("%Y%m%dT%H%M%SZ") + "-" + uuid.uuid4().hex[:6]
    path = options.json_path or Path("bench-results") / f"national-{run_id}.json"
    results = run_national(options, run_id=run_id, started=started, save=lambda r: write_json(r, path))
    print(render(results))
    print(f"\nresults written to {path}")
    return 0


def run_national(options: NationalOptions, *, run_id: str, started: datetime, save=lambda results: None) -> dict:
    """Every size in turn; ``save(results)`` after each, so a long run keeps what it measured."""
    results: dict = {"run_id": run_id, "started_at": started.isoformat(timespec="seconds"),
                     "options": {k: str(v) if isinstance(v, Path) else v for k, v in vars(options).items()},
                     "machine": machine(), "targets": TARGETS, "sizes": {}}
    with tempfile.TemporaryDirectory(prefix="lapor-national-") as tmp, _broker(options, Path(tmp)) as bootstrap:
        _hub_topics(bootstrap, options.partitions, Path(tmp))
        history = NationalHistory(started, context=LifecycleContext(directory=default_directory()),
                                  mix=HistoryMix(), seed=options.seed)
        _say("building the history's templates through the lifecycle")
        history.build_templates()
        for size in options.sizes:
            work = _one_size(options, bootstrap, history, size, Path(tmp) / f"worker-{size}",
                             f"lapor-national-{run_id}-{size}")
            results["sizes"][str(size)] = asyncio.run(work)
            save(results)
    results["finished_at"] = datetime.now(UTC).isoformat(timespec="seconds")
    save(results)
    return results


async def _one_size(options: NationalOptions, bootstrap: str, history: NationalHistory, size: int,
                    data_dir: Path, app_id: str) -> dict:
    measured: dict = {"complaints": size}
    _say(f"{size:,} complaints: writing the history to the changelogs")
    measured["history"] = await _load(bootstrap, history, size, app_id, options.partitions)
    env = {"LAPOR_STATE_STORE": options.store}
    key = _operator_key(data_dir, app_id, bootstrap)
    watcher = disposition_watcher(bootstrap, options.partitions)
    await watcher.start()
    producer = new_producer(bootstrap)
    await producer.start()
    probes = WorkloadGenerator(options.seed + size)
    worker: HubWorker | None = None
    try:
        _say(f"{size:,}: first start on an empty disk (the whole changelog is read)")
        worker, measured["first_start"] = await _start(options, bootstrap, data_dir, app_id, env, watcher, producer,
                                                       probes)
        figures = await _settled_index(worker, key, options.timeout)
        measured["rss_after_loading_mib"] = _mib(rss_bytes(worker.pid))
        measured["sla_index_complaints"] = figures.get("lapor_sla_index_complaints")
        measured["sla_index_rebuild_cpu_s"] = figures.get("lapor_sla_index_rebuild_cpu_seconds_total")
        _say(f"{size:,}: idle for {options.idle_s:g} s")
        measured["idle"] = await _idle(worker, key, options.idle_s)
        measured["rss_steady_mib"] = _mib(rss_bytes(worker.pid))
        measured["peak_rss_mib"] = _mib(peak_rss_bytes(worker.pid))
        for name, sig in (("clean_restart", signal.SIGINT), ("after_sigkill", signal.SIGKILL)):
            _say(f"{size:,}: {name.replace('_', ' ')}")
            stopped = time.monotonic()
            worker.stop(sig, timeout=120)
            stop_s = time.monotonic() - stopped
            worker, measured[name] = await _start(options, bootstrap, data_dir, app_id, env, watcher, producer,
                                                  probes)
            measured[name]["stop_s"] = round(stop_s, 2)
            await _settled_index(worker, key, options.timeout)
            measured[name]["rss_after_mib"] = _mib(rss_bytes(worker.pid))
        measured["store_mib_on_disk"] = _mib(_disk_bytes(data_dir / "faust"))
    finally:
        if worker is not None:
            worker.stop(timeout=120)
        await producer.stop()
        await watcher.stop()
    return measured


async def _load(bootstrap: str, history: NationalHistory, size: int, app_id: str, partitions: int) -> dict:
    """Write ``size`` complaints to both tables' changelog topics, keyed and partitioned as the worker does."""
    from kafka import KafkaAdminClient
    from kafka.admin import NewTopic

    state_topic, submission_topic = (topics.changelog(app_id, name) for name in topics.TABLES)
    admin = KafkaAdminClient(bootstrap_servers=bootstrap)
    try:
        admin.create_topics([NewTopic(name, partitions, 1, topic_configs={"cleanup.policy": "compact"})
                             for name in (state_topic, submission_topic)])
    finally:
        admin.close()
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, acks="all", linger_ms=20, max_batch_size=1 << 20,
                                max_request_size=8 << 20)
    await producer.start()
    started, cpu_started = time.monotonic(), time.process_time()
    statuses: Counter[str] = Counter()
    state_bytes = submission_bytes = due = 0
    try:
        pending = []
        for complaint in history.complaints(size):
            partition = partition_of(complaint.key, partitions)
            pending.append(await producer.send(state_topic, complaint.state, key=complaint.key, partition=partition))
            pending.append(await producer.send(submission_topic, complaint.submission, key=complaint.key,
                                               partition=partition))
            state = orjson.loads(complaint.state)
            statuses["dormant" if state.get("dormant") else state["status"]] += 1
            state_bytes += len(complaint.state)
            submission_bytes += len(complaint.submission)
            due += complaint.due_ts is not None
            if len(pending) >= 20_000:
                await asyncio.gather(*pending)
                pending.clear()
        await asyncio.gather(*pending)
    finally:
        await producer.stop()
    return {"seconds": round(time.monotonic() - started, 1), "cpu_s": round(time.process_time() - cpu_started, 1),
            "state_bytes_per_complaint": round(state_bytes / size, 1),
            "submission_bytes_per_complaint": round(submission_bytes / size, 1),
            "with_a_due_action": due, "by_status": dict(statuses.most_common())}


async def _start(options, bootstrap, data_dir, app_id, env, watcher, producer, probes) -> tuple[HubWorker, dict]:
    """Start a worker and send it a submission at once: (worker, seconds to /ready and to processing)."""
    worker = HubWorker.launch(bootstrap, data_dir, partitions=options.partitions, app_id=app_id, env=env)
    started = time.time()
    probe = probes.submission()
    arrivals = watcher.expect([probe.key])
    await producer.send_and_wait(topics.INTAKE, probe.value, key=probe.key, headers=probe.headers)
    deadline = time.monotonic() + options.timeout
    ready_at = None
    while time.monotonic() < deadline:
        if await asyncio.to_thread(worker.is_ready):
            ready_at = time.time()
            break
        await asyncio.sleep(0.2)
    if ready_at is None:
        worker.stop()
        raise FatalError(f"the worker was not ready within {options.timeout:.0f} s:\n{worker.log_tail()}")
    if not await arrivals.wait(max(1.0, deadline - time.monotonic())):
        worker.stop()
        raise FatalError(f"a submission sent at the start was not processed within {options.timeout:.0f} s")
    processed_at = arrivals.times[probe.key][0]
    return worker, {"to_ready_s": round(ready_at - started, 2), "to_processing_s": round(processed_at - started, 2)}


async def _settled_index(worker: HubWorker, key: str, timeout: float) -> dict[str, float]:
    """Wait until the worker's SLA index is built; its metrics then."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        figures = await asyncio.to_thread(_metrics, worker, key)
        if figures.get("lapor_sla_index_rebuilds_total", 0) >= 1:
            return figures
        await asyncio.sleep(0.5)
    raise FatalError(f"the worker's SLA index was not built within {timeout:.0f} s")


async def _idle(worker: HubWorker, key: str, seconds: float) -> dict:
    await asyncio.sleep(2.0)  # let the start's own work finish
    before, cpu_before, at = await asyncio.to_thread(_metrics, worker, key), cpu_seconds(worker.pid), time.monotonic()
    await asyncio.sleep(seconds)
    after, cpu_after = await asyncio.to_thread(_metrics, worker, key), cpu_seconds(worker.pid)
    elapsed = time.monotonic() - at
    ticks = after["lapor_sla_timer_ticks_total"] - before["lapor_sla_timer_ticks_total"]
    tick_cpu = after["lapor_sla_timer_tick_cpu_seconds_total"] - before["lapor_sla_timer_tick_cpu_seconds_total"]
    return {"seconds": round(elapsed, 1), "worker_cpu_percent": round(100 * (cpu_after - cpu_before) / elapsed, 2),
            "sla_ticks": int(ticks), "sla_tick_cpu_us": round(1e6 * tick_cpu / ticks, 1) if ticks else None,
            "sla_checks_proposed": int(after["lapor_sla_checks_proposed_total"]
                                       - before["lapor_sla_checks_proposed_total"])}


def _metrics(worker: HubWorker, key: str) -> dict[str, float]:
    request = urllib.request.Request(f"{worker.base_url}/metrics", headers={"Authorization": f"Bearer {key}"})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            text = response.read().decode()
    except OSError:
        return {}
    return {sample.name: sample.value for family in text_string_to_metric_families(text)
            for sample in family.samples if not sample.labels}


def _operator_key(data_dir: Path, app_id: str, bootstrap: str) -> str:
    """An operator API key from the worker's own embedded issuer, to read its ``/metrics``."""
    data_dir.mkdir(parents=True, exist_ok=True)
    env = {k: v for k, v in os.environ.items() if not k.startswith("LAPOR_")}
    env.update(LAPOR_DATA_DIR=str(data_dir), LAPOR_APP_ID=app_id, LAPOR_BROKER=bootstrap)
    done = subprocess.run([sys.executable, "-m", "lapor_hub.streams.cli", "users", "api-key", "national-bench",
                           "--role", "operator"], env=env, capture_output=True, text=True, timeout=120, check=False)
    if done.returncode != 0:
        raise FatalError(f"could not issue an operator key for the bench:\n{done.stderr[-2000:]}")
    return done.stdout.strip().splitlines()[-1]


def _disk_bytes(path: Path) -> int:
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file())


def _mib(n: float) -> float:
    return round(n / 2**20, 1)


def _hub_topics(bootstrap: str, partitions: int, data_dir: Path) -> None:
    from lapor_hub.streams.core.admin import init_topics

    _say("creating the hub's topics")
    init_topics(HubSettings(broker=bootstrap, data_dir=data_dir, partitions=partitions),
                [a.code for a in default_directory()])


@contextlib.contextmanager
def _broker(options: NationalOptions, home: Path) -> Iterator[str]:
    if options.broker:
        yield options.broker
        return
    cache = HubSettings.from_env().cache_dir
    broker = LocalBroker(home / "kafka", port=free_port(), controller_port=free_port(), cache_dir=cache)
    _say(f"starting a broker at {broker.bootstrap}")
    broker.start()
    try:
        yield broker.bootstrap
    finally:
        broker.stop()


def _say(text: str) -> None:
    print(f"[bench national] {text}", file=sys.stderr, flush=True)


def render(results: dict) -> str:
    lines = [f"LAPOR Hub national state bench  {results['started_at']}  "
             f"(store: {results['options']['store']}, {results['machine']['nproc']} CPUs)", ""]
    header = ("complaints", "RSS loaded", "first start: ready / processing", "clean restart: ready / processing",
              "after SIGKILL: ready / processing", "SLA tick CPU", "idle CPU", "store on disk")
    lines.append(" | ".join(header))
    for size, m in results["sizes"].items():
        lines.append(" | ".join((
            f"{int(size):,}", f"{m['rss_after_loading_mib']} MiB",
            f"{m['first_start']['to_ready_s']} s / {m['first_start']['to_processing_s']} s",
            f"{m['clean_restart']['to_ready_s']} s / {m['clean_restart']['to_processing_s']} s",
            f"{m['after_sigkill']['to_ready_s']} s / {m['after_sigkill']['to_processing_s']} s",
            f"{m['idle']['sla_tick_cpu_us']} us", f"{m['idle']['worker_cpu_percent']} %",
            f"{m['store_mib_on_disk']} MiB")))
    for size, m in results["sizes"].items():
        h = m["history"]
        lines.append(f"\n{int(size):,}: loaded in {h['seconds']} s; state {h['state_bytes_per_complaint']} B and "
                     f"submission {h['submission_bytes_per_complaint']} B per complaint; "
                     f"{m['sla_index_complaints']} in the SLA index; by status {h['by_status']}")
    return "\n".join(lines)
