"""Partitions without a committed offset are read from their beginning after every recovery.

Faust pauses the agents' partitions while it restores tables, clears what was fetched, then
seeks every partition to its committed offset. aiokafka's ``seek_to_committed`` skips a
partition whose committed offset is missing or 0, which leaves it wherever the fetcher was: a
record fetched before the pause is then never processed. It happens on a group's first start
(a hub that took submissions before its worker ran, a new ``LAPOR_APP_ID``) and measurably so
with a large table to restore: ``lapor-hub bench national`` lost its probe submission that way.

The fix: when a recovery completes (``app.on_rebalance_complete``, sent before Faust's own seek
and before the partitions resume), the partitions of ``topics`` that this worker holds and that
have no offset past 0 committed are sought to their beginning. Records there are processed
(again, at worst), which the lifecycle's duplicate checks make harmless.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Collection, Iterable, Mapping
from typing import Any

import faust
from faust.types import TP
from mode.signals import BaseSignalT

from lapor_hub.errors import RetriableError
from lapor_hub.streams.core.config import HubSettings

__all__ = ["install_rewind", "to_rewind"]

log = logging.getLogger(__name__)

_ATTEMPTS = 5


def to_rewind(assigned: Iterable[TP], committed: Mapping[tuple[str, int], int], topics: Collection[str]) -> list[TP]:
    """The assigned partitions of ``topics`` whose committed offset is missing or 0."""
    return sorted((tp for tp in assigned
                   if tp.topic in topics and committed.get((tp.topic, tp.partition), 0) <= 0),
                  key=lambda tp: (tp.topic, tp.partition))


def install_rewind(app: faust.App, settings: HubSettings, topics: Collection[str]) -> None:
    """Connect the rewind to ``app``'s recoveries, for the partitions of ``topics`` (the agents' sources)."""

    async def rewind_uncommitted(sender: Any, /, *_: Any, signal: BaseSignalT, **__: Any) -> None:
        assigned = app.consumer.assignment()
        if not any(tp.topic in topics for tp in assigned):
            return
        committed = await _committed(settings)
        rewind = to_rewind(assigned, committed, topics)
        if rewind:
            log.info("reading %d partitions without a committed offset from their beginning", len(rewind))
            for tp, earliest in (await app.consumer.earliest_offsets(*rewind)).items():
                await app.consumer.seek(tp, earliest)

    app.on_rebalance_complete.connect(rewind_uncommitted)


async def _committed(settings: HubSettings) -> dict[tuple[str, int], int]:
    """The group's committed offsets by (topic, partition); retried, then an error that stops the recovery."""
    for attempt in range(1, _ATTEMPTS + 1):
        try:
            return await asyncio.to_thread(_read_committed, settings)
        except Exception as exc:  # noqa: BLE001 - any broker error: try again, then say so
            if attempt == _ATTEMPTS:
                raise RetriableError(f"cannot read the committed offsets of group {settings.app_id} "
                                     f"({type(exc).__name__}); the worker stops rather than skip records") from exc
            await asyncio.sleep(attempt)
    raise AssertionError("unreachable")


def _read_committed(settings: HubSettings) -> dict[tuple[str, int], int]:
    from kafka import KafkaAdminClient

    admin = KafkaAdminClient(**settings.client_options(), client_id=f"{settings.app_id}-rewind")
    try:
        offsets = admin.list_group_offsets({settings.app_id: None}).get(settings.app_id, {})
    finally:
        admin.close()
    return {(tp.topic, tp.partition): meta.offset for tp, meta in offsets.items()}
