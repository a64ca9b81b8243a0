"""The read side for staff: case files, the triage queue, supervision, and the audit trail.

Unlike :mod:`lapor_hub.streams.readmodel.queries` (what anyone may see), these return non-public data;
the HTTP layer decides who may call them and redacts by the privacy rules
(:mod:`lapor_hub.streams.web.disclosure`).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, and_, func, or_, select

from lapor_hub.streams.lifecycle.status import Status
from lapor_hub.streams.readmodel.tables import assignments, audit_log, case_files, complaints, ratings, timeline

__all__ = ["standing", "case_file", "triage_queue", "overdue_complaints", "audit_entries", "ended_before",
           "agency_inbox", "InboxFilter", "TRIAGE_STATUSES"]

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
        # Sealed: the web layer opens it for an entitled reader, with the key store.
        "identity": None if case is None or case["identity_key_id"] is None else {
            "key_id": case["identity_key_id"], "nonce": bytes(case["identity_nonce"]),
            "ciphertext": bytes(case["identity_ciphertext"])},
        "location_private": bool(case["location_private"]) if case is not None else False,
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


def ended_before(conn: Connection, cutoff: datetime, limit: int) -> list[str]:
    """Complaints closed (or archived) before ``cutoff`` and not reopened since: the retention policy's candidates."""
    ended = or_(and_(complaints.c.status == Status.CLOSED.value, complaints.c.closed_at <= cutoff),
                and_(complaints.c.status == Status.ARCHIVED.value, complaints.c.updated_at <= cutoff))
    rows = conn.execute(select(complaints.c.tracking_id).where(ended)
                        .order_by(complaints.c.updated_at, complaints.c.tracking_id).limit(limit))
    return [row.tracking_id for row in rows]


@dataclass(frozen=True)
class InboxFilter:
    """What an agency's inbox shows: every complaint it holds, or those matching each filter given."""

    statuses: tuple[str, ...] = ()
    #: Only complaints whose deadline the agency missed (True), or only the others (False).
    overdue: bool | None = None
    #: Only complaints escalated at least this far.
    min_tier: int = 0
    #: Text in the tracking id, the title or the category (case-insensitive).
    text: str = ""
    limit: int = 100
    offset: int = 0


def agency_inbox(conn: Connection, code: str, wanted: InboxFilter) -> dict:
    """The complaints ``code`` holds, most urgent first, with each one's warnings on its current
    assignment; the number matching the filter and the count of every status held."""
    c = complaints.c
    conditions = [c.agency == code]
    if wanted.statuses:
        conditions.append(c.status.in_(wanted.statuses))
    if wanted.overdue is not None:
        conditions.append(c.overdue.is_(wanted.overdue))
    if wanted.min_tier:
        conditions.append(c.escalation_tier >= wanted.min_tier)
    if wanted.text:
        pattern = "%" + wanted.text.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        conditions.append(or_(*(func.lower(column).like(pattern, escape="\\")
                                for column in (c.tracking_id, c.title, c.category))))
    since = (select(func.max(assignments.c.assigned_at)).where(assignments.c.tracking_id == c.tracking_id,
                                                                assignments.c.agency == code,
                                                                assignments.c.ended_at.is_(None))
             .scalar_subquery())
    warnings = (select(func.count()).where(timeline.c.tracking_id == c.tracking_id, timeline.c.agency == code,
                                           timeline.c.record_type == "SlaWarning", timeline.c.occurred_at >= since)
                .scalar_subquery())
    rows = conn.execute(
        select(complaints, warnings.label("warnings")).where(*conditions)
        .order_by(c.overdue.desc(), c.escalation_tier.desc(), c.due_at.asc().nulls_last(),
                  c.submitted_at.desc().nulls_last(), c.tracking_id)
        .limit(wanted.limit).offset(wanted.offset)
    ).mappings().all()
    total = conn.execute(select(func.count()).select_from(complaints).where(*conditions)).scalar_one()
    by_status = conn.execute(select(c.status, func.count()).where(c.agency == code).group_by(c.status)).all()
    return {
        "complaints": [{k: r[k] for k in ("tracking_id", "status", "category", "region_code", "title", "privacy",
                                           "content_hidden", "submitted_at", "updated_at", "due_at",
                                           "escalation_tier", "warnings")} | {"overdue": bool(r["overdue"])}
                       for r in rows],
        "total": total,
        "by_status": {status: count for status, count in by_status},
    }


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
