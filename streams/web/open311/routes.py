"""The GeoReport v2 endpoints under ``/open311/v2/``, each in XML (required) and JSON.

Every path ends in its format (``services.xml``, ``requests/LPR-….json``), as the specification
has clients ask. Errors are the specification's document, in the format asked for (XML when the
format itself is not one of the two), with the HTTP status as the code:

=============================  ====================================================================
400                            a parameter is missing or cannot be taken (each problem named)
403                            ``POST requests`` without a valid ``api_key`` of a ``channel``
404                            an unknown format, ``service_code``, ``jurisdiction_id`` (on reads)
                               or ``service_request_id``
413, 415, 429, 503             a body too large, not a form; too many requests; the hub cannot
                               store or read now (``Retry-After``: send the same request again)
=============================  ====================================================================

``POST requests`` stores the complaint before it answers, as ``POST /api/v1/complaints`` does
(a 202 means durably stored; an ``Idempotency-Key`` header makes a retry safe), and answers the
tracking id as ``service_request_id`` at once: no ``tokens`` are needed. The reporter's token
comes back once, in the header ``Reporter-Token`` (the document stays as the specification
defines it): the channel hands it to the reporter, who needs it to reply, close or rate. A new
request appears on ``GET requests`` within seconds.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping

from lapor_hub.streams.identity import AuthenticationError, Role
from lapor_hub.streams.intake.validation import validate_complaint
from lapor_hub.streams.readmodel.servicerequests import RequestFilter
from lapor_hub.streams.web.body import read_form
from lapor_hub.streams.web.commands import read_model_of
from lapor_hub.streams.web.endpoints import Call, Endpoint, Reply
from lapor_hub.streams.web.intake import MAX_BODY_BYTES, store_submission
from lapor_hub.streams.web.open311 import documents, filing, reading, services
from lapor_hub.streams.web.open311.jurisdictions import JurisdictionNotFound, check_jurisdiction
from lapor_hub.streams.web.responses import ApiError

__all__ = ["endpoints", "PREFIX", "SPECIFICATION", "REPORTER_TOKEN_HEADER"]

PREFIX = "/open311/v2"
SPECIFICATION = "http://wiki.open311.org/GeoReport_v2"
#: When this endpoint last changed in a way a client may care about (the discovery ``changeset``).
CHANGESET = "2026-11-30T00:00:00Z"
#: The response header of ``POST requests`` that carries the reporter's token, shown this once.
REPORTER_TOKEN_HEADER = "Reporter-Token"


def _errors(call: Call, exc: ApiError) -> Reply:
    problems = exc.extra.get("problems") or [exc.message]
    return documents.render_errors(call.params.get("format", "xml"), exc.status, problems, headers=exc.headers)


def _invalid(status: int, problems: list[str]) -> ApiError:
    return ApiError(status, "invalid_request", "; ".join(problems), problems=problems)


def _format(call: Call) -> str:
    fmt = call.params.get("format", "")
    if fmt not in documents.FORMATS:
        raise _invalid(404, ["the format is xml or json: end the path in .xml or .json"])
    return fmt


def _query(call: Call) -> Mapping[str, str]:
    return call.request.query


def _locale(call: Call) -> str:
    raw = (_query(call).get("locale") or services.LOCALES[0]).strip().lower()
    locale = raw.replace("_", "-").split("-")[0]
    if locale not in services.LOCALES:
        raise _invalid(400, [f"locale is {' or '.join(services.LOCALES)} (Bahasa Indonesia or English)"])
    return locale


def _jurisdiction(call: Call, *, required: bool, missing_status: int = 400, unknown_status: int = 404) -> str | None:
    raw = (_query(call).get("jurisdiction_id") or "").strip()
    if not raw:
        if required:
            raise _invalid(missing_status, ["jurisdiction_id is required: this endpoint serves every region of "
                                            "Indonesia; send a Kemendagri region code such as 18.10"])
        return None
    try:
        return check_jurisdiction(call.hub.directory, raw)
    except JurisdictionNotFound as exc:
        raise _invalid(unknown_status, [str(exc)]) from None


def endpoints(categories) -> list[Endpoint]:
    """The GeoReport v2 endpoints over ``categories`` (the services)."""

    async def discovery(call: Call) -> Reply:
        fmt = _format(call)
        url = call.request.url
        base = f"{url.scheme}://{url.host}{'' if url.port in (None, 80, 443) else f':{url.port}'}{PREFIX}/"
        return documents.render(fmt, "discovery", {
            "changeset": CHANGESET,
            "contact": "Admin Nasional SP4N-LAPOR! (KemenPANRB), https://www.lapor.go.id",
            "key_service": "An api_key for POST requests is issued to a channel by the hub's operators "
                           "(lapor-hub users api-key CHANNEL).",
            "endpoints": [{"specification": SPECIFICATION, "url": base, "changeset": CHANGESET,
                           "type": "production", "formats": [documents.CONTENT_TYPES[f].split(";")[0]
                                                             for f in documents.FORMATS]}],
        })

    async def service_list(call: Call) -> Reply:
        fmt, locale = _format(call), _locale(call)
        _jurisdiction(call, required=False)
        return documents.render(fmt, "services", services.service_list(categories, locale))

    async def service_definition(call: Call) -> Reply:
        fmt, locale = _format(call), _locale(call)
        _jurisdiction(call, required=False)
        code = call.params["service_code"]
        if not categories.is_leaf(code):
            raise _invalid(404, ["service_code names no service: see GET services for the codes"])
        return documents.render(fmt, "service_definition", services.service_definition(code, locale))

    async def submit(call: Call) -> Reply:
        fmt, locale = _format(call), _locale(call)
        raw = await read_form(call.request, max_bytes=MAX_BODY_BYTES)
        try:
            form = filing.parse_form(raw)
        except filing.FormError as exc:
            raise _invalid(400, exc.problems) from None
        await _authenticate_channel(call, form.get("api_key"))
        try:
            body = filing.complaint_body(form)
        except filing.FormError as exc:
            raise _invalid(400, exc.problems) from None
        errors = validate_complaint(body, categories=categories, directory=call.hub.directory)
        if errors:
            raise _invalid(400, filing.describe(errors))
        stored = await store_submission(call, raw, body)
        notice = reading.notice(body.get("classification"), locale)
        return documents.render(fmt, "service_requests", [{
            "service_request_id": stored.tracking_id, "service_notice": notice, "account_id": None,
        }], status=202, headers={"Cache-Control": "no-store", REPORTER_TOKEN_HEADER: stored.reporter_token})

    async def request_list(call: Call) -> Reply:
        fmt, locale = _format(call), _locale(call)
        region = _jurisdiction(call, required=True)
        assert region is not None
        try:
            wanted = reading.request_filter(region, _query(call), is_service=categories.is_leaf,
                                            now=call.hub.clock.now())
        except reading.FilterError as exc:
            raise _invalid(400, [str(exc)]) from None
        rows = await asyncio.to_thread(read_model_of(call.hub).service_requests, wanted)
        return documents.render(fmt, "service_requests", [_as_request(call, row, locale) for row in rows])

    async def one_request(call: Call) -> Reply:
        fmt, locale = _format(call), _locale(call)
        region = _jurisdiction(call, required=False)
        tracking_id = call.params["service_request_id"]
        wanted = RequestFilter(region, tracking_ids=[tracking_id], limit=1)
        rows = await asyncio.to_thread(read_model_of(call.hub).service_requests, wanted)
        if not rows:
            raise _invalid(404, ["no service request with this service_request_id in this jurisdiction "
                                 "(a new one appears within seconds)"])
        return documents.render(fmt, "service_requests", [_as_request(call, rows[0], locale)])

    def _as_request(call: Call, row: dict, locale: str) -> dict:
        return reading.service_request(row, locale=locale, directory=call.hub.directory,
                                       service_name=lambda code: services.service_name(categories, code, locale))

    def endpoint(method: str, path: str, action: str, handler, summary: str, **extra) -> Endpoint:
        return Endpoint(method, f"{PREFIX}/{path}.{{format}}", f"open311.{action}", handler, summary=summary,
                        errors=_errors, **extra)

    return [
        endpoint("GET", "discovery", "discovery", discovery, "the Open311 service discovery document"),
        endpoint("GET", "services", "services", service_list, "the services: the category tree's leaves"),
        endpoint("GET", "services/{service_code}", "service_definition", service_definition,
                 "the attributes filing a request of a service takes"),
        endpoint("POST", "requests", "submit", submit, "file a service request with a channel's api_key",
                 limit="submissions"),
        endpoint("GET", "requests", "requests", request_list, "service requests in a jurisdiction, filtered"),
        endpoint("GET", "requests/{service_request_id}", "request", one_request, "one service request"),
    ]


async def _authenticate_channel(call: Call, api_key: str | None) -> None:
    """The channel filing the request, by its ``api_key``; 403 (the specification) when there is none."""
    if api_key is None:
        where = " (in the form body, not the query string)" if _query(call).get("api_key") else ""
        raise _invalid(403, [f"api_key is required{where}: a channel's key, issued by the hub's operators"])
    try:
        principal = await call.hub.clients.authenticate(api_key)
    except AuthenticationError:
        raise _invalid(403, ["api_key is not valid: it is unknown, revoked or malformed"]) from None
    call.principal = principal
    if principal.role is not Role.CHANNEL:
        raise _invalid(403, ["api_key is not a channel's key: only channels file service requests"])
