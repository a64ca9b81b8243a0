"""Dead letters: a record the hub cannot process goes to ``complaints.deadletter`` with why.

The DeadLetter value keeps the original key and payload; its Kafka headers say where it came
from, the stage, the error class and the reason, and carry the original headers (prefixed) so
that ``lapor-hub dlq replay`` can send it back exactly as it was. The one exception is personal
data in clear: a writer may scrub the payload first (the lifecycle seals a submission's identity).
Reasons come from the hub's own errors, which are written without personal data; any other
exception is reported by its class alone, because a third-party message may quote a value.
"""

from __future__ import annotations

import logging
import traceback
from collections.abc import Awaitable, Callable, Sequence
from datetime import datetime, timezone
from typing import Protocol

from lapor_hub.errors import HubError
from lapor_hub.schemas import cloudevent_headers, encode
from lapor_hub.streams.core import topics
from lapor_hub.streams.core.ids import derived_event_id

Headers = Sequence[tuple[str | bytes, bytes]]
#: What a dead letter may keep of a payload: given (topic, key, payload, headers), the payload to
#: store. The lifecycle's seals an identity a channel wrote in clear (streams/privacy).
Scrub = Callable[[str, bytes | None, bytes | None, Headers], Awaitable[bytes | None]]

__all__ = ["DeadLetters", "RecordSink", "Scrub", "safe_reason", "ORIGINAL_PREFIX", "dead_letter_headers"]

log = logging.getLogger(__name__)

ORIGINAL_PREFIX = "lapor-original-"


def safe_reason(error: BaseException) -> str:
    if isinstance(error, HubError):
        return str(error)
    return f"unexpected {type(error).__name__}; the worker log has the stack trace"


def dead_letter_headers(source_topic: str, partition: int, offset: int, stage: str,
                        error: BaseException, original: Headers) -> list[tuple[str, bytes]]:
    """The headers every dead letter carries, whoever writes it (the hub's agents, connectors)."""
    return [
        ("lapor-source-topic", source_topic.encode()),
        ("lapor-source-partition", str(partition).encode()),
        ("lapor-source-offset", str(offset).encode()),
        ("lapor-stage", stage.encode()),
        ("lapor-error-class", type(error).__name__.encode()),
        ("lapor-reason", safe_reason(error).encode()),
        *((ORIGINAL_PREFIX + (k.decode() if isinstance(k, bytes) else k), v or b"") for k, v in original or ()),
    ]


class RecordSink(Protocol):
    """Where records go: Faust's producer (:class:`lapor_hub.streams.core.publisher.Publisher`) or the
    acknowledged writes of :class:`lapor_hub.streams.core.durable.DurableSink`."""

    source: str

    async def send(self, topic: str, key: bytes | None, value: bytes,
                   headers: Sequence[tuple[str, bytes]]) -> object:  # Publisher: its delivery; unused here
        ...


class DeadLetters:
    def __init__(self, publisher: RecordSink, *, scrub: Scrub | None = None) -> None:
        self._publisher = publisher
        self._scrub = scrub

    async def send(self, event, stage: str, error: BaseException) -> None:
        """Dead-letter the Faust ``event`` that failed at ``stage``; never raises for bad input."""
        message = event.message
        await self.send_raw(message.topic, message.partition, message.offset, message.key, message.value,
                            message.headers, stage, error)

    async def send_raw(self, topic: str, partition: int, offset: int, key: bytes | None, payload: bytes | None,
                       original_headers: Headers, stage: str, error: BaseException) -> None:
        if not isinstance(error, HubError):
            # The frames only: the exception's message may quote personal data.
            log.error("unexpected %s at %s (%s[%d]@%d):\n%s", type(error).__name__, stage, topic, partition,
                      offset, "".join(traceback.format_tb(error.__traceback__)))
        else:
            log.warning("dead letter from %s[%d]@%d at %s: %s", topic, partition, offset, stage, safe_reason(error))
        if self._scrub is not None:
            payload = await self._scrub(topic, key, payload, original_headers)
        now = datetime.now(timezone.utc)
        tracking_id = _text(key)
        event_id = derived_event_id("deadletter", topic, str(partition), str(offset), stage)
        value = {
            "event_id": event_id, "tracking_id": tracking_id, "occurred_at": now, "actor": "hub",
            "source_topic": topic, "source_partition": partition, "source_offset": offset, "stage": stage,
            "error_class": type(error).__name__, "reason": safe_reason(error), "payload": payload or b"",
            "key": key, "failed_at": now,
        }
        headers = [*cloudevent_headers("DeadLetter", event_id, self._publisher.source, tracking_id, now),
                   *dead_letter_headers(topic, partition, offset, stage, error, original_headers)]
        await self._publisher.send(topics.DEADLETTER, key, encode("DeadLetter", value), headers)


def _text(key: bytes | None) -> str:
    if not key:
        return ""
    try:
        return key.decode("utf-8")
    except UnicodeDecodeError:
        return ""
