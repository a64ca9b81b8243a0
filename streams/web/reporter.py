"""The reporter's own actions: reply, add information, reopen, close as satisfied, rate the response.

Each needs ``Authorization: Bearer <reporter_token>``, the token the submission's 202 carried:
401 without it, 403 with another complaint's, and nothing is produced in either case. An action
the complaint's status does not allow is answered 409 with the reason before anything is
produced; so is a rating of a complaint that has had no response.
"""

from __future__ import annotations

import hmac

from lapor_hub.streams.intake.reporter_token import reporter_token_hash
from lapor_hub.streams.intake.tracking import is_tracking_id
from lapor_hub.streams.lifecycle import REPORTER
from lapor_hub.streams.web.body import read_json_object
from lapor_hub.streams.web.commands import check_allowed, command_event_id, send_command, standing_of
from lapor_hub.streams.web.endpoints import Access, Call, Endpoint, Reply
from lapor_hub.streams.web.forms import Field, read_fields
from lapor_hub.streams.web.responses import ApiError

__all__ = ["endpoints", "REPORTER_ACTIONS"]

_ACTION_BYTES = 16_000
#: Path suffix -> (record type, fields).
REPORTER_ACTIONS: dict[str, tuple[str, tuple[Field, ...]]] = {
    "replies": ("ReporterReplied", (Field("message"),)),
    "information": ("InformationAdded", (Field("message"), Field("attachments", kind="attachments", required=False))),
    "reopen": ("ComplaintReopened", (Field("reason", max_length=1000),)),
    "close": ("ComplaintClosed", (Field("note", required=False, max_length=1000),)),
    "rating": ("ComplaintRated", (Field("rating", kind="rating"), Field("comment", required=False))),
}
_UNAUTHENTICATED = {"WWW-Authenticate": 'Bearer realm="lapor-hub-reporter"'}


def _endpoint(suffix: str) -> Endpoint:
    record_type, fields = REPORTER_ACTIONS[suffix]

    async def handler(call: Call) -> Reply:
        tracking_id = call.params["tracking_id"]
        if not is_tracking_id(tracking_id):
            raise ApiError(404, "not_found", "not a tracking id: they read LPR-YYYYMMDD-XXXXXXXX")
        if call.bearer is None:
            raise ApiError(401, "unauthenticated", "send the reporter token of this complaint: "
                           "Authorization: Bearer <reporter_token>", headers=_UNAUTHENTICATED)
        found = await standing_of(call.hub, tracking_id)
        expected = found["reporter_token_hash"]
        if expected is None or not hmac.compare_digest(expected, reporter_token_hash(call.bearer)):
            raise ApiError(403, "forbidden", "this is not the reporter token of this complaint")
        call.reporter, call.tracking_id = True, tracking_id
        _, body = await read_json_object(call.request, max_bytes=_ACTION_BYTES)
        values = read_fields(body, fields, call.hub.directory)
        if record_type == "ComplaintClosed":
            values["reason"] = "REPORTER_SATISFIED"
        if record_type == "ComplaintRated":
            if not found["responded"]:
                raise ApiError(409, "not_allowed_now", "there is no response to rate yet: an agency has not "
                               "responded to this complaint", complaint_status=found["status"])
            values["agency"] = found["holder"] or ""  # the lifecycle names the holder it knows
        event_id = command_event_id(call.request, "reporter", tracking_id, record_type)
        value = {"event_id": event_id, "tracking_id": tracking_id, "occurred_at": call.hub.clock.now(),
                 "actor": REPORTER, **values}
        check_allowed(call.hub, found, record_type, REPORTER, value)
        await send_command(call.hub, record_type, value, sender=REPORTER, subject=None)
        return Reply({"tracking_id": tracking_id, "accepted": record_type}, status=202)

    return Endpoint("POST", f"/api/v1/complaints/{{tracking_id}}/{suffix}", f"reporter.{suffix}", handler,
                    Access.REPORTER, limit="reporter", summary=f"the reporter's {record_type}")


def endpoints() -> list[Endpoint]:
    return [_endpoint(suffix) for suffix in REPORTER_ACTIONS]
