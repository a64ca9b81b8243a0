"""Per-agency and national statistics, forwarding and overdue complaints."""

from __future__ import annotations

from lapor_hub.streams.readmodel import ProjectedEvent
from tests.readmodel.factory import Hub, dump

PRINGSEWU, LAMPUNG, KEMENKES = "18.10", "18", "KEMENKES"


def _pringsewu_2020(hub: Hub) -> list[str]:
    """Pringsewu's 2020 figures: 32 complaints received, 30 followed up (and settled), 2 open."""
    tids = [f"LAP-2020-{n:04d}" for n in range(32)]
    for tid in tids:
        hub.submitted(tid)
        hub.dispositioned(tid, PRINGSEWU)
    for tid in tids[:30]:
        hub.accepted(tid)
        hub.followed_up(tid)
        hub.responded(tid)
        hub.closed(tid)
    return tids


def test_pringsewu_received_32_followed_up_30_open_2(read_model):
    hub = Hub()
    tids = _pringsewu_2020(hub)
    assert read_model.apply(hub.events) == 32 * 2 + 30 * 4

    stats = read_model.agency_stats(PRINGSEWU)
    assert (stats["received"], stats["followed_up"], stats["open"]) == (32, 30, 2)
    assert stats["awaiting_follow_up"] == 2
    assert (stats["overdue"], stats["escalated"]) == (0, 0)
    assert stats["by_status"] == {"closed": 30, "dispositioned": 2}
    national = read_model.national_stats()
    assert national["funnel"] == {"received": 32, "dispositioned": 32, "followed_up": 30, "closed": 30}
    assert national["by_status"] == {"closed": 30, "dispositioned": 2}
    assert {c["tracking_id"] for c in read_model.agency_complaints(PRINGSEWU, status="dispositioned")} == set(tids[30:])


def test_a_followed_up_complaint_still_in_progress_is_open(read_model):
    hub = Hub()
    hub.submitted("LAP-1")
    hub.dispositioned("LAP-1", PRINGSEWU)
    hub.followed_up("LAP-1")
    read_model.apply(hub.events)

    stats = read_model.agency_stats(PRINGSEWU)
    assert (stats["received"], stats["followed_up"], stats["open"], stats["awaiting_follow_up"]) == (1, 1, 1, 0)
    assert stats["by_status"] == {"in_progress": 1}


def test_forwarding_moves_the_complaint_and_its_counters(read_model):
    hub = Hub()
    hub.submitted("LAP-1")
    hub.dispositioned("LAP-1", PRINGSEWU)
    hub.forwarded("LAP-1", LAMPUNG, hop=1)
    hub.dispositioned("LAP-1", LAMPUNG, hop=1)
    hub.followed_up("LAP-1")
    read_model.apply(hub.events)

    view = read_model.public_view("LAP-1")
    assert (view["agency_code"], view["agency_name"]) == (LAMPUNG, "PROVINSI LAMPUNG")
    assert view["timeline"][2]["summary"] == "Forwarded from KAB. PRINGSEWU to PROVINSI LAMPUNG"
    old, new = read_model.agency_stats(PRINGSEWU), read_model.agency_stats(LAMPUNG)
    assert (old["received"], old["followed_up"], old["open"]) == (1, 0, 0)
    assert (new["received"], new["followed_up"], new["open"]) == (1, 1, 1)
    assert read_model.agency_complaints(PRINGSEWU) == []
    assert [c["tracking_id"] for c in read_model.agency_complaints(LAMPUNG)] == ["LAP-1"]
    hops = [(row[1], row[2], row[3], row[6] is None) for row in dump(read_model)["assignments"]]
    # (hop, agency, rule, still holding); the forwarding's row takes the routing rule of the
    # disposition that confirmed it
    assert hops == [(0, PRINGSEWU, "region-road-damage", False), (1, LAMPUNG, "region-road-damage", True)]


def test_forwarding_without_a_target_returns_the_complaint_to_triage(read_model):
    hub = Hub()
    hub.submitted("LAP-1")
    hub.dispositioned("LAP-1", PRINGSEWU)
    hub.forwarded("LAP-1", "", hop=1)
    read_model.apply(hub.events)

    view = read_model.public_view("LAP-1")
    assert (view["status"], view["agency_code"]) == ("triage", "KEMENPANRB")
    assert view["agency_name"] == "Kementerian Pendayagunaan Aparatur Negara dan Reformasi Birokrasi"
    assert read_model.agency_stats(PRINGSEWU)["open"] == 0
    assert read_model.agency_stats("KEMENPANRB")["by_status"] == {"triage": 1}
    assert read_model.agency_stats("KEMENPANRB")["received"] == 0  # triage is not a disposition
    assert all(row[6] is not None for row in dump(read_model)["assignments"])


def test_an_empty_agency_header_means_nobody_holds_it(read_model):
    hub = Hub()
    hub.submitted("LAP-1")
    hub.dispositioned("LAP-1", PRINGSEWU)
    forwarded = hub.forwarded("LAP-1", "", hop=1)
    read_model.apply([*hub.events[:-1], ProjectedEvent(forwarded.record_type, forwarded.value, "triage", "")])

    view = read_model.public_view("LAP-1")
    assert (view["agency_code"], view["agency_name"]) == (None, None)
    assert read_model.agency_stats(PRINGSEWU)["open"] == 0


def test_escalation_makes_the_holder_overdue_until_it_follows_up(read_model):
    hub = Hub()
    for tid in ("LAP-1", "LAP-2", "LAP-3"):
        hub.submitted(tid)
        hub.dispositioned(tid, PRINGSEWU)
    hub.submitted("LAP-4")
    hub.dispositioned("LAP-4", KEMENKES)
    hub.escalated("LAP-1", tier=1)
    hub.escalated("LAP-1", tier=2)
    hub.escalated("LAP-2", tier=1)
    hub.escalated("LAP-4", tier=3)
    read_model.apply(hub.events)

    stats = read_model.agency_stats(PRINGSEWU)
    assert (stats["overdue"], stats["escalated"], stats["open"]) == (2, 2, 3)
    assert read_model.top_overdue_agencies(5) == [
        {"agency": PRINGSEWU, "name": "KAB. PRINGSEWU", "overdue": 2},
        {"agency": KEMENKES, "name": "Kementerian Kesehatan", "overdue": 1},
    ]
    assert read_model.top_overdue_agencies(1)[0]["agency"] == PRINGSEWU
    listed = {c["tracking_id"]: c for c in read_model.agency_complaints(PRINGSEWU)}
    assert (listed["LAP-1"]["overdue"], listed["LAP-1"]["escalation_tier"]) == (True, 2)
    assert (listed["LAP-3"]["overdue"], listed["LAP-3"]["escalation_tier"]) == (False, 0)

    read_model.apply([hub.followed_up("LAP-1")])
    stats = read_model.agency_stats(PRINGSEWU)
    assert (stats["overdue"], stats["escalated"]) == (1, 2)  # escalated is history; overdue is now
    assert read_model.national_stats()["overdue"] == 2
    assert read_model.national_stats()["escalated"] == 3


def test_forwarding_clears_overdue_and_a_late_escalation_of_the_old_holder_does_not_return_it(read_model):
    hub = Hub()
    hub.submitted("LAP-1")
    hub.dispositioned("LAP-1", PRINGSEWU)
    hub.escalated("LAP-1")
    hub.forwarded("LAP-1", LAMPUNG)
    hub.escalated("LAP-1", PRINGSEWU, tier=2)  # raced with the forwarding
    read_model.apply(hub.events)

    old, new = read_model.agency_stats(PRINGSEWU), read_model.agency_stats(LAMPUNG)
    assert (old["overdue"], old["escalated"], old["open"]) == (0, 1, 0)
    assert (new["overdue"], new["escalated"], new["open"], new["received"]) == (0, 0, 1, 1)
    assert read_model.top_overdue_agencies(3) == []


def test_response_and_closing_clear_overdue_and_reopening_keeps_counts_right(read_model):
    hub = Hub()
    hub.submitted("LAP-1")
    hub.dispositioned("LAP-1", PRINGSEWU)
    hub.followed_up("LAP-1")
    hub.escalated("LAP-1", status="in_progress")  # settlement deadline missed later
    read_model.apply(hub.events)
    assert read_model.agency_stats(PRINGSEWU)["overdue"] == 1

    read_model.apply([hub.responded("LAP-1"), hub.closed("LAP-1")])
    assert read_model.agency_stats(PRINGSEWU)["overdue"] == 0
    assert read_model.national_stats()["funnel"]["closed"] == 1

    read_model.apply([hub.reopened("LAP-1")])
    stats = read_model.agency_stats(PRINGSEWU)
    assert (stats["open"], stats["followed_up"], stats["received"]) == (1, 1, 1)
    assert read_model.national_stats()["funnel"]["closed"] == 0


def test_agency_complaints_pages_newest_first(read_model):
    hub = Hub()
    for n in range(5):
        hub.submitted(f"LAP-{n}")
        hub.dispositioned(f"LAP-{n}", PRINGSEWU)
    read_model.apply(hub.events)

    first = read_model.agency_complaints(PRINGSEWU, limit=2)
    rest = read_model.agency_complaints(PRINGSEWU, limit=10, offset=2)
    assert [c["tracking_id"] for c in first + rest] == ["LAP-4", "LAP-3", "LAP-2", "LAP-1", "LAP-0"]
    assert read_model.agency_complaints(PRINGSEWU, status="closed") == []
    assert "reporter_name" not in first[0]
