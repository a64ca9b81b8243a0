"""The structural compatibility check, on the Avro schema resolution rules."""

from __future__ import annotations

import copy

import pytest

from lapor_hub.schemas.compat import (
    CompatibilityMode,
    InvalidSchemaError,
    check_compatibility,
    reader_incompatibilities,
)

FULL_T = CompatibilityMode.FULL_TRANSITIVE


def record(*fields, name="Complaint", **extra):
    return {"type": "record", "name": name, "namespace": "id.go.lapor", "fields": list(fields), **extra}


def f(name, type_, **extra):
    return {"name": name, "type": type_, **extra}


BASE = record(
    f("tracking_id", "string"),
    f("hop", "int"),
    f("status", {"type": "enum", "name": "Status", "symbols": ["OPEN", "CLOSED"]}),
    f("note", ["null", "string"], default=None),
    f("tags", {"type": "array", "items": "string"}, default=[]),
    f("counts", {"type": "map", "values": "long"}, default={}),
    f("agency", {"type": "record", "name": "AgencyRef", "fields": [f("code", "string"), f("name", "string")]}),
)


def changed(edit):
    schema = copy.deepcopy(BASE)
    edit(schema)
    return schema


def field(schema, name):
    return next(x for x in schema["fields"] if x["name"] == name)


# --- compatible changes ------------------------------------------------------------------


@pytest.mark.parametrize(
    "edit",
    [
        lambda s: s["fields"].append(f("channel", "string", default="web")),
        lambda s: s["fields"].remove(field(s, "note")),  # had a default
        lambda s: s.update(doc="docs may change"),
    ],
)
def test_full_transitive_accepts_additions_and_removals_with_defaults(edit):
    assert check_compatibility(changed(edit), [BASE], FULL_T) == []


def test_an_enum_with_a_default_may_gain_symbols():
    with_default = changed(lambda s: field(s, "status")["type"].update(default="OPEN"))
    more = changed(lambda s: field(s, "status")["type"].update(default="OPEN", symbols=["OPEN", "CLOSED", "HOLD"]))
    assert check_compatibility(more, [with_default], FULL_T) == []


def test_promotions_resolve_in_the_reading_direction_only():
    as_long = changed(lambda s: field(s, "hop").update(type="long"))
    assert reader_incompatibilities(as_long, BASE) == []  # int written, long read
    assert reader_incompatibilities(BASE, as_long) == ["$.hop: type changed from long to int"]
    for writer, reader in [("int", "double"), ("long", "float"), ("float", "double"), ("string", "bytes"),
                           ("bytes", "string")]:
        assert reader_incompatibilities(reader, writer) == [], (writer, reader)
    assert reader_incompatibilities("int", "double") == ["$: type changed from double to int"]
    assert check_compatibility(as_long, [BASE], CompatibilityMode.BACKWARD) == []
    assert check_compatibility(as_long, [BASE], FULL_T) == [
        "v1 readers cannot read new data: $.hop: type changed from long to int"
    ]


def test_a_wider_union_is_backward_but_not_forward_compatible():
    wider = changed(lambda s: field(s, "note").update(type=["null", "string", "long"]))
    assert check_compatibility(wider, [BASE], CompatibilityMode.BACKWARD) == []
    assert check_compatibility(wider, [BASE], FULL_T) == [
        "v1 readers cannot read new data: $.note: no branch of reader union[null, string] reads writer long"
    ]


def test_aliases_allow_renames():
    renamed = changed(lambda s: field(s, "hop").update(name="hops", aliases=["hop"]))
    assert reader_incompatibilities(renamed, BASE) == []


# --- breaks --------------------------------------------------------------------------------


def test_a_field_added_without_default_breaks_backward():
    new = changed(lambda s: s["fields"].append(f("channel", "string")))
    problems = check_compatibility(new, [BASE], FULL_T)
    assert len(problems) == 1
    assert problems[0].startswith("new schema cannot read v1 data: $.channel: field is not in the writer")


def test_a_field_removed_without_default_breaks_forward():
    new = changed(lambda s: s["fields"].remove(field(s, "hop")))
    assert check_compatibility(new, [BASE], CompatibilityMode.BACKWARD) == []
    problems = check_compatibility(new, [BASE], FULL_T)
    assert len(problems) == 1
    assert problems[0].startswith("v1 readers cannot read new data: $.hop: field is not in the writer")


def test_a_type_change_breaks():
    new = changed(lambda s: field(s, "tracking_id").update(type="int"))
    assert "$.tracking_id: type changed from int to string" in " ".join(check_compatibility(new, [BASE], FULL_T))


def test_removing_an_enum_symbol_breaks_without_an_enum_default():
    new = changed(lambda s: field(s, "status")["type"].update(symbols=["OPEN"]))
    problems = check_compatibility(new, [BASE], FULL_T)
    assert problems == [
        "new schema cannot read v1 data: $.status: enum id.go.lapor.Status lacks symbols ['CLOSED'] and has no "
        "default: keep the symbols, or give the enum a default in every version"
    ]


def test_adding_an_enum_symbol_breaks_old_readers_without_a_default():
    new = changed(lambda s: field(s, "status")["type"].update(symbols=["OPEN", "CLOSED", "HOLD"]))
    assert check_compatibility(new, [BASE], CompatibilityMode.BACKWARD) == []
    assert any("lacks symbols ['HOLD']" in p for p in check_compatibility(new, [BASE], FULL_T))


def test_narrowing_a_union_breaks_and_making_a_field_optional_breaks_forward():
    not_null = changed(lambda s: field(s, "note").update(type="string", default=""))
    problems = check_compatibility(not_null, [BASE], FULL_T)
    assert problems == ["new schema cannot read v1 data: $.note: type changed from null to string"]
    optional_hop = changed(lambda s: field(s, "hop").update(type=["null", "int"], default=None))
    assert check_compatibility(optional_hop, [BASE], CompatibilityMode.BACKWARD) == []
    assert check_compatibility(optional_hop, [BASE], FULL_T) == [
        "v1 readers cannot read new data: $.hop: type changed from null to int"
    ]


def test_changes_inside_nested_records_arrays_and_maps_are_found():
    nested = changed(lambda s: field(s, "agency")["type"]["fields"].append(f("level", "int")))
    assert any("$.agency.level: field is not in the writer" in p for p in check_compatibility(nested, [BASE], FULL_T))
    items = changed(lambda s: field(s, "tags")["type"].update(items="int"))
    assert any("$.tags[]: type changed" in p for p in check_compatibility(items, [BASE], FULL_T))
    values = changed(lambda s: field(s, "counts")["type"].update(values="string"))
    assert any("$.counts{}: type changed from long to string" in p for p in check_compatibility(values, [BASE], FULL_T))


def test_renaming_a_named_type_breaks():
    new = changed(lambda s: field(s, "agency")["type"].update(name="Agency"))
    assert any("named type changed from id.go.lapor.AgencyRef to id.go.lapor.Agency" in p
               for p in check_compatibility(new, [BASE], FULL_T))


def test_a_logical_type_change_breaks_though_the_bytes_resolve():
    millis = record(f("at", {"type": "long", "logicalType": "timestamp-millis"}))
    micros = record(f("at", {"type": "long", "logicalType": "timestamp-micros"}))
    assert reader_incompatibilities(micros, millis) == [
        "$.at: logical type changed from long/timestamp-millis to long/timestamp-micros"
    ]


def test_transitive_modes_check_every_earlier_version_and_plain_modes_only_the_last():
    v1 = record(f("a", "string"))
    v2 = record(f("a", "string"), f("b", "string", default=""))
    v3 = record(f("b", "string", default=""), f("c", "string", default=""))  # drops "a": v1 had no default
    assert check_compatibility(v3, [v1, v2], CompatibilityMode.FULL) != []  # v2 readers need "a" too
    v2_with_default = record(f("a", "string", default=""), f("b", "string", default=""))
    assert check_compatibility(v3, [v1, v2_with_default], CompatibilityMode.FULL) == []
    problems = check_compatibility(v3, [v1, v2_with_default], FULL_T)
    assert problems == ["v1 readers cannot read new data: $.a: field is not in the writer schema and has no default "
                        "in the reader schema: give it a default (new fields), or keep it (a field may only be "
                        "removed if it had a default)"]
    assert check_compatibility(v3, [v1, v2], CompatibilityMode.NONE) == []


def test_recursive_records_terminate():
    tree = {"type": "record", "name": "Node", "fields": [f("children", {"type": "array", "items": "Node"})]}
    assert reader_incompatibilities(tree, tree) == []


@pytest.mark.parametrize(
    ("schema", "message"),
    [
        (record(f("a", "Unknown")), "unknown type 'id.go.lapor.Unknown'"),
        (record(f("a", ["null", "string"], default="x")), "default does not fit"),
        (record(f("a", "int", default=2**31)), "default does not fit"),
        (record(f("a", ["string", "string"])), "each type only once"),
        (record(f("a", "int"), f("a", "long")), "repeats field 'a'"),
        (record(f("e", {"type": "enum", "name": "E", "symbols": ["A"], "default": "B"})), "default of enum"),
        ({"type": "record", "name": "R"}, "missing 'fields'"),
    ],
)
def test_invalid_schemas_are_refused(schema, message):
    with pytest.raises(InvalidSchemaError, match=message):
        check_compatibility(schema, [BASE], FULL_T)
