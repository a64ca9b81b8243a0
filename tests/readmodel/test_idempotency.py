"""Redelivered, overlapping and replayed batches leave identical rows."""

from __future__ import annotations

import random
from collections.abc import Callable
from itertools import pairwise

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lapor_hub.streams.readmodel import ProjectedEvent, open_read_model
from tests.readmodel.factory import Hub, dump


def _busy_day(seed: int = 7, complaints: int = 40) -> list[ProjectedEvent]:
    """Interleaved lifecycles of many complaints, in per-complaint order like a partition."""
    rng = random.Random(seed)
    hub = Hub()
    stories: list[list[Callable[..., object]]] = []
    for n in range(complaints):
        tid = f"LAP-{n:04d}"
        privacy = rng.choice(["PUBLIC", "CONFIDENTIAL", "ANONYMOUS"])
        agency = rng.choice(["18.10", "18", "KEMENKES"])
        steps: list[Callable[..., object]]  # called without arguments: each lambda binds its own
        steps = [lambda t=tid, p=privacy: hub.submitted(t, privacy=p),
                 lambda t=tid, a=agency, p=privacy: hub.dispositioned(t, a, privacy=p)]  # fmt: skip
        if rng.random() < 0.3:
            steps += [lambda t=tid: hub.forwarded(t, "18.10" if hub.holder[t] != "18.10" else "18")]
        if rng.random() < 0.4:
            steps += [lambda t=tid: hub.escalated(t, tier=1)]
        if rng.random() < 0.7:
            steps += [lambda t=tid: hub.accepted(t), lambda t=tid: hub.followed_up(t)]
            if rng.random() < 0.6:
                steps += [lambda t=tid: hub.responded(t), lambda t=tid: hub.closed(t)]
        stories.append(steps)
    while stories:  # interleave complaints, keep each one's own order
        steps = rng.choice(stories)
        steps.pop(0)()
        if not steps:
            stories.remove(steps)
    return hub.events


EVENTS = _busy_day()


def test_reapplying_a_batch_changes_nothing(read_model):
    assert read_model.apply(EVENTS) == len(EVENTS)
    before = dump(read_model)
    assert read_model.apply(EVENTS) == 0
    assert dump(read_model) == before


def test_overlapping_batches_give_the_rows_of_one_pass(read_model):
    read_model.apply(EVENTS)
    expected = dump(read_model)
    read_model.drop_schema()
    read_model.create_schema()

    third = len(EVENTS) // 3
    applied = 0
    for start, end in ((0, 2 * third), (third, len(EVENTS) - 5), (2 * third - 7, len(EVENTS))):
        applied += read_model.apply(EVENTS[start:end])
    assert applied == len(EVENTS)
    assert dump(read_model) == expected


def test_replay_into_an_empty_database_rebuilds_identical_rows(read_model):
    for start in range(0, len(EVENTS), 17):  # live: small batches as they come
        read_model.apply(EVENTS[start : start + 17])
    live = dump(read_model)
    stats = {code: read_model.agency_stats(code) for code in ("18.10", "18", "KEMENKES")}
    national = read_model.national_stats()

    read_model.drop_schema()
    read_model.create_schema()
    read_model.apply(EVENTS)  # replay of the topic from the start, one big batch
    assert dump(read_model) == live
    assert {code: read_model.agency_stats(code) for code in stats} == stats
    assert read_model.national_stats() == national
    assert sum(s["received"] for s in stats.values()) >= 40


def test_a_duplicate_inside_one_batch_is_applied_once(read_model):
    hub = Hub()
    submitted = hub.submitted("LAP-1")
    disposition = hub.dispositioned("LAP-1", "18.10")
    assert read_model.apply([submitted, disposition, disposition, submitted]) == 2
    assert len(dump(read_model)["timeline"]) == 2
    assert read_model.agency_stats("18.10")["received"] == 1


@pytest.fixture(scope="module")
def expected_rows() -> dict:
    model = open_read_model("sqlite://")
    model.create_schema()
    model.apply(EVENTS)
    return dump(model)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    cuts=st.lists(st.integers(0, len(EVENTS)), max_size=6),
    redelivered=st.lists(st.integers(0, len(EVENTS)), max_size=4),
)
def test_any_split_with_redeliveries_gives_the_same_rows(expected_rows, cuts, redelivered):
    model = open_read_model("sqlite://")  # in memory: a fresh database per example
    model.create_schema()
    bounds = [0, *sorted(cuts), len(EVENTS)]
    for start, end in pairwise(bounds):
        model.apply(EVENTS[start:end])
        for rewind in redelivered:  # a consumer restarting from an older committed offset
            if rewind < end:
                model.apply(EVENTS[rewind:end])
    assert dump(model) == expected_rows
    model.dispose()


def test_the_bulk_fast_path_stores_what_sqlalchemy_would(read_model):
    read_model.apply(EVENTS)
    fast = dump(read_model)
    read_model.drop_schema()
    read_model.create_schema()

    read_model._bulk._fast = False  # SQLAlchemy's executemany, for drivers without a fast path
    read_model.apply(EVENTS)
    assert dump(read_model) == fast
