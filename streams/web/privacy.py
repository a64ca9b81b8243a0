"""The national admin's privacy endpoints: erasing a reporter's identity, exporting what the hub holds.

- ``POST /api/v1/privacy/{tracking_id}/erase`` with ``{"confirm": "<the same tracking id>"}``
  (it cannot be undone): crypto-shredding (UU 27/2022's erasure on request): the complaint's
  data keys are destroyed in the key store, so no copy of its sealed identity (a topic, a table,
  a backup, a replay) opens again; the complaint, its timeline and the statistics stay as they
  are. ``202`` once the broker has the erasure; erasing again is harmless and answers the first.
- ``GET /api/v1/privacy/{tracking_id}/export``: a subject-access request: the reporter's data
  held by the hub for this complaint (the identity opened, the complaint's content, the
  location and attachments, what the key store holds). The opening is a disclosure, audited.
- ``GET /api/v1/agencies/{code}/complaints/{tracking_id}/identity``: what the holding agency's
  connector (role ``connector``, an API key) or staff fetch to answer the reporter of a
  non-anonymous complaint: the inbox carries the identity sealed, this opens it, audited.

``lapor-hub privacy erase|export TRACKING_ID`` calls these with ``LAPOR_HUB_TOKEN``.
"""

from __future__ import annotations

import asyncio

from lapor_hub.streams.identity import Role
from lapor_hub.streams.intake.tracking import is_tracking_id
from lapor_hub.streams.privacy.sealing import Identity
from lapor_hub.streams.web.body import read_json_object
from lapor_hub.streams.web.commands import read_model_of
from lapor_hub.streams.web.disclosure import DISCLOSED, may_see_identity, open_identity
from lapor_hub.streams.web.endpoints import Access, Call, Endpoint, Reply
from lapor_hub.streams.web.forms import Field, read_fields
from lapor_hub.streams.web.responses import ApiError

__all__ = ["endpoints"]

_ADMIN = frozenset({Role.NATIONAL_ADMIN})
_HOLDERS = frozenset({Role.AGENCY_OFFICER, Role.AGENCY_ADMIN, Role.CONNECTOR})
#: The body of an erasure: the tracking id once more, because it cannot be undone.
ERASE_FIELDS = (Field("confirm", max_length=40),)
_CONTENT = ("status", "agency", "agency_name", "category", "region_code", "privacy", "channel", "title",
            "description", "submitted_at", "updated_at")


def _tracking_id(call: Call) -> str:
    tracking_id = call.params["tracking_id"]
    if not is_tracking_id(tracking_id):
        raise ApiError(404, "not_found", "not a tracking id: they read LPR-YYYYMMDD-XXXXXXXX")
    call.tracking_id = tracking_id
    return tracking_id


async def _case(call: Call, tracking_id: str) -> dict | None:
    return await asyncio.to_thread(read_model_of(call.hub).case_file, tracking_id)


async def _erase(call: Call) -> Reply:
    tracking_id = _tracking_id(call)
    _, body = await read_json_object(call.request, max_bytes=1024)
    if read_fields(body, ERASE_FIELDS, call.hub.directory)["confirm"] != tracking_id:
        raise ApiError(422, "invalid_fields", "confirm must repeat the tracking id: an erasure cannot be undone",
                       fields=[{"field": "confirm", "code": "mismatch", "message": "is not this tracking id"}])
    keys = call.hub.keys
    if await _case(call, tracking_id) is None and not keys.book.keys_of(tracking_id) \
            and keys.book.erasure(tracking_id) is None:
        raise ApiError(404, "not_found", "no complaint with this tracking id (a new one appears within seconds)")
    erasure, destroyed = await keys.erase(tracking_id, "request", now=call.hub.clock.now())
    return Reply({"tracking_id": tracking_id, "erased_at": keys.vault.state(tracking_id)["erased_at"],
                  "reason": erasure.reason, "data_keys_destroyed": destroyed}, status=202)


async def _export(call: Call) -> Reply:
    tracking_id = _tracking_id(call)
    case = await _case(call, tracking_id)
    if case is None:
        raise ApiError(404, "not_found", "no complaint with this tracking id (a new one appears within seconds)")
    identity, erased_at = open_identity(call.hub.keys.vault, case)
    if identity is not None:
        call.detail = DISCLOSED
    location = dict(case["location"] or {})
    if identity is not None and identity.location:
        location.update(identity.location)
    return Reply({
        "tracking_id": tracking_id,
        "exported_at": call.hub.clock.now().isoformat(),
        "reporter": identity.reporter if identity is not None else None,
        "identity_erased_at": erased_at,
        "location": location,
        "attachments": case["attachments"],
        "complaint": {k: case[k] for k in _CONTENT},
        "key_store": call.hub.keys.vault.state(tracking_id),
    })


async def _identity(call: Call) -> Reply:
    code, tracking_id = call.params["code"], _tracking_id(call)
    principal = call.principal
    assert principal is not None  # dispatch authorized the call
    call.target_agency = code
    if principal.role in _HOLDERS and principal.agency != code:
        raise ApiError(403, "forbidden", f"your credential is for agency {principal.agency}, not {code}")
    case = await _case(call, tracking_id)
    if case is None:
        raise ApiError(404, "not_found", "no complaint with this tracking id (a new one appears within seconds)")
    if case["agency"] != code:
        raise ApiError(404, "not_held_here", f"{tracking_id} is not held by {code}")
    if not may_see_identity(principal, case):
        raise ApiError(403, "identity_withheld", "the reporter chose anonymity: the identity is never disclosed "
                       "to an agency (the national admin sees it only while verifying)")
    identity, erased_at = open_identity(call.hub.keys.vault, case)
    if identity is not None:
        call.detail = DISCLOSED
    return Reply({"tracking_id": tracking_id, "identity_erased_at": erased_at, **_shown(identity)})


def _shown(identity: Identity | None) -> dict:
    if identity is None:
        return {"reporter": None, "private_location": None}
    return {"reporter": identity.reporter, "private_location": identity.location}


def endpoints() -> list[Endpoint]:
    return [
        Endpoint("POST", "/api/v1/privacy/{tracking_id}/erase", "privacy.erase", _erase, Access.STAFF, _ADMIN,
                 "staff", "erase the reporter's identity of a complaint (crypto-shredding its data keys)"),
        Endpoint("GET", "/api/v1/privacy/{tracking_id}/export", "privacy.export", _export, Access.STAFF, _ADMIN,
                 "staff", "the reporter's data held by the hub, for a subject-access request"),
        Endpoint("GET", "/api/v1/agencies/{code}/complaints/{tracking_id}/identity", "identity.read", _identity,
                 Access.STAFF, _HOLDERS | _ADMIN, "staff",
                 "the reporter's identity of a non-anonymous complaint, for the agency holding it (its connector)"),
    ]
