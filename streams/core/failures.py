"""One failure policy for every record the hub processes: the lifecycle agent, the outbox relay,
the projector. What happens is decided by what the error says the caller should do
(:mod:`lapor_hub.errors`):

- :class:`~lapor_hub.errors.SkippableError` (this record can never be processed as it is): a
  dead letter with the reason, and the next record.
- :class:`~lapor_hub.errors.RetriableError` (something outside is briefly unavailable): the same
  record again after a capped backoff, in order (the partition waits for it). With a bound on
  attempts, a record still failing after the last one becomes a dead letter that says so; it
  can be replayed once the cause is gone (``lapor-hub dlq replay``).
- :class:`~lapor_hub.errors.FatalError`: raised on; the worker stops and a person must look.
- Anything else is a bug in the hub: a dead letter naming the exception class only (its message
  may quote personal data), with the stack trace in the log; processing goes on.

Nothing escapes to kill an agent (faust acks the event anyway and the actor dies: faust #175).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Sequence
from typing import Protocol, TypeVar

from lapor_hub.errors import FatalError, RetriableError, SkippableError
from lapor_hub.streams.core.deadletter import DeadLetters

__all__ = ["FailurePolicy", "GaveUp", "SourceRecord", "DEFAULT_DELAYS_S"]

log = logging.getLogger(__name__)

T = TypeVar("T")
#: Seconds between attempts of a retriable failure; the last repeats when attempts are unbounded.
DEFAULT_DELAYS_S = (0.2, 0.5, 1.0, 2.0, 5.0)


class SourceRecord(Protocol):
    """Where a record came from: a Faust message and an aiokafka record both are one."""

    topic: str
    partition: int
    offset: int
    key: bytes | None
    value: bytes | None
    headers: Sequence[tuple[str, bytes]] | None


class GaveUp(SkippableError):
    """A retriable failure that outlived every attempt: dead-lettered, to be replayed later."""


class FailurePolicy:
    def __init__(self, dead_letters: DeadLetters, *, max_attempts: int | None = 6,
                 delays_s: Sequence[float] = DEFAULT_DELAYS_S, should_stop: Callable[[], bool] = lambda: False,
                 sleep: Callable[[float], Awaitable[object]] = asyncio.sleep) -> None:
        self._dead_letters = dead_letters
        self._max_attempts = max_attempts
        self._delays = tuple(delays_s)
        self._should_stop = should_stop
        self._sleep = sleep

    async def run(self, record: SourceRecord, stage: str, work: Callable[[], Awaitable[T]]) -> T | None:
        """``work()`` for ``record`` under the policy; its result, or None when it was dead-lettered."""
        try:
            return await self.retrying(stage, work, where=record)
        except FatalError:
            raise
        except RetriableError:
            # retrying() lets one out only when stopping: the record is not done, and is read again
            # (its offset never moved); a dead letter would make a healthy record a failure.
            raise
        except Exception as exc:  # noqa: BLE001 - skippable, gave up, or a bug: never a dead agent
            await self.dead_letter(record, stage, exc)
            return None

    async def retrying(self, stage: str, work: Callable[[], Awaitable[T]], *, where: SourceRecord | None = None) -> T:
        """``work()``, again after a backoff while it raises RetriableError; :class:`GaveUp` past the
        last attempt. Any other error is raised as it is."""
        attempt = 0
        while True:
            try:
                return await work()
            except RetriableError as exc:
                attempt += 1
                if self._max_attempts is not None and attempt >= self._max_attempts:
                    raise GaveUp(f"gave up after {attempt} attempts: {exc}") from exc
                if self._should_stop():
                    raise
                if attempt == 1:
                    place = f" {where.topic}[{where.partition}]@{where.offset}" if where is not None else ""
                    log.warning("%s: %s; retrying%s", stage, exc, place)
                await self._sleep(self._delays[min(attempt - 1, len(self._delays) - 1)])

    async def dead_letter(self, record: SourceRecord, stage: str, exc: BaseException) -> None:
        await self._dead_letters.send_raw(record.topic, record.partition, record.offset, record.key, record.value,
                                          record.headers or (), stage, exc)
