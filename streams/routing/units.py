"""Which unit of an agency handles a report, by what LAPOR! calls it.

A complaint (pengaduan) and an aspiration (aspirasi) go to the agency's complaint handling. A
request for public information (permintaan informasi) is the business of the agency's PPID
(Pejabat Pengelola Informasi dan Dokumentasi): UU 14/2008 on public information
(Keterbukaan Informasi Publik) obliges every public body to have one, with its own deadlines
and appeal route (the Information Commission). So the agency with authority stays the same and
the decision names the unit, for the agency's system to put the request on the PPID's desk.

The national admin's triage is not a unit: a request in triage gets its unit when it is
dispositioned to an agency.
"""

from __future__ import annotations

from dataclasses import replace

from lapor_hub.streams.routing.model import RouteDecision

__all__ = ["PPID", "INFORMATION_REQUEST", "with_unit"]

PPID = "PPID"
#: The ComplaintSubmitted classification of a request for public information.
INFORMATION_REQUEST = "INFORMATION_REQUEST"


def with_unit(decision: RouteDecision, classification: str | None) -> RouteDecision:
    """``decision`` with the unit that handles a report of this classification (pure)."""
    if decision.triage or classification != INFORMATION_REQUEST:
        return decision
    return replace(decision, unit=PPID,
                   reason=f"{decision.reason}; a request for public information: for the agency's PPID "
                          "(Pejabat Pengelola Informasi dan Dokumentasi, UU 14/2008)")
