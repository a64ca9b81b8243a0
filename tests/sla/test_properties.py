"""Properties the faust wiring relies on, over arbitrary instants, zones and event orders."""

import json
from datetime import UTC, datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from lapor_hub.streams.directory import TimeZone, default_directory
from lapor_hub.streams.sla.calendar import WorkingCalendar, resolve_zone
from lapor_hub.streams.sla.deadline import StageClock, budget, pause, progress, resume, start_clock
from lapor_hub.streams.sla.ladder import due_actions, mark_fired, next_due_at, planned_actions
from lapor_hub.streams.sla.policy import SlaPolicy, Stage

CAL = WorkingCalendar()
POLICY = SlaPolicy()
AGENCIES = ["18.10", "91.71", "KEMENKES", "73", "KEMENPANRB"]

instants = st.datetimes(
    min_value=datetime(2024, 1, 1), max_value=datetime(2028, 12, 31), timezones=st.just(UTC)
)
zones = st.sampled_from(list(TimeZone))
gaps = st.timedeltas(min_value=timedelta(0), max_value=timedelta(days=40))
agencies = st.sampled_from(AGENCIES).map(lambda code: default_directory().get(code))
stages = st.sampled_from(list(Stage))


@given(instants, gaps, zones)
def test_adding_working_time_is_the_inverse_of_measuring_it(start, amount, zone):
    end = CAL.add_working_time(start, amount, zone)
    assert CAL.working_time_between(start, end, zone) == amount
    # ... and it is the earliest such instant: a microsecond earlier is not enough.
    if amount:
        assert CAL.working_time_between(start, end - timedelta(microseconds=1), zone) < amount


@given(instants, gaps, gaps, zones)
def test_working_time_is_additive(a, ab, bc, zone):
    b, c = a + ab, a + ab + bc
    assert CAL.working_time_between(a, c, zone) == CAL.working_time_between(a, b, zone) + CAL.working_time_between(
        b, c, zone
    )


@given(instants, st.integers(min_value=1, max_value=30), zones)
def test_a_working_day_deadline_is_local_midnight_after_a_working_day(start, n, zone):
    due = CAL.add_working_days(start, n, zone)
    local_due = due.astimezone(resolve_zone(zone))
    assert (local_due.hour, local_due.minute, local_due.second, local_due.microsecond) == (0, 0, 0, 0)
    last_day = local_due.date() - timedelta(days=1)
    assert CAL.is_working_day(last_day)
    first_day = start.astimezone(resolve_zone(zone)).date()
    between = [first_day + timedelta(days=i) for i in range(1, (last_day - first_day).days + 1)]
    assert sum(CAL.is_working_day(d) for d in between) == n


@st.composite
def clock_histories(draw):
    """A clock and a sequence of pauses/resumes at increasing instants."""
    agency = draw(agencies)
    start = draw(instants)
    clock = start_clock(draw(stages), agency, start, POLICY, CAL)
    at = start
    for _ in range(draw(st.integers(min_value=0, max_value=4))):
        at += draw(gaps)
        clock = pause(clock, at)
        at += draw(gaps)
        clock = resume(clock, at, CAL)
    if draw(st.booleans()):
        at += draw(gaps)
        clock = pause(clock, at)
    return agency, clock, at


@settings(max_examples=60, deadline=None)
@given(clock_histories(), gaps)
def test_pauses_never_change_the_budget_and_progress_never_goes_back(history, later):
    agency, clock, at = history
    fresh = start_clock(clock.stage, agency, clock.started_at, POLICY, CAL)
    assert budget(clock, CAL) == budget(fresh, CAL)
    assert progress(clock, at, CAL) <= progress(clock, at + later, CAL)
    if clock.is_paused:
        assert progress(clock, at, CAL) == progress(clock, at + later, CAL)


@settings(max_examples=60, deadline=None)
@given(clock_histories())
def test_clocks_round_trip_through_json(history):
    _, clock, _ = history
    assert StageClock.from_dict(json.loads(json.dumps(clock.to_dict()))) == clock


@settings(max_examples=40, deadline=None)
@given(clock_histories(), st.lists(gaps, min_size=1, max_size=8))
def test_polling_at_any_instants_fires_every_due_action_exactly_once_in_order(history, polls):
    agency, clock, at = history
    fired: frozenset[str] = frozenset()
    sent = []
    now = at
    for gap in polls:
        now += gap
        actions = due_actions(clock, agency, POLICY, fired, now, CAL)
        assert all(a.due_at <= now for a in actions)
        sent.extend(actions)
        fired = mark_fired(fired, actions)
    keys = [a.key for a in sent]
    assert len(keys) == len(set(keys))
    planned = [a.key for a in planned_actions(clock, agency, POLICY, CAL)]
    # What has fired is a prefix of the plan, sent in plan order.
    assert keys == planned[: len(keys)]
    # A timer would not sleep past something already due.
    wake = next_due_at(clock, agency, POLICY, fired, now, CAL)
    assert wake is None or wake > now
