"""An agency's inbox for its staff: what it holds, most urgent first, filtered and searched."""

from __future__ import annotations

from lapor_hub.streams.readmodel.staffqueries import InboxFilter
from tests.readmodel.factory import Hub

PRINGSEWU, LAMPUNG = "18.10", "18"


def _ids(inbox: dict) -> list[str]:
    return [c["tracking_id"] for c in inbox["complaints"]]


def _world(hub: Hub) -> None:
    """LAP-1 fresh, LAP-2 escalated twice, LAP-3 followed up, LAP-4 forwarded away, LAP-5 escalated once,
    LAP-6 about a drainage channel (a title of its own)."""
    for n in range(1, 6):
        hub.submitted(f"LAP-{n}")
        hub.dispositioned(f"LAP-{n}", PRINGSEWU)
    hub.submitted("LAP-6", title="Saluran_air 100% tersumbat sampah", category="lingkungan")
    hub.dispositioned("LAP-6", PRINGSEWU)
    hub.escalated("LAP-2", tier=1)
    hub.escalated("LAP-2", tier=2)
    hub.escalated("LAP-5", tier=1)
    hub.accepted("LAP-3")
    hub.followed_up("LAP-3")
    hub.forwarded("LAP-4", LAMPUNG)


def test_the_inbox_holds_what_the_agency_holds_now_most_urgent_first(read_model):
    hub = Hub()
    _world(hub)
    read_model.apply(hub.events)

    inbox = read_model.agency_inbox(PRINGSEWU, InboxFilter())
    assert _ids(inbox)[:2] == ["LAP-2", "LAP-5"]  # overdue, the higher tier first
    assert set(_ids(inbox)) == {"LAP-1", "LAP-2", "LAP-3", "LAP-5", "LAP-6"}  # LAP-4 went to the province
    assert inbox["total"] == 5
    assert inbox["by_status"] == {"dispositioned": 4, "in_progress": 1}
    first = inbox["complaints"][0]
    assert (first["overdue"], first["escalation_tier"], first["status"]) == (True, 2, "dispositioned")
    assert "reporter" not in first and "reporter_name" not in first and "description" not in first
    assert _ids(read_model.agency_inbox(LAMPUNG, InboxFilter())) == ["LAP-4"]


def test_filters_by_status_overdue_tier_and_text(read_model):
    hub = Hub()
    _world(hub)
    read_model.apply(hub.events)

    def ids(**wanted) -> set[str]:
        return set(_ids(read_model.agency_inbox(PRINGSEWU, InboxFilter(**wanted))))

    assert ids(statuses=("in_progress",)) == {"LAP-3"}
    assert ids(statuses=("in_progress", "accepted", "dispositioned")) == {"LAP-1", "LAP-2", "LAP-3", "LAP-5", "LAP-6"}
    assert ids(overdue=True) == {"LAP-2", "LAP-5"}
    assert ids(overdue=False) == {"LAP-1", "LAP-3", "LAP-6"}
    assert ids(min_tier=2) == {"LAP-2"}
    assert ids(text="saluran") == ids(text="SALURAN_AIR") == ids(text="100%") == ids(text="lingk") == {"LAP-6"}
    assert ids(text="lap-3") == {"LAP-3"}
    assert ids(text="%") == {"LAP-6"} and ids(text="_") == {"LAP-6"}  # wildcards are taken literally
    assert ids(text="tidak ada") == set()
    filtered = read_model.agency_inbox(PRINGSEWU, InboxFilter(overdue=True, limit=1))
    assert filtered["total"] == 2 and len(filtered["complaints"]) == 1
    assert filtered["by_status"] == {"dispositioned": 4, "in_progress": 1}  # the whole inbox, whatever the filter


def test_warnings_count_on_the_current_assignment_only(read_model):
    hub = Hub()
    hub.submitted("LAP-1")
    hub.dispositioned("LAP-1", LAMPUNG)
    hub.warned("LAP-1", 50)  # the province's warning, before it forwarded the complaint
    hub.forwarded("LAP-1", PRINGSEWU)
    hub.dispositioned("LAP-1", PRINGSEWU, hop=1)
    hub.warned("LAP-1", 50)
    hub.warned("LAP-1", 75)
    read_model.apply(hub.events)

    [row] = read_model.agency_inbox(PRINGSEWU, InboxFilter())["complaints"]
    assert row["warnings"] == 2
