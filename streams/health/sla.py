"""SLA health from the read model, read-only: the funnel, open and overdue complaints per
agency, the agencies with most overdue complaints, escalations by tier, the reports by
classification, and the reporters' ratings of responses (the lowest-rated agencies first).

Escalations are grouped by the highest tier each complaint has reached
(``complaints.escalation_tier``) rather than by parsing the tier out of the timeline's
human-readable summaries: a column is a contract, a sentence is not.
"""

from __future__ import annotations

from sqlalchemy import Engine, func, or_, select

from lapor_hub.streams.lifecycle.status import Status
from lapor_hub.streams.readmodel.engine import translated_errors
from lapor_hub.streams.readmodel.tables import complaints

__all__ = ["sla_snapshot", "escalations_by_tier", "agency_backlog"]

_FINISHED = (Status.CLOSED.value, Status.ARCHIVED.value)
_IS_OPEN = or_(complaints.c.status.is_(None), complaints.c.status.not_in(_FINISHED))


def escalations_by_tier(engine: Engine) -> dict[str, int]:
    """Complaints per highest escalation tier reached, tier as text (JSON keys): {"1": 4, "2": 1}."""
    c = complaints.c
    with translated_errors("counting escalations by tier"), engine.connect() as conn:
        rows = conn.execute(select(c.escalation_tier, func.count()).where(c.escalation_tier > 0)
                            .group_by(c.escalation_tier).order_by(c.escalation_tier)).all()
    return {str(tier): count for tier, count in rows}


def agency_backlog(engine: Engine, limit: int = 1000) -> list[dict]:
    """Agencies holding open complaints: [{agency, name, open, overdue}], most overdue first."""
    c = complaints.c
    overdue = func.count().filter(c.overdue).label("overdue")
    open_ = func.count().label("open")
    with translated_errors("counting open complaints per agency"), engine.connect() as conn:
        rows = conn.execute(
            select(c.agency, func.max(c.agency_name), open_, overdue)
            .where(_IS_OPEN, c.agency.is_not(None))
            .group_by(c.agency)
            .order_by(overdue.desc(), open_.desc(), c.agency)
            .limit(limit)
        ).all()
    return [{"agency": code, "name": name, "open": n_open, "overdue": n_overdue}
            for code, name, n_open, n_overdue in rows]


def sla_snapshot(read_model, *, top: int = 10) -> dict:
    """Everything the SLA panel shows, from one read model (``streams.readmodel.ReadModel``)."""
    national = read_model.national_stats()
    backlog = agency_backlog(read_model.engine)
    with translated_errors("counting open complaints"), read_model.engine.connect() as conn:
        open_total = conn.execute(select(func.count()).select_from(complaints).where(_IS_OPEN)).scalar_one()
    return {
        "funnel": national["funnel"],
        "by_status": national["by_status"],
        "open": open_total,
        "overdue": national["overdue"],
        "escalated": national["escalated"],
        "escalations_by_tier": escalations_by_tier(read_model.engine),
        "top_overdue_agencies": [row for row in backlog if row["overdue"] > 0][:top],
        "agencies": backlog,
        "by_classification": national["by_classification"],
        "ratings": {**national["ratings"], "lowest_rated_agencies": read_model.lowest_rated_agencies(top)},
    }
