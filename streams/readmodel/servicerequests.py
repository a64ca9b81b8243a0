"""Complaints as public service requests (Open311 GeoReport v2): filtered by place, service,
status and time, with the latest step of each in words.

Publishable fields only, as :func:`lapor_hub.streams.readmodel.queries.public_view`: no reporter,
no location beyond the region code, no attachments, and no title or description of a
complaint whose content is hidden (confidential, or flagged by the hub).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, and_, func, or_, select

from lapor_hub.streams.lifecycle.status import Status
from lapor_hub.streams.readmodel.projection import STATUS_NEUTRAL_TYPES
from lapor_hub.streams.readmodel.queries import content_hidden
from lapor_hub.streams.readmodel.tables import complaints, timeline

__all__ = ["RequestFilter", "service_requests", "FINISHED"]

#: Statuses a 311 client sees as ``closed``; every other one is ``open``.
FINISHED = (Status.CLOSED.value, Status.ARCHIVED.value)
_CHUNK = 500


@dataclass(frozen=True)
class RequestFilter:
    #: A region code: complaints located there or below it (``18.10`` takes ``18.10.05``); None: anywhere.
    region: str | None
    #: These tracking ids only (and nothing else is filtered but the region), when given.
    tracking_ids: Sequence[str] | None = None
    categories: Sequence[str] | None = None
    #: True: closed or archived only; False: the rest; None: both.
    finished: bool | None = None
    #: Submitted at or after ``start`` and at or before ``end``.
    start: datetime | None = None
    end: datetime | None = None
    limit: int = 1000


def service_requests(conn: Connection, wanted: RequestFilter) -> list[dict]:
    """The complaints ``wanted`` names, newest first, each with its latest step (``note``)."""
    c = complaints.c
    conditions = []
    if wanted.region is not None:
        conditions.append(or_(c.region_code == wanted.region, c.region_code.like(wanted.region + ".%")))
    if wanted.tracking_ids is not None:
        conditions.append(c.tracking_id.in_(list(wanted.tracking_ids)))
    else:
        if wanted.categories is not None:
            conditions.append(c.category.in_(list(wanted.categories)))
        if wanted.finished is True:
            conditions.append(c.status.in_(FINISHED))
        elif wanted.finished is False:
            conditions.append(or_(c.status.is_(None), c.status.not_in(FINISHED)))
        if wanted.start is not None:
            conditions.append(c.submitted_at >= wanted.start)
        if wanted.end is not None:
            conditions.append(c.submitted_at <= wanted.end)
    rows = conn.execute(select(complaints).where(*conditions)
                        .order_by(c.submitted_at.desc().nulls_last(), c.tracking_id).limit(wanted.limit)).all()
    notes = _latest_steps(conn, [r.tracking_id for r in rows])
    return [_public(row, notes.get(row.tracking_id)) for row in rows]


def _public(row, note: str | None) -> dict:
    hidden = content_hidden(row)
    return {
        "tracking_id": row.tracking_id, "status": row.status, "category": row.category,
        "classification": row.classification or "complaint", "region_code": row.region_code,
        "agency": row.agency, "agency_name": row.agency_name, "content_hidden": hidden,
        "title": None if hidden else row.title, "description": None if hidden else row.description,
        "submitted_at": row.submitted_at, "updated_at": row.updated_at, "closed_at": row.closed_at,
        "due_at": row.due_at, "note": note,
    }


def _latest_steps(conn: Connection, tracking_ids: list[str]) -> dict[str, str]:
    """The summary of each complaint's latest event that moved it (not a rating, receipt or warning)."""
    notes: dict[str, str] = {}
    for start in range(0, len(tracking_ids), _CHUNK):
        chunk = tracking_ids[start:start + _CHUNK]
        latest = (select(timeline.c.tracking_id, func.max(timeline.c.position).label("position"))
                  .where(timeline.c.tracking_id.in_(chunk), timeline.c.record_type.not_in(STATUS_NEUTRAL_TYPES))
                  .group_by(timeline.c.tracking_id).subquery())
        rows = conn.execute(select(timeline.c.tracking_id, timeline.c.summary).join(
            latest, and_(latest.c.tracking_id == timeline.c.tracking_id, latest.c.position == timeline.c.position)))
        notes.update({tracking_id: summary for tracking_id, summary in rows})
    return notes
