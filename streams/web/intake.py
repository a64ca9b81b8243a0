"""``POST /api/v1/complaints``: a complaint is answered 202 only once it is durably stored.

The submission goes to ``complaints.intake`` through the durable writer (``acks=all``, a
deadline, 503 with ``Retry-After`` past it). With an ``Idempotency-Key`` every attempt of the
same request, at any worker, uses the tracking id and event id of the first claim on the key
(:mod:`lapor_hub.streams.intake.claims`), and stores the submission again before it answers: a retry of
a request whose first attempt died is stored by the retry, and the lifecycle drops a second
copy by its event id. The same key with another body is refused with 422. Keys are scoped to
the caller: a channel's keys (its API key) never meet the public's.

The 202 carries the ``reporter_token``, shown here and nowhere else (see
:mod:`lapor_hub.streams.intake.reporter_token`); a retry of the same request shows the same token.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from lapor_hub.schemas import cloudevent_headers, encode
from lapor_hub.streams.core import topics
from lapor_hub.streams.core.ids import derived_event_id
from lapor_hub.streams.identity import Role
from lapor_hub.streams.intake.claims import MAX_KEY_LENGTH, Claim, claim_key, request_fingerprint
from lapor_hub.streams.intake.reporter_token import derived_reporter_token, new_reporter_token, reporter_token_hash
from lapor_hub.streams.intake.tracking import new_tracking_id
from lapor_hub.streams.intake.validation import to_submission, validate_complaint
from lapor_hub.streams.web.body import read_json_object
from lapor_hub.streams.web.commands import API_SOURCE
from lapor_hub.streams.web.endpoints import Call, Endpoint, Reply
from lapor_hub.streams.web.responses import ApiError

__all__ = ["endpoints", "store_submission", "Stored", "MAX_BODY_BYTES"]

MAX_BODY_BYTES = 64_000
_PUBLIC_SCOPE = "public"


@dataclass(frozen=True)
class _Attempt:
    tracking_id: str
    event_id: str
    reporter_token: str
    claim: Claim | None


async def _attempt(call: Call, raw: bytes) -> _Attempt:
    """This request's ids and token: fresh, or the first claim's for its Idempotency-Key."""
    hub, now = call.hub, call.hub.clock.now()
    key = call.request.headers.get("Idempotency-Key")
    if key is None:
        return _Attempt(new_tracking_id(now), str(uuid.uuid4()), new_reporter_token(), None)
    if not key.strip() or len(key) > MAX_KEY_LENGTH:
        raise ApiError(400, "invalid_idempotency_key",
                       f"Idempotency-Key must be 1 to {MAX_KEY_LENGTH} characters (a UUID is best)")
    principal = call.principal
    scope = (f"channel:{principal.subject}" if principal is not None and principal.role is Role.CHANNEL
             else _PUBLIC_SCOPE)
    log_key = claim_key(scope, key)
    fingerprint = request_fingerprint(raw)
    claim = await hub.claims.resolve(log_key, Claim.new(new_tracking_id(now), fingerprint, now))
    if claim.fingerprint != fingerprint:
        raise ApiError(422, "idempotency_key_reused",
                       "this Idempotency-Key was used for a different complaint; use a new key")
    return _Attempt(claim.tracking_id, derived_event_id("intake", log_key.hex()),
                    derived_reporter_token(claim.nonce, claim.tracking_id), claim)


@dataclass(frozen=True)
class Stored:
    """A complaint durably stored on ``complaints.intake``: its tracking id and the reporter's token."""

    tracking_id: str
    reporter_token: str


async def store_submission(call: Call, raw: bytes, body: dict) -> Stored:
    """Store a validated complaint ``body`` (sent as ``raw``) once acknowledged; ApiError for its
    Idempotency-Key, a retriable error (503) when the broker does not acknowledge in time."""
    hub = call.hub
    attempt = await _attempt(call, raw)
    received = attempt.claim.claimed_at if attempt.claim else hub.clock.now()
    submission = to_submission(body, tracking_id=attempt.tracking_id, event_id=attempt.event_id, now=received,
                               reporter_token_hash=reporter_token_hash(attempt.reporter_token))
    headers = cloudevent_headers("ComplaintSubmitted", attempt.event_id, API_SOURCE, attempt.tracking_id, received)
    await hub.writer.store(topics.INTAKE, attempt.tracking_id.encode(), encode("ComplaintSubmitted", submission),
                           headers)
    call.tracking_id = attempt.tracking_id
    return Stored(attempt.tracking_id, attempt.reporter_token)


def endpoints(categories) -> list[Endpoint]:
    async def submit(call: Call) -> Reply:
        raw, body = await read_json_object(call.request, max_bytes=MAX_BODY_BYTES)
        errors = validate_complaint(body, categories=categories, directory=call.hub.directory)
        if errors:
            raise ApiError(422, "invalid_complaint", "the complaint has invalid fields",
                           fields=[{"field": e.field, "code": e.code, "message": e.message} for e in errors])
        stored = await store_submission(call, raw, body)
        return Reply({"tracking_id": stored.tracking_id, "status_url": f"/api/v1/complaints/{stored.tracking_id}",
                      "reporter_token": stored.reporter_token}, status=202, headers={"Cache-Control": "no-store"})

    return [Endpoint("POST", "/api/v1/complaints", "complaint.submit", submit, limit="submissions",
                     summary="submit a complaint; 202 once it is durably stored")]
