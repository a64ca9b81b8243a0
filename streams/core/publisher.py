"""Producing the hub's records: Avro values, CloudEvents headers, tracking id keys."""

from __future__ import annotations

from collections.abc import Awaitable, Iterable, Sequence

import faust
from faust.exceptions import NotReady

from lapor_hub.errors import RetriableError
from lapor_hub.schemas import cloudevent_headers, encode

__all__ = ["Publisher", "Headers", "header", "STATUS_HEADER", "AGENCY_HEADER", "SENDER_HEADER", "SUBJECT_HEADER"]

Headers = Sequence[tuple[str, bytes]]

#: CloudEvents extension attributes on ``complaints.events``: the complaint's status and holder
#: after the event, so that projections need not re-run the lifecycle.
STATUS_HEADER = "ce_complaintstatus"
AGENCY_HEADER = "ce_agency"
#: On ``complaints.commands``: who sent the command, established by the hub (never the payload).
SENDER_HEADER = "lapor-sender"
#: CloudEvents extension on commands and the events they cause: the person who acted for the
#: sender (a staff member's token subject), when the action came through the hub's staff API.
SUBJECT_HEADER = "ce_actorsubject"


def header(headers: Iterable[tuple[str | bytes, bytes]] | None, name: str) -> str | None:
    """One header's value as text, or None."""
    for key, value in headers or ():
        key = key.decode() if isinstance(key, bytes) else key
        if key == name and value is not None:
            return value.decode("utf-8", errors="replace") if isinstance(value, (bytes, bytearray)) else str(value)
    return None


class Publisher:
    """Sends through the Faust producer, whose buffer is flushed before offsets are committed."""

    def __init__(self, app: faust.App, source: str) -> None:
        self._app = app
        self.source = source

    async def send(self, topic: str, key: bytes | None, value: bytes, headers: Headers, *,
                   partition: int | None = None) -> Awaitable:
        """Hand a record to the producer; await the result to know the broker has it."""
        try:
            return await self._app.producer.send(topic=topic, key=key, value=value, partition=partition,
                                                 timestamp=None, headers=list(headers))
        except NotReady as exc:  # the worker is starting or stopping: the record's source is read again
            raise RetriableError("the worker's producer is not running (starting or stopping)") from exc

    async def record(self, topic: str, record_type: str, value: dict, *, sender: str | None = None,
                     wait: bool = False) -> None:
        """Send one record keyed by its tracking id, with CloudEvents headers (and the sender).

        ``wait``: until the broker has it (an HTTP answer must not promise what is not stored).
        """
        headers = self.headers(record_type, value)
        if sender:
            headers.append((SENDER_HEADER, sender.encode()))
        key, payload = value["tracking_id"].encode(), encode(record_type, value)
        if wait:
            await self._app.producer.send_and_wait(topic, key, payload, None, None, headers)
        else:
            await self.send(topic, key, payload, headers)

    def headers(self, record_type: str, value: dict) -> list[tuple[str, bytes]]:
        """The CloudEvents headers of ``value`` (a record of ``record_type``) from this publisher."""
        return cloudevent_headers(record_type, value["event_id"], self.source, value["tracking_id"],
                                  value["occurred_at"])
