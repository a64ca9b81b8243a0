"""The SLA index: due complaints by due time, never one missed, stale entries harmless."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from lapor_hub.streams.lifecycle.dueindex import RETRY_AFTER_S, DueIndex


def test_only_what_is_due_is_taken_earliest_first():
    index = DueIndex()
    index.note("b", 20.0)
    index.note("a", 10.0)
    index.note("c", 30.0)
    assert index.take_due(25.0, limit=10) == [("a", 10.0), ("b", 20.0)]
    assert index.take_due(25.0, limit=10) == []


def test_a_complaint_that_moved_on_is_not_proposed_at_its_old_time():
    index = DueIndex()
    index.note("a", 10.0)
    index.note("a", 50.0)
    assert index.take_due(20.0, limit=10) == []
    assert index.take_due(50.0, limit=10) == [("a", 50.0)]


def test_nothing_due_removes_the_complaint():
    index = DueIndex()
    index.note("a", 10.0)
    index.note("a", None)
    assert index.take_due(100.0, limit=10) == [] and len(index) == 0


def test_a_proposal_that_changed_nothing_is_made_again_after_the_retry_interval():
    index = DueIndex()
    index.note("a", 10.0)
    assert index.take_due(10.0, limit=10) == [("a", 10.0)]
    assert index.take_due(10.0 + RETRY_AFTER_S - 1, limit=10) == []
    assert [key for key, _ in index.take_due(10.0 + RETRY_AFTER_S, limit=10)] == ["a"]


def test_the_limit_leaves_the_rest_for_the_next_tick():
    index = DueIndex()
    for n in range(10):
        index.note(f"c{n}", float(n))
    first = index.take_due(100.0, limit=4)
    second = index.take_due(100.0, limit=100)
    assert [key for key, _ in first] == ["c0", "c1", "c2", "c3"]
    assert sorted(key for key, _ in second) == [f"c{n}" for n in range(4, 10)]


def test_a_note_during_a_rebuild_beats_the_older_value_the_rebuild_reads():
    index = DueIndex()
    index.note("gone", 5.0)
    index.begin_rebuild()
    index.note("a", 90.0)  # the lifecycle stored a newer state meanwhile
    index.rebuild_note("a", 10.0)  # the rebuild's reading of the table, from before
    index.rebuild_note("b", 20.0)
    index.end_rebuild()
    assert index.take_due(50.0, limit=10) == [("b", 20.0)]
    assert index.take_due(90.0, limit=10) == [("a", 90.0)]


_notes = st.lists(st.tuples(st.sampled_from("abcdefgh"), st.one_of(st.none(), st.integers(0, 100).map(float))),
                  max_size=60)


@given(_notes, st.integers(0, 120).map(float))
def test_every_complaint_whose_last_note_is_due_is_taken_exactly_once(notes, now):
    index = DueIndex()
    for key, due in notes:
        index.note(key, due)
    last = dict(notes)
    expected = sorted(key for key, due in last.items() if due is not None and due <= now)
    assert sorted(key for key, _ in index.take_due(now, limit=1_000)) == expected


def test_stale_entries_do_not_pile_up():
    index = DueIndex()
    for n in range(100_000):
        index.note("busy", float(n))
    assert len(index._heap) < 2_000 and len(index) == 1
