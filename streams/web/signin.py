"""Signing in with the embedded issuer's accounts, and its public keys for anyone to verify with.

``POST /api/v1/auth/token`` takes ``{"username", "password"}`` and answers an access token (the
console and the dashboard keep it in the browser's session storage, never in a URL). Attempts
are rate limited per client. ``GET /.well-known/jwks.json`` publishes the signing keys.
``GET /api/v1/auth/config`` tells a sign-in page which ways to sign in the hub offers, and
``GET /api/v1/auth/me`` tells it who a token speaks for (whichever issuer signed it: the claim
names of an OIDC provider are the hub's configuration, not the page's business).
"""

from __future__ import annotations

import asyncio
from datetime import datetime, timezone

from lapor_hub.errors import UnknownAgencyError
from lapor_hub.streams.web.body import read_json_object
from lapor_hub.streams.web.endpoints import STAFF_ROLES, Access, Call, Endpoint, Reply
from lapor_hub.streams.web.forms import Field, read_fields

__all__ = ["endpoints"]

_FIELDS = (Field("username", max_length=64), Field("password", max_length=1024))


async def _token(call: Call) -> Reply:
    _, body = await read_json_object(call.request, max_bytes=4096)
    values = read_fields(body, _FIELDS, call.hub.directory)
    issued = await call.hub.identity.embedded.asign_in(values["username"], values["password"])
    account = issued.account
    return Reply({"access_token": issued.token, "token_type": "Bearer",
                  "expires_in": max(0, int((issued.expires_at - datetime.now(timezone.utc)).total_seconds())),
                  "role": account.role.value, "agency": account.agency, "username": account.username},
                 headers={"Cache-Control": "no-store"})


async def _jwks(call: Call) -> Reply:
    return Reply(call.hub.identity.embedded.jwks())


async def _config(call: Call) -> Reply:
    identity = call.hub.identity
    settings = identity.settings.oidc
    oidc = None
    if identity.oidc is not None and settings is not None and settings.console_client_id:
        endpoints = await asyncio.to_thread(identity.oidc.browser_endpoints)  # 503 while the provider is down
        oidc = {"issuer": settings.issuer, "client_id": settings.console_client_id, "scope": "openid", **endpoints}
    return Reply({"embedded": identity.settings.embedded, "oidc": oidc})


async def _me(call: Call) -> Reply:
    principal = call.principal
    assert principal is not None  # dispatch authorized a staff role before this handler
    try:
        agency_name = call.hub.directory.get(principal.agency).name if principal.agency else None
    except UnknownAgencyError:
        agency_name = None
    return Reply({"subject": principal.subject, "role": principal.role.value, "agency": principal.agency,
                  "agency_name": agency_name, "issuer": principal.issuer, "expires_at": principal.expires_at})


def endpoints() -> list[Endpoint]:
    return [
        Endpoint("POST", "/api/v1/auth/token", "auth.sign_in", _token, limit="sign_in",
                 summary="sign in with an account of the embedded issuer"),
        Endpoint("GET", "/.well-known/jwks.json", "auth.jwks", _jwks, summary="the embedded issuer's public keys"),
        Endpoint("GET", "/api/v1/auth/config", "auth.config", _config,
                 summary="how staff sign in here: the embedded issuer's accounts, an OpenID Connect provider"),
        Endpoint("GET", "/api/v1/auth/me", "auth.me", _me, Access.STAFF, STAFF_ROLES, "staff",
                 "who the credential speaks for: subject, role, agency"),
    ]
