"""The public view: what anyone may see, by the reporter's privacy choice."""

from __future__ import annotations

from datetime import datetime, timedelta

from tests.readmodel.factory import REPORTER, VAULT, Hub, dump

_IDENTITY = (REPORTER["name"], REPORTER["nik"], REPORTER["phone"], REPORTER["email"])


#: The one table that keeps the reporter's identity (sealed), for the case file entitled staff open.
_CASE_FILES = "case_files"


def _cells(model, *, case_files: bool = False) -> list[str]:
    """Every cell of every table (but the case files, unless asked), bytes decoded as they come."""
    return [cell.decode("latin-1") if isinstance(cell, bytes) else str(cell)
            for table, rows in dump(model).items() if case_files or table != _CASE_FILES
            for row in rows for cell in row]


def _story(hub: Hub, tid: str, privacy: str) -> None:
    hub.submitted(tid, privacy=privacy)
    hub.dispositioned(tid, "18.10", privacy=privacy)
    hub.accepted(tid)
    hub.followed_up(tid)
    hub.responded(tid)


def test_public_complaint_shows_content_but_never_the_reporter(read_model):
    hub = Hub()
    _story(hub, "LAP-PUB", "PUBLIC")
    assert read_model.apply(hub.events) == 5

    view = read_model.public_view("LAP-PUB")
    assert view["status"] == "responded"
    assert (view["agency_code"], view["agency_name"]) == ("18.10", "KAB. PRINGSEWU")
    assert (view["category"], view["region_code"]) == ("infrastruktur", "18.10")
    assert view["title"] == "Jalan berlubang di depan SDN 1 Pringsewu"
    assert view["description"].startswith("Sudah tiga bulan")
    assert "reporter_name" not in view and not [part for part in _IDENTITY if part in repr(view)]
    assert isinstance(view["submitted_at"], datetime) and view["submitted_at"].utcoffset() == timedelta(0)
    assert [e["type"] for e in view["timeline"]] == [
        "ComplaintSubmitted", "ComplaintDispositioned", "ComplaintAccepted", "FollowUpRecorded", "ResponseGiven",
    ]  # fmt: skip
    assert view["timeline"][1] == {
        "at": hub.events[1].value["occurred_at"], "type": "ComplaintDispositioned",
        "summary": "Dispositioned to KAB. PRINGSEWU", "agency": "18.10",
    }  # fmt: skip


def test_no_table_holds_the_identity_in_clear_not_even_the_case_files(read_model):
    hub = Hub()
    _story(hub, "LAP-PUB", "PUBLIC")
    _story(hub, "LAP-ANON", "ANONYMOUS")
    read_model.apply(hub.events)
    cells = " ".join(_cells(read_model, case_files=True))
    assert not [part for part in _IDENTITY if part in cells]
    # free text of agencies (here naming a third person and a phone number) stays out too
    assert "Joko" not in cells and "0812" not in cells


def test_anonymous_complaint_keeps_no_trace_of_the_reporter(read_model):
    hub = Hub()
    _story(hub, "LAP-ANON", "ANONYMOUS")
    read_model.apply(hub.events)

    view = read_model.public_view("LAP-ANON")
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
    assert "berlubang" not in repr(view)  # not through the timeline summaries either
    assert view["status"] == "responded" and len(view["timeline"]) == 5
    listed = read_model.agency_complaints("18.10")
    assert [c["title"] for c in listed] == [None]


def test_the_case_file_keeps_the_sealed_identity_that_its_key_opens(read_model):
    hub = Hub()
    _story(hub, "LAP-ANON", "ANONYMOUS")
    read_model.apply(hub.events)
    case = read_model.case_file("LAP-ANON")
    assert case["identity"]["key_id"].startswith("LAP-ANON:")
    assert VAULT.open(case["identity"], "LAP-ANON").reporter == REPORTER
    assert "reporter" not in case  # nothing in clear to hand out by mistake


def test_a_private_location_is_sealed_and_a_public_one_kept(read_model):
    hub = Hub()
    address = "Jl. Ahmad Yani 12, Pringsewu"
    spot = {"lat": -5.3606, "lon": 104.9746, "address": address}
    hub.submitted("LAP-HIDE", location=spot, location_private=True)
    hub.submitted("LAP-SHOW", location=spot)
    read_model.apply(hub.events)

    hidden, shown = read_model.case_file("LAP-HIDE"), read_model.case_file("LAP-SHOW")
    assert hidden["location"] == {"region_code": "18.10", "address": None, "lat": None, "lon": None}
    assert hidden["location_private"] is True
    assert VAULT.open(hidden["identity"], "LAP-HIDE").location == spot
    assert shown["location"] == {"region_code": "18.10", **spot} and VAULT.open(
        shown["identity"], "LAP-SHOW").location is None
    assert address not in " ".join(_cells(read_model, case_files=False))


def test_a_submission_stored_before_sealing_leaves_no_identity_in_the_read_model(read_model):
    hub = Hub()
    hub.submitted("LAP-OLD", sealed=False)
    read_model.apply(hub.events)
    assert read_model.case_file("LAP-OLD")["identity"] is None
    assert not [part for part in _IDENTITY if part in " ".join(_cells(read_model, case_files=True))]


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
