"""Shared by routing and forwarding: who has authority over a complaint, and how to say it."""

from __future__ import annotations

import re
from dataclasses import dataclass

from lapor_hub.errors import UnknownAgencyError
from lapor_hub.streams.directory import Agency, Directory, Level
from lapor_hub.streams.routing.categories import Category
from lapor_hub.streams.routing.model import NATIONAL_ADMIN, RouteDecision, RoutingRequest
from lapor_hub.streams.routing.rules import TRIAGE_PREFIX, LocationRole, Rule, RuleTable

__all__ = ["Authority", "describe_agency", "describe_category", "level_word", "resolve_authority", "triage"]

_CATEGORY_CODE = re.compile(r"^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*){0,7}$")
_REGION_CODE = re.compile(r"^\d{2}(\.\d{1,4}){0,3}$")
_LEVEL_WORDS = {Level.NATIONAL: "national", Level.PROVINCIAL: "provincial", Level.REGENCY: "regency-level"}


@dataclass(frozen=True, slots=True)
class Authority:
    """The applying rule and the agencies with authority for one complaint, the owner first."""

    rule: Rule
    category: Category
    agencies: tuple[str, ...]
    #: For location rules: the regional government whose jurisdiction contains the complaint.
    place: Agency | None = None

    @property
    def owner(self) -> str:
        return self.agencies[0]


def triage(rule_id: str, reason: str, *, proposed: str | None) -> RouteDecision:
    """A decision for the national admin's triage inbox."""
    return RouteDecision(NATIONAL_ADMIN, rule_id, reason, corrected=proposed is not None, triage=True)


def resolve_authority(
    complaint: RoutingRequest, directory: Directory, rules: RuleTable, *, proposed: str | None
) -> Authority | RouteDecision:
    """The authority over ``complaint``, or a triage decision when there is none to find.

    ``proposed`` is the agency someone proposed (the reporter, or a declining agency); it only
    sets ``corrected`` on a triage decision. Callers check proposals against the authority.
    """
    categories = rules.categories
    if complaint.category not in categories:
        return triage(
            f"{TRIAGE_PREFIX}unknown_category",
            f"{_quote_category(complaint.category)} is not in the category tree; "
            "the national admin classifies the complaint",
            proposed=proposed,
        )
    category = categories.get(complaint.category)
    rule = rules.rule_for(category.code)
    if rule is None:  # a group: rules are only looked up for leaves
        return triage(
            f"{TRIAGE_PREFIX}category_is_group",
            f"{describe_category(category)} is a group of categories, not a leaf; "
            "the national admin picks the leaf",
            proposed=proposed,
        )
    if rule.out_of_scope is not None:
        refer = f"; refer the reporter to {describe_agency(rule.refer_to, directory)}" if rule.refer_to else ""
        return triage(rule.id, f"out of scope: {rule.out_of_scope}{refer}", proposed=proposed)
    if rule.triage is not None:
        return triage(rule.id, f"needs triage: {rule.triage}", proposed=proposed)
    if rule.agency is not None:
        return Authority(rule, category, (rule.agency, *rule.shared_with))
    return _locate(complaint.region_code, rule, category, directory, proposed)


def _locate(
    region_code: str, rule: Rule, category: Category, directory: Directory, proposed: str | None
) -> Authority | RouteDecision:
    assert rule.location is not None
    try:
        region = directory.region_of(region_code)
    except UnknownAgencyError:
        return triage(
            f"{TRIAGE_PREFIX}unknown_region",
            f"rule {rule.id} sends {describe_category(category)} to the {rule.location.value} of the "
            f"complaint's location, but {_quote_region(region_code)} names no region in the "
            "directory; the national admin asks for the location",
            proposed=proposed,
        )
    place = region
    if rule.location is LocationRole.PROVINCE and region.level is Level.REGENCY:
        province = directory.province_of(region)
        assert province is not None, f"regency {region.code} has no province in the directory"
        place = province
    if rule.location is LocationRole.REGENCY and region.level is not Level.REGENCY:
        # region_of falls back to the province for a code that is only a province, or whose
        # regency part is unknown: the regency-level service has no owner we can name.
        return triage(
            f"{TRIAGE_PREFIX}region_too_coarse",
            f"rule {rule.id} sends {describe_category(category)} to the regency or city of the "
            f"complaint's location, but {_quote_region(region_code)} names only "
            f"{describe_agency(region.code, directory)}; the national admin asks for the regency or city",
            proposed=proposed,
        )
    return Authority(rule, category, (place.code, *rule.shared_with), place)


def level_word(authority: Authority, directory: Directory) -> str:
    level = authority.rule.location.level if authority.rule.location else directory.get(authority.owner).level
    return _LEVEL_WORDS[level]


def describe_agency(code: str | None, directory: Directory) -> str:
    """A readable name for an agency, e.g. ``Kementerian PUPR (KEMENPUPR)`` or ``KAB. PRINGSEWU (18.10)``."""
    if code is None or code not in directory:
        return "an agency code that is not in the directory"
    agency = directory.get(code)
    name = agency.abbreviation or agency.name
    return agency.code if name.upper() == agency.code else f"{name} ({agency.code})"


def describe_category(category: Category) -> str:
    return f"'{category.label_en}' ({category.code})"


def _quote_category(code: str) -> str:
    # Quote only what looks like a code: a free-text field pasted here could carry personal data.
    return f"category {code!r}" if _CATEGORY_CODE.match(code) else "the category (not a valid code)"


def _quote_region(code: str) -> str:
    # Two segments say enough for an operator; village-level detail stays out of logs.
    if not _REGION_CODE.match(code):
        return "the region code (missing or malformed)"
    return f"region code {'.'.join(code.split('.')[:2])!r}"
