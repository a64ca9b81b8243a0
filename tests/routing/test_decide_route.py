from __future__ import annotations

import pytest

from lapor_hub.streams.directory import Directory
from lapor_hub.streams.routing import (
    NATIONAL_ADMIN,
    RouteDecision,
    RoutingRequest,
    RuleTable,
    decide_route,
    has_authority,
)

PRINGSEWU = "18.10"
LAMPUNG = "18"
MESUJI = "18.11"  # another regency in Lampung


def _route(directory: Directory, rules: RuleTable, category: str, region: str,
           requested: str | None = None) -> RouteDecision:
    return decide_route(RoutingRequest(category, region, requested), directory, rules)


@pytest.mark.parametrize(
    ("category", "region", "owner", "rule_id"),
    [
        ("infrastructure.road.regency", PRINGSEWU, PRINGSEWU, "road.regency"),
        ("infrastructure.road.regency", "31.71", "31.71", "road.regency"),
        ("infrastructure.road.provincial", PRINGSEWU, LAMPUNG, "road.provincial"),
        ("infrastructure.road.national", PRINGSEWU, "KEMENPUPR", "road.national"),
        ("education.school.secondary", PRINGSEWU, LAMPUNG, "school.secondary"),
        ("education.school.secondary", LAMPUNG, LAMPUNG, "school.secondary"),
        ("education.school.primary", PRINGSEWU, PRINGSEWU, "school.primary"),
        ("civil_registry.id_card", PRINGSEWU, PRINGSEWU, "civil_registry"),
        ("civil_registry.family_card", "18.10.01.2001", PRINGSEWU, "civil_registry"),
        ("civil_registry.nik_data", PRINGSEWU, "KEMENDAGRI", "civil_registry.nik_data"),
        ("health.bpjs", PRINGSEWU, "BPJSKES", "health.bpjs"),
        ("financial.online_loans", PRINGSEWU, "OJK", "financial.online_loans"),
        ("utilities.electricity", PRINGSEWU, "KEMENBUMN", "utilities.electricity"),
        ("utilities.water", PRINGSEWU, PRINGSEWU, "utilities.water"),
        ("land.certificate", PRINGSEWU, "KEMENATRBPN", "land"),
        ("transport.driver_license", PRINGSEWU, "POLRI", "transport.driver_license"),
        ("religion.hajj.services", PRINGSEWU, "KEMENAG", "religion.hajj"),
        ("religion.hajj.funds", PRINGSEWU, "BPKH", "religion.hajj.funds"),
        ("manpower.migrant_workers", PRINGSEWU, "BP2MI", "manpower.migrant_workers"),
        ("food_drug_safety.cosmetics", PRINGSEWU, "BPOM", "food_drug_safety"),
    ],
)
def test_a_complaint_without_a_chosen_agency_goes_to_the_rule_owner(
    directory, rules, category: str, region: str, owner: str, rule_id: str
) -> None:
    decision = _route(directory, rules, category, region)
    assert (decision.agency_code, decision.rule_id, decision.corrected, decision.triage) == (
        owner,
        rule_id,
        False,
        False,
    )
    assert directory.get(owner).code in decision.reason


def test_pringsewu_civil_registry_reason_names_the_regency(directory, rules) -> None:
    decision = _route(directory, rules, "civil_registry.birth_certificate", PRINGSEWU)
    assert decision.agency_code == PRINGSEWU
    assert "KAB. PRINGSEWU (18.10)" in decision.reason
    assert "regency-level" in decision.reason


def test_a_national_rule_needs_no_indonesian_region(directory, rules) -> None:
    decision = _route(directory, rules, "foreign_affairs.consular", "")
    assert (decision.agency_code, decision.triage) == ("KEMENLU", False)


def test_the_right_choice_is_honoured(directory, rules) -> None:
    decision = _route(directory, rules, "infrastructure.road.regency", PRINGSEWU, requested=PRINGSEWU)
    assert (decision.agency_code, decision.corrected, decision.triage) == (PRINGSEWU, False, False)
    assert decision.reason.startswith("honoured the reporter's choice")


def test_a_shared_authority_is_honoured_but_never_the_default(directory, rules) -> None:
    chosen = _route(directory, rules, "utilities.electricity", PRINGSEWU, requested="KESDM")
    default = _route(directory, rules, "utilities.electricity", PRINGSEWU)
    assert (chosen.agency_code, chosen.corrected) == ("KESDM", False)
    assert "shares authority" in chosen.reason
    assert default.agency_code == "KEMENBUMN"


@pytest.mark.parametrize(
    ("category", "region", "requested", "owner", "why"),
    [
        ("infrastructure.road.regency", PRINGSEWU, "KEMENPUPR", PRINGSEWU, "has no authority over"),
        ("infrastructure.road.national", PRINGSEWU, PRINGSEWU, "KEMENPUPR", "has no authority over"),
        ("infrastructure.road.regency", PRINGSEWU, LAMPUNG, PRINGSEWU, "supervises but does not provide"),
        ("education.school.secondary", PRINGSEWU, PRINGSEWU, LAMPUNG, "is a provincial service"),
        ("civil_registry.id_card", PRINGSEWU, MESUJI, PRINGSEWU, "no jurisdiction over the complaint's location"),
        ("health.bpjs", PRINGSEWU, "NOT-AN-AGENCY", "BPJSKES", "not in the directory"),
    ],
)
def test_the_wrong_choice_is_corrected_with_the_reason(
    directory, rules, category: str, region: str, requested: str, owner: str, why: str
) -> None:
    decision = _route(directory, rules, category, region, requested)
    assert (decision.agency_code, decision.corrected, decision.triage) == (owner, True, False)
    assert decision.reason.startswith("corrected the reporter's choice")
    assert why in decision.reason
    assert "NOT-AN-AGENCY" not in decision.reason  # unknown input is never echoed


@pytest.mark.parametrize(
    ("category", "region", "rule_id", "why"),
    [
        ("infrastructure.rail", PRINGSEWU, "triage.unknown_category", "not in the category tree"),
        ("Budi Santoso 081234567890", PRINGSEWU, "triage.unknown_category", "not a valid code"),
        ("infrastructure.road", PRINGSEWU, "triage.category_is_group", "not a leaf"),
        ("civil_registry.id_card", "99.99", "triage.unknown_region", "names no region"),
        ("civil_registry.id_card", LAMPUNG, "triage.region_too_coarse", "names only PROVINSI LAMPUNG"),
        ("education.school.secondary", "", "triage.unknown_region", "missing or malformed"),
        ("other", PRINGSEWU, "other", "needs triage"),
    ],
)
def test_what_cannot_be_routed_goes_to_the_national_admin(
    directory, rules, category: str, region: str, rule_id: str, why: str
) -> None:
    decision = _route(directory, rules, category, region)
    assert (decision.agency_code, decision.rule_id, decision.triage) == (NATIONAL_ADMIN, rule_id, True)
    assert why in decision.reason
    assert "0812" not in decision.reason


@pytest.mark.parametrize(
    ("category", "refer_to"),
    [("corruption", "KPK"), ("legal.criminal_report", "POLRI"), ("legal.court_decision", "MA")],
)
def test_out_of_scope_goes_to_triage_and_names_the_right_channel(directory, rules, category, refer_to) -> None:
    decision = _route(directory, rules, category, PRINGSEWU, requested=refer_to)
    assert (decision.agency_code, decision.triage, decision.corrected) == (NATIONAL_ADMIN, True, True)
    assert decision.reason.startswith("out of scope: ")
    assert f"({refer_to})" in decision.reason or f"to {refer_to};" in decision.reason


def test_has_authority_matches_honouring(directory, rules) -> None:
    complaint = RoutingRequest("infrastructure.road.regency", PRINGSEWU, None)
    assert has_authority(PRINGSEWU, complaint, directory, rules)
    assert not has_authority(LAMPUNG, complaint, directory, rules)
    assert not has_authority(NATIONAL_ADMIN, RoutingRequest("corruption", PRINGSEWU), directory, rules)


def test_a_triage_decision_must_go_to_the_national_admin() -> None:
    with pytest.raises(ValueError, match="KEMENPANRB"):
        RouteDecision("KEMENKES", "triage.x", "why", corrected=False, triage=True)
