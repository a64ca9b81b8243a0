from datetime import UTC, datetime, timedelta
from itertools import pairwise
from zoneinfo import ZoneInfo

import pytest

from lapor_hub.streams.directory import NATIONAL_ADMIN, OMBUDSMAN, default_directory
from lapor_hub.streams.sla.calendar import WorkingCalendar
from lapor_hub.streams.sla.deadline import pause, resume, start_clock
from lapor_hub.streams.sla.ladder import (
    SlaEscalation,
    SlaExpiry,
    SlaWarning,
    due_actions,
    escalation_ladder,
    mark_fired,
    next_due_at,
    planned_actions,
)
from lapor_hub.streams.sla.policy import SlaPolicy, Stage

WIB = ZoneInfo("Asia/Jakarta")
CAL = WorkingCalendar()
POLICY = SlaPolicy()
# Monday 6 July 2026, 09:00 WIB; July and early August 2026 have no public holiday.
MONDAY = datetime(2026, 7, 6, 9, tzinfo=WIB).astimezone(UTC)


def local(*parts):
    return datetime(*parts).replace(tzinfo=WIB).astimezone(UTC)


@pytest.fixture(scope="module")
def directory():
    return default_directory()


def ladder_of(actions):
    return [(a.addressed_to.code, a.addressed_to.office) for a in actions if isinstance(a, SlaEscalation)]


def test_regency_ladder_climbs_to_the_ombudsman_in_order(directory):
    pringsewu = directory.get("18.10")
    clock = start_clock(Stage.FIRST_FOLLOW_UP, pringsewu, MONDAY, POLICY, CAL)
    plan = planned_actions(clock, pringsewu, POLICY, CAL)
    assert [a.key for a in plan] == [
        "first_follow_up:warn:50",
        "first_follow_up:warn:75",
        *(f"first_follow_up:escalate:{tier}" for tier in range(1, 7)),
    ]
    assert ladder_of(plan) == [
        ("18.10", "Admin Instansi"),
        ("18.10", "Inspektorat Kabupaten PRINGSEWU"),
        ("18", "Pemerintah Provinsi LAMPUNG"),
        ("KEMENDAGRI", "Kementerian Dalam Negeri"),
        (NATIONAL_ADMIN, "Admin Nasional SP4N-LAPOR! (KemenPANRB)"),
        (OMBUDSMAN, "Ombudsman Republik Indonesia"),
    ]
    escalations = [a for a in plan if isinstance(a, SlaEscalation)]
    # Tier 1 at the breach (end of Mon 13 July), then every 2 working days, weekends skipped.
    assert escalations[0].due_at == clock.due_at == local(2026, 7, 14)
    assert [a.due_at for a in escalations[1:]] == [
        local(2026, 7, 16),  # end of Wed 15
        local(2026, 7, 18),  # end of Fri 17
        local(2026, 7, 22),  # end of Tue 21
        local(2026, 7, 24),  # end of Thu 23
        local(2026, 7, 28),  # end of Mon 27
    ]
    assert [a.tier for a in escalations] == [1, 2, 3, 4, 5, 6]
    assert all(earlier.due_at < later.due_at for earlier, later in pairwise(plan))


def test_ministry_ladder(directory):
    kemenkes = directory.get("KEMENKES")
    assert [(s.code, s.office) for s in escalation_ladder(kemenkes)] == [
        ("KEMENKES", "Admin Instansi"),
        ("KEMENKES", "Inspektorat Jenderal"),
        (NATIONAL_ADMIN, "Admin Nasional SP4N-LAPOR! (KemenPANRB)"),
        (OMBUDSMAN, "Ombudsman Republik Indonesia"),
    ]
    clock = start_clock(Stage.FIRST_FOLLOW_UP, kemenkes, MONDAY, POLICY, CAL)
    actions = due_actions(clock, kemenkes, POLICY, frozenset(), local(2026, 12, 1), CAL)
    assert [getattr(a, "tier", None) for a in actions] == [None, None, 1, 2, 3, 4]
    last = actions[-1]
    assert isinstance(last, SlaEscalation) and last.addressed_to.code == OMBUDSMAN


def test_warnings_fire_at_half_and_three_quarters(directory):
    pringsewu = directory.get("18.10")
    clock = start_clock(Stage.FIRST_FOLLOW_UP, pringsewu, MONDAY, POLICY, CAL)
    # Budget: 15 hours of Monday + 5 days = 135 h; half is 67.5 h after Monday 09:00,
    # i.e. the rest of Monday (15 h), Tuesday, Wednesday and 4.5 h of Thursday.
    half = local(2026, 7, 9, 4, 30)
    assert due_actions(clock, pringsewu, POLICY, frozenset(), half - timedelta(microseconds=1), CAL) == []
    (warning,) = due_actions(clock, pringsewu, POLICY, frozenset(), half, CAL)
    assert isinstance(warning, SlaWarning)
    assert (warning.key, warning.fraction, warning.due_at) == ("first_follow_up:warn:50", 0.5, half)


def test_catch_up_after_downtime_returns_every_missed_action_once(directory):
    pringsewu = directory.get("18.10")
    clock = start_clock(Stage.FIRST_FOLLOW_UP, pringsewu, MONDAY, POLICY, CAL)
    fired = frozenset({"first_follow_up:warn:50"})
    # The worker was down from before the 75% warning until after tier 4 (end of Tue 21 July).
    back = local(2026, 7, 22, 10)
    caught_up = due_actions(clock, pringsewu, POLICY, fired, back, CAL)
    assert [a.key for a in caught_up] == [
        "first_follow_up:warn:75",
        "first_follow_up:escalate:1",
        "first_follow_up:escalate:2",
        "first_follow_up:escalate:3",
        "first_follow_up:escalate:4",
    ]
    assert all(a.due_at <= back for a in caught_up)
    fired = mark_fired(fired, caught_up)
    assert due_actions(clock, pringsewu, POLICY, fired, back, CAL) == []
    assert due_actions(clock, pringsewu, POLICY, fired, back + timedelta(hours=5), CAL) == []
    assert next_due_at(clock, pringsewu, POLICY, fired, back, CAL) == local(2026, 7, 24)

    rest = due_actions(clock, pringsewu, POLICY, fired, local(2027, 1, 1), CAL)
    assert [a.key for a in rest] == ["first_follow_up:escalate:5", "first_follow_up:escalate:6"]
    fired = mark_fired(fired, rest)
    assert due_actions(clock, pringsewu, POLICY, fired, local(2030, 1, 1), CAL) == []
    assert next_due_at(clock, pringsewu, POLICY, fired, local(2030, 1, 1), CAL) is None


def test_a_timer_following_next_due_at_fires_each_action_exactly_once(directory):
    agency = directory.get("91.71")  # KOTA JAYAPURA, WIT
    clock = start_clock(Stage.VERIFICATION, agency, MONDAY, POLICY, CAL)
    fired: frozenset[str] = frozenset()
    sent = []
    now = MONDAY
    for _ in range(50):
        wake = next_due_at(clock, agency, POLICY, fired, now, CAL)
        if wake is None:
            break
        now = max(now, wake)
        actions = due_actions(clock, agency, POLICY, fired, now, CAL)
        assert actions, f"woken at {now} with nothing to do"
        sent.extend(actions)
        fired = mark_fired(fired, actions)
    planned = planned_actions(clock, agency, POLICY, CAL)
    assert [a.key for a in sent] == [a.key for a in planned]
    assert [a.due_at for a in sent] == [a.due_at for a in planned]


def test_nothing_becomes_due_while_paused(directory):
    pringsewu = directory.get("18.10")
    clock = start_clock(Stage.FIRST_FOLLOW_UP, pringsewu, MONDAY, POLICY, CAL)
    paused = pause(clock, local(2026, 7, 7, 9))  # before the 50% warning
    assert due_actions(paused, pringsewu, POLICY, frozenset(), local(2026, 9, 1), CAL) == []
    assert next_due_at(paused, pringsewu, POLICY, frozenset(), local(2026, 9, 1), CAL) is None
    # Paused for one working day exactly (Tue 09:00 to Wed 09:00): every instant moves by a day.
    resumed = resume(paused, local(2026, 7, 8, 9), CAL)
    assert next_due_at(resumed, pringsewu, POLICY, frozenset(), local(2026, 7, 8, 9), CAL) == local(2026, 7, 10, 4, 30)
    assert resumed.due_at == local(2026, 7, 15)


def test_a_pause_after_the_breach_holds_the_ladder(directory):
    pringsewu = directory.get("18.10")
    clock = start_clock(Stage.FIRST_FOLLOW_UP, pringsewu, MONDAY, POLICY, CAL)
    paused = pause(clock, local(2026, 7, 14, 12))  # half a day after the breach
    fired = mark_fired((), due_actions(paused, pringsewu, POLICY, frozenset(), local(2026, 7, 14, 12), CAL))
    assert due_actions(paused, pringsewu, POLICY, fired, local(2026, 8, 30), CAL) == []
    resumed = resume(paused, local(2026, 7, 20, 12), CAL)  # Tue noon .. next Mon noon
    # Tier 2 comes two working days after the breach, not counting the pause: 1.5 days to go.
    assert next_due_at(resumed, pringsewu, POLICY, fired, local(2026, 7, 20, 12), CAL) == local(2026, 7, 22)


def test_auto_close_expires_without_escalating(directory):
    pringsewu = directory.get("18.10")
    clock = start_clock(Stage.AWAITING_REPLY, pringsewu, MONDAY, POLICY, CAL)
    assert due_actions(clock, pringsewu, POLICY, frozenset(), clock.due_at - timedelta(seconds=1), CAL) == []
    (expiry,) = due_actions(clock, pringsewu, POLICY, frozenset(), local(2027, 1, 1), CAL)
    assert isinstance(expiry, SlaExpiry)
    assert (expiry.key, expiry.due_at) == ("awaiting_reply:expire", local(2026, 7, 21))
    assert next_due_at(clock, pringsewu, POLICY, {"awaiting_reply:expire"}, local(2027, 1, 1), CAL) is None


def test_tier_spacing_and_warnings_follow_the_policy(directory):
    pringsewu = directory.get("18.10")
    policy = SlaPolicy.from_mapping({"days_between_tiers": 1, "warnings": [0.9]})
    clock = start_clock(Stage.FIRST_FOLLOW_UP, pringsewu, MONDAY, policy, CAL)
    plan = planned_actions(clock, pringsewu, policy, CAL)
    assert plan[0].key == "first_follow_up:warn:90"
    escalations = [a for a in plan if isinstance(a, SlaEscalation)]
    assert escalations[1].due_at - escalations[0].due_at == timedelta(days=1)


def test_actions_serialise_to_plain_dicts(directory):
    pringsewu = directory.get("18.10")
    clock = start_clock(Stage.FIRST_FOLLOW_UP, pringsewu, MONDAY, POLICY, CAL)
    escalation = planned_actions(clock, pringsewu, POLICY, CAL)[-1]
    assert escalation.to_dict() == {
        "key": "first_follow_up:escalate:6",
        "kind": "escalation",
        "stage": "first_follow_up",
        "agency_code": "18.10",
        "due_at": "2026-07-27T17:00:00+00:00",
        "tier": 6,
        "addressed_to": {"code": "ORI", "office": "Ombudsman Republik Indonesia"},
    }


def test_the_agency_must_be_the_clocks(directory):
    clock = start_clock(Stage.VERIFICATION, directory.get("18.10"), MONDAY, POLICY, CAL)
    with pytest.raises(ValueError, match="belongs to agency '18.10'"):
        due_actions(clock, directory.get("18"), POLICY, frozenset(), MONDAY, CAL)
