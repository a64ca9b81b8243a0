"""The staff API: an agency's case files and actions, the national admin's triage, supervision.

Every action goes through the same command path as an agency's outbox: the sender is the
authenticated agency (or the national admin), never the payload, and the person who acted is
recorded on the event (``ce_actorsubject``). Who may do what is the endpoint table's roles plus
the checks here: an officer acts only for the agency named in its token, on complaints that
agency holds; a supervisor reads the complaints of the agencies its directory chain supervises;
oversight reads everything and acts on nothing.
"""

from __future__ import annotations

import asyncio
from datetime import datetime
from typing import Any

from lapor_hub.errors import UnknownAgencyError
from lapor_hub.streams.directory import NATIONAL_ADMIN
from lapor_hub.streams.identity import Principal, Role, supervises
from lapor_hub.streams.intake.tracking import is_tracking_id
from lapor_hub.streams.lifecycle import NATIONAL_ADMIN_ACTOR, IllegalTransition, Status
from lapor_hub.streams.lifecycle.authority import Standing, check
from lapor_hub.streams.readmodel.staffqueries import InboxFilter
from lapor_hub.streams.web.body import read_json_object
from lapor_hub.streams.web.commands import check_allowed, command_event_id, read_model_of, send_command, standing_of
from lapor_hub.streams.web.deadlines import working_days_left
from lapor_hub.streams.web.disclosure import DISCLOSED, disclosed_case_file
from lapor_hub.streams.web.endpoints import Access, Call, Endpoint, Reply
from lapor_hub.streams.web.forms import Field, read_fields
from lapor_hub.streams.web.responses import ApiError

__all__ = ["endpoints", "AGENCY_ACTIONS", "TRIAGE_ACTIONS"]

_ACTION_BYTES = 32_000
_MAX_SEARCH = 100
_STATUSES = tuple(s.value for s in Status)
_AGENCY_STAFF = frozenset({Role.AGENCY_OFFICER, Role.AGENCY_ADMIN})
_CASE_READERS = _AGENCY_STAFF | {Role.SUPERVISOR, Role.NATIONAL_ADMIN, Role.OVERSIGHT}
_SUPERVISION = frozenset({Role.SUPERVISOR, Role.NATIONAL_ADMIN, Role.OVERSIGHT})
_ADMIN = frozenset({Role.NATIONAL_ADMIN})

#: ``{"type": ...}`` of ``POST .../actions`` -> (record type, its fields).
AGENCY_ACTIONS: dict[str, tuple[str, tuple[Field, ...]]] = {
    "accept": ("ComplaintAccepted", ()),
    "decline": ("ComplaintForwarded", (Field("reason", max_length=1000),
                                       Field("suggested_agency", kind="agency", required=False))),
    "request_information": ("ComplaintReturnedToReporter", (Field("reason", max_length=1000),)),
    "follow_up": ("FollowUpRecorded", (Field("note"), Field("attachments", kind="attachments", required=False))),
    "respond": ("ResponseGiven", (Field("response", max_length=5000),)),
    "close": ("ComplaintClosed", (Field("note", required=False, max_length=1000),)),
}
#: ``POST /api/v1/triage/{tracking_id}/{action}`` -> (record type, its fields).
TRIAGE_ACTIONS: dict[str, tuple[str, tuple[Field, ...]]] = {
    "verify": ("ComplaintVerified", (Field("notes", required=False, max_length=1000),)),
    "disposition": ("ComplaintForwarded", (Field("agency", kind="agency"),
                                           Field("reason", required=False, max_length=1000))),
    "archive": ("ComplaintArchived", (Field("reason", kind="choice",
                                            choices=("SPAM", "OUT_OF_SCOPE", "DUPLICATE", "SETTLED")),
                                      Field("notes", required=False, max_length=1000))),
    "hold": ("ComplaintPutOnHold", (Field("reason", max_length=1000),)),
    "return": ("ComplaintReturnedToReporter", (Field("reason", max_length=1000),)),
}


def _tracking_id(call: Call) -> str:
    tracking_id = call.params["tracking_id"]
    if not is_tracking_id(tracking_id):
        raise ApiError(404, "not_found", "not a tracking id: they read LPR-YYYYMMDD-XXXXXXXX")
    call.tracking_id = tracking_id
    return tracking_id


def _staff(call: Call) -> Principal:
    """The caller: dispatch authorizes every staff endpoint (signed in, one of its roles) before its handler."""
    assert call.principal is not None
    return call.principal


def _agency(call: Call) -> str:
    code = call.params["code"]
    if code not in call.hub.directory:
        raise ApiError(404, "unknown_agency", str(UnknownAgencyError(code)))
    call.target_agency = code
    return code


def _may_read_agency(principal: Principal, code: str, directory) -> None:
    if principal.role in _AGENCY_STAFF and principal.agency != code:
        raise ApiError(403, "forbidden", f"your token is for agency {principal.agency}, not {code}")
    if principal.role is Role.SUPERVISOR and not supervises(principal, code, directory):
        raise ApiError(403, "forbidden", f"{code} is not in the supervision of {principal.agency}")


def _may_act_for(principal: Principal, code: str) -> str:
    """The sender the lifecycle sees for an action of ``principal`` on ``code``'s complaint."""
    if principal.role is Role.NATIONAL_ADMIN and code == NATIONAL_ADMIN:
        return NATIONAL_ADMIN
    if principal.role in _AGENCY_STAFF and principal.agency == code:
        return code
    raise ApiError(403, "forbidden", f"your token does not act for agency {code}")


async def _case_file(call: Call) -> Reply:
    code, tracking_id = _agency(call), _tracking_id(call)
    _may_read_agency(_staff(call), code, call.hub.directory)
    case = await asyncio.to_thread(read_model_of(call.hub).case_file, tracking_id)
    if case is None:
        raise ApiError(404, "not_found", "no complaint with this tracking id (a new one appears within seconds)")
    if case["agency"] != code:
        raise ApiError(404, "not_held_here", f"{tracking_id} is not held by {code}")
    shown, disclosed = disclosed_case_file(_staff(call), case, call.hub.keys.vault)
    if disclosed:
        call.detail = DISCLOSED
    now = call.hub.clock.now()
    return Reply({**shown, "now": now,
                  "working_days_left": _days_left(call, now, case["due_at"], case["agency"]),
                  "actions": allowed_actions(_staff(call), case, call.hub.directory)})


def allowed_actions(principal: Principal, case: dict, directory) -> list[str]:
    """What ``principal`` may do with the complaint now: ``agency.<type>`` of the actions endpoint
    and ``triage.<action>``, judged by the lifecycle's own rules (authority.check) on the case's
    status and holder, so the console offers exactly what the API would accept."""
    if case["status"] is None:
        return []
    standing = Standing(Status(case["status"]), case["agency"] or NATIONAL_ADMIN)
    code = standing.holder
    allowed = []
    if (principal.role in _AGENCY_STAFF and principal.agency == code) or \
            (principal.role is Role.NATIONAL_ADMIN and code == NATIONAL_ADMIN):
        sender = code  # as _may_act_for names it
        for kind, (record_type, _) in AGENCY_ACTIONS.items():
            sample = _agency_fields(kind, _SAMPLE_AGENCY_VALUES, code)  # what the action would send
            if _passes(standing, record_type, sender, sample, directory):
                allowed.append(f"agency.{kind}")
    if principal.role is Role.NATIONAL_ADMIN:
        target = next(a.code for a in directory if a.code not in (NATIONAL_ADMIN, code))
        for action, (record_type, _) in TRIAGE_ACTIONS.items():
            sample = {"to_agency": target, "from_agency": NATIONAL_ADMIN} if action == "disposition" else {}
            if _passes(standing, record_type, NATIONAL_ADMIN_ACTOR, sample, directory):
                allowed.append(f"triage.{action}")
    return allowed


_SAMPLE_AGENCY_VALUES: dict[str, Any] = {"reason": "-", "suggested_agency": None, "note": "-", "attachments": [],
                                         "response": "-"}


def _passes(standing: Standing, record_type: str, sender: str, value: dict, directory) -> bool:
    try:
        check(standing, record_type, sender, value, directory)
    except IllegalTransition:
        return False
    return True


def _days_left(call: Call, now: datetime, due_at: datetime | None, holder: str | None) -> float | None:
    return working_days_left(call.hub.context.calendar, call.hub.directory, now, due_at, holder)


async def _agency_action(call: Call) -> Reply:
    code, tracking_id = _agency(call), _tracking_id(call)
    sender = _may_act_for(_staff(call), code)
    _, body = await read_json_object(call.request, max_bytes=_ACTION_BYTES)
    kind = body.get("type")
    if kind not in AGENCY_ACTIONS:
        raise ApiError(422, "invalid_fields", "type must be one of " + ", ".join(AGENCY_ACTIONS),
                       fields=[{"field": "type", "code": "unknown", "message": "type names no action"}])
    record_type, fields = AGENCY_ACTIONS[kind]
    call.detail = kind
    values = read_fields(body, fields, call.hub.directory, allowed_extra=("type",))
    value = _record(call, record_type, tracking_id, sender, _agency_fields(kind, values, code))
    return await _send(call, tracking_id, record_type, value, sender)


def _agency_fields(kind: str, values: dict, code: str) -> dict:
    if kind == "accept":
        return {"agency": code}
    if kind == "decline":
        suggested = values["suggested_agency"] or ""
        if suggested == code:
            raise ApiError(422, "invalid_fields", "suggest another agency than your own, or none",
                           fields=[{"field": "suggested_agency", "code": "invalid",
                                    "message": "is the declining agency"}])
        return {"from_agency": code, "to_agency": suggested, "reason": values["reason"], "hop": 0,
                "suggested_by_agency": bool(suggested)}
    if kind == "request_information":
        return {"reason": values["reason"]}
    if kind == "follow_up":
        return {"agency": code, "note": values["note"], "attachments": values["attachments"]}
    if kind == "respond":
        return {"agency": code, "response": values["response"]}
    return {"reason": "AGENCY_CLOSED", "note": values["note"]}


async def _triage_action(call: Call, action: str) -> Reply:
    tracking_id = _tracking_id(call)
    record_type, fields = TRIAGE_ACTIONS[action]
    _, body = await read_json_object(call.request, max_bytes=_ACTION_BYTES)
    values = read_fields(body, fields, call.hub.directory)
    if action == "disposition":
        call.target_agency = values["agency"]
        values = {"from_agency": NATIONAL_ADMIN, "to_agency": values["agency"], "hop": 0,
                  "reason": values["reason"] or "dispositioned by the national admin", "suggested_by_agency": False}
    value = _record(call, record_type, tracking_id, NATIONAL_ADMIN_ACTOR, values)
    return await _send(call, tracking_id, record_type, value, NATIONAL_ADMIN_ACTOR)


def _record(call: Call, record_type: str, tracking_id: str, sender: str, fields: dict) -> dict:
    principal = _staff(call)
    event_id = command_event_id(call.request, principal.issuer, principal.subject, tracking_id, record_type)
    return {"event_id": event_id, "tracking_id": tracking_id, "occurred_at": call.hub.clock.now(), "actor": sender,
            **fields}


async def _send(call: Call, tracking_id: str, record_type: str, value: dict, sender: str) -> Reply:
    found = await standing_of(call.hub, tracking_id)
    check_allowed(call.hub, found, record_type, sender, value)
    await send_command(call.hub, record_type, value, sender=sender, subject=_staff(call).subject)
    return Reply({"tracking_id": tracking_id, "accepted": record_type, "event_id": value["event_id"]}, status=202)


def _page(call: Call) -> tuple[int, int]:
    try:
        limit = int(call.request.query.get("limit", 100))
        offset = int(call.request.query.get("offset", 0))
    except ValueError:
        raise ApiError(400, "invalid_query", "limit and offset are whole numbers") from None
    if not 1 <= limit <= 1000 or offset < 0:
        raise ApiError(400, "invalid_query", "limit is 1 to 1000 and offset at least 0")
    return limit, offset


async def _triage_queue(call: Call) -> Reply:
    limit, offset = _page(call)
    rows = await asyncio.to_thread(read_model_of(call.hub).triage_queue, limit, offset)
    now = call.hub.clock.now()
    for row in rows:
        row["working_days_left"] = _days_left(call, now, row["verification_due_at"], NATIONAL_ADMIN)
    return Reply({"complaints": rows, "now": now, "limit": limit, "offset": offset})


async def _inbox(call: Call) -> Reply:
    code = _agency(call)
    _may_read_agency(_staff(call), code, call.hub.directory)
    wanted = _inbox_filter(call)
    inbox = await asyncio.to_thread(read_model_of(call.hub).agency_inbox, code, wanted)
    now = call.hub.clock.now()
    for row in inbox["complaints"]:
        row["working_days_left"] = _days_left(call, now, row["due_at"], code)
    return Reply({"agency": code, "name": call.hub.directory.get(code).name, "now": now, **inbox,
                  "limit": wanted.limit, "offset": wanted.offset})


def _inbox_filter(call: Call) -> InboxFilter:
    query = call.request.query
    limit, offset = _page(call)
    statuses = tuple(s for s in query.get("status", "").split(",") if s)
    unknown = [s for s in statuses if s not in _STATUSES]
    if unknown or len(statuses) > len(_STATUSES):
        raise ApiError(400, "invalid_query", "status is a comma-separated list of " + ", ".join(_STATUSES))
    overdue = query.get("overdue")
    if overdue not in (None, "true", "false"):
        raise ApiError(400, "invalid_query", "overdue is true or false")
    tier = query.get("min_tier", "0")
    if not (tier.isascii() and tier.isdigit() and int(tier) <= 9):
        raise ApiError(400, "invalid_query", "min_tier is a whole number from 0 to 9")
    text = query.get("q", "").strip()
    if len(text) > _MAX_SEARCH:
        raise ApiError(400, "invalid_query", f"q is at most {_MAX_SEARCH} characters")
    return InboxFilter(statuses=statuses, overdue=None if overdue is None else overdue == "true",
                       min_tier=int(tier), text=text, limit=limit, offset=offset)


async def _overdue(call: Call) -> Reply:
    principal, directory = _staff(call), call.hub.directory
    if principal.role is Role.SUPERVISOR:
        agencies = [a.code for a in directory if supervises(principal, a.code, directory)]
    else:
        agencies = None
    rows = await asyncio.to_thread(read_model_of(call.hub).overdue_complaints, agencies, 1000)
    now = call.hub.clock.now()
    grouped: dict[str, dict] = {}
    for row in rows:
        entry = grouped.setdefault(row["agency"] or "", {"agency": row["agency"], "name": row["agency_name"],
                                                          "complaints": []})
        submitted: datetime | None = row["submitted_at"]
        entry["complaints"].append({**row, "age_days": None if submitted is None
                                    else round((now - submitted).total_seconds() / 86400, 1),
                                    "working_days_left": _days_left(call, now, row["due_at"], row["agency"])})
    agencies_out = sorted(grouped.values(), key=lambda g: (-len(g["complaints"]), g["agency"] or ""))
    return Reply({"agencies": agencies_out, "total": len(rows), "now": now})


def _triage_endpoint(action: str) -> Endpoint:
    async def handler(call: Call) -> Reply:
        return await _triage_action(call, action)

    record_type = TRIAGE_ACTIONS[action][0]
    return Endpoint("POST", f"/api/v1/triage/{{tracking_id}}/{action}", f"triage.{action}", handler,
                    Access.STAFF, _ADMIN, "staff", f"the national admin's {action} ({record_type})")


def endpoints() -> list[Endpoint]:
    return [
        Endpoint("GET", "/api/v1/agencies/{code}/complaints/{tracking_id}", "case_file.read", _case_file,
                 Access.STAFF, _CASE_READERS, "staff", "a complaint's case file, as the caller may see it"),
        Endpoint("POST", "/api/v1/agencies/{code}/complaints/{tracking_id}/actions", "agency_action", _agency_action,
                 Access.STAFF, _AGENCY_STAFF | _ADMIN, "staff", "an agency's action on a complaint it holds"),
        Endpoint("GET", "/api/v1/agencies/{code}/inbox", "agency.inbox", _inbox, Access.STAFF, _CASE_READERS, "staff",
                 "the complaints an agency holds, for its staff: status, deadline, warnings, escalation tier; "
                 "?status=a,b&overdue=true|false&min_tier=N&q=text&limit=&offset="),
        Endpoint("GET", "/api/v1/triage", "triage.list", _triage_queue, Access.STAFF, _ADMIN, "staff",
                 "the national admin's triage queue"),
        *(_triage_endpoint(action) for action in TRIAGE_ACTIONS),
        Endpoint("GET", "/api/v1/supervision/overdue", "supervision.overdue", _overdue, Access.STAFF, _SUPERVISION,
                 "staff", "overdue and escalated complaints of the agencies supervised"),
    ]
