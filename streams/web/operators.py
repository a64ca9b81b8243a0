"""For operators and oversight: stream health, Prometheus metrics, the audit trail.

``/api/v1/health/overview`` and ``/metrics`` need the ``operator`` role (Prometheus scrapes with
an operator API key as its bearer token, see README "Operating the hub"); the audit trail is
for operators and oversight (Ombudsman RI). ``/health`` and ``/ready`` stay open for probes.
"""

from __future__ import annotations

import asyncio
from datetime import datetime

from prometheus_client.exposition import CONTENT_TYPE_LATEST

from lapor_hub.streams.identity import Role
from lapor_hub.streams.web.commands import read_model_of
from lapor_hub.streams.web.endpoints import Access, Call, Endpoint, Reply
from lapor_hub.streams.web.metrics import render_metrics
from lapor_hub.streams.web.responses import ApiError

__all__ = ["endpoints"]

_OPERATORS = frozenset({Role.OPERATOR})
_AUDITORS = frozenset({Role.OPERATOR, Role.OVERSIGHT})


def endpoints() -> list[Endpoint]:
    async def overview(call: Call) -> Reply:
        return Reply(call.hub.health.overview(call.hub.app))

    async def metrics(call: Call) -> Reply:
        body = await asyncio.to_thread(render_metrics, call.hub.health.overview(call.hub.app))
        return Reply(body, headers={"Content-Type": CONTENT_TYPE_LATEST})

    async def audit(call: Call) -> Reply:
        query = call.request.query
        try:
            limit = int(query.get("limit", 100))
            since = _instant(query.get("since"))
            until = _instant(query.get("until"))
        except ValueError:
            raise ApiError(400, "invalid_query", "limit is a whole number; since and until are ISO 8601 instants "
                           "with an offset, e.g. 2026-11-30T00:00:00+07:00") from None
        if not 1 <= limit <= 1000:
            raise ApiError(400, "invalid_query", "limit is 1 to 1000")
        entries = await asyncio.to_thread(read_model_of(call.hub).audit_entries, actor=query.get("actor"),
                                          agency=query.get("agency"), tracking_id=query.get("tracking_id"),
                                          since=since, until=until, limit=limit)
        return Reply({"entries": entries, "limit": limit})

    return [
        Endpoint("GET", "/api/v1/health/overview", "health.overview", overview, Access.STAFF, _OPERATORS,
                 summary="everything the dashboard shows, as one JSON document"),
        Endpoint("GET", "/metrics", "health.metrics", metrics, Access.STAFF, _OPERATORS,
                 summary="Prometheus exposition"),
        Endpoint("GET", "/api/v1/audit", "audit.read", audit, Access.STAFF, _AUDITORS,
                 summary="the audit trail of authenticated requests"),
    ]


def _instant(text: str | None) -> datetime | None:
    if text is None:
        return None
    value = datetime.fromisoformat(text)
    if value.utcoffset() is None:
        raise ValueError("no offset")
    return value
