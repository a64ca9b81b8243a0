"""Rejection notices: an agency is told when the lifecycle refuses one of its updates.

A connector answers an agency's update as soon as it is safely on the agency's outbox, and
refuses there what it can already tell is wrong. What only the lifecycle can judge (the
complaint changed since the connector looked, another agency holds it now) is known when the
command is decided. The answer that comes then is an ``UpdateRejected`` on the sender's own inbox,
which its connector delivers like every inbox event: the agency learns which update (its event
id) was refused and why, instead of a silent dead letter.

Only agencies get notices: the reporter and the national admin act through the HTTP API, which
answers them at once (409). The notice goes to the inbox alone, never to ``complaints.events``:
the complaint did not change. The refused command is still dead-lettered for operators.

The agent sends a notice in the batch like any event, before it stores states (send-then-store):
its id derives from the refused command's key, so a batch decided again after a crash sends the
same notice again, and consumers drop the copy by its CloudEvents id.
"""

from __future__ import annotations

from collections.abc import Awaitable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from lapor_hub.schemas import encode
from lapor_hub.streams.core import topics
from lapor_hub.streams.core.ids import derived_event_id
from lapor_hub.streams.core.publisher import Publisher
from lapor_hub.streams.directory import Directory
from lapor_hub.streams.lifecycle.commands import HUB, Command

__all__ = ["Notice", "NOTICE_TYPE", "rejection_notice", "send_notice"]

NOTICE_TYPE = "UpdateRejected"


@dataclass(frozen=True)
class Notice:
    """An ``UpdateRejected`` value for the inbox of ``agency``."""

    agency: str
    value: dict[str, Any]


def rejection_notice(command: Command, reason: str, directory: Directory, now: datetime) -> Notice | None:
    """The notice that tells the sending agency its ``command`` was refused, or None when the
    sender is not an agency (the reporter, the national admin, the intake, the hub's timer)."""
    agency = command.sender
    if agency not in directory:
        return None
    tracking_id = command.value.get("tracking_id") if isinstance(command.value, dict) else None
    return Notice(agency, {
        "event_id": derived_event_id(command.key, "rejected"),
        "tracking_id": tracking_id or "",
        "occurred_at": now,
        "actor": HUB,
        "agency": agency,
        "update_type": command.record_type,
        "update_event_id": command.id,
        "update_source": command.source,
        "reason": reason,
    })


async def send_notice(publisher: Publisher, notice: Notice) -> Awaitable:
    """Hand the notice to the producer; await the result to know the broker has it."""
    value = notice.value
    return await publisher.send(topics.inbox(notice.agency), value["tracking_id"].encode(),
                                encode(NOTICE_TYPE, value), publisher.headers(NOTICE_TYPE, value))
