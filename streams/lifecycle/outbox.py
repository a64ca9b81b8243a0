"""The outbox relay: every ``agency.<code>.outbox`` into ``complaints.commands``.

It has a consumer of its own (group ``<app id>.outbox``) rather than a Faust agent: the 678
outbox partitions carry little traffic, and listing them in every fetch of the hub's main
consumer cost as much CPU as the work itself (see README, Performance). The relay stamps the
sender from the topic (only the agency's credentials may write its outbox), checks the update,
forwards it keyed by tracking id, and commits only after the forwarded records are flushed:
at-least-once, and the lifecycle drops redelivered duplicates by their CloudEvents id.
"""

from __future__ import annotations

import asyncio
import logging
from typing import TYPE_CHECKING

import mode
from aiokafka import AIOKafkaConsumer
from aiokafka.errors import KafkaError
from faust.exceptions import NotReady

from lapor_hub.errors import RetriableError
from lapor_hub.schemas import decode, read_cloudevent_headers
from lapor_hub.streams.chain.agency import (
    AGENCY_SIGNATURE_HEADER,
    SIGNATURE_STATUS_HEADER,
    AgencyKeys,
    signature_status,
)
from lapor_hub.streams.core import topics
from lapor_hub.streams.core.deadletter import DeadLetters
from lapor_hub.streams.core.failures import FailurePolicy
from lapor_hub.streams.core.follower import stop_consumer
from lapor_hub.streams.core.publisher import SENDER_HEADER, Publisher, header
from lapor_hub.streams.lifecycle.authority import check_agency_update

if TYPE_CHECKING:
    from lapor_hub.streams.hub import Hub

__all__ = ["agency_update_command_headers", "agency_signature_status", "install", "relay_group"]

log = logging.getLogger(__name__)

_BATCH = 500
#: How long a fetch waits at the broker for ``_FETCH_MIN_BYTES``: it bounds how often the 678
#: partitions are listed (each fetch request and response names every one of them), idle or busy.
_FETCH_MAX_WAIT_MS = 500
_FETCH_MIN_BYTES = 64 << 10
_RETRY_S = 2.0


def relay_group(app_id: str) -> str:
    return f"{app_id}.outbox"


def agency_update_command_headers(agency: str, record_type: str, record: dict, headers) -> list:
    """Check an outbox record (:func:`~lapor_hub.streams.lifecycle.authority.check_agency_update`) and return the
    headers it is forwarded with: the sender is the outbox's agency, whatever the record says."""
    check_agency_update(agency, record_type, record)
    read_cloudevent_headers(headers)  # the duplicate key must be there
    stamped = (SENDER_HEADER, SIGNATURE_STATUS_HEADER)  # the hub's to say, never the sender's
    kept = [(k, v) for k, v in headers or () if (k.decode() if isinstance(k, bytes) else k) not in stamped]
    return [*kept, (SENDER_HEADER, agency.encode())]


def agency_signature_status(agency: str, key: bytes | None, value: bytes | None, headers,
                            keys: AgencyKeys) -> str:
    """Whether the record on ``agency``'s outbox carries a valid signature of the agency's."""
    signature = header(headers, AGENCY_SIGNATURE_HEADER)
    kid = signature.partition(":")[0] if signature else None
    return signature_status(agency, key, value, signature.encode() if signature else None, keys.of(agency, kid))


def install(hub: Hub) -> None:
    app, settings = hub.app, hub.settings
    publisher = Publisher(app, "/lapor-hub/outbox")
    # A record the relay could not forward because the worker is stopping is read again, not dead-lettered.
    failures = FailurePolicy(DeadLetters(publisher), should_stop=lambda: app.should_stop)
    outboxes = [topics.outbox(agency.code) for agency in hub.directory]
    agency_keys = AgencyKeys(settings.audit_agency_keys_dir)

    async def forward(record) -> None:
        agency = topics.agency_of_topic(record.topic)
        assert agency is not None  # the relay reads the agencies' outbox topics only
        record_type, value = decode(record.value or b"")
        headers = agency_update_command_headers(agency, record_type, value, record.headers)
        status = agency_signature_status(agency, record.key, record.value, record.headers, agency_keys)
        headers.append((SIGNATURE_STATUS_HEADER, status.encode()))
        await publisher.send(topics.COMMANDS, value["tracking_id"].encode(), record.value, headers)

    async def relay(record) -> None:
        await failures.run(record, "outbox", lambda: forward(record))

    @app.service
    class OutboxRelay(mode.Service):
        consumer: AIOKafkaConsumer | None = None

        async def on_stop(self) -> None:
            await self._close()

        async def _open(self) -> AIOKafkaConsumer:
            """The relay's consumer, started here (not in on_start) so that a broker that cannot be
            reached yet is retried like any other broker error instead of failing the worker's start."""
            if self.consumer is None:
                consumer = AIOKafkaConsumer(
                    *outboxes, **settings.client_options(), group_id=relay_group(settings.app_id),
                    enable_auto_commit=False, auto_offset_reset="earliest", fetch_max_wait_ms=_FETCH_MAX_WAIT_MS,
                    fetch_min_bytes=_FETCH_MIN_BYTES, max_poll_records=_BATCH)
                try:
                    await consumer.start()
                except BaseException:
                    await stop_consumer(consumer)
                    raise
                self.consumer = consumer
            return self.consumer

        async def _close(self) -> None:
            consumer, self.consumer = self.consumer, None
            if consumer is not None:
                await stop_consumer(consumer)

        @mode.Service.task
        async def _relay(self) -> None:
            while not self.should_stop:
                try:
                    consumer = await self._open()
                    batches = await consumer.getmany(timeout_ms=1000, max_records=_BATCH)
                    for records in batches.values():
                        for record in records:
                            await relay(record)
                    if batches:
                        await app.producer.flush()  # forwarded before the offsets move on
                        await consumer.commit()
                except (KafkaError, OSError, RetriableError, NotReady) as exc:
                    # Nothing was committed: the same records come again after the pause.
                    if self.should_stop or app.should_stop:
                        return
                    log.warning("outbox relay: %s; retrying in %.0fs", type(exc).__name__, _RETRY_S)
                    await asyncio.sleep(_RETRY_S)

