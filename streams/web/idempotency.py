"""``Idempotency-Key`` for the intake API: a retried request gets the tracking id it got before."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime, timezone

from sqlalchemy import Column, DateTime, MetaData, String, Table, insert, select
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError, SQLAlchemyError

from streams.errors import RetriableError

__all__ = ["IdempotencyStore", "Remembered", "request_fingerprint"]

_metadata = MetaData()
_keys = Table(
    "intake_idempotency_keys",
    _metadata,
    Column("key", String(200), primary_key=True),
    # A hash of the body: the same key with another body is the client's mistake, not a retry.
    Column("fingerprint", String(64), nullable=False),
    Column("tracking_id", String(40), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
)


def request_fingerprint(body: bytes) -> str:
    return hashlib.sha256(body).hexdigest()


@dataclass(frozen=True)
class Remembered:
    tracking_id: str
    same_request: bool


class IdempotencyStore:
    def __init__(self, engine: Engine) -> None:
        self._engine = engine
        _metadata.create_all(engine)

    def lookup(self, key: str, fingerprint: str) -> Remembered | None:
        try:
            with self._engine.connect() as conn:
                row = conn.execute(select(_keys.c.fingerprint, _keys.c.tracking_id).where(_keys.c.key == key)).first()
        except SQLAlchemyError as exc:
            raise RetriableError("the idempotency store is unavailable; retry the request") from exc
        return None if row is None else Remembered(row.tracking_id, row.fingerprint == fingerprint)

    def reserve(self, key: str, fingerprint: str, tracking_id: str) -> Remembered:
        """Claim the key for ``tracking_id`` before producing; a concurrent claim that won is returned."""
        try:
            with self._engine.begin() as conn:
                conn.execute(insert(_keys).values(key=key, fingerprint=fingerprint, tracking_id=tracking_id,
                                                  created_at=datetime.now(timezone.utc)))
            return Remembered(tracking_id, True)
        except IntegrityError:
            remembered = self.lookup(key, fingerprint)
            assert remembered is not None
            return remembered
        except SQLAlchemyError as exc:
            raise RetriableError("the idempotency store is unavailable; retry the request") from exc

    def release(self, key: str, tracking_id: str) -> None:
        """Give the key back after the submission could not be produced, so a retry can succeed."""
        try:
            with self._engine.begin() as conn:
                conn.execute(_keys.delete().where((_keys.c.key == key) & (_keys.c.tracking_id == tracking_id)))
        except SQLAlchemyError as exc:
            raise RetriableError("the idempotency store is unavailable; retry the request") from exc
