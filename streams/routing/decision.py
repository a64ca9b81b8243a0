"""Decide which agency receives a complaint: the no-wrong-door rule as a pure function.

Whatever agency the reporter picked, the complaint reaches one that has authority over it:

- the applying rule (rules.yaml) names the owner: a fixed agency, or the regency/city or
  province that contains the complaint's location;
- the reporter's pick is honoured when it HAS AUTHORITY, i.e. it is that owner or one of the
  rule's ``shared_with`` agencies; otherwise it is corrected to the owner and the reason says why.
  A province does not have authority over a regency-level category, nor a regency over a
  provincial one: supervision is not service provision, and a wrong level only costs a forwarding;
- when no owner can be named (unknown category, a group instead of a leaf, a location rule with
  an unknown or province-only region code), or the category is out of scope (corruption, crimes,
  court decisions: they have their own channels) or needs a person, the complaint goes to the
  national admin's triage inbox (KEMENPANRB) with ``triage=True`` and the reason.

A fixed-agency rule does not look at the region code, so a consular complaint from abroad
without an Indonesian region still reaches KEMENLU.
"""

from __future__ import annotations

from lapor_hub.streams.directory import Directory, Level
from lapor_hub.streams.routing._authority import (
    Authority,
    describe_agency,
    describe_category,
    level_word,
    resolve_authority,
)
from lapor_hub.streams.routing.model import RouteDecision, RoutingRequest
from lapor_hub.streams.routing.rules import RuleTable

__all__ = ["decide_route", "has_authority"]


def decide_route(complaint: RoutingRequest, directory: Directory, rules: RuleTable) -> RouteDecision:
    """Where ``complaint`` goes. Pure: the same inputs always give the same decision."""
    requested = complaint.requested_agency or None
    resolved = resolve_authority(complaint, directory, rules, proposed=requested)
    if isinstance(resolved, RouteDecision):
        if requested is None:
            return resolved
        return _with_note(resolved, "the reporter's choice of agency is left to the national admin")
    authority = resolved
    if requested is None:
        return _decision(authority.owner, authority, _assignment(authority, directory), corrected=False)
    if requested in authority.agencies:
        shared = " (it shares authority with the owner)" if requested != authority.owner else ""
        reason = (
            f"honoured the reporter's choice: {describe_agency(requested, directory)} has authority "
            f"over {describe_category(authority.category)}{shared} under rule {authority.rule.id}"
        )
        return _decision(requested, authority, reason, corrected=False)
    reason = (
        f"corrected the reporter's choice: {_why_not(requested, authority, directory)}; "
        + _assignment(authority, directory, subject="it")
    )
    return _decision(authority.owner, authority, reason, corrected=True)


def has_authority(agency_code: str, complaint: RoutingRequest, directory: Directory, rules: RuleTable) -> bool:
    """Whether ``agency_code`` may keep ``complaint``: the rule's owner or a shared authority.

    This is what the hub checks to skip the national admin's verification when the reporter
    picked the agency.
    """
    resolved = resolve_authority(complaint, directory, rules, proposed=None)
    return isinstance(resolved, Authority) and agency_code in resolved.agencies


def _decision(agency_code: str, authority: Authority, reason: str, *, corrected: bool) -> RouteDecision:
    return RouteDecision(agency_code, authority.rule.id, reason, corrected=corrected, triage=False)


def _assignment(authority: Authority, directory: Directory, *, subject: str | None = None) -> str:
    category = subject or describe_category(authority.category)
    owner = describe_agency(authority.owner, directory)
    if authority.place is None:
        return f"rule {authority.rule.id} gives {category} to {owner}"
    return (
        f"rule {authority.rule.id} gives {category} ({level_word(authority, directory)} service) "
        f"to the government of the complaint's location: {owner}"
    )


def _why_not(requested: str, authority: Authority, directory: Directory) -> str:
    if requested not in directory:
        return "the chosen agency code is not in the directory"
    chosen = directory.get(requested)
    name = describe_agency(requested, directory)
    category = describe_category(authority.category)
    place = authority.place
    if place is None or not chosen.is_regional:
        return f"{name} has no authority over {category}"
    if chosen.level is not place.level:
        if chosen.level is Level.PROVINCIAL:
            return (
                f"{name} is a province and {category} is a regency-level service, "
                "which the province supervises but does not provide"
            )
        return f"{name} is a regency or city and {category} is a provincial service"
    return f"{name} has no jurisdiction over the complaint's location"


def _with_note(decision: RouteDecision, note: str) -> RouteDecision:
    return RouteDecision(
        decision.agency_code,
        decision.rule_id,
        f"{decision.reason}; {note}",
        corrected=decision.corrected,
        triage=decision.triage,
    )
