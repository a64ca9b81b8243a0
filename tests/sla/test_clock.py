import asyncio
from datetime import UTC, datetime, timedelta

import pytest

from lapor_hub.errors import ConfigurationError
from lapor_hub.streams.sla.clock import Clock, FrozenClock, ScaledClock, SystemClock, clock_for_scale

START = datetime(2026, 6, 8, 1, 0, tzinfo=UTC)


class Wall:
    def __init__(self, at):
        self.at = at

    def __call__(self):
        return self.at


def test_system_clock_is_aware_utc():
    before = datetime.now(UTC)
    now = SystemClock().now()
    assert now.utcoffset() == timedelta(0)
    assert before <= now <= datetime.now(UTC)


def test_scaled_clock_runs_n_times_faster_from_its_epoch():
    wall = Wall(START)
    clock = ScaledClock(60, wall=wall)
    assert clock.now() == START
    wall.at = START + timedelta(minutes=1)
    assert clock.now() == START + timedelta(hours=1)


def test_scaled_clock_with_an_explicit_epoch():
    wall = Wall(START + timedelta(seconds=10))
    clock = ScaledClock(1440, epoch=START, wall=wall)
    assert clock.now() == START + timedelta(seconds=10 * 1440)


def test_scaled_clock_sleeps_scaled_wall_time(monkeypatch):
    slept = []

    async def fake_sleep(seconds):
        slept.append(seconds)

    monkeypatch.setattr(asyncio, "sleep", fake_sleep)
    asyncio.run(ScaledClock(3600).sleep(7200))
    assert slept == [2.0]


@pytest.mark.parametrize("scale", [0, -1.5])
def test_scale_must_be_positive(scale):
    with pytest.raises(ConfigurationError, match="LAPOR_TIME_SCALE"):
        ScaledClock(scale)


def test_frozen_clock_moves_only_when_told():
    clock = FrozenClock(START)
    assert clock.now() == START
    assert clock.advance(days=2, hours=3) == START + timedelta(days=2, hours=3)
    clock.set(START)
    assert clock.now() == START
    with pytest.raises(ValueError):
        clock.advance(-1)


def test_frozen_clock_sleep_advances_instantly():
    clock = FrozenClock(START)
    asyncio.run(clock.sleep(86400))
    assert clock.now() == START + timedelta(days=1)


def test_frozen_clock_refuses_naive_times():
    with pytest.raises(ValueError, match="naive"):
        FrozenClock(datetime(2026, 6, 8))


def test_clocks_satisfy_the_protocol():
    assert isinstance(clock_for_scale(1), SystemClock)
    assert isinstance(clock_for_scale(10), ScaledClock)
    for clock in (SystemClock(), ScaledClock(2), FrozenClock(START)):
        assert isinstance(clock, Clock)
