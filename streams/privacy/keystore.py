"""The key store: every complaint's data key, wrapped by the KEK, on the compacted topic ``hub.data-keys``.

Every worker follows the whole topic from its start (no consumer group, like the idempotency
log), so its :class:`KeyBook` knows every live key and every erasure, and any worker can open
any complaint's identity for an entitled reader (:attr:`KeyStore.vault`). Writes go through the
durable writer (``acks=all``): a data key is stored *before* anything sealed under it, so no
record can hold an identity whose key was never stored.

Erasure (crypto-shredding, :meth:`KeyStore.erase`) writes the complaint's erasure record, then a
tombstone for each of its data keys. From then on no worker opens the identity, whatever copy of
a sealed record it is shown (a topic, a table, a backup, a replay); the wrapped key itself leaves
the broker's disks when the topic is compacted (see the README, Privacy, for what that covers).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

import mode
from aiokafka.errors import KafkaError

from lapor_hub.streams.core import topics
from lapor_hub.streams.core.config import HubSettings
from lapor_hub.streams.core.durable import DurableWriter
from lapor_hub.streams.core.follower import TopicFollower
from lapor_hub.streams.privacy.kek import KeyEncryptionKey
from lapor_hub.streams.privacy.keybook import (
    ERASE_REASONS,
    Erasure,
    KeyBook,
    WrappedKey,
    erasure_record,
    key_record,
    key_tombstone,
)
from lapor_hub.streams.privacy.vault import IdentityVault

__all__ = ["KeyStore"]

log = logging.getLogger(__name__)

_RETRY_S = 1.0


class KeyStore(mode.Service):
    def __init__(self, settings: HubSettings, writer: DurableWriter, kek: KeyEncryptionKey, **kwargs) -> None:
        self._writer = writer
        self.book = KeyBook()
        self.vault = IdentityVault(kek, self.book, caught_up=lambda: self.caught_up)
        self._follower = TopicFollower(settings, topics.DATA_KEYS, client_id="lapor-hub-data-keys", max_records=5000)
        super().__init__(**kwargs)

    @property
    def caught_up(self) -> bool:
        """Whether every key record written before this worker started has been read."""
        return self._follower.caught_up

    async def seal(self, record: Mapping[str, Any], tracking_id: str) -> dict[str, Any]:
        """``record`` sealed, its data key durably stored first (WriteUnavailable when it cannot be)."""
        sealing = self.vault.prepare(record, tracking_id)
        if sealing.key is not None:
            await self.store_key(sealing.key)
        return sealing.record

    async def store_key(self, key: WrappedKey) -> None:
        await self._write(*key_record(key))

    async def erase(self, tracking_id: str, reason: str, *, now: datetime | None = None) -> tuple[Erasure, int]:
        """Crypto-shred ``tracking_id``'s identity: (the erasure, how many data keys were destroyed).

        Erasing again is harmless: it destroys any key still held (a half-finished erasure, or a
        key made meanwhile). WriteUnavailable when the broker does not take the records in time;
        nothing said it was done then, and running it again finishes it.
        """
        if reason not in ERASE_REASONS:
            raise ValueError(f"reason must be one of {ERASE_REASONS}")
        erasure = self.book.erasure(tracking_id)
        if erasure is None:
            erasure = Erasure(tracking_id, (now or datetime.now(UTC)).timestamp(), reason)
            await self._write(*erasure_record(erasure))
            self.vault.figures.erasures[reason] += 1
        keys = self.book.keys_of(tracking_id)
        await asyncio.gather(*(self._write(*key_tombstone(k.key_id)) for k in keys))
        return erasure, len(keys)

    async def _write(self, key: bytes, value: bytes | None) -> None:
        await self._writer.store(topics.DATA_KEYS, key, value)
        self.book.read(key, value)

    @mode.Service.task
    async def _follow(self) -> None:
        while not self.should_stop:
            try:
                await self._follower.poll(self.book.read)
            except (KafkaError, OSError) as exc:
                log.debug("key store: %r; retrying", exc)
                await self.sleep(_RETRY_S)

    async def on_stop(self) -> None:
        await self._follower.close()
