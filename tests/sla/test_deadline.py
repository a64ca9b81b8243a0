import json
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import holidays
import pytest

from lapor_hub.errors import SkippableError
from lapor_hub.streams.directory import default_directory
from lapor_hub.streams.sla.calendar import WorkingCalendar
from lapor_hub.streams.sla.deadline import (
    StageClock,
    budget,
    forward,
    pause,
    progress,
    resume,
    start_clock,
    time_at_progress,
    used_time,
)
from lapor_hub.streams.sla.policy import Counting, SlaPolicy, Stage

WIB = ZoneInfo("Asia/Jakarta")
CAL = WorkingCalendar()
POLICY = SlaPolicy()


def local(zone, *parts):
    return datetime(*parts).replace(tzinfo=zone).astimezone(UTC)


@pytest.fixture(scope="module")
def directory():
    return default_directory()


@pytest.fixture
def pringsewu(directory):
    return directory.get("18.10")


def test_start_uses_the_policy_and_the_agency_zone(directory, pringsewu):
    monday = local(WIB, 2026, 7, 6, 9)
    clock = start_clock(Stage.FIRST_FOLLOW_UP, pringsewu, monday, POLICY, CAL)
    assert (clock.agency_code, clock.time_zone, clock.counting) == ("18.10", "Asia/Jakarta", Counting.WORKING_DAYS)
    assert clock.due_at == local(WIB, 2026, 7, 14)  # five working days: Tue 7 .. Mon 13 (July 2026 has no holiday)

    jayapura = directory.get("91.71")
    papua = start_clock(Stage.FIRST_FOLLOW_UP, jayapura, monday, POLICY, CAL)
    assert clock.due_at - papua.due_at == timedelta(hours=2)


def test_settlement_counts_calendar_days(pringsewu):
    clock = start_clock(Stage.SETTLEMENT, pringsewu, local(WIB, 2026, 1, 5, 15), POLICY, CAL)
    assert clock.counting is Counting.CALENDAR_DAYS
    assert clock.due_at == local(WIB, 2026, 3, 7)


def test_progress_runs_from_zero_to_one_at_the_deadline(pringsewu):
    start = local(WIB, 2026, 7, 6, 12)
    clock = start_clock(Stage.VERIFICATION, pringsewu, start, POLICY, CAL)
    assert progress(clock, start, CAL) == 0.0
    assert progress(clock, clock.due_at, CAL) == 1.0
    assert progress(clock, clock.due_at + timedelta(days=1), CAL) > 1.0
    half = time_at_progress(clock, 0.5, CAL)
    assert progress(clock, half, CAL) == 0.5
    # A weekend uses no working time.
    friday_end = local(WIB, 2026, 7, 11)
    monday_start = local(WIB, 2026, 7, 13)
    late = start_clock(Stage.FIRST_FOLLOW_UP, pringsewu, start, POLICY, CAL)
    assert progress(late, friday_end, CAL) == progress(late, monday_start, CAL)


def test_pause_and_resume_push_the_deadline_by_the_paused_working_time(pringsewu):
    start = local(WIB, 2026, 7, 6, 12)  # Monday
    clock = start_clock(Stage.FIRST_FOLLOW_UP, pringsewu, start, POLICY, CAL)
    original_due = clock.due_at
    paused = pause(clock, local(WIB, 2026, 7, 8, 6))  # Wednesday 06:00
    assert paused.paused_at is not None
    frozen = progress(paused, paused.paused_at, CAL)
    assert progress(paused, local(WIB, 2026, 7, 10, 23), CAL) == frozen

    # Waiting from Wednesday 06:00 to Monday 06:00: Wed 18h + Thu + Fri + Mon 6h = 3 working days.
    resumed = resume(paused, local(WIB, 2026, 7, 13, 6), CAL)
    assert not resumed.is_paused
    assert resumed.paused_for == timedelta(days=3)
    assert resumed.due_at == CAL.add_working_time(original_due, timedelta(days=3), "Asia/Jakarta")
    assert resumed.due_at == local(WIB, 2026, 7, 17)  # from end of Mon 13 to end of Thu 16
    assert budget(resumed, CAL) == budget(clock, CAL)
    assert progress(resumed, local(WIB, 2026, 7, 13, 6), CAL) == frozen


def test_a_pause_over_the_weekend_only_moves_the_deadline_by_working_time(pringsewu):
    clock = start_clock(Stage.FIRST_FOLLOW_UP, pringsewu, local(WIB, 2026, 7, 6, 12), POLICY, CAL)
    resumed = resume(pause(clock, local(WIB, 2026, 7, 11, 1)), local(WIB, 2026, 7, 12, 23), CAL)
    assert resumed.due_at == clock.due_at
    assert resumed.paused_for == timedelta(0)


def test_pause_and_resume_are_idempotent(pringsewu):
    clock = start_clock(Stage.VERIFICATION, pringsewu, local(WIB, 2026, 7, 6, 12), POLICY, CAL)
    first = pause(clock, local(WIB, 2026, 7, 7, 8))
    assert pause(first, local(WIB, 2026, 7, 7, 10)) == first
    assert resume(clock, local(WIB, 2026, 7, 7, 10), CAL) == clock
    with pytest.raises(ValueError):
        resume(first, local(WIB, 2026, 7, 7, 7), CAL)
    with pytest.raises(ValueError):
        pause(clock, local(WIB, 2026, 7, 6, 11))


def test_forwarding_starts_a_fresh_clock_and_reports_the_used_time(directory, pringsewu):
    start = local(WIB, 2026, 7, 6, 0)  # Monday midnight
    clock = start_clock(Stage.FIRST_FOLLOW_UP, pringsewu, start, POLICY, CAL)
    at = local(WIB, 2026, 7, 8, 12)  # Wednesday noon
    kemenkes = directory.get("KEMENKES")
    result = forward(clock, kemenkes, at, POLICY, CAL)
    assert result.from_agency == "18.10"
    assert result.used == timedelta(days=2, hours=12)
    assert result.used_fraction == pytest.approx(2.5 / 6)  # the start day counts: Mon..Mon = 6 days
    fresh = result.clock
    assert (fresh.agency_code, fresh.stage, fresh.started_at) == ("KEMENKES", Stage.FIRST_FOLLOW_UP, at)
    assert fresh.due_at == local(WIB, 2026, 7, 16)  # Thu 9 .. Wed 15
    assert progress(fresh, at, CAL) == 0.0 and not fresh.is_paused


def test_forwarding_a_paused_clock_counts_time_up_to_the_pause(pringsewu, directory):
    clock = start_clock(Stage.FIRST_FOLLOW_UP, pringsewu, local(WIB, 2026, 7, 6, 0), POLICY, CAL)
    paused = pause(clock, local(WIB, 2026, 7, 7, 0))
    result = forward(paused, directory.get("18"), local(WIB, 2026, 7, 10, 0), POLICY, CAL)
    assert result.used == timedelta(days=1)
    assert not result.clock.is_paused


def test_round_trip_through_json(pringsewu):
    clock = start_clock(Stage.FIRST_FOLLOW_UP, pringsewu, local(WIB, 2026, 7, 6, 12, 30, 15, 123456), POLICY, CAL)
    clock = resume(pause(clock, local(WIB, 2026, 7, 7, 1)), local(WIB, 2026, 7, 7, 5, 0, 0, 7), CAL)
    clock = pause(clock, local(WIB, 2026, 7, 8, 1))
    data = json.loads(json.dumps(clock.to_dict()))
    assert data["stage"] == "first_follow_up"
    assert StageClock.from_dict(data) == clock


@pytest.mark.parametrize(
    "damage",
    [
        lambda d: d.pop("due_at"),
        lambda d: d.update(stage="lunch"),
        lambda d: d.update(started_at="2026-06-08T12:00:00"),  # naive
        lambda d: d.update(paused_seconds="a while"),
    ],
)
def test_malformed_state_is_skippable(pringsewu, damage):
    data = start_clock(Stage.VERIFICATION, pringsewu, local(WIB, 2026, 7, 6, 12), POLICY, CAL).to_dict()
    damage(data)
    with pytest.raises(SkippableError, match="malformed SLA stage clock"):
        StageClock.from_dict(data)


def test_used_time_is_zero_before_the_start(pringsewu):
    start = local(WIB, 2026, 7, 6, 12)
    clock = start_clock(Stage.VERIFICATION, pringsewu, start, POLICY, CAL)
    assert used_time(clock, start - timedelta(hours=1), CAL) == timedelta(0)


def test_a_holiday_inside_a_pause_does_not_move_the_deadline(pringsewu):
    holiday = next(
        d for d in holidays.country_holidays("ID", years=2026) if d.month == 6 and d.weekday() == 1
    )  # a Tuesday holiday in June 2026 (Islamic New Year)
    monday = holiday - timedelta(days=1)
    clock = start_clock(Stage.FIRST_FOLLOW_UP, pringsewu, local(WIB, 2026, 6, 8), POLICY, CAL)
    start_pause = local(WIB, monday.year, monday.month, monday.day)
    end_pause = start_pause + timedelta(days=2)  # Monday 00:00 to Wednesday 00:00
    resumed = resume(pause(clock, start_pause), end_pause, CAL)
    assert resumed.paused_for == timedelta(days=1)  # only Monday counts
