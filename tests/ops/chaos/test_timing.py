"""Failover and recovery times from a timeline and observations, without any service."""

from lapor_hub.streams.ops.chaos.model import (
    AGENCY_UP,
    BROKER_KILL,
    BROKER_READY,
    BROKER_RESTART,
    DISPOSITIONED,
    WORKER_KILL,
    WORKER_READY,
    WORKER_START,
    Attempt,
    Fault,
    Post,
    Seen,
)
from lapor_hub.streams.ops.chaos.timing import (
    answers_during_outage,
    answers_while_not_ready,
    broker_restarts,
    delivery_recovery,
    failover_times,
    recovery_times,
    worst,
)


def event(partition, at):
    return Seen("complaints.events", partition, f"T{partition}-{at}", DISPOSITIONED, f"e{partition}-{at}", at)


def answer(key, sent, done, status=202, first=True, outcome="answered", worker="worker-1"):
    return Attempt(key, worker, sent, done, status, outcome, "T" if status == 202 else None, first=first)


def test_failover_lasts_until_the_slowest_partition_has_events_again():
    events = [event(0, 99.0), event(0, 101.0), event(1, 99.5), event(1, 130.0), event(1, 131.0)]
    [measured] = failover_times([Fault(100.0, WORKER_KILL, "worker-2")], events, partitions=2, after=(WORKER_KILL,))
    assert measured.seconds == 30.0 and measured.target == "worker-2"


def test_a_partition_never_processed_again_means_no_failover_within_the_run():
    events = [event(0, 101.0)]
    [measured] = failover_times([Fault(100.0, WORKER_KILL)], events, partitions=2, after=(WORKER_KILL,))
    assert measured.seconds is None
    assert worst([measured]) == (None, False)


def test_failover_is_measured_only_from_the_faults_asked_for():
    faults = [Fault(100.0, BROKER_KILL, "node-1"), Fault(110.0, WORKER_KILL, "worker-2")]
    measured = failover_times(faults, [event(0, 112.0)], partitions=1, after=(WORKER_KILL,))
    assert [(m.kind, m.seconds) for m in measured] == [(WORKER_KILL, 2.0)]


def test_recovery_waits_for_a_new_complaint_sent_after_the_restart_to_be_answered():
    attempts = [answer("old", 90.0, 121.0, first=False),   # a retry answered from memory: not proof
                answer("early", 95.0, 122.0),               # sent while the broker was down
                answer("fresh", 123.0, 135.5)]
    faults = [Fault(120.0, BROKER_RESTART, "node-1"), Fault(132.0, BROKER_READY, "node-1")]
    [measured] = recovery_times(faults, attempts)
    assert measured.seconds == 15.5


def test_broker_restarts_time_the_broker_itself():
    faults = [Fault(10.0, BROKER_KILL, "node-1"), Fault(30.0, BROKER_RESTART, "node-1"),
              Fault(42.0, BROKER_READY, "node-1")]
    assert [m.seconds for m in broker_restarts(faults)] == [12.0]


def test_answers_while_the_broker_was_down_are_counted_by_status():
    faults = [Fault(10.0, BROKER_KILL, "node-1"), Fault(30.0, BROKER_RESTART, "node-1"),
              Fault(40.0, BROKER_READY, "node-1")]
    attempts = [answer("a", 5.0, 9.0), answer("b", 11.0, 12.0), answer("c", 12.0, 22.0, status=None, outcome="timeout"),
                answer("d", 20.0, 21.0, status=503), answer("e", 28.0, 29.0, status=None, outcome="connection"),
                answer("late", 31.0, 39.0, status=None, outcome="timeout"),  # the broker may be up: left out
                answer("f", 41.0, 42.0), answer("g", 15.0, 16.0, first=False)]
    assert answers_during_outage(faults, attempts) == {"202 first request": 1, "202 retry": 1, "503": 1,
                                                       "connection": 1, "timeout": 1}


def test_delivery_recovery_lasts_until_the_last_held_back_assignment_arrives():
    inbox = [Seen("agency.18.10.inbox", 0, t, DISPOSITIONED, f"d-{t}", 0.0) for t in ("T1", "T2", "T3")]
    posts = [Post("d-T1", "T1", DISPOSITIONED, 5.0, True), Post("d-T2", "T2", DISPOSITIONED, 64.0, True),
             Post("d-T3", "T3", DISPOSITIONED, 61.0, True)]
    [measured] = delivery_recovery([Fault(60.0, AGENCY_UP)], inbox, posts, {"T1", "T2", "T3"})
    assert measured.seconds == 4.0
    [never] = delivery_recovery([Fault(60.0, AGENCY_UP)], inbox, posts[:2], {"T1", "T2", "T3"})
    assert never.seconds is None


def test_answers_a_restarted_worker_gave_before_it_was_ready_are_counted_per_worker():
    faults = [Fault(0.0, WORKER_START, "worker-1"), Fault(0.0, WORKER_START, "worker-2"),
              Fault(5.0, WORKER_READY, "worker-1"), Fault(5.0, WORKER_READY, "worker-2"),
              Fault(20.0, WORKER_KILL, "worker-2"), Fault(20.0, WORKER_START, "worker-2"),
              Fault(80.0, WORKER_READY, "worker-2")]
    attempts = [answer("a", 1.0, 2.0, worker="worker-2"),          # first start: no load then
                answer("b", 22.0, 23.0, worker="worker-2"), answer("c", 30.0, 31.0, status=503, worker="worker-2"),
                answer("d", 30.0, 31.0, worker="worker-1"), answer("e", 81.0, 82.0, worker="worker-2")]
    assert answers_while_not_ready(faults, attempts) == {"worker-2": {"202": 1, "503": 1}}
