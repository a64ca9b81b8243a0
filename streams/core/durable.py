"""Writes that are answered only once the broker has them: the HTTP API's producer.

A 202 promises that the request is stored. :class:`DurableWriter` sends each record with
``acks=all`` and an idempotent producer, and waits for the acknowledgement within a deadline
(``LAPOR_WRITE_TIMEOUT``, a few seconds): past it, :class:`WriteUnavailable` (a retriable
error, which the API answers with 503 and ``Retry-After``), never a hang and never a 202.

It has a producer of its own rather than Faust's: the agents' producer is tuned to wait out a
broker outage (their offsets are not committed until it drains), while a person at the other
end of an HTTP request needs an answer in seconds. An unacknowledged record expires in the
producer after the same deadline, so a 503 is not followed much later by a stray write.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from dataclasses import dataclass

import mode
from aiokafka import AIOKafkaProducer
from aiokafka.errors import KafkaError

from lapor_hub.errors import RetriableError
from lapor_hub.streams.core.config import HubSettings

__all__ = ["DurableWriter", "DurableSink", "Stored", "WriteUnavailable"]

log = logging.getLogger(__name__)

_RECONNECT_S = 1.0


class WriteUnavailable(RetriableError):
    """The broker did not acknowledge the write in time; nothing was promised."""


@dataclass(frozen=True)
class Stored:
    topic: str
    partition: int
    offset: int


class DurableWriter(mode.Service):
    """An idempotent ``acks=all`` producer whose every send is bounded by ``timeout_s``."""

    def __init__(self, settings: HubSettings, *, client_id: str = "lapor-hub-api", **kwargs) -> None:
        self._settings = settings
        self._client_id = client_id
        self.timeout_s = settings.write_timeout_s
        self._producer: AIOKafkaProducer | None = None
        super().__init__(**kwargs)

    @property
    def connected(self) -> bool:
        return self._producer is not None

    async def store(self, topic: str, key: bytes | None, value: bytes | None,
                    headers: Sequence[tuple[str, bytes]] = ()) -> Stored:
        """Send one record (None: a tombstone) and wait until every in-sync replica has it;
        WriteUnavailable otherwise."""
        producer = self._producer
        if producer is None:
            raise WriteUnavailable("the hub is not connected to the Kafka broker yet; retry shortly",
                                   retry_after=2)
        try:
            metadata = await asyncio.wait_for(
                producer.send_and_wait(topic, value, key=key, headers=list(headers)), self.timeout_s)
        except (asyncio.TimeoutError, KafkaError) as exc:
            raise WriteUnavailable(f"the broker did not acknowledge the write within {self.timeout_s:g} s; "
                                   "retry shortly", retry_after=max(1, round(self.timeout_s))) from exc
        return Stored(metadata.topic, metadata.partition, metadata.offset)

    @mode.Service.task
    async def _connect(self) -> None:
        """Connect in the background: the worker starts (and says it is not ready) without a broker."""
        while not self.should_stop and self._producer is None:
            producer = AIOKafkaProducer(
                **self._settings.client_options(), client_id=self._client_id, acks="all",
                enable_idempotence=True, linger_ms=2,
                # A batch that is not acknowledged in time expires instead of being sent much later.
                request_timeout_ms=int(self.timeout_s * 1000), retry_backoff_ms=200)
            try:
                await asyncio.wait_for(producer.start(), self.timeout_s)
            except (asyncio.TimeoutError, KafkaError, OSError) as exc:
                await _quietly_stop(producer)
                log.debug("durable writer: broker not reachable yet (%s)", type(exc).__name__)
                await self.sleep(_RECONNECT_S)
                continue
            self._producer = producer

    async def on_stop(self) -> None:
        producer, self._producer = self._producer, None
        if producer is not None:
            await _quietly_stop(producer)


async def _quietly_stop(producer: AIOKafkaProducer) -> None:
    try:
        await asyncio.wait_for(producer.stop(), 5.0)
    except (asyncio.TimeoutError, KafkaError, OSError):
        pass


class DurableSink:
    """A record sink (see :class:`lapor_hub.streams.core.deadletter.RecordSink`) whose sends are acknowledged."""

    def __init__(self, writer: DurableWriter, source: str) -> None:
        self._writer = writer
        self.source = source

    async def send(self, topic: str, key: bytes | None, value: bytes, headers: Sequence[tuple[str, bytes]]) -> None:
        await self._writer.store(topic, key, value, headers)
