"""Committed wire bytes must keep decoding to the committed values, and re-encode identically.

If one of these fails, released bytes changed meaning: that breaks every agency consumer.
Regenerate only for a new record type or version (see regenerate_golden.py).
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from lapor_hub.schemas import decode, default_catalog, encode
from tests.schemas.regenerate_golden import GOLDEN, from_json
from tests.schemas.samples import OLDER_VERSIONS, SAMPLES


def _load(name: str):
    return (GOLDEN / f"{name}.bin").read_bytes(), from_json(json.loads((GOLDEN / f"{name}.json").read_text("utf-8")))


def test_there_is_a_golden_vector_for_every_record_type():
    present = {path.stem for path in GOLDEN.glob("*.bin")}
    assert present == set(default_catalog().record_types()) | set(OLDER_VERSIONS)


@pytest.mark.parametrize("record_type", sorted(SAMPLES))
def test_golden_bytes_decode_to_the_golden_value_and_re_encode_identically(record_type):
    data, value = _load(record_type)
    assert decode(data) == (record_type, value)
    assert encode(record_type, value) == data


#: What the fields added since each older version read as: their defaults.
_ADDED_SINCE: dict[str, dict[str, Any]] = {"FollowUpRecorded.v1": {"attachments": []},
                                            "ComplaintSubmitted.v1": {"reporter_token_hash": None,
                                                                      "classification": "COMPLAINT"},
                                            "ComplaintSubmitted.v2": {"classification": "COMPLAINT"},
                                            "ComplaintDispositioned.v1": {"classification": "COMPLAINT",
                                                                          "unit": None}}


@pytest.mark.parametrize("name", sorted(OLDER_VERSIONS))
def test_golden_bytes_of_older_versions_decode_into_the_latest_version(name):
    record_type, version, _ = OLDER_VERSIONS[name]
    data, value = _load(name)
    released = default_catalog().version(default_catalog().subject_for(record_type), version)
    assert data[1:5] == released.schema_id.to_bytes(4, "big")  # the old version's id, forever
    assert decode(data) == (record_type, {**value, **_ADDED_SINCE[name]})


def test_the_schema_ids_of_released_versions_never_change():
    assert default_catalog().version("id.go.lapor.FollowUpRecorded", 1).schema_id == 9
    assert default_catalog().version("id.go.lapor.ComplaintSubmitted", 1).schema_id == 1
    assert default_catalog().version("id.go.lapor.ComplaintSubmitted", 2).schema_id == 21


def test_golden_values_are_the_samples():
    # guards against editing a sample without regenerating (or the reverse)
    for record_type, sample in SAMPLES.items():
        assert _load(record_type)[1] == sample
