"""HMAC-SHA256 request signatures, shared by the hub side and the agency side.

Header ``X-Lapor-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, t + "." + body)>``.
The receiver recomputes it and rejects a timestamp outside the replay window, so a captured
request cannot be sent again later. Several ``v1=`` values may be sent during a secret rotation.
"""

from __future__ import annotations

import hashlib
import hmac
import time

__all__ = ["SIGNATURE_HEADER", "SignatureError", "sign", "verify"]

SIGNATURE_HEADER = "X-Lapor-Signature"


class SignatureError(Exception):
    """The request is not signed by a holder of the secret, or it is too old (a replay)."""


def sign(secret: str, body: bytes, *, timestamp: int | None = None) -> str:
    t = int(time.time()) if timestamp is None else int(timestamp)
    return f"t={t},v1={_digest(secret, t, body)}"


def verify(secret: str, body: bytes, header: str | None, *, window: float = 300.0, now: float | None = None) -> int:
    """The signed timestamp when ``header`` is valid for ``body``; else :class:`SignatureError`."""
    if not header:
        raise SignatureError(f"missing {SIGNATURE_HEADER} header")
    timestamp, signatures = None, []
    for part in header.split(","):
        name, _, value = part.strip().partition("=")
        if name == "t" and value.isdigit():
            timestamp = int(value)
        elif name == "v1":
            signatures.append(value)
    if timestamp is None or not signatures:
        raise SignatureError(f"malformed {SIGNATURE_HEADER} header: expected t=<unix seconds>,v1=<hex>")
    current = time.time() if now is None else now
    if abs(current - timestamp) > window:
        raise SignatureError("signature timestamp outside the replay window: check the sender's clock")
    expected = _digest(secret, timestamp, body)
    if not any(hmac.compare_digest(expected, candidate) for candidate in signatures):
        raise SignatureError("signature does not match: the secret differs or the body was altered")
    return timestamp


def _digest(secret: str, timestamp: int, body: bytes) -> str:
    message = str(timestamp).encode("ascii") + b"." + body
    return hmac.new(secret.encode("utf-8"), message, hashlib.sha256).hexdigest()
