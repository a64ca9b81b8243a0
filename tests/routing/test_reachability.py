"""Every one of the 678 agencies in the directory can receive complaints through some rule."""

from __future__ import annotations

from lapor_hub.streams.directory import Directory, Level
from lapor_hub.streams.routing import NATIONAL_ADMIN, RoutingRequest, RuleTable, decide_route


def _owners(directory: Directory, rules: RuleTable) -> dict[str, set[str]]:
    """Every agency a reporter-less complaint can be routed to, with the leaves that get it there."""
    regions = [a.code for a in directory if a.is_regional]
    owners: dict[str, set[str]] = {}
    for leaf in rules.categories.leaves():
        for region in regions:
            decision = decide_route(RoutingRequest(leaf.code, region, None), directory, rules)
            if not decision.triage:
                owners.setdefault(decision.agency_code, set()).add(leaf.code)
    return owners


def test_every_agency_in_the_directory_is_the_default_owner_of_some_complaint(
    directory: Directory, rules: RuleTable
) -> None:
    owners = _owners(directory, rules)
    unreachable = sorted(a.code for a in directory if a.code not in owners)
    assert len(directory) == 678
    assert unreachable == []
    assert set(owners) <= {a.code for a in directory}


def test_regional_governments_are_reached_through_location_rules(directory: Directory, rules: RuleTable) -> None:
    owners = _owners(directory, rules)
    for agency in directory:
        if agency.level is Level.REGENCY:
            assert "civil_registry.id_card" in owners[agency.code], agency.code
        elif agency.level is Level.PROVINCIAL:
            assert "education.school.secondary" in owners[agency.code], agency.code


def test_the_national_admin_owns_a_category_besides_its_triage_inbox(directory, rules) -> None:
    decision = decide_route(
        RoutingRequest("civil_service.public_service_standards", "18.10", None), directory, rules
    )
    assert (decision.agency_code, decision.triage) == (NATIONAL_ADMIN, False)
