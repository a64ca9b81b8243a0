"""The public view: what anyone may see, by the reporter's privacy choice."""

from __future__ import annotations

from datetime import datetime, timedelta

from tests.readmodel.factory import REPORTER, Hub, dump

_IDENTITY = (REPORTER["name"], REPORTER["nik"], REPORTER["phone"], REPORTER["email"])


#: The one table that keeps the reporter's identity, for the case file entitled staff open.
_CASE_FILES = "case_files"


def _cells(model) -> list[str]:
    """Every cell of every table but the case files."""
    return [str(cell) for table, rows in dump(model).items() if table != _CASE_FILES for row in rows for cell in row]


def _story(hub: Hub, tid: str, privacy: str) -> None:
    hub.submitted(tid, privacy=privacy)
    hub.dispositioned(tid, "18.10", privacy=privacy)
    hub.accepted(tid)
    hub.followed_up(tid)
    hub.responded(tid)


def test_public_complaint_shows_content_and_reporter_name(read_model):
    hub = Hub()
    _story(hub, "LAP-PUB", "PUBLIC")
    assert read_model.apply(hub.events) == 5

    view = read_model.public_view("LAP-PUB")
    assert view["status"] == "responded"
    assert (view["agency_code"], view["agency_name"]) == ("18.10", "KAB. PRINGSEWU")
    assert (view["category"], view["region_code"]) == ("infrastruktur", "18.10")
    assert view["title"] == "Jalan berlubang di depan SDN 1 Pringsewu"
    assert view["description"].startswith("Sudah tiga bulan")
    assert view["reporter_name"] == "Siti Rahayu"
    assert isinstance(view["submitted_at"], datetime) and view["submitted_at"].utcoffset() == timedelta(0)
    assert [e["type"] for e in view["timeline"]] == [
        "ComplaintSubmitted", "ComplaintDispositioned", "ComplaintAccepted", "FollowUpRecorded", "ResponseGiven",
    ]  # fmt: skip
    assert view["timeline"][1] == {
        "at": hub.events[1].value["occurred_at"], "type": "ComplaintDispositioned",
        "summary": "Dispositioned to KAB. PRINGSEWU", "agency": "18.10",
    }  # fmt: skip


def test_identity_documents_are_never_stored_even_for_public_complaints(read_model):
    hub = Hub()
    _story(hub, "LAP-PUB", "PUBLIC")
    read_model.apply(hub.events)
    cells = " ".join(_cells(read_model))
    for secret in (REPORTER["nik"], REPORTER["phone"], REPORTER["email"]):
        assert secret not in cells
    # free text of agencies (here naming a third person and a phone number) stays out too
    assert "Joko" not in cells and "0812" not in cells


def test_anonymous_complaint_keeps_no_trace_of_the_reporter(read_model):
    hub = Hub()
    _story(hub, "LAP-ANON", "ANONYMOUS")
    read_model.apply(hub.events)

    view = read_model.public_view("LAP-ANON")
    assert view["reporter_name"] is None
    assert view["title"] == "Jalan berlubang di depan SDN 1 Pringsewu"  # content stays public
    cells = " ".join(_cells(read_model))
    assert not [part for part in _IDENTITY if part in cells]
    assert not [part for part in _IDENTITY if part in repr(view)]


def test_confidential_complaint_hides_its_content(read_model):
    hub = Hub()
    _story(hub, "LAP-RHS", "CONFIDENTIAL")
    read_model.apply(hub.events)

    view = read_model.public_view("LAP-RHS")
    assert view["content_hidden"] is True
    assert view["title"] is None and view["description"] is None
    assert view["reporter_name"] is None
    assert "berlubang" not in repr(view)  # not through the timeline summaries either
    assert view["status"] == "responded" and len(view["timeline"]) == 5
    listed = read_model.agency_complaints("18.10")
    assert [c["title"] for c in listed] == [None]


def test_the_identity_is_kept_in_the_case_file_only(read_model):
    hub = Hub()
    _story(hub, "LAP-ANON", "ANONYMOUS")
    read_model.apply(hub.events)
    case_files = dump(read_model)[_CASE_FILES]
    assert len(case_files) == 1
    assert {REPORTER["nik"], REPORTER["phone"], REPORTER["email"], REPORTER["name"]} <= {str(c) for c in case_files[0]}


def test_becoming_anonymous_later_erases_the_stored_name(read_model):
    hub = Hub()
    hub.submitted("LAP-1", privacy="PUBLIC")
    read_model.apply(hub.events)
    assert read_model.public_view("LAP-1")["reporter_name"] == "Siti Rahayu"

    read_model.apply([hub.dispositioned("LAP-1", "18.10", privacy="ANONYMOUS")])
    assert read_model.public_view("LAP-1")["reporter_name"] is None
    assert "Siti Rahayu" not in " ".join(_cells(read_model))


def test_operational_records_stay_out_of_the_public_timeline(read_model):
    hub = Hub()
    hub.submitted("LAP-1")
    hub.dispositioned("LAP-1", "18.10")
    hub.delivered("LAP-1")
    hub.warned("LAP-1")
    read_model.apply(hub.events)

    assert [e["type"] for e in read_model.public_view("LAP-1")["timeline"]] == [
        "ComplaintSubmitted", "ComplaintDispositioned",
    ]  # fmt: skip
    assert len(dump(read_model)["timeline"]) == 4  # still recorded, for operators


def test_unknown_tracking_id_has_no_view(read_model):
    assert read_model.public_view("LAP-NONE") is None
