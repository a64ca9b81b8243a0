"""The retention policy: a complaint's identity is erased a number of days after it ended.

"Ended" is closed (or archived) and not reopened since: a reopened complaint is open again and
keeps its identity, and its clock starts over at the next closing. The policy runs by itself on
every worker (``LAPOR_PRIVACY_RETENTION_DAYS``, default 365; 0 switches it off; every
``LAPOR_PRIVACY_RETENTION_INTERVAL`` seconds); erasing is idempotent, so two workers erasing
the same complaint do no harm. What it did is on the dashboard (the privacy panel of
``GET /api/v1/health/overview``) and in ``/metrics``.

The candidates come from the read model (injected: ``ended_before(cutoff)``), the decision from
the key book (:func:`to_erase`, pure): only complaints that still hold a data key are erased.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

import mode

from lapor_hub.errors import HubError
from lapor_hub.streams.privacy.keybook import KeyBook

__all__ = ["to_erase", "RetentionPolicy", "RetentionFigures"]

log = logging.getLogger(__name__)


def to_erase(ended: Iterable[str], book: KeyBook) -> list[str]:
    """Of the complaints that ended long enough ago, those whose identity is still held."""
    return [tid for tid in ended if book.keys_of(tid) and book.erasure(tid) is None]


@dataclass
class RetentionFigures:
    days: int
    interval_s: float
    runs: int = 0
    last_run_at: float | None = None
    #: Identities erased by the last run, and by every run on this worker.
    last_erased: int = 0
    erased: int = 0
    #: The last run's failure (a class and the hub's own message: never personal data), if it failed.
    last_error: str | None = None


class RetentionPolicy(mode.Service):
    def __init__(self, *, days: int, interval_s: float, ended_before: Callable[[datetime], list[str]],
                 erase: Callable[[str], object], book: KeyBook, caught_up: Callable[[], bool],
                 now: Callable[[], datetime], **kwargs) -> None:
        self.figures = RetentionFigures(days, interval_s)
        self._ended_before = ended_before
        self._erase = erase
        self._book = book
        self._caught_up = caught_up
        self._now = now
        super().__init__(**kwargs)

    async def run_once(self) -> int:
        """Erase what is due now; how many identities were erased."""
        cutoff = self._now() - timedelta(days=self.figures.days)
        ended = await asyncio.to_thread(self._ended_before, cutoff)
        erased = 0
        for tracking_id in to_erase(ended, self._book):
            await self._erase(tracking_id)  # type: ignore[misc]
            erased += 1
        figures = self.figures
        figures.runs, figures.last_run_at, figures.last_erased = figures.runs + 1, time.time(), erased
        figures.erased += erased
        figures.last_error = None
        if erased:
            log.info("retention: %d identities erased (complaints ended before %s)", erased, cutoff.date())
        return erased

    @mode.Service.task
    async def _every_interval(self) -> None:
        if self.figures.days <= 0:
            return
        while not self.should_stop:
            await self.sleep(self.figures.interval_s)
            if not self._caught_up():
                continue  # a key not read yet would be missed, and erased next time: wait instead
            try:
                await self.run_once()
            except HubError as exc:
                self.figures.last_error = f"{type(exc).__name__}: {exc}"
                log.warning("retention run failed (%s); the next run tries again", type(exc).__name__)
