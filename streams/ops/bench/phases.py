"""The measured phases: a burst for throughput, a fixed offered load for latency, the lifecycle.

Each phase produces records no other phase uses, waits for the outputs it expects and reads
the CPU time of the processes involved before and after. A phase that does not see everything
it waits for raises :class:`PhaseTimeout`: a figure over a partial run would be wrong.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from aiokafka import AIOKafkaProducer

from lapor_hub.errors import HubError
from lapor_hub.streams.core.publisher import AGENCY_HEADER, STATUS_HEADER
from lapor_hub.streams.ops.bench.kafka_io import ArrivalWatcher, Record, send_burst, send_paced
from lapor_hub.streams.ops.bench.procstat import cpu_seconds, machine_busy_seconds
from lapor_hub.streams.ops.bench.stats import latency_summary, per_thousand, rate
from lapor_hub.streams.ops.bench.updates import UpdatePlan, expected_events, update_records
from lapor_hub.streams.ops.bench.workload import Submission

__all__ = ["Target", "PhaseTimeout", "burst", "offered_load", "lifecycle"]

_POLL_S = 0.1


class PhaseTimeout(HubError):
    """The outputs a phase waits for did not all arrive in time."""


@dataclass
class Target:
    """What is measured: where its input goes, who watches its output, which processes to bill."""

    name: str
    input_topic: str
    watcher: ArrivalWatcher
    #: process name -> pid, CPU time billed to each (the processor, the broker, the bench itself)
    pids: dict[str, int] = field(default_factory=dict)

    def cpu(self) -> dict[str, float]:
        """CPU seconds so far of each billed process, and of the whole machine (``machine``)."""
        return {**{name: cpu_seconds(pid) for name, pid in self.pids.items()}, "machine": machine_busy_seconds()}


def _cpu_figures(before: dict[str, float], after: dict[str, float], count: int) -> dict[str, float]:
    return {f"{name}_cpu_s_per_1000": round(per_thousand(after[name] - before[name], count), 4) for name in before}


async def burst(producer: AIOKafkaProducer, target: Target, records: Sequence[Record], *, timeout: float,
                settle: Callable[[], bool] | None = None) -> dict:
    """Throughput: everything produced at once, until every output arrived.

    ``settle``, when given, is polled after the last arrival until true (the read model has
    the events too): CPU is read then, so it bills everything the processor does for them.
    """
    arrivals = target.watcher.expect(key for key, _, _ in records)
    before = target.cpu()
    started, acknowledged = await send_burst(producer, target.input_topic, records)
    if not await arrivals.wait(timeout):
        raise PhaseTimeout(f"{target.name}: {len(arrivals.times)} of {len(records)} outputs within {timeout:.0f}s")
    delivered = target.cpu()
    seconds = arrivals.last - started
    figures: dict[str, object] = {
        "complaints": len(records),
        "seconds": round(seconds, 3),
        "complaints_per_s": round(rate(len(records), seconds), 1),
        "produce_seconds": round(acknowledged - started, 3),
        **_cpu_figures(before, delivered, len(records)),
    }
    if settle is not None:
        deadline = time.monotonic() + timeout
        while not await asyncio.to_thread(settle):
            if time.monotonic() > deadline:
                raise PhaseTimeout(f"{target.name}: the read model did not catch up within {timeout:.0f}s")
            await asyncio.sleep(_POLL_S)
        settled = target.cpu()
        figures["settled_cpu"] = _cpu_figures(before, settled, len(records))
    return figures


async def offered_load(producer: AIOKafkaProducer, target: Target, records: Sequence[Record], *, per_second: float,
                       timeout: float) -> dict:
    """Latency at a fixed offered load: output arrival minus send, per complaint."""
    arrivals = target.watcher.expect(key for key, _, _ in records)
    before = target.cpu()
    started = time.monotonic()
    sent = await send_paced(producer, target.input_topic, records, per_second)
    offered_seconds = time.monotonic() - started
    if not await arrivals.wait(timeout):
        raise PhaseTimeout(f"{target.name}: {len(arrivals.times)} of {len(records)} outputs within {timeout:.0f}s "
                           f"at {per_second:g}/s offered")
    after = target.cpu()
    seen = [(arrivals.times[key][0] - at) * 1000 for key, at in sent.items()]
    stamped = [(arrivals.times[key][1] - at) * 1000 for key, at in sent.items()]
    return {
        "offered_per_s": per_second,
        "achieved_offered_per_s": round(len(records) / offered_seconds, 1) if offered_seconds > 0 else None,
        "seconds": round(offered_seconds, 2),
        "complaints": len(records),
        "latency": latency_summary(seen),
        "latency_by_output_timestamp": latency_summary(stamped),
        **_cpu_figures(before, after, len(records)),
    }


async def lifecycle(producer: AIOKafkaProducer, target: Target, submissions: Sequence[Submission],
                    plans: Sequence[UpdatePlan], events_in_read_model: Callable[[list[str]], int], *,
                    timeout: float) -> dict:
    """Submissions, then each holder's updates once it has the complaint, until the read model has it all."""
    plan_of = {s.key: plan for s, plan in zip(submissions, plans, strict=True)}
    expected = sum(expected_events(plan) for plan in plans)
    queue: asyncio.Queue = asyncio.Queue()
    counts = {"updates": 0, "rerouted": 0}
    by_key = {s.key: s for s in submissions}

    def on_dispositioned(key: bytes, record) -> None:
        headers = {k: v.decode() for k, v in record.headers}
        agency = headers.get(AGENCY_HEADER, "")
        if agency != by_key[key].expected_agency:
            counts["rerouted"] += 1  # the bench's prediction was wrong: the hub's decision stands
        # Out of triage the national admin must name the agency it forwards to.
        to_agency = _admin_pick(by_key[key]) if headers.get(STATUS_HEADER) == "triage" else ""
        queue.put_nowait((key, agency, to_agency))

    async def agencies_act() -> None:
        while True:
            key, agency, to_agency = await queue.get()
            for topic, record_key, value, headers in update_records(plan_of[key], key.decode(), agency,
                                                                    to_agency=to_agency):
                await producer.send(topic, value, key=record_key, headers=headers)
                counts["updates"] += 1

    tracking_ids = [s.tracking_id for s in submissions]
    arrivals = target.watcher.expect(plan_of, on_dispositioned)
    acting = asyncio.create_task(agencies_act())
    before = target.cpu()
    started = time.time()
    try:
        await send_burst(producer, target.input_topic, [(s.key, s.value, s.headers) for s in submissions])
        if not await arrivals.wait(timeout):
            raise PhaseTimeout(
                f"lifecycle: {len(arrivals.times)} of {len(submissions)} dispositions within {timeout:.0f}s")
        deadline = time.monotonic() + timeout
        projected = 0
        while projected < expected:
            if time.monotonic() > deadline:
                raise PhaseTimeout(
                    f"lifecycle: the read model shows {projected} of {expected} events after {timeout:.0f}s")
            await asyncio.sleep(_POLL_S)
            projected = await asyncio.to_thread(events_in_read_model, tracking_ids)
        finished = time.time()
    finally:
        acting.cancel()
    after = target.cpu()
    seconds = finished - started
    mix: dict[str, int] = {}
    for plan in plans:
        mix[plan.name] = mix.get(plan.name, 0) + 1
    return {
        "complaints": len(submissions),
        "agency_updates": counts["updates"],
        "events_projected": expected,
        "update_mix": mix,
        "routed_elsewhere_than_predicted": counts["rerouted"],
        "seconds": round(seconds, 3),
        "complaints_per_s": round(rate(len(submissions), seconds), 1),
        "events_per_s": round(rate(expected, seconds), 1),
        **_cpu_figures(before, after, len(submissions)),
    }


def _admin_pick(submission: Submission) -> str:
    """The regency or province of the complaint's location: where the national admin sends it."""
    return ".".join(submission.record["location"]["region_code"].split(".")[:2])
