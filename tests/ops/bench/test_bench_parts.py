"""The bench's pure parts: percentiles, extrapolation, the JSON's shape, the workload's realism."""

from __future__ import annotations

import statistics

import pytest

from lapor_hub.schemas import decode
from lapor_hub.schemas.agency_updates import AGENCY_UPDATES
from lapor_hub.streams.directory import default_directory
from lapor_hub.streams.intake.validation import validate_submission_record
from lapor_hub.streams.ops.bench.options import parse_options
from lapor_hub.streams.ops.bench.report import REQUIRED_FIGURES, render, summary
from lapor_hub.streams.ops.bench.stats import (
    NATIONAL_HISTORY,
    extrapolate,
    human_duration,
    latency_summary,
    per_thousand,
    percentile,
)
from lapor_hub.streams.ops.bench.updates import UPDATE_MIX, expected_events, plan_updates, update_records
from lapor_hub.streams.ops.bench.workload import WorkloadGenerator
from lapor_hub.streams.routing import default_categories


def test_percentiles_interpolate_between_closest_ranks_like_numpy():
    values = [float(v) for v in range(1, 101)]  # 1..100
    assert percentile(values, 50) == pytest.approx(50.5)
    assert percentile(values, 99) == pytest.approx(99.01)
    assert percentile([3.0, 1.0, 2.0], 0) == 1.0 and percentile([3.0, 1.0, 2.0], 100) == 3.0
    assert percentile([7.0], 95) == 7.0
    with pytest.raises(ValueError):
        percentile([], 50)
    with pytest.raises(ValueError):
        percentile([1.0], 101)


def test_latency_summary_orders_its_percentiles():
    summary_ = latency_summary([5.0, 1.0, 9.0, 3.0, 200.0])
    assert summary_["count"] == 5 and summary_["max_ms"] == 200.0
    assert summary_["p50_ms"] <= summary_["p95_ms"] <= summary_["p99_ms"] <= summary_["max_ms"]


def test_the_national_history_extrapolation_is_linear_and_says_so():
    result = extrapolate(1000.0, sample=5000)
    assert result["complaints"] == NATIONAL_HISTORY == 560_146
    assert result["seconds"] == pytest.approx(560.1, abs=0.1)
    assert "extrapolation" in result["method"] and "5,000" in result["method"]
    assert human_duration(3725) == "1 h 2 min 5 s" and human_duration(42) == "42 s"
    assert per_thousand(3.0, 1500) == pytest.approx(2.0)
    with pytest.raises(ValueError):
        extrapolate(0.0, sample=1)


def test_submissions_are_about_a_kilobyte_valid_and_spread_over_the_directory():
    generator = WorkloadGenerator(seed=7)
    submissions = generator.submissions(400)
    sizes = [len(s.value) for s in submissions]
    assert 850 <= statistics.mean(sizes) <= 1200 and max(sizes) < 2000
    categories, directory = default_categories(), default_directory()
    for s in submissions:
        assert validate_submission_record(s.record, categories=categories, directory=directory) == []
        assert categories.is_leaf(s.record["category"])
        assert s.expected_agency in directory
        assert s.record["requested_agency"] is None or s.record["requested_agency"] in directory
        assert decode(s.value) == ("ComplaintSubmitted", s.record) and s.key == s.tracking_id.encode()
        assert dict(s.headers)["ce_subject"] == s.key
    assert len({s.expected_agency for s in submissions}) > 50
    assert len({s.record["category"] for s in submissions}) > 40
    assert {s.record["privacy"] for s in submissions} == {"PUBLIC", "CONFIDENTIAL", "ANONYMOUS"}


def test_the_update_mix_is_what_agencies_may_publish_and_the_event_count_follows_it():
    plans = plan_updates(1000, seed=3)
    names = {p.name for p in plans}
    assert names == {name for name, _, _ in UPDATE_MIX}
    closed = sum(p.name == "closed_by_agency" for p in plans) / len(plans)
    assert 0.45 < closed < 0.65
    for plan in {p.name: p for p in plans}.values():
        assert set(plan.record_types) <= AGENCY_UPDATES
        records = update_records(plan, "LPR-20261128-7K3M9Q2X", "18.10")
        assert [decode(value)[0] for _, _, value, _ in records] == list(plan.record_types)
        assert all(topic == "agency.18.10.outbox" for topic, _, _, _ in records)
    forwarded = next(p for p in plans if p.name == "forwarded")
    assert expected_events(forwarded) == 4  # submitted, dispositioned, forwarded, dispositioned again


def test_quick_sets_small_sizes_and_flags_override_them():
    quick = parse_options(["--quick", "--complaints", "120"])
    assert quick.quick and quick.complaints == 120 and quick.offered_rate < 300
    assert parse_options([]).complaints == 5000 and parse_options([]).offered_rate == 300
    with pytest.raises(SystemExit):
        parse_options(["--duration", "0"])
    assert parse_options([]).scale_out_workers == 2
    assert parse_options(["--scale-out-workers", "0"]).scale_out_workers == 0
    with pytest.raises(SystemExit):
        parse_options(["--scale-out-workers", "1"])  # one worker is the one-worker phase already


def _fake_results() -> dict:
    burst = {"complaints": 100, "seconds": 1.0, "complaints_per_s": 100.0, "produce_seconds": 0.1,
             "hub_worker_cpu_s_per_1000": 2.0, "passthrough_cpu_s_per_1000": 0.1,
             "settled_cpu": {"hub_worker_cpu_s_per_1000": 2.5}}
    latency = {"offered_per_s": 50, "achieved_offered_per_s": 50.0, "seconds": 2.0, "complaints": 100,
               "latency": latency_summary([10.0, 20.0, 30.0]), "hub_worker_cpu_s_per_1000": 2.0}
    results = {
        "run_id": "x", "started_at": "2026-11-28T00:00:00+00:00", "options": {"quick": True}, "partitions": 2,
        "machine": {"nproc": 2, "cpu_model": "test", "memory_mib": 1, "python": "3"},
        "broker": {"bootstrap": "127.0.0.1:1", "managed_by": "test"},
        "baseline": {"burst": {**burst, "complaints_per_s": 400.0}, "latency": latency},
        "faust_baseline": {"burst": {**burst, "complaints_per_s": 200.0}, "latency": latency},
        "hub": {"burst": burst, "latency": latency, "peak_memory_mib": 120.0,
                "lifecycle": {"complaints": 50, "agency_updates": 120, "events_projected": 250, "seconds": 5.0,
                              "complaints_per_s": 10.0, "events_per_s": 50.0, "hub_worker_cpu_s_per_1000": 9.0}},
        "codec": {"ComplaintSubmitted": {"hub_encode_us": 20.0, "raw_encode_us": 19.0, "hub_decode_us": 11.0,
                                         "raw_decode_us": 10.0, "encode_overhead": 1.05, "decode_overhead": 1.1,
                                         "mean_bytes": 1000.0}},
        "chain": {"events": 100, "stamp_us": 9.0, "verify_us": 8.0, "sign_head_us": 60.0},
        "health_sampler": {"rounds": 10, "interval_s": 5.0, "round_cpu_ms": 31.5, "round_wall_ms": 40.2},
        "scale_out": {"workers": 2, "burst": {**burst, "complaints_per_s": 150.0, "hub_workers_cpu_s_per_1000": 4.2},
                      "lifecycle": {"complaints": 50, "complaints_per_s": 12.0, "hub_workers_cpu_s_per_1000": 19.0}},
    }
    results["summary"] = summary(results)
    return results


def dig(results: dict, path: str):
    for part in path.split("."):
        results = results[part]
    return results


def test_the_summary_relates_hub_to_baseline_and_the_report_prints_every_figure():
    results = _fake_results()
    assert results["summary"]["hub_to_baseline_ratio"] == 0.25
    assert results["summary"]["hub_to_faust_ratio"] == 0.5 and results["summary"]["faust_to_baseline_ratio"] == 0.5
    assert results["summary"]["targets"]["hub_to_baseline_ratio"]["met"] is True  # 0.25 >= 0.2
    assert results["summary"]["targets"]["hub_to_faust_ratio"]["met"] is False  # 0.5 < 0.6
    assert results["summary"]["targets"]["worker_cpu_s_per_1000"]["met"] is False  # 2.0 > 0.5
    assert results["summary"]["national_history"]["seconds"] == pytest.approx(5601.5, abs=0.1)
    for path in REQUIRED_FIGURES:
        assert dig(results, path) > 0, path
    text = render(results)
    assert "hub / raw         0.250   hub / Faust 0.500" in text and "560,146" in text and "p99" in text
    assert results["summary"]["scale_out"] == {"workers": 2, "burst_ratio": 1.5, "lifecycle_ratio": 1.2}
    assert "health sampler (every worker, every 5 s): 31.5 ms CPU per round (40.2 ms wall)" in text
    assert "150.0 complaints/s (x1.50)" in text and "12.0 complaints/s (x1.20)" in text
    # 9 µs of the worker's 9.0 CPU-ms per complaint spread over 5 events per complaint: 1.8 ms per event.
    assert "hash chain (µs per event): stamp 9.0 (0.50% of the worker's 1.80 CPU-ms per lifecycle event)" in text
