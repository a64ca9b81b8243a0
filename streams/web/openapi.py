"""The OpenAPI 3.1 document of the API, built from the endpoint table so that it cannot drift.

Every :class:`~lapor_hub.streams.web.endpoints.Endpoint` becomes one operation (``operationId`` is its
action); path parameters, security and the error responses follow from the endpoint's access
rule; request bodies come from the same field lists the handlers read (:mod:`.forms`), and the
complaint's from :mod:`lapor_hub.streams.intake.validation`'s limits. ``GET /api/v1/openapi.json`` serves it.
"""

from __future__ import annotations

import re
from typing import Any

from lapor_hub.streams.intake.validation import CHANNELS, CLASSIFICATIONS, MAX_ATTACHMENTS, PRIVACY_LEVELS
from lapor_hub.streams.web.endpoints import Access, Call, Endpoint, Reply
from lapor_hub.streams.web.forms import Field

__all__ = ["document", "endpoint", "OPENAPI_PATH"]

OPENAPI_PATH = "/api/v1/openapi.json"
_PARAM = re.compile(r"{(\w+)}")
_PARAM_SCHEMAS = {
    "tracking_id": {"type": "string", "pattern": r"^LPR-\d{8}-[0-9A-HJKMNP-TV-Z]{8}$",
                    "examples": ["LPR-20261128-7K3M9Q2X"]},
    "code": {"type": "string", "examples": ["18.10", "KEMENKES"], "description": "an agency code of the directory"},
}
_ERROR = {"type": "object", "required": ["error"], "properties": {"error": {
    "type": "object", "required": ["code", "message"],
    "properties": {"code": {"type": "string"}, "message": {"type": "string"}}}}}
_ATTACHMENT = {"type": "object", "required": ["name", "content_type", "url"], "additionalProperties": False,
               "properties": {"name": {"type": "string", "maxLength": 255},
                              "content_type": {"type": "string", "examples": ["image/jpeg"]},
                              "url": {"type": "string", "format": "uri", "pattern": "^https://"},
                              "size_bytes": {"type": ["integer", "null"], "minimum": 0}}}
_COMPLAINT = {
    "type": "object", "additionalProperties": False,
    "required": ["title", "description", "category", "region_code", "channel", "privacy"],
    "properties": {
        "title": {"type": "string", "minLength": 10, "maxLength": 150},
        "description": {"type": "string", "minLength": 20, "maxLength": 5000},
        "category": {"type": "string", "description": "a leaf of GET /api/v1/categories",
                     "examples": ["infrastructure.road.regency"]},
        "region_code": {"type": "string", "pattern": r"^\d{2}(\.\d{2}(\.\d{2}(\.\d{4})?)?)?$", "examples": ["18.10"]},
        "agency": {"type": ["string", "null"], "description": "the agency the reporter addressed, if any"},
        "channel": {"type": "string", "enum": sorted(CHANNELS)},
        "privacy": {"type": "string", "enum": list(PRIVACY_LEVELS)},
        "classification": {"type": ["string", "null"], "enum": [*CLASSIFICATIONS, None], "default": CLASSIFICATIONS[0],
                           "description": "pengaduan, aspirasi or permintaan informasi (for the agency's PPID)"},
        "reporter": {"type": "object", "additionalProperties": False, "properties": {
            "name": {"type": ["string", "null"], "maxLength": 100},
            "nik": {"type": ["string", "null"], "pattern": r"^\d{16}$"},
            "phone": {"type": ["string", "null"]}, "email": {"type": ["string", "null"], "format": "email"}}},
        "location": {"type": ["object", "null"], "additionalProperties": False, "properties": {
            "lat": {"type": ["number", "null"], "minimum": -90, "maximum": 90},
            "lon": {"type": ["number", "null"], "minimum": -180, "maximum": 180},
            "address": {"type": ["string", "null"], "maxLength": 300}}},
        "attachments": {"type": "array", "maxItems": MAX_ATTACHMENTS, "items": _ATTACHMENT},
    },
}
_SUBMITTED = {"type": "object", "required": ["tracking_id", "status_url", "reporter_token"],
              "properties": {"tracking_id": _PARAM_SCHEMAS["tracking_id"], "status_url": {"type": "string"},
                             "reporter_token": {"type": "string", "description": "shown once: the reporter's "
                                                "proof for /replies, /information, /reopen, /close and /rating"}}}
_SIGN_IN_REPLY = {"type": "object", "required": ["access_token", "token_type", "expires_in"],
                  "properties": {"access_token": {"type": "string"}, "token_type": {"const": "Bearer"},
                                 "expires_in": {"type": "integer"}, "role": {"type": "string"},
                                 "agency": {"type": ["string", "null"]}, "username": {"type": "string"}}}


def _field_schema(field: Field) -> dict[str, Any]:
    if field.kind == "attachments":
        return {"type": "array", "maxItems": 10, "items": _ATTACHMENT}
    if field.kind == "choice":
        return {"type": "string", "enum": list(field.choices)}
    if field.kind == "rating":
        return {"type": "integer", "minimum": 1, "maximum": 5, "description": "1 (very poor) to 5 (very good)"}
    schema: dict[str, Any] = {"type": "string", "minLength": 1, "maxLength": field.max_length}
    if field.kind == "agency":
        schema["description"] = "an agency code of the directory, e.g. 18.10 or KEMENKES"
    return schema


def _fields_schema(fields: tuple[Field, ...], extra: dict[str, Any] | None = None) -> dict[str, Any]:
    properties = {f.name: _field_schema(f) for f in fields}
    required = [f.name for f in fields if f.required]
    if extra:
        properties.update(extra)
        required = [*extra, *required]
    schema: dict[str, Any] = {"type": "object", "additionalProperties": False, "properties": properties}
    if required:
        schema["required"] = required
    return schema


def _request_bodies() -> dict[str, dict[str, Any]]:
    from lapor_hub.streams.web.reporter import REPORTER_ACTIONS
    from lapor_hub.streams.web.signin import _FIELDS as SIGN_IN_FIELDS
    from lapor_hub.streams.web.staff import AGENCY_ACTIONS, TRIAGE_ACTIONS

    bodies = {"complaint.submit": _COMPLAINT, "auth.sign_in": _fields_schema(SIGN_IN_FIELDS),
              "agency_action": {"oneOf": [_fields_schema(fields, {"type": {"const": kind}})
                                          for kind, (_, fields) in AGENCY_ACTIONS.items()]}}
    bodies.update({f"reporter.{suffix}": _fields_schema(fields) for suffix, (_, fields) in REPORTER_ACTIONS.items()})
    bodies.update({f"triage.{action}": _fields_schema(fields) for action, (_, fields) in TRIAGE_ACTIONS.items()})
    return bodies


def _operation(endpoint: Endpoint, bodies: dict[str, dict]) -> dict[str, Any]:
    operation: dict[str, Any] = {"operationId": endpoint.action, "summary": endpoint.summary or endpoint.action,
                                 "tags": [endpoint.action.split(".")[0]]}
    parameters = [{"name": name, "in": "path", "required": True, "schema": _PARAM_SCHEMAS.get(name, {"type": "string"})}
                  for name in _PARAM.findall(endpoint.path)]
    if endpoint.method == "POST" and endpoint.action in bodies and endpoint.action != "auth.sign_in":
        parameters.append({"name": "Idempotency-Key", "in": "header", "required": False,
                           "schema": {"type": "string", "minLength": 1, "maxLength": 200},
                           "description": "a retry with the same key has the effect of one request"})
    if parameters:
        operation["parameters"] = parameters
    if endpoint.action in bodies:
        operation["requestBody"] = {"required": True,
                                    "content": {"application/json": {"schema": bodies[endpoint.action]}}}
    ok = "202" if endpoint.method == "POST" and endpoint.action != "auth.sign_in" else "200"
    success_schema = {"complaint.submit": _SUBMITTED, "auth.sign_in": _SIGN_IN_REPLY}.get(endpoint.action,
                                                                                         {"type": "object"})
    content = ({"text/plain": {"schema": {"type": "string"}}} if endpoint.action == "health.metrics"
               else {"application/json": {"schema": success_schema}})
    responses: dict[str, Any] = {ok: {"description": "done", "content": content}}
    if endpoint.action.startswith("probe."):
        responses["503"] = {"description": "not ready, or the broker is unreachable", "content": content}
        operation["responses"] = responses
        return operation
    errors = {"400": "malformed request", "404": "not found", "503": "unavailable now: retry after Retry-After"}
    if endpoint.method == "POST":
        errors.update({"409": "not allowed in the complaint's current status", "413": "body too large",
                       "415": "not JSON", "422": "invalid fields"})
    if endpoint.access is not Access.PUBLIC or endpoint.action == "auth.sign_in":
        errors.update({"401": "no valid credentials", "403": "not allowed for these credentials"})
    if endpoint.limit is not None:
        errors["429"] = "rate limited: retry after Retry-After"
    for status, description in sorted(errors.items()):
        responses[status] = {"description": description, "content": {"application/json": {"schema": _ERROR}}}
    operation["responses"] = responses
    if endpoint.access is Access.STAFF:
        operation["security"] = [{"staffToken": []}, {"apiKey": []}]
        operation["x-lapor-roles"] = sorted(role.value for role in endpoint.roles)
    elif endpoint.access is Access.REPORTER:
        operation["security"] = [{"reporterToken": []}]
    return operation


def document(endpoints: list[Endpoint]) -> dict[str, Any]:
    bodies = _request_bodies()
    paths: dict[str, dict[str, Any]] = {}
    for e in endpoints:
        paths.setdefault(e.path, {})[e.method.lower()] = _operation(e, bodies)
    return {
        "openapi": "3.1.0",
        "info": {"title": "LAPOR Hub API", "version": "1",
                 "description": "SP4N-LAPOR! complaint hub: submit and follow complaints, the reporter's actions, "
                                "the staff API (agencies, national admin, supervisors, oversight) and operators."},
        "paths": paths,
        "components": {"securitySchemes": {
            "staffToken": {"type": "http", "scheme": "bearer", "bearerFormat": "JWT",
                           "description": "a token of the embedded issuer (POST /api/v1/auth/token) "
                                          "or the OIDC provider"},
            "apiKey": {"type": "http", "scheme": "bearer", "description": "a program's API key: lapor_<id>_<secret>"},
            "reporterToken": {"type": "http", "scheme": "bearer",
                              "description": "the reporter_token of the complaint's 202"},
        }},
    }


def endpoint(endpoints: list[Endpoint]) -> Endpoint:
    served = document([*endpoints, Endpoint("GET", OPENAPI_PATH, "openapi", _noop, summary="this document")])

    async def handler(call: Call) -> Reply:
        return Reply(served)

    return Endpoint("GET", OPENAPI_PATH, "openapi", handler, summary="this document")


async def _noop(call: Call) -> Reply:  # pragma: no cover - only its place in the document counts
    return Reply({})
