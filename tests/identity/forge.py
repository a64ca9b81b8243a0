"""Tokens made by hand, for the attacks a verifier must refuse (PyJWT will not produce some)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json

import jwt


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def unsigned_token(header: dict, claims: dict, signature: bytes = b"") -> str:
    """A JWT assembled by hand, for the attacks PyJWT refuses to produce."""
    head = b64url(json.dumps(header).encode())
    body = b64url(json.dumps(claims).encode())
    return f"{head}.{body}.{b64url(signature)}"


def hs256_token(header: dict, claims: dict, secret: bytes) -> str:
    """HS256 over header and claims with ``secret`` (e.g. a public key's bytes: alg confusion)."""
    head = b64url(json.dumps(header).encode())
    body = b64url(json.dumps(claims).encode())
    mac = hmac.new(secret, f"{head}.{body}".encode(), hashlib.sha256).digest()
    return f"{head}.{body}.{b64url(mac)}"


def signed(claims: dict, key, *, alg: str, kid: str | None, typ: str = "at+jwt") -> str:
    headers = {"typ": typ}
    if kid is not None:
        headers["kid"] = kid
    return jwt.encode(claims, key, algorithm=alg, headers=headers)
