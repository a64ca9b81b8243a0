"""``POST /api/v1/complaints``: a complaint is answered 202 only once it is durably stored.

The submission goes to ``complaints.intake`` through the durable writer (``acks=all``, a
deadline, 503 with ``Retry-After`` past it). With an ``Idempotency-Key`` every attempt of the
same request, at any worker, uses the tracking id and event id of the first claim on the key
(:mod:`streams.intake.claims`), and stores the submission again before it answers: a retry of
a request whose first attempt died is stored by the retry, and the lifecycle drops a second
copy by its event id. The same key with another body is refused with 422.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from faust.web import Request, Response, View

from schemas import cloudevent_headers, encode
from streams import topics
from streams.errors import RetriableError
from streams.intake.claims import MAX_KEY_LENGTH, Claim, claim_key, request_fingerprint
from streams.intake.tracking import new_tracking_id
from streams.intake.validation import to_submission, validate_complaint
from streams.lifecycle import derived_event_id
from streams.web.body import read_json_object
from streams.web.responses import ApiError, error, unavailable

__all__ = ["install", "MAX_BODY_BYTES", "API_SOURCE"]

MAX_BODY_BYTES = 64_000
#: CloudEvents source of what the HTTP API writes.
API_SOURCE = "/lapor-hub/api"
_PUBLIC_SCOPE = "public"


@dataclass(frozen=True)
class _Attempt:
    tracking_id: str
    event_id: str
    claim: Claim | None


def install(hub) -> None:
    from streams.routing import default_categories

    app = hub.app
    categories = default_categories()

    async def attempt_for(request: Request, raw: bytes) -> _Attempt:
        """This request's tracking id and event id: fresh, or the first claim's for its key."""
        now = hub.clock.now()
        key = request.headers.get("Idempotency-Key")
        if key is None:
            return _Attempt(new_tracking_id(now), str(uuid.uuid4()), None)
        if not key.strip() or len(key) > MAX_KEY_LENGTH:
            raise ApiError(400, "invalid_idempotency_key",
                           f"Idempotency-Key must be 1 to {MAX_KEY_LENGTH} characters (a UUID is best)")
        log_key = claim_key(_PUBLIC_SCOPE, key)
        fingerprint = request_fingerprint(raw)
        claim = await hub.claims.resolve(log_key, Claim.new(new_tracking_id(now), fingerprint, now))
        if claim.fingerprint != fingerprint:
            raise ApiError(422, "idempotency_key_reused",
                           "this Idempotency-Key was used for a different complaint; use a new key")
        return _Attempt(claim.tracking_id, derived_event_id("intake", log_key.hex()), claim)

    @app.page("/api/v1/complaints")
    class Complaints(View):
        async def post(self, request: Request) -> Response:
            try:
                raw, body = await read_json_object(request, max_bytes=MAX_BODY_BYTES)
                errors = validate_complaint(body, categories=categories, directory=hub.directory)
                if errors:
                    raise ApiError(422, "invalid_complaint", "the complaint has invalid fields",
                                   fields=[{"field": e.field, "code": e.code, "message": e.message} for e in errors])
                attempt = await attempt_for(request, raw)
                received = attempt.claim.claimed_at if attempt.claim else hub.clock.now()
                submission = to_submission(body, tracking_id=attempt.tracking_id, event_id=attempt.event_id,
                                           now=received)
                headers = cloudevent_headers("ComplaintSubmitted", attempt.event_id, API_SOURCE,
                                             attempt.tracking_id, received)
                await hub.writer.store(topics.INTAKE, attempt.tracking_id.encode(),
                                       encode("ComplaintSubmitted", submission), headers)
            except ApiError as exc:
                return exc.response(self)
            except RetriableError as exc:
                return unavailable(self, exc)
            return self.json({"tracking_id": attempt.tracking_id,
                              "status_url": f"/api/v1/complaints/{attempt.tracking_id}"}, status=202)

        async def get(self, request: Request) -> Response:
            return error(self, 405, "method_not_allowed", "submit a complaint with POST")
