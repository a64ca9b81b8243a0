"""Where a worker's time goes: the hub's pure hot path under cProfile, and a worker's own profile.

:func:`profile_hot_path` runs what the worker does per complaint without Kafka or faust, in
this process, with the bench's workload: intake (``prepare_submission``), the command decode,
``transition``, ``Publisher.emit`` (encode and headers; the send is a no-op), the state table's
``to_dict``/``from_dict``, the projector's decode and ``ReadModel.apply`` on a SQLite file.
:func:`summarize_profile` reads a profile the worker wrote (``--profile-worker``).
"""

from __future__ import annotations

import asyncio
import cProfile
import pstats
import tempfile
import time
from collections import defaultdict
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

__all__ = ["profile_hot_path", "summarize_profile"]

_BATCH = 500  # streams.readmodel.projector.BATCH_SIZE


class _NullProducer:
    async def send(self, **_: object) -> None:
        return None


class _App:
    producer = _NullProducer()


def _top(stats: pstats.Stats, total: float, limit: int) -> list[dict]:
    rows = []
    for (path, line, name), (_, calls, tottime, cumtime, _) in stats.stats.items():  # type: ignore[attr-defined]
        rows.append({"function": f"{_short(path)}:{line}({name})", "calls": calls, "tottime_s": round(tottime, 4),
                     "share": round(tottime / total, 4) if total else 0.0, "cumtime_s": round(cumtime, 4)})
    rows.sort(key=lambda r: r["tottime_s"], reverse=True)
    return rows[:limit]


def _short(path: str) -> str:
    for marker in ("site-packages/", "/streams/", "/schemas/", "/lib/python3"):
        if marker in path:
            head = "" if marker == "site-packages/" else marker.strip("/") + "/"
            return head + path.split(marker, 1)[1]
    return path


def summarize_profile(path: Path, *, limit: int = 25) -> dict:
    """Top functions by own time in a cProfile file, with their share of the profiled time."""
    stats = pstats.Stats(str(path))
    total = stats.total_tt  # type: ignore[attr-defined]
    return {"file": str(path), "profiled_seconds": round(total, 3), "top_by_own_time": _top(stats, total, limit)}


def profile_hot_path(complaints: int = 2000, *, seed: int = 4242, limit: int = 25) -> dict:
    """Stage timings (µs per complaint, share) and the top functions of the pure hot path."""
    from lapor_hub.schemas import decode
    from lapor_hub.streams.core import topics
    from lapor_hub.streams.core.publisher import SENDER_HEADER, Publisher
    from lapor_hub.streams.intake.submission import prepare_submission
    from lapor_hub.streams.lifecycle import INTAKE, LifecycleContext
    from lapor_hub.streams.lifecycle.agent import decode_command
    from lapor_hub.streams.lifecycle.emissions import emit
    from lapor_hub.streams.lifecycle.outbox import agency_update_command_headers
    from lapor_hub.streams.lifecycle.state import ComplaintState
    from lapor_hub.streams.lifecycle.transition import transition
    from lapor_hub.streams.ops.bench.updates import plan_updates, update_records
    from lapor_hub.streams.ops.bench.workload import WorkloadGenerator
    from lapor_hub.streams.readmodel.model import open_read_model
    from lapor_hub.streams.readmodel.projector import projected
    from lapor_hub.streams.routing import default_categories

    generator = WorkloadGenerator(seed)
    submissions = generator.submissions(complaints)
    plans = plan_updates(complaints, seed=seed)
    ctx = LifecycleContext(directory=generator.directory)
    categories = default_categories()
    emitted: list[tuple[bytes, list]] = []

    class _Capture(_NullProducer):
        async def send(self, **kw: Any) -> None:
            if kw["topic"] == topics.EVENTS:
                emitted.append((kw["value"], kw["headers"]))

    app = _App()
    app.producer = _Capture()
    publisher = Publisher(app, "/lapor-hub/lifecycle")  # type: ignore[arg-type]
    timings: dict[str, float] = defaultdict(float)
    with tempfile.TemporaryDirectory(prefix="lapor-bench-profile-") as tmp:
        read_model = open_read_model(f"sqlite:///{Path(tmp) / 'read-model.db'}", directory=generator.directory)
        read_model.create_schema()
        profiler = cProfile.Profile()

        def stage(name: str, started: float) -> float:
            now = time.perf_counter()
            timings[name] += now - started
            return now

        async def one(submission, plan) -> None:
            t = time.perf_counter()
            prepared = prepare_submission(None, submission.value, submission.headers,
                                          categories=categories, directory=generator.directory)
            tracking_id, payload = prepared.tracking_id, prepared.payload
            headers = [*prepared.headers, (SENDER_HEADER, INTAKE.encode())]
            t = stage("intake: prepare_submission", t)
            stored = await _command(tracking_id.encode(), payload, headers, None)
            t = time.perf_counter()
            status_agency = stored["agency"]
            for _, key, value, headers in update_records(plan, tracking_id, status_agency, to_agency=_pick(submission)):
                record_type, record = decode(value)
                headers = agency_update_command_headers(status_agency, record_type, record,
                                                        [*headers, (SENDER_HEADER, b"x")])
                t = stage("outbox: decode + check", t)
                stored = await _command(key, value, headers, stored)
                t = time.perf_counter()

        async def _command(key, value, headers, stored):
            # As the lifecycle agent: the table holds dicts, read with from_dict, written with to_dict.
            t = time.perf_counter()
            command = decode_command(key, value, headers)
            t = stage("lifecycle: decode_command", t)
            current = ComplaintState.from_dict(stored) if stored else None
            t = stage("lifecycle: state from_dict/to_dict", t)
            outcome = transition(current, command, ctx, datetime.now(UTC))
            t = stage("lifecycle: transition", t)
            for emission in outcome.emissions:
                await emit(publisher, emission)
            t = stage("lifecycle: Publisher.emit (encode + headers)", t)
            stored = outcome.state.to_dict()
            stage("lifecycle: state from_dict/to_dict", t)
            return stored

        async def run_all() -> None:
            for submission, plan in zip(submissions, plans, strict=True):
                await one(submission, plan)

        profiler.enable()
        started = time.perf_counter()
        asyncio.run(run_all())
        t = time.perf_counter()
        batch = [projected(value, headers) for value, headers in emitted]
        t = stage("read model: decode (projected)", t)
        for start in range(0, len(batch), _BATCH):
            read_model.apply(batch[start:start + _BATCH])
        stage("read model: ReadModel.apply (SQLite)", t)
        elapsed = time.perf_counter() - started
        profiler.disable()
        read_model.dispose()
    stats = pstats.Stats(profiler)
    measured = sum(timings.values())
    return {
        "complaints": complaints,
        "events": len(emitted),
        "note": "in-process, no Kafka or faust; the cProfile overhead inflates absolute times, shares are what matter",
        "seconds": round(elapsed, 3),
        "stages": {name: {"us_per_complaint": round(seconds * 1e6 / complaints, 1),
                          "share": round(seconds / measured, 4)}
                   for name, seconds in sorted(timings.items(), key=lambda kv: kv[1], reverse=True)},
        "top_by_own_time": _top(stats, stats.total_tt, limit),  # type: ignore[attr-defined]
    }


def _pick(submission) -> str:
    return ".".join(submission.record["location"]["region_code"].split(".")[:2])
