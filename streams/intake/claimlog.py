"""The worker's follower of ``complaints.idempotency`` (see :mod:`lapor_hub.streams.intake.claims`).

Every worker reads every partition from the start of the log (no consumer group: each needs
all claims), so its :class:`ClaimBook` knows the first claim of every key. :meth:`ClaimLog.
resolve` appends an attempt's claim through the durable writer and waits until the follower
has read past it; the claim the book holds then is the winner.
"""

from __future__ import annotations

import asyncio
import logging
from collections import defaultdict
from datetime import UTC, datetime, timedelta

import mode
from aiokafka.errors import KafkaError

from lapor_hub.streams.core import topics
from lapor_hub.streams.core.config import HubSettings
from lapor_hub.streams.core.durable import DurableWriter, WriteUnavailable
from lapor_hub.streams.core.follower import TopicFollower
from lapor_hub.streams.intake.claims import Claim, ClaimBook

__all__ = ["ClaimLog"]

log = logging.getLogger(__name__)

_RETRY_S = 1.0
_FORGET_EVERY_S = 3600.0


class ClaimLog(mode.Service):
    def __init__(self, settings: HubSettings, writer: DurableWriter, **kwargs) -> None:
        self._writer = writer
        self.book = ClaimBook(timedelta(days=settings.idempotency_days))
        self._follower = TopicFollower(settings, topics.IDEMPOTENCY, client_id="lapor-hub-idempotency",
                                       max_records=2000)
        self._waiters: dict[int, list[tuple[int, asyncio.Future]]] = defaultdict(list)
        super().__init__(**kwargs)

    @property
    def caught_up(self) -> bool:
        """Whether every claim written before this worker started has been read."""
        return self._follower.caught_up

    async def resolve(self, key: bytes, attempt: Claim) -> Claim:
        """The winning claim of ``key``: one already known, or the first in the log after ours."""
        now = datetime.now(UTC)
        known = self.book.winner(key, now)
        if known is not None:
            return known
        stored = await self._writer.store(topics.IDEMPOTENCY, key, attempt.encode())
        future = asyncio.get_running_loop().create_future()
        self._waiters[stored.partition].append((stored.offset, future))
        self._wake(stored.partition)
        try:
            await asyncio.wait_for(future, self._writer.timeout_s)
        except asyncio.TimeoutError:
            raise WriteUnavailable("the hub could not confirm the Idempotency-Key in time; retry shortly",
                                   retry_after=2) from None
        winner = self.book.winner(key, datetime.now(UTC))
        return winner if winner is not None else attempt

    @mode.Service.task
    async def _follow(self) -> None:
        while not self.should_stop:
            try:
                await self._follower.poll(lambda key, value: self.book.read(key, value, datetime.now(UTC)))
            except (KafkaError, OSError) as exc:
                log.debug("idempotency log: %r; retrying", exc)
                await self.sleep(_RETRY_S)
                continue
            for partition in self._follower.position:
                self._wake(partition)

    @mode.Service.timer(_FORGET_EVERY_S)
    async def _forget(self) -> None:
        self.book.forget_expired(datetime.now(UTC))

    def _wake(self, partition: int) -> None:
        position = self._follower.position.get(partition, 0)
        waiting = self._waiters.get(partition)
        if not waiting:
            return
        still = []
        for offset, future in waiting:
            if future.done():
                continue
            if offset < position:
                future.set_result(None)
            else:
                still.append((offset, future))
        self._waiters[partition] = still

    async def on_stop(self) -> None:
        await self._follower.close()
