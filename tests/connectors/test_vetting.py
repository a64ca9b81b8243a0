"""Polled records are checked one by one: the bad ones refused with a reason, the watermark past all."""

from __future__ import annotations

import pytest

from lapor_hub.connectors.sdk.model import AgencyUpdate
from lapor_hub.connectors.sdk.updates import InvalidUpdate, UpdateConflict, update_value
from lapor_hub.connectors.sdk.vetting import check_pushed, record_id, sort_polled
from lapor_hub.errors import RetriableError


def _value_of(update: AgencyUpdate) -> dict:
    return update_value(update, connector_id="pringsewu-sipp", agency="18.10")


def _row(number: int, **fields) -> dict:
    return {"id": number, "tracking_id": "LPR-1", "type": "FollowUpRecorded", "note": f"catatan {number}", **fields}


def test_a_malformed_record_is_refused_and_the_watermark_moves_past_it():
    polled = sort_polled([_row(1), _row(2, type="Selesai"), _row(3, note=""), _row(4)], cursor="id", after=None,
                         value_of=_value_of)
    assert [u.fields["note"] for u, _ in polled.taken] == ["catatan 1", "catatan 4"]
    assert [(record["id"], error.reason) for record, error in polled.refused] == [
        (2, "'type' must be one of ComplaintAccepted, ComplaintClosed, ComplaintForwarded, "
            "ComplaintReturnedToReporter, FollowUpRecorded, ResponseGiven"),
        (3, "FollowUpRecorded needs a non-empty text field 'note'")]
    assert polled.after == 4


def test_the_cursor_names_the_update_so_a_re_read_gives_the_same_event_id():
    first = sort_polled([_row(7)], cursor="id", after=None, value_of=_value_of)
    again = sort_polled([_row(7)], cursor="id", after=None, value_of=_value_of)
    assert first.taken[0][0].update_id == "id:7"
    assert first.taken[0][1]["event_id"] == again.taken[0][1]["event_id"]


def test_a_record_without_the_cursor_is_refused_saying_so():
    polled = sort_polled([{"tracking_id": "LPR-1", "type": "ComplaintAccepted"}], cursor="id", after=5,
                         value_of=_value_of)
    assert polled.refused[0][1].reason.startswith("the record has no 'id' (the connector's cursor)")
    assert polled.after == 5


def test_what_is_not_a_record_is_refused_and_a_non_list_answer_is_retried():
    polled = sort_polled(["FollowUpRecorded"], cursor=None, after=None, value_of=_value_of)
    assert polled.refused[0][1].reason == "poll() returned a str: return AgencyUpdate objects or mappings"
    with pytest.raises(RetriableError, match="poll\\(\\) returned a dict, not a list of updates"):
        sort_polled({"error": "maintenance"}, cursor=None, after=None, value_of=_value_of)


def test_an_unforeseen_error_reading_a_record_refuses_that_record_only():
    def fragile(update: AgencyUpdate) -> dict:
        if update.fields.get("note") == "catatan 2":
            raise KeyError("boom")
        return _value_of(update)

    polled = sort_polled([_row(1), _row(2), _row(3)], cursor="id", after=None, value_of=fragile)
    assert [u.fields["note"] for u, _ in polled.taken] == ["catatan 1", "catatan 3"]
    assert polled.refused[0][1].reason == "unexpected KeyError reading the record"


class _Refuses:
    """An UpdateCheck that knows complaint LPR-GONE does not exist."""

    def check(self, updates):
        return [UpdateConflict("the hub holds no complaint LPR-GONE") if u.tracking_id == "LPR-GONE" else None
                for u, _ in updates]

    def published(self, updates):
        pass

    def delivered(self, delivery):
        pass


def test_an_update_check_refuses_what_the_hub_can_already_tell_is_wrong():
    polled = sort_polled([_row(1), _row(2, tracking_id="LPR-GONE")], cursor="id", after=None, value_of=_value_of,
                         check=_Refuses())
    assert [u.tracking_id for u, _ in polled.taken] == ["LPR-1"]
    assert isinstance(polled.refused[0][1], UpdateConflict) and polled.refused[0][1].status == 409


def test_pushed_updates_are_all_or_nothing_naming_the_first_refused():
    good = AgencyUpdate("ComplaintAccepted", "LPR-1", "u-1", {})
    bad = AgencyUpdate("ResponseGiven", "LPR-1", "u-2", {"response": "ok", "rating": 5})
    assert [u for u, _ in check_pushed([good], value_of=_value_of)] == [good]
    with pytest.raises(InvalidUpdate, match="update 1: ResponseGiven has no field 'rating'") as refused:
        check_pushed([good, bad], value_of=_value_of)
    assert refused.value.status == 422
    with pytest.raises(UpdateConflict, match="update 0: the hub holds no complaint") as conflict:
        check_pushed([AgencyUpdate("ComplaintAccepted", "LPR-GONE", "u-3", {})], value_of=_value_of,
                     check=_Refuses())
    assert conflict.value.status == 409


def test_a_record_id_is_its_update_id_or_a_hash_of_its_content():
    assert record_id({"update_id": "u-9", "type": "x"}) == "u-9"
    assert record_id({"type": "x", "b": 1}) == record_id({"b": 1, "type": "x"}) != record_id({"type": "y"})

