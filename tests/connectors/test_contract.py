"""The published integration contract (docs/contract) is the code's, and what connectors send fits it."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import jsonschema_rs
import pytest

from lapor_hub.connectors.contract import delivery_schema, documents, update_schema
from lapor_hub.connectors.sdk.model import INBOX_TYPES, Delivery
from lapor_hub.connectors.sdk.signing import verify
from lapor_hub.connectors.testing import sample_assignment
from tests.schemas.samples import SAMPLES

PUBLISHED = Path(__file__).resolve().parents[2] / "docs" / "contract"
GUIDE = PUBLISHED.parent / "agency-integration.md"


@pytest.mark.parametrize("name", sorted(documents()))
def test_the_published_document_is_what_the_code_generates(name):
    published = json.loads((PUBLISHED / name).read_text(encoding="utf-8"))
    assert published == json.loads(json.dumps(documents()[name])), (
        f"docs/contract/{name} is stale: run `lapor-connect contract --out docs/contract`")


@pytest.mark.parametrize("record_type", sorted(INBOX_TYPES))
def test_a_delivery_of_every_inbox_type_fits_the_delivery_schema(record_type):
    value = SAMPLES[record_type]
    delivery = Delivery(record_type, value, value["tracking_id"], value["event_id"], agency="18.10")
    jsonschema_rs.validator_for(delivery_schema()).validate(delivery.as_json())


def test_a_delivery_with_a_wrong_field_does_not_fit():
    body = Delivery("ComplaintDispositioned", sample_assignment("18.10", "LPR-1"), "LPR-1", "e-1",
                    agency="18.10").as_json()
    body["data"]["hop"] = "zero"
    assert not jsonschema_rs.validator_for(delivery_schema()).is_valid(body)


@pytest.mark.parametrize("update, valid", [
    ({"type": "FollowUpRecorded", "tracking_id": "LPR-1", "note": "Sedang ditinjau", "update_id": "u-1",
      "occurred_at": "2024-05-02T09:00:00+07:00"}, True),
    ({"type": "FollowUpRecorded", "tracking_id": "LPR-1", "text": "Sedang ditinjau"}, True),
    ({"updates": [{"type": "ComplaintAccepted", "tracking_id": "LPR-1"},
                  {"type": "ComplaintClosed", "tracking_id": "LPR-1", "reason": "AGENCY_CLOSED"}]}, True),
    ({"type": "FollowUp", "tracking_id": "LPR-1", "note": "x"}, False),  # not a type of the contract
    ({"type": "FollowUpRecorded", "tracking_id": "LPR-1"}, False),  # no note
    ({"type": "ResponseGiven", "tracking_id": "LPR-1", "response": "ok", "rating": 5}, False),  # unknown field
    ({"type": "ComplaintClosed", "tracking_id": "LPR-1", "reason": "DONE"}, False),
])
def test_the_update_schema_takes_what_the_sdk_takes(update, valid):
    assert jsonschema_rs.validator_for(update_schema()).is_valid(update) is valid


@pytest.mark.parametrize("vector", documents()["signature-vectors.json"])
def test_the_signature_vectors_verify_and_the_documented_openssl_line_computes_them(vector, tmp_path):
    body = vector["body"].encode("utf-8")
    assert verify(vector["secret"], body, vector["header"], now=vector["timestamp"]) == vector["timestamp"]
    (tmp_path / "body.json").write_bytes(body)
    line = next(line for line in GUIDE.read_text(encoding="utf-8").splitlines() if "openssl dgst" in line)
    digest = subprocess.run(["bash", "-c", line], cwd=tmp_path, capture_output=True, check=True, text=True,
                            env={"PATH": "/usr/bin:/bin", "T": str(vector["timestamp"]), "SECRET": vector["secret"]})
    assert vector["header"] == f"t={vector['timestamp']},v1={digest.stdout.strip()}"


def test_the_guide_shows_a_vector_as_published():
    first = documents()["signature-vectors.json"][0]
    assert f"| `{first['secret']}` | `{first['timestamp']}` | `{first['body']}` | `{first['header']}` |" in (
        GUIDE.read_text(encoding="utf-8"))
