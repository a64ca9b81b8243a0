"""Everything a connector sends to the hub: agency updates, receipts, dead letters, heartbeats.

Health records (receipts and heartbeats) go to ``connectors.health`` keyed by connector id, so
one connector's health stream stays in order in one partition; the tracking id of a receipt is
in its value and in ``ce_subject``. Every id is deterministic where the event can be produced
twice (a redelivery after a crash), so consumers dedupe on (ce_source, ce_id).
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from kafka.errors import KafkaError

from lapor_hub import schemas
from lapor_hub.connectors.sdk.config import ConnectorConfig
from lapor_hub.connectors.sdk.model import AgencyUpdate, Delivery
from lapor_hub.connectors.sdk.updates import update_value
from lapor_hub.errors import RetriableError
from lapor_hub.streams.chain import AuditKeyRing, SigningKey
from lapor_hub.streams.chain.agency import AGENCY_SIGNATURE_HEADER, sign_agency_update
from lapor_hub.streams.core import topics
from lapor_hub.streams.core.deadletter import Headers, dead_letter_headers, safe_reason
from lapor_hub.streams.directory import Directory

__all__ = ["ConnectorPublisher"]

_NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "https://lapor.go.id/hub/connectors/health")


class ConnectorPublisher:
    """The connector's producer side, owned by the runtime: it publishes as the connector
    (CloudEvents source ``/agency/<code>/connector/<id>``). Not the hub's own
    :class:`~lapor_hub.streams.core.publisher.Publisher`, which publishes as the hub."""

    def __init__(self, producer: Any, config: ConnectorConfig, *, connector_type: str,
                 directory: Directory | None = None, flush_timeout: float = 30.0) -> None:
        self._producer = producer
        self._config = config
        self._type = connector_type
        self._directory = directory
        self._flush_timeout = flush_timeout
        # A key that cannot be used stops the connector at its start, not at its first update.
        self._signing_key: SigningKey | None = (AuditKeyRing.load_signing_key(Path(config.signing_key_file))
                                                if config.signing_key_file else None)

    @property
    def stage(self) -> str:
        return f"connector.{self._type}"

    def publish(self, updates: Sequence[AgencyUpdate]) -> list[str]:
        """Validate every update first (InvalidUpdate: nothing sent), then send and flush."""
        values = [(u, self.value_of(u)) for u in updates]
        for update, value in values:
            self.send_update(update, value)
        self.flush()
        return [value["event_id"] for _, value in values]

    def value_of(self, update: AgencyUpdate) -> dict:
        return update_value(update, connector_id=self._config.id, agency=self._config.agency,
                            directory=self._directory)

    def send_update(self, update: AgencyUpdate, value: dict) -> None:
        """One update on the agency's outbox, signed with the agency's key when the config names one."""
        key, payload = update.tracking_id.encode(), schemas.encode(update.record_type, value)
        extra = []
        if self._signing_key is not None:
            extra.append((AGENCY_SIGNATURE_HEADER,
                          sign_agency_update(self._signing_key, self._config.agency, key, payload)))
        self._send(topics.outbox(self._config.agency), key, update.record_type, value, subject=update.tracking_id,
                   extra_headers=extra, payload=payload)

    def receipt(self, delivery: Delivery, status: str, *, external_ref: str | None = None,
                detail: str | None = None) -> None:
        now = _now()
        value = {
            "event_id": self._id("receipt", delivery.idempotency_key, status),
            "tracking_id": delivery.tracking_id, "occurred_at": now, "actor": self._config.agency,
            "agency": self._config.agency, "connector_id": self._config.id,
            "delivered_event_id": delivery.idempotency_key, "status": status,
            "external_ref": external_ref, "detail": detail,
        }
        self._send(topics.CONNECTOR_HEALTH, self._config.id.encode(), "DeliveryReceipt", value,
                   subject=delivery.tracking_id)

    def dead_letter(self, *, topic: str, partition: int, offset: int, key: bytes | None, payload: bytes,
                    error: BaseException, tracking_id: str = "", original_headers: Headers = (),
                    record_id: str = "") -> None:
        """The same record and headers as the hub's own dead letters, so that `lapor-hub dlq` and
        the dashboard read both, and a replay restores the original headers. ``record_id`` tells
        records apart that have no offset (those read from the agency system)."""
        now = _now()
        value = {
            "event_id": self._id("deadletter", topic, str(partition), str(offset), *([record_id] if record_id else [])),
            "tracking_id": tracking_id, "occurred_at": now, "actor": self._config.agency,
            "source_topic": topic, "source_partition": partition, "source_offset": offset,
            "stage": self.stage, "error_class": type(error).__name__, "reason": safe_reason(error),
            "payload": payload, "key": key, "failed_at": now,
        }
        extra = dead_letter_headers(topic, partition, offset, self.stage, error, original_headers)
        self._send(topics.DEADLETTER, key, "DeadLetter", value, subject=tracking_id, extra_headers=extra)

    def heartbeat(self, status: str, *, delivered: int, failed: int, polled: int, lag: int | None) -> None:
        now = _now()
        value = {
            "event_id": str(uuid.uuid4()), "tracking_id": "", "occurred_at": now,
            "actor": self._config.agency, "connector_id": self._config.id, "agency": self._config.agency,
            "connector_type": self._type, "status": status, "delivered": delivered, "failed": failed,
            "polled": polled, "lag": lag, "sent_at": now,
        }
        self._send(topics.CONNECTOR_HEALTH, self._config.id.encode(), "ConnectorHeartbeat", value, subject="")

    def flush(self) -> None:
        try:
            self._producer.flush(timeout=self._flush_timeout)
        except KafkaError as exc:
            raise RetriableError(f"the broker did not acknowledge within {self._flush_timeout:g} s: "
                                 f"{type(exc).__name__}") from exc

    def _send(self, topic: str, key: bytes | None, record_type: str, value: dict, *, subject: str,
              extra_headers: list | None = None, payload: bytes | None = None) -> None:
        headers = schemas.cloudevent_headers(record_type, value["event_id"], self._config.source,
                                             subject, value["occurred_at"])
        try:
            self._producer.send(topic, key=key, value=payload or schemas.encode(record_type, value),
                                headers=headers + (extra_headers or []))
        except KafkaError as exc:
            raise RetriableError(f"cannot send to {topic}: {type(exc).__name__}; is the broker up?") from exc

    def _id(self, *parts: str) -> str:
        return str(uuid.uuid5(_NAMESPACE, "\x1f".join((self._config.id, *parts))))


def _now() -> datetime:
    return datetime.now(timezone.utc)
