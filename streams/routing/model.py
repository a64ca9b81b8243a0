"""What the router is asked and what it answers."""

from __future__ import annotations

from dataclasses import dataclass

from lapor_hub.streams.directory import NATIONAL_ADMIN

__all__ = ["RoutingRequest", "RouteDecision", "NATIONAL_ADMIN"]


@dataclass(frozen=True, slots=True)
class RoutingRequest:
    """The parts of a complaint that decide where it goes; nothing personal."""

    #: A leaf code of the category tree, e.g. ``civil_registry.id_card``.
    category: str
    #: Kemendagri code of the complaint's location: ``18`` (province), ``18.10`` (regency/city)
    #: or deeper. May be empty when the rule does not need it (e.g. consular help abroad).
    region_code: str
    #: The agency the reporter picked, if any.
    requested_agency: str | None = None


@dataclass(frozen=True, slots=True)
class RouteDecision:
    """Where a complaint goes, which rule said so, and why in plain English (no personal data)."""

    agency_code: str
    #: The id of the applying rule in rules.yaml, or ``triage.*`` for the router's own decisions.
    rule_id: str
    reason: str
    #: True when an agency was proposed (by the reporter, or by the agency that declined) and
    #: the decision went elsewhere.
    corrected: bool
    #: True when the complaint goes to the national admin's triage inbox for a person to decide.
    triage: bool
    #: The unit of the agency that should handle it [unit kerja] when routing names one, e.g.
    #: :data:`~lapor_hub.streams.routing.units.PPID` for an information request; None: the agency's usual handling.
    unit: str | None = None

    def __post_init__(self) -> None:
        if self.triage and self.agency_code != NATIONAL_ADMIN:
            raise ValueError(f"a triage decision goes to {NATIONAL_ADMIN}, not {self.agency_code!r}")
