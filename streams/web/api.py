"""The public HTTP API under ``/api/v1``: follow complaints, reporter actions, per-agency views.

Writes are stored durably on Kafka (see :mod:`streams.durable`) and answered 202: the lifecycle
decides, the read model shows it a moment later. Reads come from the read model.
Submissions are :mod:`streams.web.intake`.
"""

from __future__ import annotations

import asyncio
import uuid

from faust.web import Request, Response, View

from schemas import cloudevent_headers, encode
from streams import topics
from streams.errors import RetriableError, UnknownAgencyError
from streams.intake.tracking import is_tracking_id
from streams.lifecycle import REPORTER
from streams.publisher import SENDER_HEADER
from streams.web.body import read_json_object
from streams.web.intake import API_SOURCE
from streams.web.responses import ApiError, error, unavailable

__all__ = ["install", "MAX_ACTION_BYTES"]

MAX_ACTION_BYTES = 16_000
#: What a reporter may do on their own complaint: path suffix -> (record type, fields with limits).
_REPORTER_ACTIONS = {
    "replies": ("ReporterReplied", {"message": 2000}),
    "information": ("InformationAdded", {"message": 2000}),
    "reopen": ("ComplaintReopened", {"reason": 1000}),
    "close": ("ComplaintClosed", {"note": 1000}),
}


def install(hub) -> None:
    from streams.routing import default_categories

    app = hub.app
    categories = default_categories()

    def read_model():
        if hub.read_model is None:
            raise RetriableError("the read model is not open yet; retry shortly", retry_after=2)
        return hub.read_model

    async def produce(record_type: str, value: dict, sender: str) -> None:
        headers = [*cloudevent_headers(record_type, value["event_id"], API_SOURCE, value["tracking_id"],
                                       value["occurred_at"]), (SENDER_HEADER, sender.encode())]
        await hub.writer.store(topics.COMMANDS, value["tracking_id"].encode(), encode(record_type, value), headers)

    @app.page("/api/v1/complaints/{tracking_id}")
    class Complaint(View):
        async def get(self, request: Request, tracking_id: str) -> Response:
            try:
                view = await asyncio.to_thread(read_model().public_view, tracking_id)
            except RetriableError as exc:
                return unavailable(self, exc)
            if view is None:
                return error(self, 404, "not_found",
                             "no complaint with this tracking id (a new one appears within seconds)")
            return self.json(view)

    @app.page("/api/v1/complaints/{tracking_id}/{action}")
    class ReporterAction(View):
        async def post(self, request: Request, tracking_id: str, action: str) -> Response:
            try:
                if action not in _REPORTER_ACTIONS or not is_tracking_id(tracking_id):
                    raise ApiError(404, "not_found", "unknown complaint or action")
                _, body = await read_json_object(request, max_bytes=MAX_ACTION_BYTES)
                record_type, limits = _REPORTER_ACTIONS[action]
                fields = _action_fields(body, limits)
                if record_type == "InformationAdded":
                    fields["attachments"] = []
                if record_type == "ComplaintClosed":
                    fields["reason"] = "REPORTER_SATISFIED"
                value = {"event_id": str(uuid.uuid4()), "tracking_id": tracking_id,
                         "occurred_at": hub.clock.now(), "actor": REPORTER, **fields}
                await produce(record_type, value, REPORTER)
            except ApiError as exc:
                return exc.response(self)
            except RetriableError as exc:
                return unavailable(self, exc)
            return self.json({"tracking_id": tracking_id, "accepted": record_type}, status=202)

    @app.page("/api/v1/categories")
    class Categories(View):
        async def get(self, request: Request) -> Response:
            return self.json(categories.as_json())

    @app.page("/api/v1/agencies/{code}/complaints")
    class AgencyComplaints(View):
        async def get(self, request: Request, code: str) -> Response:
            if code not in hub.directory:
                return error(self, 404, "unknown_agency", str(UnknownAgencyError(code)))
            query = request.query
            try:
                limit = min(int(query.get("limit", 100)), 1000)
                offset = max(int(query.get("offset", 0)), 0)
            except ValueError:
                return error(self, 400, "invalid_query", "limit and offset are whole numbers")
            if limit < 1:
                return error(self, 400, "invalid_query", "limit is at least 1")
            try:
                rows = await asyncio.to_thread(read_model().agency_complaints, code, query.get("status"), limit,
                                               offset)
            except RetriableError as exc:
                return unavailable(self, exc)
            return self.json({"agency": code, "complaints": rows, "limit": limit, "offset": offset})

    @app.page("/api/v1/agencies/{code}/stats")
    class AgencyStats(View):
        async def get(self, request: Request, code: str) -> Response:
            if code not in hub.directory:
                return error(self, 404, "unknown_agency", str(UnknownAgencyError(code)))
            try:
                stats = await asyncio.to_thread(read_model().agency_stats, code)
            except RetriableError as exc:
                return unavailable(self, exc)
            return self.json({"agency": code, "name": hub.directory.get(code).name, **stats})

    @app.page("/api/v1/stats")
    class NationalStats(View):
        async def get(self, request: Request) -> Response:
            try:
                model = read_model()
                national = await asyncio.to_thread(model.national_stats)
                top = await asyncio.to_thread(model.top_overdue_agencies, 10)
            except RetriableError as exc:
                return unavailable(self, exc)
            return self.json({**national, "top_overdue_agencies": top})


def _action_fields(body: dict, limits: dict[str, int]) -> dict:
    fields = {}
    for name, limit in limits.items():
        text = body.get(name)
        if text is not None and not isinstance(text, str):
            raise ApiError(422, "invalid_field", f"{name} must be text", field=name)
        if name != "note" and not (text or "").strip():
            raise ApiError(422, "missing_field", f"{name} is required", field=name)
        if text is not None and len(text) > limit:
            raise ApiError(422, "too_long", f"{name} is at most {limit} characters", field=name)
        fields[name] = text
    unknown = sorted(set(body) - set(limits))
    if unknown:
        raise ApiError(422, "unknown_field", f"unknown fields: {', '.join(unknown)}", fields=unknown)
    return fields
