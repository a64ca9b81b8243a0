"""CloudEvents 1.0 Kafka binding, binary content mode."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any

import pytest
from cloudevents.v1.kafka import KafkaMessage, from_binary

from lapor_hub.schemas import (
    SerializationError,
    ce_type,
    cloudevent_headers,
    default_catalog,
    encode,
    read_cloudevent_headers,
    record_type_of,
)
from tests.schemas.samples import SAMPLES

AT = datetime(2024, 3, 4, 9, 15, 30, 123456, tzinfo=timezone(timedelta(hours=7)))  # WIB


def _headers(**overrides):
    args: dict[str, Any] = dict(record_type="ComplaintSubmitted", event_id="0b8e6f2a-1", source="/hub/intake",
                subject="LAP-2024-0001708", time=AT)
    args.update(overrides)
    return cloudevent_headers(**args)


def test_headers_are_the_binary_mode_attributes_as_bytes():
    assert dict(_headers()) == {
        "ce_specversion": b"1.0",
        "ce_id": b"0b8e6f2a-1",
        "ce_source": b"/hub/intake",
        "ce_type": b"id.go.lapor.complaint.submitted",
        "ce_time": b"2024-03-04T02:15:30.123456Z",
        "ce_subject": b"LAP-2024-0001708",
        "content-type": b"application/avro",
    }


def test_ce_type_is_derived_from_the_record_type_and_back_for_every_type():
    assert ce_type("ComplaintReturnedToReporter") == "id.go.lapor.complaint.returned.to.reporter"
    assert ce_type("SlaWarning") == "id.go.lapor.sla.warning"
    types = default_catalog().record_types()
    assert len({ce_type(t) for t in types}) == len(types)
    assert all(record_type_of(ce_type(t)) == t for t in types)
    assert record_type_of("com.example.other") is None


def test_an_intake_submission_without_tracking_id_has_no_subject_header():
    assert "ce_subject" not in dict(_headers(subject=""))


def test_naive_times_and_missing_ids_are_refused():
    with pytest.raises(ValueError, match="timezone-aware"):
        _headers(time=datetime(2024, 3, 4, 9, 15))
    with pytest.raises(ValueError, match="non-empty id and source"):
        _headers(event_id="")


def test_reading_back_tolerates_str_or_bytes_names_in_any_case():
    expected = {
        "specversion": "1.0", "id": "0b8e6f2a-1", "source": "/hub/intake", "type": "id.go.lapor.complaint.submitted",
        "time": datetime(2024, 3, 4, 2, 15, 30, 123456, tzinfo=timezone.utc), "subject": "LAP-2024-0001708",
        "datacontenttype": "application/avro",
    }
    headers = _headers()
    assert read_cloudevent_headers(headers) == expected
    as_bytes_keys = [(name.encode(), value) for name, value in headers]  # aiokafka/confluent style
    assert read_cloudevent_headers(as_bytes_keys) == expected
    as_str_dict = {name.upper(): value.decode() for name, value in headers}
    assert read_cloudevent_headers(as_str_dict) == expected
    with_trace = headers + [("ce_traceparent", b"00-abc-01"), ("x-other", b"1")]
    assert read_cloudevent_headers(with_trace)["traceparent"] == "00-abc-01"


def test_missing_attributes_are_a_serialization_error_naming_them():
    headers = [(n, v) for n, v in _headers() if n not in ("ce_id", "ce_source")]
    with pytest.raises(SerializationError, match="missing CloudEvents headers ce_id, ce_source"):
        read_cloudevent_headers(headers)
    with pytest.raises(SerializationError, match="not an RFC 3339"):
        read_cloudevent_headers([(n, b"yesterday" if n == "ce_time" else v) for n, v in _headers()])


def test_the_cloudevents_sdk_reads_our_headers():
    value = encode("ComplaintSubmitted", SAMPLES["ComplaintSubmitted"])
    message = KafkaMessage(headers=dict(_headers()), key=b"LAP-2024-0001708", value=value)
    event = from_binary(message, data_unmarshaller=lambda data: data)
    assert event["id"] == "0b8e6f2a-1"
    assert event["source"] == "/hub/intake"
    assert event["type"] == "id.go.lapor.complaint.submitted"
    assert event["specversion"] == "1.0"
    assert event["subject"] == "LAP-2024-0001708"
    assert event["datacontenttype"] == "application/avro"
    assert datetime.fromisoformat(event["time"]) == AT
    assert event.data == value
