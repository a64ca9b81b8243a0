"""The public HTTP API under ``/api/v1``: submit and follow complaints, per-agency views.

Writes are produced to Kafka and answered 202: the lifecycle decides, the read model shows it a
moment later. Reads come from the read model.
"""

from __future__ import annotations

import asyncio
import json
import uuid

from faust.web import Request, Response, View

from streams import topics
from streams.errors import RetriableError, UnknownAgencyError
from streams.intake.tracking import is_tracking_id, new_tracking_id
from streams.intake.validation import to_submission, validate_complaint
from streams.lifecycle import REPORTER
from streams.publisher import Publisher
from streams.web.idempotency import IdempotencyStore, request_fingerprint

__all__ = ["install", "MAX_BODY_BYTES"]

MAX_BODY_BYTES = 64_000
_API_SOURCE = "/lapor-hub/api"
#: What a reporter may do on their own complaint: path suffix -> (record type, fields with limits).
_REPORTER_ACTIONS = {
    "replies": ("ReporterReplied", {"message": 2000}),
    "information": ("InformationAdded", {"message": 2000}),
    "reopen": ("ComplaintReopened", {"reason": 1000}),
    "close": ("ComplaintClosed", {"note": 1000}),
}


def _error(view: View, status: int, code: str, message: str, **extra) -> Response:
    return view.json({"error": {"code": code, "message": message, **extra}}, status=status)


async def _body(view: View, request: Request) -> tuple[bytes, dict] | Response:
    raw = await request.read()
    if len(raw) > MAX_BODY_BYTES:
        return _error(view, 413, "payload_too_large", f"the body may be at most {MAX_BODY_BYTES} bytes")
    try:
        body = json.loads(raw or b"{}")
    except ValueError:
        return _error(view, 400, "invalid_json", "the body is not valid JSON")
    if not isinstance(body, dict):
        return _error(view, 400, "invalid_json", "the body must be a JSON object")
    return raw, body


def install(hub) -> None:
    from streams.routing import default_categories

    app = hub.app
    categories = default_categories()

    def read_model():
        return hub.services["read_model"]

    def idempotency() -> IdempotencyStore:
        if "idempotency" not in hub.services:
            hub.services["idempotency"] = IdempotencyStore(read_model().engine)
        return hub.services["idempotency"]

    publisher = Publisher(app, _API_SOURCE)

    async def produce(topic: str, record_type: str, value: dict, sender: str | None = None) -> None:
        try:
            await publisher.record(topic, record_type, value, sender=sender, wait=True)
        except Exception as exc:  # the broker's errors: the client should retry
            raise RetriableError("the hub could not store the request; retry in a few seconds",
                                 retry_after=5) from exc

    @app.page("/api/v1/complaints")
    class Complaints(View):
        async def post(self, request: Request) -> Response:
            parsed = await _body(self, request)
            if isinstance(parsed, Response):
                return parsed
            raw, body = parsed
            errors = validate_complaint(body, categories=categories, directory=hub.directory)
            if errors:
                return _error(self, 422, "invalid_complaint", "the complaint has invalid fields",
                              fields=[{"field": e.field, "code": e.code, "message": e.message} for e in errors])
            now = hub.clock.now()
            tracking_id = new_tracking_id(now)
            key = request.headers.get("Idempotency-Key")
            store = idempotency() if key else None
            if key:
                if len(key) > 200:
                    return _error(self, 400, "invalid_idempotency_key", "Idempotency-Key is at most 200 characters")
                claim = await asyncio.to_thread(store.reserve, key, request_fingerprint(raw), tracking_id)
                if not claim.same_request:
                    return _error(self, 422, "idempotency_key_reused",
                                  "this Idempotency-Key was used for a different complaint; use a new key")
                if claim.tracking_id != tracking_id:
                    return self._accepted(claim.tracking_id)
            submission = to_submission(body, tracking_id=tracking_id, event_id=str(uuid.uuid4()), now=now)
            try:
                await produce(topics.INTAKE, "ComplaintSubmitted", submission)
            except RetriableError as exc:
                if key:
                    await asyncio.to_thread(store.release, key, tracking_id)
                return _error(self, 503, "unavailable", str(exc))
            return self._accepted(tracking_id)

        def _accepted(self, tracking_id: str) -> Response:
            return self.json({"tracking_id": tracking_id, "status_url": f"/api/v1/complaints/{tracking_id}"},
                             status=202)

    @app.page("/api/v1/complaints/{tracking_id}")
    class Complaint(View):
        async def get(self, request: Request, tracking_id: str) -> Response:
            view = await asyncio.to_thread(read_model().public_view, tracking_id)
            if view is None:
                return _error(self, 404, "not_found",
                              "no complaint with this tracking id (a new one appears within seconds)")
            return self.json(view)

    @app.page("/api/v1/complaints/{tracking_id}/{action}")
    class ReporterAction(View):
        async def post(self, request: Request, tracking_id: str, action: str) -> Response:
            if action not in _REPORTER_ACTIONS or not is_tracking_id(tracking_id):
                return _error(self, 404, "not_found", "unknown complaint or action")
            parsed = await _body(self, request)
            if isinstance(parsed, Response):
                return parsed
            record_type, limits = _REPORTER_ACTIONS[action]
            fields = {}
            for name, limit in limits.items():
                text = parsed[1].get(name)
                if text is not None and not isinstance(text, str):
                    return _error(self, 422, "invalid_field", f"{name} must be text", field=name)
                if name != "note" and not (text or "").strip():
                    return _error(self, 422, "missing_field", f"{name} is required", field=name)
                if text is not None and len(text) > limit:
                    return _error(self, 422, "too_long", f"{name} is at most {limit} characters", field=name)
                fields[name] = text
            if record_type == "InformationAdded":
                fields["attachments"] = []
            if record_type == "ComplaintClosed":
                fields["reason"] = "REPORTER_SATISFIED"
            value = {"event_id": str(uuid.uuid4()), "tracking_id": tracking_id, "occurred_at": hub.clock.now(),
                     "actor": REPORTER, **fields}
            try:
                await produce(topics.COMMANDS, record_type, value, sender=REPORTER)
            except RetriableError as exc:
                return _error(self, 503, "unavailable", str(exc))
            return self.json({"tracking_id": tracking_id, "accepted": record_type}, status=202)

    @app.page("/api/v1/categories")
    class Categories(View):
        async def get(self, request: Request) -> Response:
            return self.json(categories.as_json())

    @app.page("/api/v1/agencies/{code}/complaints")
    class AgencyComplaints(View):
        async def get(self, request: Request, code: str) -> Response:
            if code not in hub.directory:
                return _error(self, 404, "unknown_agency", str(UnknownAgencyError(code)))
            query = request.query
            try:
                limit = min(int(query.get("limit", 100)), 1000)
                offset = max(int(query.get("offset", 0)), 0)
            except ValueError:
                return _error(self, 400, "invalid_query", "limit and offset are whole numbers")
            rows = await asyncio.to_thread(read_model().agency_complaints, code, query.get("status"), limit, offset)
            return self.json({"agency": code, "complaints": rows, "limit": limit, "offset": offset})

    @app.page("/api/v1/agencies/{code}/stats")
    class AgencyStats(View):
        async def get(self, request: Request, code: str) -> Response:
            if code not in hub.directory:
                return _error(self, 404, "unknown_agency", str(UnknownAgencyError(code)))
            stats = await asyncio.to_thread(read_model().agency_stats, code)
            return self.json({"agency": code, "name": hub.directory.get(code).name, **stats})

    @app.page("/api/v1/stats")
    class NationalStats(View):
        async def get(self, request: Request) -> Response:
            model = read_model()
            national = await asyncio.to_thread(model.national_stats)
            top = await asyncio.to_thread(model.top_overdue_agencies, 10)
            return self.json({**national, "top_overdue_agencies": top})
