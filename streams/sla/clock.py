"""The hub's notion of "now": real, sped up for demos, or frozen for tests.

Every SLA decision takes ``now`` from a :class:`Clock` so that a demo can run a 60-day
settlement in minutes (``LAPOR_TIME_SCALE``) and a test can step through weeks instantly.
``sleep`` is in hub seconds: a timer that wants to wake at a hub instant sleeps
``(due - clock.now()).total_seconds()`` whatever the clock is.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Protocol, runtime_checkable

from lapor_hub.errors import ConfigurationError
from lapor_hub.streams.sla.calendar import as_utc

__all__ = ["Clock", "SystemClock", "ScaledClock", "FrozenClock", "clock_for_scale"]


@runtime_checkable
class Clock(Protocol):
    def now(self) -> datetime:
        """The current hub instant, timezone-aware UTC."""
        ...

    async def sleep(self, seconds: float) -> None:
        """Wait ``seconds`` of hub time."""
        ...


def _wall_now() -> datetime:
    return datetime.now(UTC)


class SystemClock:
    """The wall clock."""

    def now(self) -> datetime:
        return _wall_now()

    async def sleep(self, seconds: float) -> None:
        await asyncio.sleep(max(0.0, seconds))

    def __repr__(self) -> str:
        return "SystemClock()"


class ScaledClock:
    """Runs ``scale`` times faster than the wall clock from ``epoch``:
    hub time = epoch + (wall - epoch) * scale.

    ``epoch`` defaults to the wall time at construction, so the hub starts at the real "now" and
    then races ahead. ``wall`` is the wall-clock source, injectable for tests.
    """

    def __init__(
        self,
        scale: float,
        epoch: datetime | None = None,
        *,
        wall: Callable[[], datetime] = _wall_now,
    ) -> None:
        if not scale > 0:
            raise ConfigurationError(f"time scale {scale!r} must be a positive number (LAPOR_TIME_SCALE)")
        self._scale = float(scale)
        self._wall = wall
        self._epoch = as_utc(epoch) if epoch is not None else as_utc(wall())

    @property
    def scale(self) -> float:
        return self._scale

    @property
    def epoch(self) -> datetime:
        return self._epoch

    def now(self) -> datetime:
        return self._epoch + (as_utc(self._wall()) - self._epoch) * self._scale

    async def sleep(self, seconds: float) -> None:
        await asyncio.sleep(max(0.0, seconds) / self._scale)

    def __repr__(self) -> str:
        return f"ScaledClock(scale={self._scale!r}, epoch={self._epoch.isoformat()!r})"


class FrozenClock:
    """A clock that only moves when told to; ``sleep`` advances it instead of waiting."""

    def __init__(self, at: datetime | None = None) -> None:
        self._now = as_utc(at) if at is not None else _wall_now()

    def now(self) -> datetime:
        return self._now

    def set(self, at: datetime) -> None:
        self._now = as_utc(at)

    def advance(self, by: timedelta | float = 0.0, **parts: float) -> datetime:
        """Move forward by a timedelta, a number of seconds, or timedelta keywords (``days=3``)."""
        step = by if isinstance(by, timedelta) else timedelta(seconds=by)
        step += timedelta(**parts)
        if step < timedelta(0):
            raise ValueError("a clock does not run backwards; use set() to jump")
        self._now += step
        return self._now

    async def sleep(self, seconds: float) -> None:
        self.advance(max(0.0, seconds))
        # Yield so that a task sleeping in a loop still lets others run.
        await asyncio.sleep(0)

    def __repr__(self) -> str:
        return f"FrozenClock({self._now.isoformat()!r})"


def clock_for_scale(scale: float) -> Clock:
    """The clock for ``HubSettings.time_scale``: the wall clock at 1, a scaled one otherwise."""
    return SystemClock() if scale == 1 else ScaledClock(scale)
