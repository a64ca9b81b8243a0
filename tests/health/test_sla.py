"""SLA figures from a real read model (SQLite): escalations by tier, backlog per agency."""

from __future__ import annotations

import pytest

from lapor_hub.streams.health.sla import agency_backlog, escalations_by_tier, sla_snapshot
from lapor_hub.streams.readmodel import open_read_model
from tests.readmodel.factory import Hub

PRINGSEWU, KEMENKES = "18.10", "KEMENKES"


@pytest.fixture
def read_model(tmp_path):
    model = open_read_model(f"sqlite:///{tmp_path / 'read-model.db'}")
    model.create_schema()
    yield model
    model.dispose()


def test_escalations_by_highest_tier_and_the_most_overdue_agencies_first(read_model):
    hub = Hub()
    for tid, agency in (("LAP-1", PRINGSEWU), ("LAP-2", PRINGSEWU), ("LAP-3", KEMENKES), ("LAP-4", KEMENKES)):
        hub.submitted(tid)
        hub.dispositioned(tid, agency)
    hub.escalated("LAP-1")
    hub.escalated("LAP-1", tier=2)
    hub.escalated("LAP-2")
    hub.escalated("LAP-3")
    hub.followed_up("LAP-4")
    hub.responded("LAP-4")
    hub.closed("LAP-4")
    read_model.apply(hub.events)

    assert escalations_by_tier(read_model.engine) == {"1": 2, "2": 1}
    assert agency_backlog(read_model.engine) == [
        {"agency": PRINGSEWU, "name": "KAB. PRINGSEWU", "open": 2, "overdue": 2},
        {"agency": KEMENKES, "name": "Kementerian Kesehatan", "open": 1, "overdue": 1},
    ]
    snapshot = sla_snapshot(read_model, top=1)
    assert snapshot["funnel"] == {"received": 4, "dispositioned": 4, "followed_up": 1, "closed": 1}
    assert (snapshot["open"], snapshot["overdue"], snapshot["escalated"]) == (3, 3, 3)
    assert [row["agency"] for row in snapshot["top_overdue_agencies"]] == [PRINGSEWU]


def test_an_empty_read_model_has_no_escalations_and_no_backlog(read_model):
    snapshot = sla_snapshot(read_model)
    assert snapshot["escalations_by_tier"] == {} and snapshot["agencies"] == [] and snapshot["open"] == 0
