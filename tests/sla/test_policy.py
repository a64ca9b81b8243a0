from typing import Any

import pytest

from lapor_hub.errors import ConfigurationError
from lapor_hub.streams.sla.policy import Counting, OnBreach, SlaPolicy, Stage


def test_defaults_follow_the_regulation():
    policy = SlaPolicy()
    assert policy.rule(Stage.VERIFICATION).days == 3
    assert policy.rule("first_follow_up").days == 5
    assert policy.rule(Stage.AWAITING_REPLY).on_breach is OnBreach.EXPIRE
    settlement = policy.rule(Stage.SETTLEMENT)
    assert (settlement.days, settlement.counting) == (60, Counting.CALENDAR_DAYS)
    assert policy.warnings == (0.5, 0.75)
    assert policy.days_between_tiers == 2


def test_from_mapping_overrides_and_keeps_defaults():
    policy = SlaPolicy.from_mapping({"first_follow_up_working_days": 7, "warnings": [0.25, 0.5, 0.9]})
    assert policy.first_follow_up_working_days == 7
    assert policy.warnings == (0.25, 0.5, 0.9)
    assert policy.verification_working_days == 3


def test_warnings_can_be_turned_off():
    assert SlaPolicy.from_mapping({"warnings": []}).warnings == ()


@pytest.mark.parametrize(
    "config, fragment",
    [
        ({"verification_working_days": 0}, "verification_working_days=0 must be at least 1"),
        ({"first_follow_up_working_days": 2.5}, "whole number of days"),
        ({"auto_close_working_days": "10"}, "whole number of days"),
        ({"settlement_calendar_days": True}, "whole number of days"),
        ({"days_between_tiers": -2}, "days_between_tiers=-2 must be at least 1"),
        ({"warnings": [0.75, 0.5]}, "ascending"),
        ({"warnings": [0.5, 0.5]}, "ascending"),
        ({"warnings": [50, 75]}, "between 0 and 1"),
        ({"warnings": [0, 0.5]}, "between 0 and 1"),
        ({"warnings": 0.5}, "list of fractions"),
        ({"warnings": "0.5"}, "list of fractions"),
        ({"warnings": [0.5, 0.5000001]}, "too close"),
        ({"first_folow_up_working_days": 5}, "unknown sla setting.*first_folow_up_working_days"),
    ],
)
def test_bad_values_are_configuration_errors(config, fragment):
    with pytest.raises(ConfigurationError, match=fragment):
        SlaPolicy.from_mapping(config)


def test_from_mapping_needs_a_mapping():
    pairs: Any = [("days_between_tiers", 2)]  # the wrong type on purpose: what a YAML list gives
    with pytest.raises(ConfigurationError, match="mapping"):
        SlaPolicy.from_mapping(pairs)


def test_policy_is_frozen():
    policy: Any = SlaPolicy()  # Any: the assignment the type checker refuses is the one tested
    with pytest.raises(AttributeError):
        policy.days_between_tiers = 3
