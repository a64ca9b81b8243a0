"""An export verifies offline with the hub's public key and fails after one byte is changed."""

from __future__ import annotations

import base64
import copy
import json

import pytest

from lapor_hub.streams.chain.export import build_export, check_export
from tests.chain.builders import TOPIC, chained, signed, signing_key

# LPR-A's events are interleaved with other complaints' on partition 1.
EVENTS = [(b"LPR-B", b"b submitted"), (b"LPR-A", b"a submitted"), (b"LPR-B", b"b followed up"),
          (b"LPR-A", b"a followed up"), (b"LPR-C", b"c submitted"), (b"LPR-A", b"a responded"),
          (b"LPR-C", b"c followed up")]


@pytest.fixture
def exported(tmp_path):
    ring, key = signing_key(tmp_path)
    records = chained(1, EVENTS)
    head = signed(key, 1, records[6])
    document = build_export("LPR-A", TOPIC, 1, records[1:7], head)
    # Written and read back as a file, as an outside party receives it.
    return json.loads(json.dumps(document)), next(iter(ring.public_keys().values()))


def test_an_export_verifies_offline(exported):
    document, public_key = exported
    assert check_export(document, public_key) is None
    full = [r for r in document["records"] if "value" in r]
    assert [base64.b64decode(r["value"]) for r in full] == [b"a submitted", b"a followed up", b"a responded"]


def test_other_complaints_are_given_only_as_digests(exported):
    document, _ = exported
    others = [r for r in document["records"] if r["key"] != "LPR-A"]
    assert others and all(set(r) == {"offset", "seq", "key", "body"} for r in others)
    assert b"followed up" not in json.dumps(others).encode()


def _flip_one_byte(encoded: str) -> str:
    raw = bytearray(base64.b64decode(encoded))
    raw[0] ^= 0x01
    return base64.b64encode(bytes(raw)).decode()


@pytest.mark.parametrize("where", ["value", "header", "digest", "head", "signature", "prev"])
def test_one_changed_byte_fails_the_check(exported, where):
    document, public_key = exported
    changed = copy.deepcopy(document)
    if where == "value":
        changed["records"][2]["value"] = _flip_one_byte(changed["records"][2]["value"])
    elif where == "header":
        entry = changed["records"][0]["headers"][0]
        entry[1] = _flip_one_byte(entry[1])
    elif where == "digest":
        body = changed["records"][1]["body"]
        changed["records"][1]["body"] = ("1" if body[0] == "0" else "0") + body[1:]
    elif where == "head":
        changed["head"]["signed_at"] = changed["head"]["signed_at"].replace("08:", "09:")
    elif where == "signature":
        changed["head"]["signature"] = _flip_one_byte(changed["head"]["signature"])
    else:
        changed["prev"] = ("1" if changed["prev"][0] == "0" else "0") + changed["prev"][1:]
    assert check_export(changed, public_key) is not None


def test_a_withheld_event_of_the_complaint_fails_the_check(exported, tmp_path):
    document, public_key = exported
    changed = copy.deepcopy(document)
    responded = changed["records"][4]
    assert responded["key"] == "LPR-A"
    changed["records"][4] = {"offset": responded["offset"], "seq": responded["seq"], "key": "LPR-A",
                             "body": "0" * 64}
    problem = check_export(changed, public_key)
    assert problem and "withheld" in problem


def test_an_export_that_does_not_start_at_the_submission_fails(tmp_path):
    ring, key = signing_key(tmp_path)
    records = chained(1, EVENTS)
    document = build_export("LPR-A", TOPIC, 1, records[3:7], signed(key, 1, records[6]))
    problem = check_export(document, next(iter(ring.public_keys().values())))
    assert problem and "submission" in problem


def test_another_key_does_not_verify_the_export(exported, tmp_path):
    document, _ = exported
    other, _ = signing_key(tmp_path / "other")
    problem = check_export(document, next(iter(other.public_keys().values())))
    assert problem and "not among the trusted" in problem


@pytest.mark.parametrize("document", [None, [], {"format": "lapor-hub.audit-export/1"},
                                      {"format": "lapor-hub.audit-export/1", "head": {"x": 1}}])
def test_malformed_exports_fail_with_a_reason(document, exported):
    _, public_key = exported
    assert check_export(document, public_key)
