"""The short form of ``make chaos``: real brokers, real worker processes, real faults.

Each scenario starts its own broker and workers in a temporary folder (kept by pytest for
reading the logs), drives them with retrying clients, injects its fault and counts from the
outside. A complaint answered 202 must never be lost or stored twice.
"""

import pytest

from lapor_hub.streams.ops.chaos.options import ChaosOptions
from lapor_hub.streams.ops.chaos.report import render
from lapor_hub.streams.ops.chaos.run import run_chaos

pytestmark = pytest.mark.kafka


@pytest.mark.timeout(540)
@pytest.mark.parametrize("scenario", ["worker-kill", "broker-down-worker-kill"])
def test_no_complaint_answered_202_is_lost_or_duplicated(scenario, tmp_path):
    results = run_chaos(ChaosOptions(scenarios=(scenario,), short=True, work_dir=tmp_path))
    [outcome] = results["scenarios"]
    table = render(results)
    assert outcome["verdict"] != "error", f"{outcome.get('error')}\n{outcome.get('traceback')}"
    assert outcome["answered"] > 0, table
    assert (outcome["lost"], outcome["duplicated"]) == (0, 0), table
