"""The results: one JSON document, and the same figures printed for people."""

from __future__ import annotations

import json
from pathlib import Path

__all__ = ["REQUIRED_FIGURES", "TARGETS", "summary", "render", "write_json"]

#: Dotted paths every complete result has, each a positive number.
REQUIRED_FIGURES = (
    "baseline.burst.complaints_per_s",
    "baseline.latency.latency.p99_ms",
    "hub.burst.complaints_per_s",
    "hub.burst.hub_worker_cpu_s_per_1000",
    "hub.burst.settled_cpu.hub_worker_cpu_s_per_1000",
    "hub.latency.latency.p50_ms",
    "hub.latency.latency.p95_ms",
    "hub.latency.latency.p99_ms",
    "hub.latency.hub_worker_cpu_s_per_1000",
    "hub.lifecycle.complaints_per_s",
    "hub.lifecycle.events_per_s",
    "hub.lifecycle.hub_worker_cpu_s_per_1000",
    "hub.peak_memory_mib",
    "summary.hub_to_baseline_ratio",
    "summary.hub_to_faust_ratio",
    "faust_baseline.burst.complaints_per_s",
    "summary.national_history.seconds",
    "codec.ComplaintSubmitted.hub_encode_us",
    "codec.ComplaintSubmitted.raw_encode_us",
    "codec.ComplaintSubmitted.hub_decode_us",
    "codec.ComplaintSubmitted.raw_decode_us",
    "chain.stamp_us",
    "chain.verify_us",
    "chain.sign_head_us",
    "health_sampler.round_cpu_ms",
    "scale_out.burst.complaints_per_s",
    "scale_out.burst.hub_workers_cpu_s_per_1000",
    "scale_out.lifecycle.complaints_per_s",
    "summary.scale_out.burst_ratio",
    "summary.scale_out.lifecycle_ratio",
)
#: Issue 16's targets on a quiet 2-core machine (benchmark figures, never test assertions).
TARGETS = {"hub_to_baseline_ratio": 0.2, "hub_to_faust_ratio": 0.6, "worker_cpu_s_per_1000": 0.5,
           "lifecycle_complaints_per_s": 500.0, "p99_ms_at_offered_load": 250.0,
           "national_history_full_lifecycle_s": 20 * 60.0}


def summary(results: dict) -> dict:
    from lapor_hub.streams.ops.bench.stats import extrapolate

    hub, baseline = results["hub"]["burst"], results["baseline"]["burst"]
    faust = results["faust_baseline"]["burst"]
    ratio = hub["complaints_per_s"] / baseline["complaints_per_s"]
    faust_ratio = hub["complaints_per_s"] / faust["complaints_per_s"]
    p99 = results["hub"]["latency"]["latency"]["p99_ms"]
    lifecycle = results["hub"]["lifecycle"]
    full = extrapolate(lifecycle["complaints_per_s"], sample=lifecycle["complaints"],
                       what="full lifecycle incl. agency updates and read model")
    cpu = hub["hub_worker_cpu_s_per_1000"]

    def target(name: str, value: float, met: bool, sign: str) -> dict:
        return {"target": f"{sign} {TARGETS[name]:g}", "value": round(value, 3), "met": met}

    return {
        "hub_to_baseline_ratio": round(ratio, 3),
        "hub_to_faust_ratio": round(faust_ratio, 3),
        "faust_to_baseline_ratio": round(faust["complaints_per_s"] / baseline["complaints_per_s"], 3),
        "targets": {
            "hub_to_baseline_ratio": target("hub_to_baseline_ratio", ratio, ratio >= TARGETS["hub_to_baseline_ratio"],
                                            ">="),
            "hub_to_faust_ratio": target("hub_to_faust_ratio", faust_ratio,
                                         faust_ratio >= TARGETS["hub_to_faust_ratio"], ">="),
            "worker_cpu_s_per_1000": target("worker_cpu_s_per_1000", cpu, cpu <= TARGETS["worker_cpu_s_per_1000"],
                                            "<="),
            "lifecycle_complaints_per_s": target("lifecycle_complaints_per_s", lifecycle["complaints_per_s"],
                                                 lifecycle["complaints_per_s"]
                                                 >= TARGETS["lifecycle_complaints_per_s"], ">="),
            "p99_ms_at_offered_load": target("p99_ms_at_offered_load", p99, p99 <= TARGETS["p99_ms_at_offered_load"],
                                             "<="),
            "national_history_full_lifecycle_s": target("national_history_full_lifecycle_s", full["seconds"],
                                                        full["seconds"]
                                                        <= TARGETS["national_history_full_lifecycle_s"], "<="),
        },
        "national_history": extrapolate(hub["complaints_per_s"], sample=hub["complaints"]),
        "national_history_full_lifecycle": full,
        **({"scale_out": _scale_out(results["hub"], results["scale_out"])} if "scale_out" in results else {}),
    }


def _scale_out(one: dict, many: dict) -> dict:
    """The scale-out phase against the one-worker phase: throughput ratios (1.0: no gain)."""
    return {"workers": many["workers"],
            "burst_ratio": round(many["burst"]["complaints_per_s"] / one["burst"]["complaints_per_s"], 3),
            "lifecycle_ratio": round(many["lifecycle"]["complaints_per_s"] / one["lifecycle"]["complaints_per_s"], 3)}


def _ours(phase: dict) -> float:
    return sum(v for k, v in phase.items() if k.endswith("_cpu_s_per_1000") and not k.startswith("machine"))


def write_json(results: dict, path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(results, indent=2, ensure_ascii=False, default=str) + "\n")
    return path


def render(results: dict) -> str:
    m, b, h, s = results["machine"], results["baseline"], results["hub"], results["summary"]
    f = results["faust_baseline"]
    lat, blat, flat = h["latency"], b["latency"], f["latency"]
    lines = [
        f"LAPOR Hub bench  {results['started_at']}  ({'quick' if results['options']['quick'] else 'full'} run)",
        f"machine: {m['nproc']} CPUs, {m['cpu_model']}, {m['memory_mib']} MiB, Python {m['python']}; "
        f"load average at start {m.get('loadavg_start')}, at end {m.get('loadavg_end')}",
        f"broker: {results['broker']['bootstrap']} ({results['broker']['managed_by']}), "
        f"{results['partitions']} partitions, acks=all",
        "",
        "throughput (burst, produce everything then wait for every output)",
        f"  raw passthrough  {b['burst']['complaints_per_s']:>9,.1f} complaints/s   {b['burst']['complaints']} in "
        f"{b['burst']['seconds']:.2f}s   passthrough CPU {b['burst']['passthrough_cpu_s_per_1000']:.3f} s/1000",
        f"  Faust passthrough {f['burst']['complaints_per_s']:>8,.1f} complaints/s   {f['burst']['complaints']} in "
        f"{f['burst']['seconds']:.2f}s   passthrough CPU {f['burst']['passthrough_cpu_s_per_1000']:.3f} s/1000",
        f"  hub intake->delivery {h['burst']['complaints_per_s']:>5,.1f} complaints/s   {h['burst']['complaints']} in "
        f"{h['burst']['seconds']:.2f}s   worker CPU {h['burst']['hub_worker_cpu_s_per_1000']:.3f} s/1000 "
        f"(with read model: {h['burst']['settled_cpu']['hub_worker_cpu_s_per_1000']:.3f})",
        f"  hub / raw         {s['hub_to_baseline_ratio']:.3f}   hub / Faust {s['hub_to_faust_ratio']:.3f}   "
        f"Faust / raw {s['faust_to_baseline_ratio']:.3f}",
        f"  whole machine busy during the hub burst: {h['burst'].get('machine_cpu_s_per_1000', 0):.3f} CPU-s/1000 "
        f"(worker + broker + bench = {_ours(h['burst']):.3f}; the rest is other programs)",
        f"  full lifecycle    {h['lifecycle']['complaints_per_s']:>9,.1f} complaints/s   "
        f"({h['lifecycle']['complaints']} complaints, {h['lifecycle']['agency_updates']} agency updates, "
        f"{h['lifecycle']['events_projected']} events in the read model in {h['lifecycle']['seconds']:.2f}s; "
        f"{h['lifecycle']['events_per_s']:,.1f} events/s; "
        f"worker CPU {h['lifecycle']['hub_worker_cpu_s_per_1000']:.3f} s/1000)",
        "",
        f"latency at {lat['offered_per_s']:g}/s offered for {lat['seconds']:.1f}s "
        f"(achieved {lat['achieved_offered_per_s']}/s), submission sent -> ComplaintDispositioned seen",
        f"  hub       p50 {lat['latency']['p50_ms']:>7.1f} ms   p95 {lat['latency']['p95_ms']:>7.1f} ms   "
        f"p99 {lat['latency']['p99_ms']:>7.1f} ms   max {lat['latency']['max_ms']:.1f} ms   "
        f"(worker CPU {lat['hub_worker_cpu_s_per_1000']:.3f} s/1000)",
        f"  raw       p50 {blat['latency']['p50_ms']:>7.1f} ms   p95 {blat['latency']['p95_ms']:>7.1f} ms   "
        f"p99 {blat['latency']['p99_ms']:>7.1f} ms   max {blat['latency']['max_ms']:.1f} ms",
        f"  Faust     p50 {flat['latency']['p50_ms']:>7.1f} ms   p95 {flat['latency']['p95_ms']:>7.1f} ms   "
        f"p99 {flat['latency']['p99_ms']:>7.1f} ms   max {flat['latency']['max_ms']:.1f} ms",
        "",
        f"hub worker peak memory (VmHWM): {h['peak_memory_mib']:.1f} MiB",
        "codec vs raw fastavro (µs per record):",
    ]
    for name, c in results["codec"].items():
        lines.append(f"  {name:<24} "
                     f"encode {c['hub_encode_us']:6.1f} vs {c['raw_encode_us']:6.1f} (x{c['encode_overhead']})"
                     f"   decode {c['hub_decode_us']:6.1f} vs {c['raw_decode_us']:6.1f} (x{c['decode_overhead']})"
                     f"   {c['mean_bytes']:.0f} B")
    if "chain" in results:
        chain, events = results["chain"], results["hub"]["lifecycle"]
        per_event_ms = events["hub_worker_cpu_s_per_1000"] / max(events["events_per_s"] / events["complaints_per_s"], 1)
        lines.append(f"hash chain (µs per event): stamp {chain['stamp_us']:.1f} "
                     f"({chain['stamp_us'] / 10 / per_event_ms:.2f}% of the worker's {per_event_ms:.2f} CPU-ms per "
                     f"lifecycle event), verify {chain['verify_us']:.1f}, sign a head {chain['sign_head_us']:.1f}")
    if "health_sampler" in results and "round_cpu_ms" in results["health_sampler"]:
        sampler = results["health_sampler"]
        lines.append(f"health sampler (every worker, every {sampler['interval_s']:g} s): "
                     f"{sampler['round_cpu_ms']:.1f} ms CPU per round "
                     f"({sampler['round_wall_ms']:.1f} ms wall) over all the hub's topics")
    for key, label in (("national_history", "intake -> delivery"),
                       ("national_history_full_lifecycle", "full lifecycle")):
        n = s[key]
        lines.append(f"national history, {n['complaints']:,} complaints, {label}: {n['human']} "
                     f"(extrapolated from {n['sample_complaints']:,} at {n['measured_rate_per_s']:,.1f}/s)")
    if "scale_out" in results:
        x, xs = results["scale_out"], s["scale_out"]
        lines.append(
            f"scale-out, {x['workers']} workers in one group on the same broker (ratio to one worker):\n"
            f"  intake->delivery {x['burst']['complaints_per_s']:>9,.1f} complaints/s (x{xs['burst_ratio']:.2f})   "
            f"workers' CPU {x['burst']['hub_workers_cpu_s_per_1000']:.3f} s/1000\n"
            f"  full lifecycle   {x['lifecycle']['complaints_per_s']:>9,.1f} complaints/s "
            f"(x{xs['lifecycle_ratio']:.2f})   "
            f"workers' CPU {x['lifecycle']['hub_workers_cpu_s_per_1000']:.3f} s/1000")
    lines.append("targets: " + ", ".join(f"{k} {v['target']}: {v['value']:g} {'met' if v['met'] else 'NOT met'}"
                                         for k, v in s["targets"].items()))
    if "profile" in results:
        lines.append("pure hot path (in-process cProfile), share of stage time:")
        for name, stage in results["profile"]["stages"].items():
            lines.append(f"  {stage['share'] * 100:5.1f}%  {stage['us_per_complaint']:8.1f} µs/complaint  {name}")
    if "worker_profile" in results:
        lines.append(f"worker profile: {results['worker_profile']['file']}")
        for row in results["worker_profile"]["top_by_own_time"][:15]:
            lines.append(f"  {row['share'] * 100:5.1f}%  {row['function']}")
    return "\n".join(lines)
