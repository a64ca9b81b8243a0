"""What anyone may read: a complaint's public view, the categories, the agency directory and its
search, per-agency lists and statistics.

The public view and the per-agency list follow the privacy rules (no reporter, no content of a
confidential complaint) and give nobody the means to act on a complaint: that takes the
reporter token, or a member of staff's credentials.
"""

from __future__ import annotations

import asyncio

from lapor_hub.errors import UnknownAgencyError
from lapor_hub.streams.chain import AuditKeyRing, public_key_text
from lapor_hub.streams.directory import AgencyKind
from lapor_hub.streams.directory.search import MAX_QUERY_LENGTH, AgencyMatch, search_agencies
from lapor_hub.streams.web.commands import read_model_of
from lapor_hub.streams.web.endpoints import Call, Endpoint, Reply
from lapor_hub.streams.web.responses import ApiError

__all__ = ["endpoints"]


async def _complaint(call: Call) -> Reply:
    view = await asyncio.to_thread(read_model_of(call.hub).public_view, call.params["tracking_id"])
    if view is None:
        raise ApiError(404, "not_found", "no complaint with this tracking id (a new one appears within seconds)")
    return Reply(view)


def _agency(call: Call) -> str:
    code = call.params["code"]
    if code not in call.hub.directory:
        raise ApiError(404, "unknown_agency", str(UnknownAgencyError(code)))
    return code


async def _agency_complaints(call: Call) -> Reply:
    code = _agency(call)
    query = call.request.query
    try:
        limit = int(query.get("limit", 100))
        offset = int(query.get("offset", 0))
    except ValueError:
        raise ApiError(400, "invalid_query", "limit and offset are whole numbers") from None
    if not 1 <= limit <= 1000 or offset < 0:
        raise ApiError(400, "invalid_query", "limit is 1 to 1000 and offset at least 0")
    rows = await asyncio.to_thread(read_model_of(call.hub).agency_complaints, code, query.get("status"), limit,
                                   offset)
    return Reply({"agency": code, "complaints": rows, "limit": limit, "offset": offset})


async def _agency_stats(call: Call) -> Reply:
    code = _agency(call)
    stats = await asyncio.to_thread(read_model_of(call.hub).agency_stats, code)
    return Reply({"agency": code, "name": call.hub.directory.get(code).name, **stats})


async def _national_stats(call: Call) -> Reply:
    model = read_model_of(call.hub)
    national = await asyncio.to_thread(model.national_stats)
    top = await asyncio.to_thread(model.top_overdue_agencies, 10)
    return Reply({**national, "top_overdue_agencies": top})


async def _agencies(call: Call) -> Reply:
    query, directory = call.request.query, call.hub.directory
    text = query.get("q", "")
    if len(text) > MAX_QUERY_LENGTH:
        raise ApiError(400, "invalid_query", f"q is at most {MAX_QUERY_LENGTH} characters")
    province = query.get("province") or None
    if province is not None and (province not in directory or directory.get(province).kind is not AgencyKind.PROVINCE):
        raise ApiError(400, "invalid_query", "province is a province code of the directory, such as 18 (LAMPUNG)")
    try:
        kind = AgencyKind(query["kind"]) if query.get("kind") else None
    except ValueError:
        raise ApiError(400, "invalid_query", "kind is one of " + ", ".join(k.value for k in AgencyKind)) from None
    raw_limit = query.get("limit", "20")
    if not (raw_limit.isascii() and raw_limit.isdigit() and 1 <= int(raw_limit) <= 1000):
        raise ApiError(400, "invalid_query", "limit is a whole number from 1 to 1000")
    limit = int(raw_limit)
    found = search_agencies(directory, text, province=province, kind=kind, limit=limit + 1)
    return Reply({"agencies": [_agency_json(m) for m in found[:limit]], "more": len(found) > limit})


def _agency_json(match: AgencyMatch) -> dict:
    a, home = match.agency, match.province
    return {"code": a.code, "name": a.name, "name_en": a.name_en, "abbreviation": a.abbreviation,
            "kind": a.kind.value, "level": a.level.value, "time_zone": a.time_zone.name,
            "province": None if home is None else {"code": home.code, "name": home.name}}


async def _audit_keys(call: Call) -> Reply:
    """The public keys that sign the chain heads of complaints.events (README, Audit)."""
    settings = call.hub.settings
    ring = AuditKeyRing(settings.audit_key_folder, settings.audit_signing_key_file)
    keys, current = await asyncio.to_thread(lambda: (ring.public_keys(), ring.current_kid()))
    return Reply({"algorithm": "Ed25519", "keys": [{"kid": kid, "public_key": public_key_text(key),
                                                    "signing": kid == current} for kid, key in keys.items()]})


def endpoints(categories) -> list[Endpoint]:
    async def _categories(call: Call) -> Reply:
        return Reply(categories.as_json())

    return [
        Endpoint("GET", "/api/v1/complaints/{tracking_id}", "complaint.public_view", _complaint,
                 summary="the public view: status, current agency, timeline"),
        Endpoint("GET", "/api/v1/categories", "categories", _categories, summary="the category tree"),
        Endpoint("GET", "/api/v1/agencies", "agency.search", _agencies,
                 summary="the agency directory, searched by name, code or province, best match first: "
                         "?q=text&province=CODE&kind=KIND&limit=N"),
        Endpoint("GET", "/api/v1/agencies/{code}/complaints", "agency.public_list", _agency_complaints,
                 summary="an agency's complaints, publishable fields only"),
        Endpoint("GET", "/api/v1/agencies/{code}/stats", "agency.stats", _agency_stats,
                 summary="received, followed up, open, awaiting follow-up, overdue, escalated"),
        Endpoint("GET", "/api/v1/stats", "national.stats", _national_stats,
                 summary="the national funnel, overdue and escalated counts"),
        Endpoint("GET", "/api/v1/audit/keys", "audit.keys", _audit_keys,
                 summary="the Ed25519 public keys that sign complaints.events's chain heads (base64 of 32 bytes)"),
    ]
