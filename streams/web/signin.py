"""Signing in with the embedded issuer's accounts, and its public keys for anyone to verify with.

``POST /api/v1/auth/token`` takes ``{"username", "password"}`` and answers an access token (the
console and the dashboard keep it in the browser's session storage, never in a URL). Attempts
are rate limited per client. ``GET /.well-known/jwks.json`` publishes the signing keys.
"""

from __future__ import annotations

from datetime import datetime, timezone

from lapor_hub.streams.web.body import read_json_object
from lapor_hub.streams.web.endpoints import Call, Endpoint, Reply
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


def endpoints() -> list[Endpoint]:
    return [
        Endpoint("POST", "/api/v1/auth/token", "auth.sign_in", _token, limit="sign_in",
                 summary="sign in with an account of the embedded issuer"),
        Endpoint("GET", "/.well-known/jwks.json", "auth.jwks", _jwks, summary="the embedded issuer's public keys"),
    ]
