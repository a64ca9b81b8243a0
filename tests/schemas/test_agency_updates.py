"""The contract's list of what may be published on an agency outbox, and that its users follow it."""

from __future__ import annotations

import pytest

from lapor_hub import schemas
from lapor_hub.connectors.sdk.updates import UPDATE_FIELDS, InvalidUpdate, parse_update, update_value
from lapor_hub.schemas.agency_updates import AGENCY_UPDATES, NATIONAL_ADMIN_UPDATES, OUTBOX_UPDATES
from lapor_hub.streams.directory import NATIONAL_ADMIN, default_directory
from lapor_hub.streams.lifecycle.authority import Standing, check, check_agency_update
from lapor_hub.streams.lifecycle.commands import IllegalTransition
from lapor_hub.streams.lifecycle.status import Status
from tests.schemas.samples import SAMPLES


def test_an_outbox_carries_the_agencies_updates_and_the_national_admin_s_decisions():
    assert AGENCY_UPDATES.isdisjoint(NATIONAL_ADMIN_UPDATES)
    assert OUTBOX_UPDATES == AGENCY_UPDATES | NATIONAL_ADMIN_UPDATES
    assert len(AGENCY_UPDATES) == 6 and len(NATIONAL_ADMIN_UPDATES) == 3


@pytest.mark.parametrize("record_type", sorted(OUTBOX_UPDATES))
def test_every_listed_type_is_a_record_of_the_contract(record_type):
    assert schemas.decode(schemas.encode(record_type, SAMPLES[record_type]))[0] == record_type


def test_the_sdk_maps_exactly_the_agencies_updates():
    assert set(UPDATE_FIELDS) == AGENCY_UPDATES
    for record_type in NATIONAL_ADMIN_UPDATES:
        with pytest.raises(InvalidUpdate, match="'type' must be one of"):
            parse_update({"type": record_type, "tracking_id": "LPR-1"})


def test_the_outbox_relay_accepts_exactly_the_listed_types():
    catalog = set(SAMPLES)
    for record_type in catalog:
        record = {"actor": "18.10", "tracking_id": "LPR-1"}
        if record_type in OUTBOX_UPDATES:
            check_agency_update("18.10", record_type, record)
        else:
            with pytest.raises(IllegalTransition, match="not an update an agency may publish"):
                check_agency_update("18.10", record_type, record)


@pytest.mark.parametrize("record_type, status", [("ComplaintPutOnHold", Status.TRIAGE),
                                                 ("ComplaintVerified", Status.ON_HOLD),
                                                 ("ComplaintArchived", Status.TRIAGE)])
def test_only_kemenpanrb_s_outbox_may_carry_a_national_admin_decision(record_type, status):
    directory = default_directory()
    standing = Standing(status, NATIONAL_ADMIN)
    value = {"reason": "SPAM", "notes": None}
    check(standing, record_type, NATIONAL_ADMIN, value, directory)
    with pytest.raises(IllegalTransition, match="national admin's decision"):
        check(standing, record_type, "18.10", value, directory)


def test_an_update_the_sdk_builds_is_one_the_relay_accepts():
    for record_type in sorted(AGENCY_UPDATES):
        text = {"ComplaintForwarded": {"reason": "bukan wewenang"}, "ComplaintReturnedToReporter": {"reason": "?"},
                "FollowUpRecorded": {"note": "ok"}, "ResponseGiven": {"response": "ok"}}.get(record_type, {})
        value = update_value(parse_update({"type": record_type, "tracking_id": "LPR-1", **text}),
                             connector_id="c", agency="18.10")
        check_agency_update("18.10", record_type, value)
