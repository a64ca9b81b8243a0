"""The SDK's pure parts: outcome table, backoff, signatures, update mapping (no network)."""

from __future__ import annotations

import pytest

from lapor_hub.connectors.sdk import AgencyUpdate, DeliveryOutcome, parse_retry_after, parse_update
from lapor_hub.connectors.sdk.backoff import Backoff
from lapor_hub.connectors.sdk.model import event_id_for
from lapor_hub.connectors.sdk.outcomes import http_outcome
from lapor_hub.connectors.sdk.signing import SignatureError, sign, verify
from lapor_hub.connectors.sdk.updates import InvalidUpdate, update_value


@pytest.mark.parametrize("status, outcome", [
    (200, DeliveryOutcome.OK), (201, DeliveryOutcome.OK), (204, DeliveryOutcome.OK), (408, DeliveryOutcome.RETRY), (425, DeliveryOutcome.RETRY),
    (429, DeliveryOutcome.RETRY), (500, DeliveryOutcome.RETRY), (503, DeliveryOutcome.RETRY), (400, DeliveryOutcome.DEAD_LETTER),
    (404, DeliveryOutcome.DEAD_LETTER), (409, DeliveryOutcome.DEAD_LETTER), (422, DeliveryOutcome.DEAD_LETTER), (401, DeliveryOutcome.FAIL),
    (403, DeliveryOutcome.FAIL), (302, DeliveryOutcome.FAIL),
])
def test_the_http_outcome_table(status, outcome):
    assert http_outcome(status) is outcome


def test_backoff_grows_is_capped_jittered_and_honours_retry_after():
    low, high = Backoff(1, 8, random=lambda: 0.0), Backoff(1, 8, random=lambda: 0.999)
    assert [low.delay(n) for n in (1, 2, 3, 4, 5)] == [0.5, 1.0, 2.0, 4.0, 4.0]
    assert all(low.delay(n) <= high.delay(n) <= 8 for n in range(1, 10))
    assert low.delay(1, retry_after=5) == 5
    assert low.delay(1, retry_after=3600) == 8  # capped: the connector keeps probing


def test_retry_after_in_seconds_or_as_a_date():
    assert parse_retry_after("120") == 120
    assert parse_retry_after("Wed, 21 Oct 2015 07:28:10 GMT", now=1445412480) == 10
    assert parse_retry_after("soon") is None and parse_retry_after(None) is None


def test_signatures_verify_and_reject_tampering_other_secrets_and_replays():
    body = b'{"type": "FollowUpRecorded"}'
    header = sign("secret", body, timestamp=1_700_000_000)
    assert verify("secret", body, header, now=1_700_000_100) == 1_700_000_000
    for args in (("secret", body + b" "), ("other", body)):
        with pytest.raises(SignatureError):
            verify(*args, header, now=1_700_000_100)
    with pytest.raises(SignatureError, match="replay window"):
        verify("secret", body, header, now=1_700_000_000 + 301)
    with pytest.raises(SignatureError, match="missing"):
        verify("secret", body, None)


def test_update_ids_are_deterministic_per_connector():
    assert event_id_for("c1", "row:7") == event_id_for("c1", "row:7") != event_id_for("c2", "row:7")
    row = {"type": "FollowUpRecorded", "tracking_id": "LPR-1", "note": "ok"}
    assert parse_update(row).update_id == parse_update(dict(row)).update_id


def test_a_forwarding_names_both_agencies_and_a_decline_may_leave_the_target_empty():
    update = parse_update({"type": "ComplaintForwarded", "tracking_id": "LPR-1", "text": "Bukan wewenang kami"})
    value = update_value(update, connector_id="c", agency="18.10")
    assert (value["from_agency"], value["to_agency"], value["suggested_by_agency"]) == ("18.10", "", False)
    assert value["reason"] == "Bukan wewenang kami" and value["actor"] == "18.10"


@pytest.mark.parametrize("update, message", [
    (AgencyUpdate("FollowUpRecorded", "LPR-1", "u", {}), "needs a non-empty text field 'note'"),
    (AgencyUpdate("FollowUpRecorded", "LPR-1", "u", {"note": "x", "nik": "3201"}), "has no field 'nik'"),
    (AgencyUpdate("ComplaintClosed", "LPR-1", "u", {"reason": "BORED"}), "'reason' must be one of"),
    (AgencyUpdate("ComplaintVerified", "LPR-1", "u", {}), "is not an agency update"),
])
def test_invalid_updates_name_the_field_not_the_value(update, message):
    with pytest.raises(InvalidUpdate) as failure:
        update_value(update, connector_id="c", agency="KEMENKES")
    assert message in failure.value.reason and "3201" not in failure.value.reason
