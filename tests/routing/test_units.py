"""with_unit: an information request goes to the PPID of the agency with authority; nothing else moves."""

from __future__ import annotations

import pytest

from lapor_hub.streams.routing import PPID, RoutingRequest, decide_route, with_unit


@pytest.fixture
def decision(directory, rules):
    return decide_route(RoutingRequest("civil_registry.id_card", "18.10"), directory, rules)


def test_an_information_request_stays_with_the_agency_and_names_its_ppid(decision):
    routed = with_unit(decision, "INFORMATION_REQUEST")
    assert (routed.agency_code, routed.rule_id, routed.triage) == (decision.agency_code, decision.rule_id, False)
    assert routed.unit == PPID
    assert routed.reason.startswith(decision.reason) and "PPID" in routed.reason and "UU 14/2008" in routed.reason


@pytest.mark.parametrize("classification", ["COMPLAINT", "ASPIRATION", None])
def test_complaints_and_aspirations_go_to_the_agency_s_usual_handling(decision, classification):
    assert with_unit(decision, classification) == decision
    assert decision.unit is None


def test_an_information_request_in_triage_gets_its_unit_only_when_dispositioned(directory, rules):
    in_triage = decide_route(RoutingRequest("other", "18.10"), directory, rules)
    assert in_triage.triage
    assert with_unit(in_triage, "INFORMATION_REQUEST") == in_triage
