"""The read side for staff: case files, the triage queue, supervision, and the audit trail.

Unlike :mod:`lapor_hub.streams.readmodel.queries` (what anyone may see), these return non-public data;
the HTTP layer decides who may call them and redacts by the privacy rules
(:mod:`lapor_hub.streams.web.disclosure`).
"""

from __future__ import annotations

import json
from datetime import datetime

from sqlalchemy import Connection, and_, or_, select

from lapor_hub.streams.lifecycle.status import Status
from lapor_hub.streams.readmodel.tables import assignments, audit_log, case_files, complaints, ratings, timeline

__all__ = ["standing", "case_file", "triage_queue", "overdue_complaints", "audit_entries", "TRIAGE_STATUSES"]

TRIAGE_STATUSES = (Status.TRIAGE.value, Status.ON_HOLD.value)
_FINISHED = (Status.CLOSED.value, Status.ARCHIVED.value)


def standing(conn: Connection, tracking_id: str) -> dict | None:
    """What the access rules need: status, holder, privacy, whether an agency responded, the reporter token's hash."""
    row = conn.execute(
        select(complaints.c.status, complaints.c.agency, complaints.c.privacy, complaints.c.responded_at,
               case_files.c.reporter_token_hash)
        .select_from(complaints.outerjoin(case_files, case_files.c.tracking_id == complaints.c.tracking_id))
        .where(complaints.c.tracking_id == tracking_id)
    ).first()
    if row is None:
        return None
    return {"status": row.status, "holder": row.agency, "privacy": row.privacy,
            "responded": row.responded_at is not None, "reporter_token_hash": row.reporter_token_hash}


def case_file(conn: Connection, tracking_id: str) -> dict | None:
    """Everything the read model knows of one complaint, unredacted."""
    row = conn.execute(select(complaints).where(complaints.c.tracking_id == tracking_id)).mappings().first()
    if row is None:
        return None
    case = conn.execute(select(case_files).where(case_files.c.tracking_id == tracking_id)).mappings().first()
    steps = conn.execute(
        select(timeline.c.occurred_at, timeline.c.record_type, timeline.c.summary, timeline.c.agency,
               timeline.c.actor, timeline.c.actor_subject, timeline.c.status)
        .where(timeline.c.tracking_id == tracking_id).order_by(timeline.c.position)
    ).all()
    held = conn.execute(
        select(assignments).where(assignments.c.tracking_id == tracking_id).order_by(assignments.c.hop)
    ).mappings().all()
    rated = conn.execute(
        select(ratings).where(ratings.c.tracking_id == tracking_id).order_by(ratings.c.rated_at)
    ).mappings().all()
    return {
        **{k: row[k] for k in ("tracking_id", "status", "agency", "agency_name", "hop", "category", "region_code",
                               "privacy", "classification", "content_hidden", "title", "description", "channel",
                               "submitted_at",
                               "updated_at", "due_at", "overdue", "escalation_tier")},
        "reporter": None if case is None else {
            "name": case["reporter_name"], "nik": case["reporter_nik"], "phone": case["reporter_phone"],
            "email": case["reporter_email"]},
        "location": None if case is None else {
            "region_code": row["region_code"], "address": case["address"], "lat": case["lat"], "lon": case["lon"]},
        "attachments": [] if case is None else json.loads(case["attachments"]),
        "assignments": [{"agency": a["agency"], "hop": a["hop"], "rule": a["rule"], "reason": a["reason"],
                         "assigned_at": a["assigned_at"], "ended_at": a["ended_at"]} for a in held],
        "ratings": [{"agency": r["agency"], "rating": r["rating"], "comment": r["comment"], "rated_at": r["rated_at"]}
                    for r in rated],
        "timeline": [{"at": s.occurred_at, "type": s.record_type, "summary": s.summary, "agency": s.agency,
                      "actor": s.actor, "actor_subject": s.actor_subject, "status": s.status} for s in steps],
    }


def triage_queue(conn: Connection, limit: int, offset: int) -> list[dict]:
    """Complaints at the national admin's triage (and on hold), oldest deadline first."""
    latest = (select(assignments.c.tracking_id, assignments.c.rule, assignments.c.reason)
              .where(assignments.c.ended_at.is_(None)).subquery())
    rows = conn.execute(
        select(complaints, latest.c.rule, latest.c.reason)
        .select_from(complaints.outerjoin(latest, latest.c.tracking_id == complaints.c.tracking_id))
        .where(complaints.c.status.in_(TRIAGE_STATUSES))
        .order_by(complaints.c.due_at.asc().nulls_last(), complaints.c.submitted_at, complaints.c.tracking_id)
        .limit(limit).offset(offset)
    ).mappings().all()
    return [{"tracking_id": r["tracking_id"], "status": r["status"], "category": r["category"],
             "region_code": r["region_code"], "title": r["title"], "privacy": r["privacy"],
             "submitted_at": r["submitted_at"], "verification_due_at": r["due_at"], "overdue": bool(r["overdue"]),
             "escalation_tier": r["escalation_tier"],
             "routing": {"rule": r["rule"], "reason": r["reason"]}} for r in rows]


def overdue_complaints(conn: Connection, agencies: list[str] | None, limit: int) -> list[dict]:
    """Open complaints whose holder missed a deadline or that were escalated, by ``agencies`` (all: None)."""
    query = select(complaints).where(
        or_(complaints.c.status.is_(None), complaints.c.status.not_in(_FINISHED)),
        or_(complaints.c.overdue, complaints.c.escalation_tier > 0),
    )
    if agencies is not None:
        query = query.where(complaints.c.agency.in_(agencies or [""]))
    rows = conn.execute(query.order_by(complaints.c.escalation_tier.desc(), complaints.c.submitted_at)
                        .limit(limit)).mappings().all()
    return [{"tracking_id": r["tracking_id"], "agency": r["agency"], "agency_name": r["agency_name"],
             "status": r["status"], "category": r["category"], "submitted_at": r["submitted_at"],
             "due_at": r["due_at"], "overdue": bool(r["overdue"]), "escalation_tier": r["escalation_tier"]}
            for r in rows]


def audit_entries(conn: Connection, *, actor: str | None = None, agency: str | None = None,
                  tracking_id: str | None = None, since: datetime | None = None, until: datetime | None = None,
                  limit: int = 100) -> list[dict]:
    """The newest audit entries matching every filter given."""
    c = audit_log.c
    conditions = [column == value for column, value in ((c.actor, actor), (c.tracking_id, tracking_id))
                  if value is not None]
    if agency is not None:
        conditions.append(or_(c.agency == agency, c.target_agency == agency))
    if since is not None:
        conditions.append(c.occurred_at >= since)
    if until is not None:
        conditions.append(c.occurred_at < until)
    rows = conn.execute(select(audit_log).where(and_(True, *conditions))
                        .order_by(c.occurred_at.desc(), c.event_id).limit(limit)).mappings().all()
    return [dict(r) for r in rows]
