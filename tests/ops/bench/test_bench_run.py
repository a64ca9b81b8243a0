"""``lapor-hub bench --quick`` against the session broker: every figure there, positive, consistent.

No wall-clock threshold is asserted: the targets of issue #8 are reported, not tested.
"""

from __future__ import annotations

import json

import pytest

from lapor_hub.streams.cli import main
from lapor_hub.streams.ops.bench.report import REQUIRED_FIGURES
from tests.ops.bench.test_bench_parts import dig

pytestmark = pytest.mark.kafka


@pytest.mark.timeout(900)
def test_a_quick_bench_run_writes_every_figure(kafka_broker, tmp_path, capsys):
    path = tmp_path / "bench.json"
    assert main(["bench", "--quick", "--broker", kafka_broker.bootstrap, "--partitions", "2",
                 "--json", str(path)]) == 0
    results = json.loads(path.read_text())
    for figure in REQUIRED_FIGURES:
        assert dig(results, figure) > 0, figure

    hub, baseline, options = results["hub"], results["baseline"], results["options"]
    faust = results["faust_baseline"]
    assert hub["burst"]["complaints"] == baseline["burst"]["complaints"] == faust["burst"]["complaints"] \
        == options["complaints"]
    assert hub["latency"]["complaints"] == round(options["offered_rate"] * options["duration"])
    assert hub["lifecycle"]["complaints"] == options["lifecycle_complaints"]
    assert sum(hub["lifecycle"]["update_mix"].values()) == options["lifecycle_complaints"]
    assert hub["lifecycle"]["events_projected"] > 2 * hub["lifecycle"]["complaints"]
    latency = hub["latency"]["latency"]
    assert latency["p50_ms"] <= latency["p95_ms"] <= latency["p99_ms"] <= latency["max_ms"]
    # The ratios are printed with three decimals.
    assert results["summary"]["hub_to_baseline_ratio"] == pytest.approx(
        hub["burst"]["complaints_per_s"] / baseline["burst"]["complaints_per_s"], abs=5e-4)
    assert results["summary"]["hub_to_faust_ratio"] == pytest.approx(
        hub["burst"]["complaints_per_s"] / faust["burst"]["complaints_per_s"], abs=5e-4)
    history = results["summary"]["national_history"]
    assert history["seconds"] == pytest.approx(560_146 / hub["burst"]["complaints_per_s"], rel=1e-2)
    # Reading the projection costs the worker more than delivery alone.
    assert hub["burst"]["settled_cpu"]["hub_worker_cpu_s_per_1000"] >= hub["burst"]["hub_worker_cpu_s_per_1000"]
    # The scale-out phase: two workers of the one group, the same sizes, every worker's CPU billed.
    scaled = results["scale_out"]
    assert scaled["workers"] == options["scale_out_workers"] == 2
    assert scaled["burst"]["complaints"] == options["complaints"]
    assert scaled["lifecycle"]["complaints"] == options["lifecycle_complaints"]
    assert scaled["burst"]["hub_workers_cpu_s_per_1000"] == pytest.approx(
        scaled["burst"]["hub_worker_0_cpu_s_per_1000"] + scaled["burst"]["hub_worker_1_cpu_s_per_1000"], abs=1e-3)
    assert results["summary"]["scale_out"]["burst_ratio"] == pytest.approx(
        scaled["burst"]["complaints_per_s"] / hub["burst"]["complaints_per_s"], abs=5e-4)
    assert results["broker"]["managed_by"].startswith("caller")
    printed = capsys.readouterr().out
    assert f"{hub['burst']['complaints_per_s']:,.1f} complaints/s" in printed
