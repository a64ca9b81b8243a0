"""Idempotency keys that hold across workers: the first claim on a shared log wins.

A client that retries a submission sends the same ``Idempotency-Key``; the retry may reach any
worker, while the first attempt is still pending, after it failed, or after its worker died.
Every worker follows every partition of ``complaints.idempotency`` (keyed by a hash of the
client's scope and key) and remembers the *first* claim of each key (:class:`ClaimBook`). A
worker that knows no claim for a key appends its own and waits until it has read past it: the
log's order picks the winner, the same on every worker, with no shared database and nothing to
release when a request dies. Every attempt then uses the winner's tracking id and event id, so
the submission is stored again (the lifecycle drops a second copy by its event id) before the
attempt is answered 202: a retry either finds the complaint durably stored, or stores it.

Claims are internal records (JSON, not part of the Avro contract) and are forgotten after the
idempotency window (``LAPOR_IDEMPOTENCY_DAYS``): a retry after that is a new complaint.
"""

from __future__ import annotations

import hashlib
import json
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

__all__ = ["Claim", "ClaimBook", "claim_key", "request_fingerprint", "MAX_KEY_LENGTH"]

#: Longer keys are refused: a UUID is 36 characters.
MAX_KEY_LENGTH = 200
_KEY_CONTEXT = b"lapor-hub/idempotency/v1\x00"


def claim_key(scope: str, idempotency_key: str) -> bytes:
    """The log key of ``idempotency_key`` sent by ``scope`` (a channel's id, or ``public``).

    Hashed, so the log holds no client-chosen text; scoped, so two channels' keys never meet.
    """
    return hashlib.sha256(_KEY_CONTEXT + scope.encode() + b"\x00" + idempotency_key.encode()).digest()


def request_fingerprint(body: bytes) -> str:
    """What makes a retry the same request: the same bytes of body."""
    return hashlib.sha256(body).hexdigest()


@dataclass(frozen=True)
class Claim:
    """One attempt's claim on a key: the tracking id it would use, and what it was for."""

    tracking_id: str
    fingerprint: str
    #: When the first attempt arrived: every attempt stamps the submission with it.
    claimed_at: datetime
    #: Random, 32 bytes: what the reporter token of this submission is derived from.
    nonce: bytes

    @classmethod
    def new(cls, tracking_id: str, fingerprint: str, now: datetime) -> Claim:
        return cls(tracking_id, fingerprint, now.astimezone(UTC), secrets.token_bytes(32))

    def encode(self) -> bytes:
        return json.dumps({"tracking_id": self.tracking_id, "fingerprint": self.fingerprint,
                           "claimed_at": self.claimed_at.isoformat(), "nonce": self.nonce.hex()},
                          separators=(",", ":")).encode()

    @classmethod
    def decode(cls, value: bytes) -> Claim | None:
        """The claim in ``value``, or None for a record that is not one (it is ignored)."""
        try:
            data = json.loads(value)
            return cls(str(data["tracking_id"]), str(data["fingerprint"]),
                       datetime.fromisoformat(data["claimed_at"]).astimezone(UTC), bytes.fromhex(data["nonce"]))
        except (ValueError, TypeError, KeyError, AttributeError):
            return None


class ClaimBook:
    """The first claim of every key read so far, within the idempotency ``window``.

    A claim older than the window no longer counts: the next claim of that key in the log
    wins instead. Deciding by the claim's own time keeps every worker's answer the same,
    whenever it started reading.
    """

    def __init__(self, window: timedelta) -> None:
        self._window = window
        self._first: dict[bytes, Claim] = {}

    def __len__(self) -> int:
        return len(self._first)

    def read(self, key: bytes | None, value: bytes | None, now: datetime) -> None:
        """Take one record of the log, in log order."""
        if not key or not value:
            return
        held = self._first.get(key)
        if held is not None and not self._expired(held, now):
            return
        claim = Claim.decode(value)
        if claim is not None and not self._expired(claim, now):
            self._first[key] = claim

    def winner(self, key: bytes, now: datetime) -> Claim | None:
        claim = self._first.get(key)
        return None if claim is None or self._expired(claim, now) else claim

    def forget_expired(self, now: datetime) -> int:
        """Drop the claims older than the window (memory stays bounded); how many."""
        old = [key for key, claim in self._first.items() if self._expired(claim, now)]
        for key in old:
            del self._first[key]
        return len(old)

    def _expired(self, claim: Claim, now: datetime) -> bool:
        return claim.claimed_at < now - self._window
