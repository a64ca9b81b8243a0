"""The shipped schemas and catalog keep the contract's rules."""

from __future__ import annotations

import io
import json
import shutil
from pathlib import Path

import pytest

from lapor_hub import schemas
from lapor_hub.errors import ConfigurationError
from lapor_hub.schemas import SchemaCatalog, default_catalog
from lapor_hub.schemas._avro import normalize
from lapor_hub.schemas.cli import check_command

SCHEMAS = Path(schemas.__file__).parent
COMMON = ["event_id", "tracking_id", "occurred_at", "actor"]
EVENT_TYPES = {
    "ComplaintSubmitted", "ComplaintVerified", "ComplaintReturnedToReporter", "ComplaintArchived",
    "ComplaintPutOnHold", "ComplaintDispositioned", "ComplaintAccepted", "ComplaintForwarded",
    "FollowUpRecorded", "ResponseGiven", "ReporterReplied", "InformationAdded", "ComplaintReopened",
    "ComplaintClosed", "SlaWarning", "ComplaintEscalated", "DeliveryReceipt", "ConnectorHeartbeat", "DeadLetter",
    "AuditEntry", "ComplaintRated",
}


def _walk(node, seen=None):
    """Every named type and field dict in a normalized schema."""
    seen = set() if seen is None else seen
    if isinstance(node, list):
        for branch in node:
            yield from _walk(branch, seen)
        return
    if node.get("name") in seen:
        return
    if node["type"] in ("record", "enum"):
        seen.add(node["name"])
    yield node
    for field in node.get("fields", ()):
        yield from _walk(field["type"], seen)
    for key in ("items", "values"):
        if key in node:
            yield from _walk(node[key], seen)


def _docs_missing(schema, path="$"):
    if isinstance(schema, list):
        return [p for i, b in enumerate(schema) for p in _docs_missing(b, path)]
    if not isinstance(schema, dict):
        return []
    missing = []
    if schema.get("type") in ("record", "enum") and not schema.get("doc"):
        missing.append(path)
    for field in schema.get("fields", ()):
        if not field.get("doc"):
            missing.append(f"{path}.{field['name']}")
        missing += _docs_missing(field["type"], f"{path}.{field['name']}")
    for key in ("items", "values"):
        missing += _docs_missing(schema.get(key), path)
    return missing


def test_the_catalog_holds_exactly_the_event_types_in_the_hub_namespace():
    catalog = default_catalog()
    assert set(catalog.record_types()) == EVENT_TYPES
    assert all(subject == f"id.go.lapor.{subject.rpartition('.')[2]}" for subject in catalog.subjects())
    ids = [v.schema_id for s in catalog.subjects() for v in catalog.versions(s)]
    assert len(ids) == len(set(ids)) == 25


@pytest.mark.parametrize("record_type", sorted(EVENT_TYPES))
def test_every_event_carries_the_common_fields_first_and_documents_everything(record_type):
    version = default_catalog().latest(record_type)
    names = [f["name"] for f in version.schema["fields"]]
    assert names[:4] == COMMON
    assert _docs_missing(version.schema) == []
    assert version.schema["namespace"] == "id.go.lapor"


@pytest.mark.parametrize("record_type", sorted(EVENT_TYPES))
def test_every_timestamp_is_timestamp_micros(record_type):
    node = normalize(default_catalog().latest(record_type).schema)
    for item in _walk(node):
        for field in item.get("fields", ()):
            branches = field["type"] if isinstance(field["type"], list) else [field["type"]]
            if field["name"].endswith("_at"):
                assert {"type": "long", "logicalType": "timestamp-micros"} in branches, field["name"]
            for branch in branches:
                if branch.get("logicalType"):
                    assert branch["logicalType"] == "timestamp-micros"


def test_shared_types_live_in_their_own_files_and_are_referenced_by_name():
    raw = json.loads((SCHEMAS / "avro" / "ComplaintDispositioned.avsc").read_text())
    types = {f["name"]: f["type"] for f in raw["fields"]}
    assert types["agency"] == "AgencyRef" and types["privacy"] == "Privacy"
    assert types["reporter"] == ["null", "Reporter"]
    expanded = default_catalog().latest("ComplaintDispositioned").schema
    reporter = next(f for f in expanded["fields"] if f["name"] == "reporter")
    assert reporter["type"][1]["fields"][1]["name"] == "nik"  # inlined: the registry serves it standalone
    for name in ("Reporter", "Privacy", "Location", "Attachment", "AgencyRef", "Classification"):
        assert json.loads((SCHEMAS / "avro" / f"{name}.avsc").read_text())["name"] == name


def test_heartbeats_need_no_tracking_id_and_every_enum_has_a_safe_default():
    heartbeat = default_catalog().latest("ConnectorHeartbeat").schema
    assert next(f for f in heartbeat["fields"] if f["name"] == "tracking_id")["default"] == ""
    defaults = {}
    for record_type in EVENT_TYPES:
        for item in _walk(normalize(default_catalog().latest(record_type).schema)):
            if item["type"] == "enum":
                defaults[item["name"].rpartition(".")[2]] = item.get("default")
    assert defaults == {
        "Privacy": "ANONYMOUS", "ArchiveReason": "OUT_OF_SCOPE", "ClosureReason": "ADMIN_CLOSED",
        "DeliveryStatus": "FAILED", "ConnectorStatus": "DEGRADED", "Classification": "COMPLAINT",
    }


def test_follow_up_recorded_v2_adds_attachments_with_a_default():
    v1, v2 = default_catalog().versions("id.go.lapor.FollowUpRecorded")
    added = {f["name"] for f in v2.schema["fields"]} - {f["name"] for f in v1.schema["fields"]}
    assert added == {"attachments"}
    assert default_catalog().latest("FollowUpRecorded") is v2


def test_complaint_submitted_v3_adds_the_classification_with_a_default():
    v2, v3 = default_catalog().versions("id.go.lapor.ComplaintSubmitted")[1:]
    added = [f for f in v3.schema["fields"] if f["name"] not in {g["name"] for g in v2.schema["fields"]}]
    assert [(f["name"], f["default"]) for f in added] == [("classification", "COMPLAINT")]
    assert added[0]["type"]["symbols"] == ["COMPLAINT", "ASPIRATION", "INFORMATION_REQUEST"]


def test_complaint_dispositioned_v2_tells_the_agency_the_classification_and_the_unit():
    v1, v2 = default_catalog().versions("id.go.lapor.ComplaintDispositioned")
    added = [f for f in v2.schema["fields"] if f["name"] not in {g["name"] for g in v1.schema["fields"]}]
    assert [(f["name"], f["default"]) for f in added] == [("classification", "COMPLAINT"), ("unit", None)]


def test_check_command_passes_on_the_shipped_catalog():
    out = io.StringIO()
    assert check_command(out=out) == 0
    lines = out.getvalue().splitlines()
    assert len(lines) == len(EVENT_TYPES)
    assert all(line.startswith("ok ") for line in lines)


@pytest.fixture
def catalog_copy(tmp_path):
    shutil.copy(SCHEMAS / "catalog.json", tmp_path / "catalog.json")
    shutil.copytree(SCHEMAS / "avro", tmp_path / "avro")
    return tmp_path


def _edit(path: Path, change) -> None:
    schema = json.loads(path.read_text())
    change(schema)
    path.write_text(json.dumps(schema))


def test_check_command_catches_a_released_version_edited_in_place(catalog_copy):
    _edit(catalog_copy / "avro" / "ComplaintAccepted.avsc",
          lambda s: s["fields"].append({"name": "x", "type": "int", "default": 0, "doc": "d"}))
    out = io.StringIO()
    assert check_command(SchemaCatalog.load(catalog_copy), out) == 1
    text = out.getvalue()
    assert "BROKEN id.go.lapor.ComplaintAccepted" in text
    assert "differs from what was released" in text and '"fingerprint" to "sha256:' in text


def test_a_doc_improvement_is_not_a_change(catalog_copy):
    _edit(catalog_copy / "avro" / "ComplaintAccepted.avsc", lambda s: s.update(doc="Better words."))
    assert check_command(SchemaCatalog.load(catalog_copy), io.StringIO()) == 0


def test_check_command_catches_a_breaking_new_version(catalog_copy):
    manifest = json.loads((catalog_copy / "catalog.json").read_text())
    _edit(catalog_copy / "avro" / "ResponseGiven.avsc", lambda s: s["fields"].append(
        {"name": "channel", "type": "string", "doc": "no default: old data cannot be read"}))
    shutil.copy(SCHEMAS / "avro" / "ResponseGiven.avsc", catalog_copy / "avro" / "ResponseGiven.v1.avsc")
    entries = manifest["subjects"]["id.go.lapor.ResponseGiven"]
    entries[0]["file"] = "ResponseGiven.v1.avsc"
    entries.append({"version": 2, "id": 99, "file": "ResponseGiven.avsc", "fingerprint": ""})
    (catalog_copy / "catalog.json").write_text(json.dumps(manifest))
    catalog = SchemaCatalog.load(catalog_copy)
    problems = catalog.verify()["id.go.lapor.ResponseGiven"]
    assert any("new schema cannot read v1 data: $.channel" in p for p in problems)
    assert check_command(catalog, io.StringIO()) == 1


def test_a_broken_catalog_fails_with_what_to_fix(catalog_copy):
    (catalog_copy / "avro" / "SlaWarning.avsc").write_text("{not json")
    with pytest.raises(ConfigurationError, match="cannot load the schema catalog.*fix schemas/catalog.json"):
        SchemaCatalog.load(catalog_copy)
