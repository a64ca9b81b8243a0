"""Commands from the HTTP API into the lifecycle: checked against the read model, then stored.

The API says 409 with the lifecycle's own reason when the complaint's status (as the read model
shows it) does not allow the action, and produces nothing then; otherwise the command goes to
``complaints.commands`` through the durable writer, stamped with its sender (the agency, the
national admin or the reporter: never taken from the payload) and the person who acted.
The lifecycle stays the final judge: the read model may be a moment behind.
"""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

from lapor_hub.errors import RetriableError
from lapor_hub.schemas import cloudevent_headers, encode
from lapor_hub.streams.core import topics
from lapor_hub.streams.core.ids import derived_event_id
from lapor_hub.streams.core.publisher import SENDER_HEADER, SUBJECT_HEADER
from lapor_hub.streams.directory import NATIONAL_ADMIN
from lapor_hub.streams.lifecycle import IllegalTransition, Status
from lapor_hub.streams.lifecycle.authority import Standing, check
from lapor_hub.streams.web.responses import ApiError

__all__ = ["read_model_of", "standing_of", "check_allowed", "send_command", "command_event_id", "API_SOURCE"]

#: CloudEvents source of what the HTTP API writes.
API_SOURCE = "/lapor-hub/api"


def read_model_of(hub):
    """The worker's read model; a retriable error (503) while it is not open yet."""
    if hub.read_model is None:
        raise RetriableError("the read model is not open yet; retry shortly", retry_after=2)
    return hub.read_model


async def standing_of(hub, tracking_id: str) -> dict:
    """The complaint's row of access facts from the read model; ApiError 404 when unknown."""
    found = await asyncio.to_thread(read_model_of(hub).standing, tracking_id)
    if found is None:
        raise ApiError(404, "not_found", "no complaint with this tracking id (a new one appears within seconds)")
    return found


def check_allowed(hub, found: dict, record_type: str, sender: str, value: dict[str, Any]) -> None:
    """ApiError 409 with the reason when the complaint's status does not allow this now."""
    if found["status"] is None:
        return  # an older producer's complaint: the lifecycle judges alone
    standing = Standing(Status(found["status"]), found["holder"] or NATIONAL_ADMIN)
    try:
        check(standing, record_type, sender, value, hub.directory)
    except IllegalTransition as exc:
        raise ApiError(409, "not_allowed_now", str(exc), complaint_status=found["status"]) from None


def command_event_id(request, *parts: str) -> str:
    """A fresh event id, or one derived from the caller and its Idempotency-Key (a retry repeats it)."""
    key = request.headers.get("Idempotency-Key")
    if key is None:
        return str(uuid.uuid4())
    if not key.strip() or len(key) > 200:
        raise ApiError(400, "invalid_idempotency_key", "Idempotency-Key must be 1 to 200 characters (a UUID is best)")
    return derived_event_id("api-command", *parts, key)


async def send_command(hub, record_type: str, value: dict[str, Any], *, sender: str, subject: str | None) -> None:
    headers = [*cloudevent_headers(record_type, value["event_id"], API_SOURCE, value["tracking_id"],
                                   value["occurred_at"]), (SENDER_HEADER, sender.encode())]
    if subject:
        headers.append((SUBJECT_HEADER, subject.encode()))
    await hub.writer.store(topics.COMMANDS, value["tracking_id"].encode(), encode(record_type, value), headers)
