"""Reporter tokens: the reporter's proof, bound to one complaint and to no identity.

The 202 of a submission carries the token once; the hub keeps only its SHA-256 (in the
``ComplaintSubmitted`` event, and from there in the read model), so an anonymous reporter stays
anonymous and a stolen database yields no token. A token is 256 random bits. A submission with
an ``Idempotency-Key`` derives its token from the claim's random nonce (HMAC-SHA256), so that a
retry of the same request, answered by any worker, can show the same token again: the first
attempt's answer may have been lost on the way.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets

__all__ = ["new_reporter_token", "derived_reporter_token", "reporter_token_hash", "looks_like_reporter_token",
           "REPORTER_TOKEN_PREFIX"]

REPORTER_TOKEN_PREFIX = "lrt_"
_CONTEXT = b"lapor-hub/reporter-token/v1\x00"


def new_reporter_token() -> str:
    return REPORTER_TOKEN_PREFIX + secrets.token_urlsafe(32)


def derived_reporter_token(nonce: bytes, tracking_id: str) -> str:
    """The token of the submission claimed with ``nonce`` (see :mod:`lapor_hub.streams.intake.claims`)."""
    digest = hmac.new(nonce, _CONTEXT + tracking_id.encode(), hashlib.sha256).digest()
    return REPORTER_TOKEN_PREFIX + base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def reporter_token_hash(token: str) -> str:
    """What the hub stores: a random 256-bit secret needs no slow KDF, only a one-way hash."""
    return hashlib.sha256(token.encode()).hexdigest()


def looks_like_reporter_token(text: str) -> bool:
    return text.startswith(REPORTER_TOKEN_PREFIX) and 40 <= len(text) <= 64
