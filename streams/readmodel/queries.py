"""The read side: views and per-agency statistics, all computed from the projected rows.

Counters are GROUP BY / COUNT queries instead of counter tables: a counter table would have
to be kept right by every code path, through forwardings, reopenings and replays; a query is
right by construction, and with the indexes in :mod:`lapor_hub.streams.readmodel.tables` it reads only
one agency's rows.
"""

from __future__ import annotations

from sqlalchemy import Connection, and_, distinct, exists, func, not_, or_, select

from lapor_hub.streams.lifecycle.status import Status
from lapor_hub.streams.readmodel.projection import FOLLOW_UP_TYPES
from lapor_hub.streams.readmodel.tables import assignments, complaints, ratings, timeline

__all__ = ["public_view", "agency_complaints", "agency_stats", "national_stats", "top_overdue_agencies",
           "rating_summary", "lowest_rated_agencies", "content_hidden"]

#: Operational records: connector receipts and early warnings are for agencies and operators,
#: not for the public history of a complaint.
_INTERNAL_TYPES = ("DeliveryReceipt", "SlaWarning")
_FINISHED = (Status.CLOSED.value, Status.ARCHIVED.value)
_PUBLIC, _ANONYMOUS = "PUBLIC", "ANONYMOUS"

# Still open: any status but closed/archived (a status the lifecycle adds later counts as open).
_IS_OPEN = or_(complaints.c.status.is_(None), complaints.c.status.not_in(_FINISHED))


def content_hidden(row) -> bool:
    """Whether a complaint row's title and description must not be published."""
    # An unknown or missing privacy is treated as the most restrictive for content.
    return bool(row.content_hidden) or row.privacy not in (_PUBLIC, _ANONYMOUS)


def public_view(conn: Connection, tracking_id: str) -> dict | None:
    row = conn.execute(select(complaints).where(complaints.c.tracking_id == tracking_id)).first()
    if row is None:
        return None
    hidden = content_hidden(row)
    events = conn.execute(
        select(timeline.c.occurred_at, timeline.c.record_type, timeline.c.summary, timeline.c.agency)
        .where(timeline.c.tracking_id == tracking_id, timeline.c.record_type.not_in(_INTERNAL_TYPES))
        .order_by(timeline.c.position)
    ).all()
    return {
        "tracking_id": row.tracking_id,
        "status": row.status,
        "agency_code": row.agency,
        "agency_name": row.agency_name,
        "category": row.category,
        "region_code": row.region_code,
        "privacy": row.privacy,
        "classification": row.classification or "complaint",
        "submitted_at": row.submitted_at,
        "updated_at": row.updated_at,
        "content_hidden": hidden,
        "title": None if hidden else row.title,
        "description": None if hidden else row.description,
        # Never any identity unless the reporter chose PUBLIC (the name is not even stored then).
        "reporter_name": row.reporter_name if row.privacy == _PUBLIC else None,
        "timeline": [
            {"at": e.occurred_at, "type": e.record_type, "summary": e.summary, "agency": e.agency} for e in events
        ],
    }


def agency_complaints(conn: Connection, code: str, status: str | None, limit: int, offset: int) -> list[dict]:
    """Complaints ``code`` holds now, newest first; publishable fields only.

    The agency gets the full content (and the reporter, unless anonymous) through its inbox
    topic; a dashboard built on this list may be shown to anyone, so it follows the public
    rules: no reporter, no title when the content is hidden.
    """
    query = select(complaints).where(complaints.c.agency == code)
    if status is not None:
        query = query.where(complaints.c.status == status)
    query = query.order_by(complaints.c.submitted_at.desc().nulls_last(), complaints.c.tracking_id)
    rows = conn.execute(query.limit(limit).offset(offset)).all()
    return [
        {
            "tracking_id": r.tracking_id,
            "status": r.status,
            "category": r.category,
            "region_code": r.region_code,
            "classification": r.classification or "complaint",
            "title": None if content_hidden(r) else r.title,
            "submitted_at": r.submitted_at,
            "updated_at": r.updated_at,
            "first_follow_up_at": r.first_follow_up_at,
            "overdue": bool(r.overdue),
            "escalation_tier": r.escalation_tier,
        }
        for r in rows
    ]


def _followed_up_by(code: str, tracking_id_column):
    return exists().where(
        timeline.c.agency == code,
        timeline.c.record_type.in_(FOLLOW_UP_TYPES),
        timeline.c.tracking_id == tracking_id_column,
    )


def agency_stats(conn: Connection, code: str) -> dict:
    """received: ever dispositioned or forwarded to ``code``; followed_up: of those, followed up
    or responded to by ``code``; open / overdue / awaiting_follow_up / by_status: held by
    ``code`` now; escalated: complaints on which ``code`` missed a deadline, ever;
    by_classification: the received ones by what they are (complaint, aspiration,
    information_request); ratings: the reporters' ratings of ``code``'s responses.
    """
    held = complaints.c.agency == code
    received, followed_up = conn.execute(
        select(
            func.count(distinct(assignments.c.tracking_id)),
            func.count(distinct(assignments.c.tracking_id)).filter(_followed_up_by(code, assignments.c.tracking_id)),
        ).where(assignments.c.agency == code)
    ).one()
    open_, overdue, awaiting = conn.execute(
        select(
            func.count().filter(_IS_OPEN),
            func.count().filter(and_(_IS_OPEN, complaints.c.overdue)),
            func.count().filter(and_(_IS_OPEN, not_(_followed_up_by(code, complaints.c.tracking_id)))),
        ).where(held)
    ).one()
    escalated = conn.execute(
        select(func.count(distinct(timeline.c.tracking_id))).where(
            timeline.c.agency == code, timeline.c.record_type == "ComplaintEscalated"
        )
    ).scalar_one()
    by_status = conn.execute(
        select(complaints.c.status, func.count()).where(held).group_by(complaints.c.status)
    ).all()
    received_ids = select(assignments.c.tracking_id).where(assignments.c.agency == code).distinct()
    by_classification = conn.execute(
        select(complaints.c.classification, func.count())
        .where(complaints.c.tracking_id.in_(received_ids)).group_by(complaints.c.classification)
    ).all()
    return {
        "agency": code,
        "received": received,
        "followed_up": followed_up,
        "open": open_,
        "awaiting_follow_up": awaiting,
        "overdue": overdue,
        "escalated": escalated,
        "by_status": {status: count for status, count in by_status},
        "by_classification": _by_classification(by_classification),
        "ratings": rating_summary(conn, code),
    }


def _by_classification(rows) -> dict[str, int]:
    # Rows projected before classifications existed are complaints, as their events decode.
    counts: dict[str, int] = {}
    for classification, count in rows:
        key = classification or "complaint"
        counts[key] = counts.get(key, 0) + count
    return dict(sorted(counts.items()))


def rating_summary(conn: Connection, code: str | None = None) -> dict:
    """The reporters' ratings of responses (of ``code``'s, or all): count, average, and how many of each score."""
    query = select(ratings.c.rating, func.count()).group_by(ratings.c.rating)
    if code is not None:
        query = query.where(ratings.c.agency == code)
    by_score = {str(score): 0 for score in range(1, 6)}
    for score, count in conn.execute(query).all():
        by_score[str(score)] = count
    total = sum(by_score.values())
    average = round(sum(int(score) * n for score, n in by_score.items()) / total, 2) if total else None
    return {"count": total, "average": average, "by_score": by_score}


def lowest_rated_agencies(conn: Connection, n: int, *, min_ratings: int = 1) -> list[dict]:
    """The ``n`` agencies whose responses reporters rated lowest on average (ties: more ratings first, then code)."""
    average = func.avg(ratings.c.rating).label("average")
    count = func.count().label("count")
    rows = conn.execute(
        select(ratings.c.agency, average, count).group_by(ratings.c.agency).having(count >= min_ratings)
        .order_by(average, count.desc(), ratings.c.agency).limit(n)
    ).all()
    return [{"agency": code, "average": round(float(avg), 2), "count": total} for code, avg, total in rows]


def national_stats(conn: Connection) -> dict:
    """Counts by status and by classification, the funnel received → dispositioned → followed up → closed,
    and the reporters' ratings of responses."""
    c = complaints.c
    received, dispositioned, followed_up, closed, overdue, escalated = conn.execute(
        select(
            func.count(),
            func.count(c.dispositioned_at),
            func.count(c.first_follow_up_at),
            func.count(c.closed_at),
            func.count().filter(c.overdue),
            func.count().filter(c.escalation_tier > 0),
        )
    ).one()
    by_status = conn.execute(select(c.status, func.count()).group_by(c.status)).all()
    by_classification = conn.execute(select(c.classification, func.count()).group_by(c.classification)).all()
    return {
        "by_status": {status: count for status, count in by_status},
        "by_classification": _by_classification(by_classification),
        "ratings": rating_summary(conn),
        "funnel": {"received": received, "dispositioned": dispositioned, "followed_up": followed_up, "closed": closed},
        "overdue": overdue,
        "escalated": escalated,
    }


def top_overdue_agencies(conn: Connection, n: int) -> list[dict]:
    """The ``n`` agencies holding the most overdue complaints now (ties by code)."""
    overdue = func.count().label("overdue")
    rows = conn.execute(
        select(complaints.c.agency, func.max(complaints.c.agency_name), overdue)
        .where(complaints.c.overdue, complaints.c.agency.is_not(None))
        .group_by(complaints.c.agency)
        .order_by(overdue.desc(), complaints.c.agency)
        .limit(n)
    ).all()
    return [{"agency": code, "name": name, "overdue": count} for code, name, count in rows]
