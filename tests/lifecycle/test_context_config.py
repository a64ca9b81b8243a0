from pathlib import Path

import pytest

from lapor_hub.errors import ConfigurationError
from lapor_hub.streams.lifecycle import LifecycleContext
from lapor_hub.streams.sla import SlaPolicy

SHIPPED = Path(__file__).resolve().parents[2] / "config" / "deadlines.yaml"


def test_the_shipped_deadlines_file_states_the_built_in_defaults():
    context = LifecycleContext.from_file(SHIPPED)
    assert context.policy == SlaPolicy()
    assert context.max_hops == LifecycleContext().max_hops
    assert context.calendar.extra_non_working == frozenset()


def test_deadlines_and_cuti_bersama_come_from_the_file(tmp_path):
    path = tmp_path / "deadlines.yaml"
    path.write_text("sla: {first_follow_up_working_days: 7, days_between_tiers: 1}\n"
                    "calendar: {extra_non_working_days: [2026-12-24]}\nforwarding: {max_hops: 2}\n")
    context = LifecycleContext.from_file(path)
    assert context.policy.first_follow_up_working_days == 7
    assert context.policy.days_between_tiers == 1
    assert context.max_hops == 2
    assert not context.calendar.is_working_day(__import__("datetime").date(2026, 12, 24))


@pytest.mark.parametrize(
    ("text", "message"),
    [("sla: {first_follow_up: 5}\n", "unknown sla setting"),
     ("deadlines: {}\n", "unknown section"),
     ("forwarding: {max_hops: 0}\n", "max_hops"),
     ("sla: [1, 2]\n", "mapping")],
)
def test_a_wrong_deadlines_file_is_a_configuration_error_naming_the_key(tmp_path, text, message):
    path = tmp_path / "deadlines.yaml"
    path.write_text(text)
    with pytest.raises(ConfigurationError, match=message):
        LifecycleContext.from_file(path)


def test_a_missing_file_says_which_setting_points_at_it(tmp_path):
    with pytest.raises(ConfigurationError, match="LAPOR_SLA_CONFIG"):
        LifecycleContext.from_file(tmp_path / "nope.yaml")
