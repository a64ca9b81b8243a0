"""What counts as answered, lost and duplicated: the definitions, without any service."""

from lapor_hub.streams.ops.chaos.counting import (
    ANSWERED_TWICE,
    CASE_TWICE,
    DELIVERED_TWICE,
    DISPOSITIONED_TWICE,
    NO_DISPOSITIONED,
    NO_SUBMITTED,
    NOT_AT_AGENCY,
    NOT_VISIBLE,
    STORED_TWICE,
    SUBMITTED_TWICE,
    count_agency,
    count_complaints,
)
from lapor_hub.streams.ops.chaos.model import DISPOSITIONED, SUBMITTED, Attempt, Post, Seen

EVENTS = "complaints.events"
INBOX = "agency.18.10.inbox"


def attempt(key, status=202, tracking_id=None, outcome="answered", worker="worker-1", at=0.0, first=True):
    return Attempt(key, worker, at, at + 0.1, status, outcome, tracking_id if status == 202 else None, first=first)


def seen(tracking_id, record_type, event_id, *, topic=EVENTS, key=None, partition=0, at=0.0):
    return Seen(topic, partition, tracking_id, record_type, event_id, at, key=key, agency="18.10")


def stored(tracking_id, key, n=1):
    """A complaint processed as the hub should: submitted, dispositioned, delivered."""
    return [seen(tracking_id, SUBMITTED, f"s-{tracking_id}-{n}", key=key),
            seen(tracking_id, DISPOSITIONED, f"d-{tracking_id}-{n}")]


def test_a_complaint_answered_stored_and_shown_everywhere_is_neither_lost_nor_duplicated():
    counts = count_complaints([attempt("k1", tracking_id="T1")], stored("T1", "k1"),
                              intake=[seen("T1", SUBMITTED, "s-T1-1", topic="complaints.intake")],
                              visible={"worker-1": {"T1"}, "worker-2": {"T1"}})
    assert (counts.sent, counts.answered, counts.keys_answered, counts.lost, counts.duplicated) == (1, 1, 1, 0, 0)
    assert counts.never_on_intake == 0 and counts.lost_by_reason == {} and counts.duplicated_by_kind == {}


def test_a_202_for_a_complaint_never_on_the_events_topic_is_lost_with_both_reasons():
    counts = count_complaints([attempt("k1", tracking_id="T1")], [], visible={"worker-1": set()})
    assert counts.lost == 1
    assert counts.lost_by_reason[NO_SUBMITTED] == ("T1",)
    assert counts.lost_by_reason[NO_DISPOSITIONED] == ("T1",)
    assert counts.lost_by_reason[NOT_VISIBLE + "worker-1"] == ("T1",)
    assert counts.never_on_intake == 1


def test_submitted_but_never_dispositioned_is_lost():
    counts = count_complaints([attempt("k1", tracking_id="T1")], stored("T1", "k1")[:1])
    assert counts.lost_by_reason == {NO_DISPOSITIONED: ("T1",)}


def test_a_complaint_one_worker_does_not_show_is_lost_for_the_citizen_asking_that_worker():
    counts = count_complaints([attempt("k1", tracking_id="T1"), attempt("k2", tracking_id="T2")],
                              stored("T1", "k1") + stored("T2", "k2"),
                              visible={"worker-1": {"T1", "T2"}, "worker-2": {"T1"}})
    assert counts.lost == 1
    assert counts.lost_by_reason == {NOT_VISIBLE + "worker-2": ("T2",)}


def test_retries_answered_with_the_same_tracking_id_are_one_complaint():
    attempts = [attempt("k1", status=None, outcome="timeout"), attempt("k1", status=503, first=False),
                attempt("k1", tracking_id="T1", first=False), attempt("k1", tracking_id="T1", first=False)]
    counts = count_complaints(attempts, stored("T1", "k1"))
    assert (counts.answered, counts.keys_answered, counts.duplicated) == (1, 1, 0)


def test_one_key_answered_with_two_tracking_ids_is_one_duplicated_submission():
    attempts = [attempt("k1", tracking_id="T1"), attempt("k1", tracking_id="T2", first=False)]
    counts = count_complaints(attempts, stored("T1", "k1") + stored("T2", "k1"))
    assert counts.duplicated_by_kind[ANSWERED_TWICE] == ("k1",)
    assert counts.duplicated_by_kind[STORED_TWICE] == ("k1",)
    assert counts.duplicated == 1, "two kinds of evidence, one citizen's submission"
    assert counts.answered == 2 and counts.lost == 0


def test_a_key_stored_under_a_second_tracking_id_no_client_saw_is_a_duplicate():
    counts = count_complaints([attempt("k1", tracking_id="T1")], stored("T1", "k1") + stored("T9", "k1"))
    assert counts.duplicated_by_kind == {STORED_TWICE: ("k1",)}
    assert counts.stored_unanswered == 1


def test_two_event_ids_for_one_submission_or_disposition_are_duplicates():
    events = stored("T1", "k1") + [seen("T1", SUBMITTED, "s-other", key="k1"), seen("T1", DISPOSITIONED, "d-other")]
    counts = count_complaints([attempt("k1", tracking_id="T1")], events)
    assert counts.duplicated_by_kind == {SUBMITTED_TWICE: ("T1",), DISPOSITIONED_TWICE: ("T1",)}
    assert counts.duplicated == 1


def test_the_same_event_read_twice_is_not_a_duplicate():
    counts = count_complaints([attempt("k1", tracking_id="T1")], stored("T1", "k1") * 2,
                              inboxes=[seen("T1", DISPOSITIONED, "d-T1-1", topic=INBOX)] * 2)
    assert counts.duplicated == 0


def test_an_inbox_delivering_one_assignment_under_two_event_ids_is_a_duplicate():
    inboxes = [seen("T1", DISPOSITIONED, "d-1", topic=INBOX), seen("T1", DISPOSITIONED, "d-2", topic=INBOX)]
    counts = count_complaints([attempt("k1", tracking_id="T1")], stored("T1", "k1"), inboxes=inboxes)
    assert counts.duplicated_by_kind == {DELIVERED_TWICE: ("T1",)}


def test_other_runs_complaints_on_the_same_topics_are_ignored():
    counts = count_complaints([attempt("k1", tracking_id="T1")],
                              stored("T1", "k1") + stored("X", "someone-else") + [seen("X", SUBMITTED, "again")])
    assert counts.duplicated == 0 and counts.stored_unanswered == 0


def test_keys_rejected_with_a_4xx_or_never_answered_are_counted_apart():
    attempts = [attempt("k1", tracking_id="T1"), attempt("k2", status=422),
                attempt("k3", status=None, outcome="timeout"), attempt("k3", status=503, first=False)]
    counts = count_complaints(attempts, stored("T1", "k1"))
    assert (counts.sent, counts.keys_answered, counts.keys_rejected, counts.keys_unanswered) == (3, 1, 1, 1)
    assert counts.lost == 0


def test_every_assignment_at_the_agency_once_with_redeliveries_deduplicated_is_clean():
    inbox = [seen("T1", DISPOSITIONED, "d-1", topic=INBOX), seen("T2", DISPOSITIONED, "d-2", topic=INBOX)]
    posts = [Post("d-1", "T1", DISPOSITIONED, 1.0, True), Post("d-1", "T1", DISPOSITIONED, 2.0, False),
             Post("d-2", "T2", DISPOSITIONED, 3.0, True)]
    counts = count_agency(inbox, posts, {"T1", "T2"})
    assert (counts.assignments, counts.arrived, counts.redeliveries, counts.lost, counts.duplicated) == (2, 2, 1, 0, 0)


def test_an_assignment_that_never_reached_the_agency_is_lost_and_two_cases_are_a_duplicate():
    inbox = [seen("T1", DISPOSITIONED, "d-1", topic=INBOX), seen("T2", DISPOSITIONED, "d-2", topic=INBOX)]
    posts = [Post("d-1", "T1", DISPOSITIONED, 1.0, True), Post("d-1b", "T1", DISPOSITIONED, 2.0, True)]
    counts = count_agency(inbox, posts, {"T1", "T2"})
    assert counts.lost_by_reason == {NOT_AT_AGENCY: ("T2",)}
    assert counts.duplicated_by_kind == {CASE_TWICE: ("T1",)}
    assert (counts.lost, counts.duplicated) == (1, 1)
