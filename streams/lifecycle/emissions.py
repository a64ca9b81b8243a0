"""Building the events the lifecycle emits, with the privacy rules applied to deliveries."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Mapping
from datetime import datetime
from typing import Any

from lapor_hub.schemas import encode
from lapor_hub.streams.chain import ChainWriter
from lapor_hub.streams.core import topics
from lapor_hub.streams.core.publisher import AGENCY_HEADER, STATUS_HEADER, SUBJECT_HEADER, Publisher
from lapor_hub.streams.directory import Directory
from lapor_hub.streams.intake.submission import partition_of
from lapor_hub.streams.lifecycle.commands import Emission, derived_event_id
from lapor_hub.streams.lifecycle.state import ComplaintState
from lapor_hub.streams.lifecycle.status import Status
from lapor_hub.streams.routing import RouteDecision

__all__ = ["EventFactory", "assignment", "emit"]


class EventFactory:
    """Emissions for one command: event ids derive from the command, so replays repeat them."""

    def __init__(self, command_key: str, tracking_id: str, now: datetime, actor: str,
                 subject: str | None = None) -> None:
        self._command_key = command_key
        self._tracking_id = tracking_id
        self._now = now
        self._actor = actor
        self._subject = subject
        self._count = 0

    @property
    def now(self) -> datetime:
        return self._now

    def event(self, record_type: str, fields: dict[str, Any], *, status: Status, agency: str,
              inboxes: tuple[str, ...] = (), escalation: bool = False, event_id: str | None = None,
              actor: str | None = None) -> Emission:
        self._count += 1
        value = {
            "event_id": event_id or derived_event_id(self._command_key, str(self._count)),
            "tracking_id": self._tracking_id,
            "occurred_at": self._now,
            "actor": actor or self._actor,
            **fields,
        }
        # The person acted for the command's sender: events the hub emits on its own have none.
        subject = self._subject if (actor or self._actor) == self._actor else None
        return Emission(record_type, value, status, agency, inboxes, escalation, subject)


def assignment(state: ComplaintState, submission: Mapping[str, Any], decision: RouteDecision,
               directory: Directory, due_at: datetime | None) -> dict[str, Any]:
    """The ComplaintDispositioned fields for the agency in ``decision``, privacy applied.

    anonim: the reporter's identity never reaches the agency, and attachments are withheld
    (a photo once identified an anonymous reporter); rahasia: the agency sees the content but
    it is flagged as hidden from the public.

    The identity travels sealed (``identity``), never in clear: the agency's connector asks the
    hub to disclose it, and the hub decides then, and records it. A submission stored before
    sealing (its reporter in clear) reaches the agency without its identity.
    """
    privacy = submission["privacy"]
    anonymous = privacy == "ANONYMOUS"
    agency = directory.get(decision.agency_code)
    return {
        "agency": {"code": agency.code, "name": agency.name},
        "rule": decision.rule_id,
        "reason": decision.reason,
        "hop": state.hop,
        "privacy": privacy,
        "title": submission["title"],
        "description": submission["description"],
        "content_hidden": privacy == "CONFIDENTIAL",
        "category": submission["category"],
        "location": submission.get("location"),
        "attachments": [] if anonymous else list(submission.get("attachments") or []),
        "reporter": None,
        "submitted_at": submission["occurred_at"],
        "due_at": due_at,
        # A submission stored before classifications existed is a complaint.
        "classification": submission.get("classification") or "COMPLAINT",
        "unit": decision.unit,
        "location_private": bool(submission.get("location_private")),
        "identity": None if anonymous else submission.get("identity"),
    }


async def emit(publisher: Publisher, emission: Emission, chain: ChainWriter | None = None,
               partitions: int = 1, *, extra_headers: list[tuple[str, bytes]] | None = None) -> list[Awaitable]:
    """Append one lifecycle event to ``complaints.events`` and deliver it where it goes.

    Returns the deliveries: the broker has the event once they are all done.

    The extension headers say the complaint's status and holder after the event (so projections
    need not re-run the lifecycle) and, when known, the person who acted. With ``chain`` the
    event on ``complaints.events`` carries the next link of its partition (of ``partitions``).
    """
    value = emission.value
    payload = encode(emission.record_type, value)
    headers = [*publisher.headers(emission.record_type, value),
               (STATUS_HEADER, emission.status.value.encode()), (AGENCY_HEADER, emission.agency.encode())]
    if emission.subject:
        headers.append((SUBJECT_HEADER, emission.subject.encode()))
    headers += extra_headers or []
    key = value["tracking_id"].encode()
    if chain is None:
        deliveries = [await publisher.send(topics.EVENTS, key, payload, headers)]
    else:
        partition = partition_of(key, partitions)
        chained, on_delivery = await chain.stamp(partition, key, payload, headers)
        sent = asyncio.ensure_future(await publisher.send(topics.EVENTS, key, payload, chained, partition=partition))
        sent.add_done_callback(on_delivery)
        deliveries = [sent]
    for code in emission.inboxes:
        deliveries.append(await publisher.send(topics.inbox(code), key, payload, headers))
    if emission.escalation:
        deliveries.append(await publisher.send(topics.ESCALATIONS, key, payload, headers))
    return deliveries
