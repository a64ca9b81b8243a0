"""Avro schema compatibility, checked on the structure of the schemas.

The check follows the Avro specification's schema resolution rules ("Schema Resolution"),
reader schema against writer schema:

- same primitive type, or a promotion: int → long/float/double, long → float/double,
  float → double, string ↔ bytes;
- records match by full name (or a reader alias); every reader field either exists in the
  writer (by name or reader alias) and resolves, or has a default; writer-only fields are
  skipped;
- enums match by name; every symbol the writer may write is known to the reader, unless the
  reader enum has a default;
- fixed types match by name and size; arrays by items; maps by values;
- a writer union is readable when each of its branches is; a reader union reads a writer
  type when one of its branches does.

We also refuse a change of logical type (a timestamp-millis read as timestamp-micros resolves
byte-wise but is off by a factor of 1000).

Why FULL_TRANSITIVE is the hub's mode: agencies run old consumers *and* old producers for
years. New hub code must read what any old agency connector still writes (backward), and old
connectors must read what the new hub writes (forward), against every version ever released,
not only the previous one (transitive). See schemas/README.md.
"""

from __future__ import annotations

from collections.abc import Sequence
from enum import Enum
from typing import Any

from lapor_hub.schemas._avro import InvalidSchemaError, Node, normalize

__all__ = [
    "CompatibilityMode",
    "HUB_MODE",
    "reader_incompatibilities",
    "check_compatibility",
    "InvalidSchemaError",
]

_PROMOTIONS = {
    "int": {"long", "float", "double"},
    "long": {"float", "double"},
    "float": {"double"},
    "string": {"bytes"},
    "bytes": {"string"},
}


class CompatibilityMode(str, Enum):
    """The Confluent Schema Registry compatibility levels."""

    NONE = "NONE"
    BACKWARD = "BACKWARD"
    BACKWARD_TRANSITIVE = "BACKWARD_TRANSITIVE"
    FORWARD = "FORWARD"
    FORWARD_TRANSITIVE = "FORWARD_TRANSITIVE"
    FULL = "FULL"
    FULL_TRANSITIVE = "FULL_TRANSITIVE"

    @property
    def backward(self) -> bool:
        return self.value.startswith(("BACKWARD", "FULL"))

    @property
    def forward(self) -> bool:
        return self.value.startswith(("FORWARD", "FULL"))

    @property
    def transitive(self) -> bool:
        return self.value.endswith("_TRANSITIVE")


#: The mode the hub's catalog is held to (see the module docstring).
HUB_MODE = CompatibilityMode.FULL_TRANSITIVE


def reader_incompatibilities(reader: Any, writer: Any) -> list[str]:
    """Why data written with ``writer`` cannot be read with ``reader``; empty when it can.

    Both are Avro schemas as parsed JSON (dict, list or str), self-contained.
    Raises :class:`InvalidSchemaError` when either is not a valid Avro schema.
    """
    problems: list[str] = []
    _check(normalize(reader), normalize(writer), "$", problems, set())
    return problems


def check_compatibility(
    new: Any, existing: Sequence[Any], mode: CompatibilityMode = HUB_MODE
) -> list[str]:
    """Problems that stop ``new`` from following ``existing`` (oldest first) in ``mode``.

    Each problem names the version it conflicts with (1-based, as in the catalog) and the
    direction: "new cannot read vN" (backward) or "vN cannot read new" (forward).
    """
    mode = CompatibilityMode(mode)
    if mode is CompatibilityMode.NONE or not existing:
        normalize(new)  # still refuse an invalid schema
        return []
    start = 0 if mode.transitive else len(existing) - 1
    new_node = normalize(new)
    problems: list[str] = []
    for index in range(start, len(existing)):
        old_node = normalize(existing[index])
        version = index + 1
        if mode.backward:
            found: list[str] = []
            _check(new_node, old_node, "$", found, set())
            problems += [f"new schema cannot read v{version} data: {p}" for p in found]
        if mode.forward:
            found = []
            _check(old_node, new_node, "$", found, set())
            problems += [f"v{version} readers cannot read new data: {p}" for p in found]
    return problems


def _label(node: Node) -> str:
    if isinstance(node, list):
        return "union[" + ", ".join(_label(branch) for branch in node) + "]"
    kind = node["type"]
    if kind in ("record", "enum", "fixed"):
        return f"{kind} {node['name']}"
    if "logicalType" in node:
        return f"{kind}/{node['logicalType']}"
    return kind


def _check(reader: Node, writer: Node, path: str, out: list[str], seen: set) -> None:
    if isinstance(writer, list):
        # Every branch the writer may have chosen must be readable.
        for branch in writer:
            _check(reader, branch, path, out, seen)
        return
    if isinstance(reader, list):
        for branch in reader:
            trial: list[str] = []
            _check(branch, writer, path, trial, set(seen))
            if not trial:
                return
        out.append(f"{path}: no branch of reader {_label(reader)} reads writer {_label(writer)}")
        return
    r_type, w_type = reader["type"], writer["type"]
    if r_type != w_type:
        if r_type not in _PROMOTIONS.get(w_type, ()):
            out.append(f"{path}: type changed from {_label(writer)} to {_label(reader)}")
        return
    if reader.get("logicalType") != writer.get("logicalType"):
        out.append(f"{path}: logical type changed from {_label(writer)} to {_label(reader)}")
        return
    if r_type in ("record", "enum", "fixed") and not _names_match(reader, writer):
        out.append(f"{path}: named type changed from {writer['name']} to {reader['name']}")
        return
    if r_type == "record":
        _check_record(reader, writer, path, out, seen)
    elif r_type == "enum":
        unknown = [s for s in writer["symbols"] if s not in reader["symbols"]]
        if unknown and "default" not in reader:
            out.append(
                f"{path}: enum {reader['name']} lacks symbols {unknown} and has no default: "
                "keep the symbols, or give the enum a default in every version"
            )
    elif r_type == "fixed":
        if reader["size"] != writer["size"]:
            out.append(f"{path}: fixed size changed from {writer['size']} to {reader['size']}")
    elif r_type == "array":
        _check(reader["items"], writer["items"], f"{path}[]", out, seen)
    elif r_type == "map":
        _check(reader["values"], writer["values"], f"{path}{{}}", out, seen)


def _names_match(reader: dict, writer: dict) -> bool:
    return writer["name"] == reader["name"] or writer["name"] in reader.get("aliases", ())


def _check_record(reader: dict, writer: dict, path: str, out: list[str], seen: set) -> None:
    pair = (id(reader), id(writer))
    if pair in seen:  # recursive types: this pair is already being checked further up
        return
    seen.add(pair)
    written = {field["name"]: field for field in writer["fields"]}
    for field in reader["fields"]:
        source = written.get(field["name"])
        if source is None:
            source = next((written[a] for a in field.get("aliases", ()) if a in written), None)
        if source is not None:
            _check(field["type"], source["type"], f"{path}.{field['name']}", out, seen)
        elif "default" not in field:
            out.append(
                f"{path}.{field['name']}: field is not in the writer schema and has no "
                "default in the reader schema: give it a default (new fields), or keep it "
                "(a field may only be removed if it had a default)"
            )
