"""encode/decode: round-trips, version resolution, and failures that leak no personal data."""

from __future__ import annotations

import struct
from datetime import datetime, timedelta, timezone

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lapor_hub.errors import SkippableError
from lapor_hub.schemas import Codec, SerializationError, decode, default_catalog, encode
from tests.schemas.regenerate_golden import write_version
from tests.schemas.samples import FOLLOW_UP_V1, SAMPLES
from tests.schemas.strategies import record_values

RECORD_TYPES = sorted(default_catalog().record_types())
WIB = timezone(timedelta(hours=7))
# Personal data planted in the values below; none of it may appear in an error.
SECRETS = ("Siti Rahayu", "3201046503910007", "+6281298765432", "siti.rahayu@gmail.com")


@pytest.mark.parametrize("record_type", RECORD_TYPES)
def test_every_record_type_round_trips_generated_values(record_type):
    schema = default_catalog().latest(record_type).schema

    @settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(record_values(schema))
    def round_trip(value):
        data = encode(record_type, value)
        assert data[0] == 0
        assert int.from_bytes(data[1:5], "big") == default_catalog().latest(record_type).schema_id
        assert decode(data) == (record_type, value)

    round_trip()


def test_timestamps_decode_as_aware_utc_whatever_zone_they_were_given_in():
    value = dict(SAMPLES["SlaWarning"], deadline_at=datetime(2024, 3, 11, 17, 0, tzinfo=WIB))
    _, decoded = decode(encode("SlaWarning", value))
    assert decoded["deadline_at"] == datetime(2024, 3, 11, 10, 0, tzinfo=timezone.utc)
    assert decoded["deadline_at"].tzinfo == timezone.utc
    assert decoded["occurred_at"].utcoffset() == timedelta(0)


def test_v1_bytes_are_read_by_v2_code_with_the_new_field_defaulted():
    data = write_version("FollowUpRecorded", 1, FOLLOW_UP_V1)
    assert int.from_bytes(data[1:5], "big") == default_catalog().version("id.go.lapor.FollowUpRecorded", 1).schema_id
    record_type, value = decode(data)
    assert record_type == "FollowUpRecorded"
    assert value == {**FOLLOW_UP_V1, "attachments": []}


def test_the_hub_writes_the_latest_version():
    data = encode("FollowUpRecorded", SAMPLES["FollowUpRecorded"])
    assert int.from_bytes(data[1:5], "big") == default_catalog().latest("FollowUpRecorded").schema_id == 20


def test_serialization_error_is_skippable():
    assert issubclass(SerializationError, SkippableError)


def _error_of(call, *args) -> SerializationError:
    with pytest.raises(SerializationError) as caught:
        call(*args)
    error = caught.value
    assert error.reason == str(error)
    # nor in a chained exception (fastavro's messages quote values): a logged traceback shows those
    chain: list[BaseException] = [error]
    seen = error.__cause__ or error.__context__
    while seen is not None:
        chain.append(seen)
        seen = seen.__cause__ or seen.__context__
    for secret in SECRETS:
        assert all(secret not in str(item) for item in chain), secret
    return error


SUBMITTED = SAMPLES["ComplaintSubmitted"]
#: "schema vN" of the latest ComplaintSubmitted, as the codec's reasons name it.
_LATEST = f"schema v{len(default_catalog().versions('id.go.lapor.ComplaintSubmitted'))}"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (dict(SUBMITTED, occurred_at=datetime(2024, 3, 4, 9, 15)), "field occurred_at is a naive datetime"),
        (dict(SUBMITTED, reporter=dict(SUBMITTED["reporter"], nik=3201046503910007)), f"do not match {_LATEST}: nik"),
        (dict(SUBMITTED, privacy="Siti Rahayu"), f"do not match {_LATEST}: privacy"),
        (dict(SUBMITTED, title=None), f"do not match {_LATEST}: title"),
        ({k: v for k, v in SUBMITTED.items() if k != "reporter"}, f"do not match {_LATEST}: reporter"),
        (dict(SUBMITTED, ktp_photo="Siti Rahayu"), f"fields not in {_LATEST}: ktp_photo"),
        (dict(SUBMITTED, attachments=[{"name": "Siti Rahayu"}]), f"do not match {_LATEST}"),
    ],
)
def test_invalid_values_are_refused_naming_fields_not_values(value, expected):
    error = _error_of(encode, "ComplaintSubmitted", value)
    assert expected in error.reason
    assert "cannot encode ComplaintSubmitted" in error.reason


def test_ints_beyond_32_bits_are_refused_instead_of_written():
    error = _error_of(encode, "ComplaintForwarded", dict(SAMPLES["ComplaintForwarded"], hop=2**31))
    assert "hop is out of the 32-bit range" in error.reason


def test_naive_datetimes_are_refused_inside_optional_fields_too():
    value = dict(SAMPLES["ComplaintDispositioned"], due_at=datetime(2024, 3, 11, 17, 0))
    assert "due_at is a naive datetime" in _error_of(encode, "ComplaintDispositioned", value).reason


def test_unknown_record_types_and_non_dicts_are_refused():
    assert "unknown record type 'ComplaintLost'" in _error_of(encode, "ComplaintLost", {}).reason
    assert "must be a dict" in _error_of(encode, "ComplaintAccepted", ["Siti Rahayu"]).reason


GOOD = encode("ComplaintSubmitted", SUBMITTED)


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (b"", "0 bytes is too short"),
        (GOOD[:4], "4 bytes is too short"),
        (b"\x01" + GOOD[1:], "unknown magic byte 1"),
        (b"{" + GOOD[1:], "unknown magic byte 123"),
        (b"\x00" + struct.pack(">I", 4242) + GOOD[5:], "unknown schema id 4242"),
        (GOOD[: len(GOOD) // 2], "not valid Avro"),
        (GOOD[:-1], "not valid Avro"),
        (GOOD + b"Siti Rahayu", "11 bytes left over"),
        (GOOD[:5] + b"\xff" * 64, "not valid Avro"),
    ],
)
def test_bad_bytes_raise_serialization_error_without_values(data, expected):
    assert expected in _error_of(decode, data).reason


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=200), st.sampled_from(default_catalog().ids()))
def test_garbage_after_a_valid_header_never_escapes_as_another_exception(payload, schema_id):
    data = b"\x00" + struct.pack(">I", schema_id) + payload
    try:
        record_type, value = decode(data)
    except SerializationError as error:
        assert f"schema id {schema_id}" in error.reason
    else:  # some garbage happens to be valid Avro: then it must be a full, typed record
        assert isinstance(value, dict) and record_type in RECORD_TYPES


def test_decode_accepts_memoryview_and_bytearray():
    assert decode(memoryview(GOOD))[1] == SUBMITTED
    assert decode(bytearray(GOOD))[1] == SUBMITTED


def test_a_codec_over_another_catalog_uses_that_catalogs_ids():
    codec = Codec(default_catalog())
    assert codec.decode(codec.encode("ComplaintAccepted", SAMPLES["ComplaintAccepted"])) == (
        "ComplaintAccepted", SAMPLES["ComplaintAccepted"])
