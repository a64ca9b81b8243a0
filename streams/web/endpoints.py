"""The HTTP API as one table of endpoints, and the one path every request takes through it.

Each :class:`Endpoint` names its method and path, a stable ``action`` (what the audit trail and
the OpenAPI document call it), who may call it (:class:`Access` and the staff roles) and its
rate-limit bucket. :func:`register` turns the table into Faust views; :func:`dispatch` runs
every request the same way:

1. authenticate a bearer token or API key, if one is sent (401 when it is not valid; 503 when
   the identity provider cannot be asked);
2. rate limit, per caller (429 with ``Retry-After``);
3. check the access rule (401 without credentials, 403 with the wrong ones);
4. run the handler, which checks what only it can (the complaint's holder, the reporter token)
   and answers, or raises :class:`~lapor_hub.streams.web.responses.ApiError`;
5. append an audit entry for every authenticated call (a read of non-public data that cannot
   be audited is not disclosed: 503).

Nothing a client sends can make this answer 500: every error is JSON with a 4xx (or a 503 that
says to retry), or, for an endpoint of another standard, that standard's error document (its
:attr:`Endpoint.errors`: the Open311 GeoReport v2 endpoint answers ``[{code, description}]``).
"""

from __future__ import annotations

import enum
import logging
from collections import defaultdict
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from faust.web import Request, Response, View

from lapor_hub.errors import RetriableError
from lapor_hub.streams.identity import AuthenticationError, Principal, Role
from lapor_hub.streams.intake.reporter_token import looks_like_reporter_token
from lapor_hub.streams.web.responses import ApiError, unavailable

__all__ = ["Access", "Endpoint", "Call", "Reply", "ErrorFormat", "register", "dispatch", "STAFF_ROLES"]

log = logging.getLogger(__name__)

#: Every role but ``channel``: people, and operator programs.
STAFF_ROLES = frozenset(Role) - {Role.CHANNEL}


class Access(enum.Enum):
    #: Anyone. A staff token or API key, if sent, is still verified (a channel's submissions
    #: are scoped to the channel).
    PUBLIC = "public"
    #: The reporter of the complaint in the path, by its reporter token (checked by the handler).
    REPORTER = "reporter"
    #: A staff token or API key of one of the endpoint's roles.
    STAFF = "staff"


@dataclass(frozen=True)
class Reply:
    """An answer: JSON, or ``bytes`` sent as they are (with a Content-Type header)."""

    body: Any
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)


@dataclass
class Call:
    """One request on its way through :func:`dispatch`."""

    hub: Any
    request: Request
    params: dict[str, str]
    client: str
    principal: Principal | None = None
    #: A bearer credential the handler checks itself (the reporter token).
    bearer: str | None = None
    #: Set by a handler that verified the reporter token: the call is the reporter's.
    reporter: bool = False
    #: What the audit entry says the request was about; handlers fill these in.
    tracking_id: str | None = None
    target_agency: str | None = None
    #: Appended to the endpoint's action in the audit entry, e.g. ``accept`` of ``agency_action``.
    detail: str | None = None


Handler = Callable[[Call], Awaitable[Reply]]
#: An error answer in a standard's own format (status, message, headers and extras from the error).
ErrorFormat = Callable[[Call, ApiError], Reply]


@dataclass(frozen=True)
class Endpoint:
    method: str
    path: str
    action: str
    handler: Handler
    access: Access = Access.PUBLIC
    roles: frozenset[Role] = frozenset()
    #: The rate-limit bucket (see :mod:`lapor_hub.streams.web.ratelimit`), or None.
    limit: str | None = None
    summary: str = ""
    #: The endpoint's error format, when it is not the API's JSON ``{"error": ...}``.
    errors: ErrorFormat | None = None


def register(hub, endpoints: Iterable[Endpoint]) -> None:
    """One Faust view per path, each method dispatching to its endpoint."""
    by_path: dict[str, dict[str, Endpoint]] = defaultdict(dict)
    for endpoint in endpoints:
        if endpoint.method.lower() in by_path[endpoint.path]:
            raise ValueError(f"{endpoint.method} {endpoint.path} is declared twice")
        by_path[endpoint.path][endpoint.method.lower()] = endpoint
    for path, methods in by_path.items():
        hub.app.page(path)(_view(hub, methods))


def _view(hub, methods: dict[str, Endpoint]) -> type[View]:
    def method(endpoint: Endpoint):
        async def handle(self: View, request: Request, **params: str) -> Response:
            return await dispatch(hub, endpoint, self, request, params)

        return handle

    allowed = ", ".join(sorted(m.upper() for m in methods))
    formats = {endpoint.errors for endpoint in methods.values()}

    async def not_allowed(self: View, request: Request, **params: str) -> Response:
        call = Call(hub, request, params, hub.clients.address(request))
        return _error(next(iter(formats)) if len(formats) == 1 else None, self, call,
                      ApiError(405, "method_not_allowed", f"use {allowed} on this path", headers={"Allow": allowed}))

    attributes: dict[str, Any] = {name: method(endpoint) for name, endpoint in methods.items()}
    for name in ("get", "post", "put", "patch", "delete"):
        attributes.setdefault(name, not_allowed)
    return type("Endpoint_" + "_".join(sorted(methods)), (View,), attributes)


async def dispatch(hub, endpoint: Endpoint, view: View, request: Request, params: dict[str, str]) -> Response:
    call = Call(hub, request, params, hub.clients.address(request))
    try:
        response = await _answer(endpoint, view, call)
    except Exception:  # noqa: BLE001 - never a 500 page: log the frames, answer JSON
        log.exception("unexpected error in %s %s", endpoint.method, endpoint.path)
        response = _error(endpoint.errors, view, call,
                          ApiError(500, "internal_error", "the hub failed to answer; the operators have the details"))
    if call.principal is not None or call.reporter:
        audited = await hub.audit.record(call, endpoint, response.status)
        if not audited and endpoint.method == "GET" and response.status < 300:
            # A disclosure that cannot be accounted for is not made.
            return unavailable(view, RetriableError("the audit trail is unavailable; retry shortly", retry_after=2))
    return response


async def _answer(endpoint: Endpoint, view: View, call: Call) -> Response:
    try:
        await _authenticate(endpoint, call)
        if endpoint.limit is not None:
            call.hub.limiter.check(endpoint.limit, call.principal, call.client)
        if endpoint.access is Access.STAFF:
            _authorize(endpoint, call.principal)
        reply = await endpoint.handler(call)
    except ApiError as exc:
        return _error(endpoint.errors, view, call, exc)
    except AuthenticationError as exc:
        challenge = f'Bearer error="invalid_token", error_description="{exc.failure.value}"'
        return _error(endpoint.errors, view, call,
                      ApiError(401, "invalid_token", str(exc), headers={"WWW-Authenticate": challenge}))
    except RetriableError as exc:
        if endpoint.errors is None:
            return unavailable(view, exc)
        retry_after = max(1, round(exc.retry_after or 2))
        return _error(endpoint.errors, view, call,
                      ApiError(503, "unavailable", str(exc), headers={"Retry-After": str(retry_after)}))
    return _response(view, reply)


def _response(view: View, reply: Reply) -> Response:
    if isinstance(reply.body, bytes):
        return view.bytes(reply.body, status=reply.status, headers=reply.headers)
    return view.json(reply.body, status=reply.status, headers=reply.headers)


def _error(errors: ErrorFormat | None, view: View, call: Call, exc: ApiError) -> Response:
    if errors is None:
        return exc.response(view)
    return _response(view, errors(call, exc))


async def _authenticate(endpoint: Endpoint, call: Call) -> None:
    credential = _bearer(call.request)
    if credential is None:
        return
    if endpoint.access is Access.REPORTER:
        call.bearer = credential  # the handler compares it with the complaint's
        return
    if endpoint.access is Access.PUBLIC and looks_like_reporter_token(credential):
        return  # a reporter's token says nothing about reading what anyone may read
    call.principal = await call.hub.clients.authenticate(credential)


def _authorize(endpoint: Endpoint, principal: Principal | None) -> None:
    if principal is None:
        raise ApiError(401, "unauthenticated", "sign in: send Authorization: Bearer <token>",
                       headers={"WWW-Authenticate": 'Bearer realm="lapor-hub"'})
    if principal.role not in endpoint.roles:
        allowed = ", ".join(sorted(r.value for r in endpoint.roles))
        raise ApiError(403, "forbidden", f"this needs the role {allowed}; yours is {principal.role.value}")


def _bearer(request: Request) -> str | None:
    header = request.headers.get("Authorization")
    if header is None:
        return None
    scheme, _, credential = header.strip().partition(" ")
    credential = credential.strip()
    if scheme.lower() != "bearer" or not credential or len(credential) > 8192:
        raise ApiError(401, "unauthenticated", "send Authorization: Bearer <token>",
                       headers={"WWW-Authenticate": 'Bearer realm="lapor-hub"'})
    return credential
