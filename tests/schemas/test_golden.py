"""Committed wire bytes must keep decoding to the committed values, and re-encode identically.

If one of these fails, released bytes changed meaning: that breaks every agency consumer.
Regenerate only for a new record type or version (see regenerate_golden.py).
"""

from __future__ import annotations

import json

import pytest

from schemas import decode, default_catalog, encode
from tests.schemas.regenerate_golden import GOLDEN, from_json
from tests.schemas.samples import SAMPLES


def _load(name: str):
    return (GOLDEN / f"{name}.bin").read_bytes(), from_json(json.loads((GOLDEN / f"{name}.json").read_text("utf-8")))


def test_there_is_a_golden_vector_for_every_record_type():
    present = {path.stem for path in GOLDEN.glob("*.bin")}
    assert present == set(default_catalog().record_types()) | {"FollowUpRecorded.v1"}


@pytest.mark.parametrize("record_type", sorted(SAMPLES))
def test_golden_bytes_decode_to_the_golden_value_and_re_encode_identically(record_type):
    data, value = _load(record_type)
    assert decode(data) == (record_type, value)
    assert encode(record_type, value) == data


def test_golden_v1_bytes_decode_into_the_latest_version():
    data, value = _load("FollowUpRecorded.v1")
    assert data[1:5] == (9).to_bytes(4, "big")  # FollowUpRecorded v1's id, forever
    assert decode(data) == ("FollowUpRecorded", {**value, "attachments": []})


def test_golden_values_are_the_samples():
    # guards against editing a sample without regenerating (or the reverse)
    for record_type, sample in SAMPLES.items():
        assert _load(record_type)[1] == sample
