"""Encode and decode hub events: Avro binary in the Confluent wire format.

Wire format: byte 0 is the magic byte 0, bytes 1–4 the schema id (big-endian), then the Avro
binary encoding of the value. The hub always writes the latest version of a record type and
reads every version into the latest one (v1 data read by v2 code gets v2's defaults).

Every schema is parsed once (by the catalog); writers and readers are cached per record type
and per schema id, so the hot path is one dict lookup plus fastavro's own work.

Errors never carry field values: they are personal data (names, NIK, phone numbers, e-mail),
and reasons end up in dead-letter headers and logs. That is also why the fastavro exceptions
are not chained (their messages quote the offending values).
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import datetime
from io import BytesIO
from typing import Any, cast

import fastavro
from fastavro import schemaless_reader, schemaless_writer

from lapor_hub.errors import SkippableError
from lapor_hub.schemas._avro import normalize
from lapor_hub.schemas.catalog import SchemaCatalog, SchemaVersion, UnknownSchemaError, default_catalog
from lapor_hub.schemas.compat import reader_incompatibilities

__all__ = ["SerializationError", "Codec", "encode", "decode", "default_codec", "set_default_codec"]

_MAGIC = 0
_HEADER_SIZE = 5
_TIMESTAMPS = ("timestamp-micros", "timestamp-millis")
_INT_MIN, _INT_MAX = -(2**31), 2**31 - 1


class SerializationError(SkippableError):
    """These bytes or this value cannot be (de)serialized; dead-letter the record.

    ``reason`` names record types, fields and schema ids, never field values.
    """


class _Writer:
    __slots__ = ("header", "parsed", "checks", "version")

    def __init__(self, header: bytes, version: SchemaVersion) -> None:
        self.header = header
        self.version = version
        self.parsed = version.parsed
        self.checks = _compile_checks(normalize(version.schema))


class _Reader:
    __slots__ = ("record_type", "writer", "reader")

    def __init__(self, record_type: str, writer: Any, reader: Any) -> None:
        self.record_type = record_type
        self.writer = writer
        self.reader = reader  # None when the writer schema is the latest: no resolution needed


class Codec:
    """Encoder/decoder bound to a catalog and, optionally, an external schema registry.

    Without ``registry``, schema ids are the catalog's. With ``registry`` (an object with
    ``schema_by_id(id) -> str`` and ``lookup_id(subject, schema_str) -> int``, such as
    :class:`lapor_hub.schemas.remote.RegistryClient`), ids are the registry's only: ids of two
    registries are unrelated numbers, so they are never mixed. The catalog then only supplies
    the latest (reader and writer) schemas.
    """

    def __init__(self, catalog: SchemaCatalog | None = None, *, registry: Any = None) -> None:
        self.catalog = catalog if catalog is not None else default_catalog()
        self.registry = registry
        self._writers: dict[str, _Writer] = {}
        self._readers: dict[int, _Reader] = {}
        if registry is None:
            for subject in self.catalog.subjects():
                versions = self.catalog.versions(subject)
                latest = versions[-1]
                self._writers[latest.record_type] = _Writer(_header(latest.schema_id), latest)
                for item in versions:
                    reader = None if item is latest else latest.parsed
                    self._readers[item.schema_id] = _Reader(item.record_type, item.parsed, reader)

    # encode -------------------------------------------------------------------------------

    def encode(self, record_type: str, value: dict) -> bytes:
        """``value`` as the latest version of ``record_type``, in the Confluent wire format."""
        writer = self._writers.get(record_type) or self._registry_writer(record_type)
        if not isinstance(value, dict):
            raise SerializationError(
                f"cannot encode {record_type}: the value must be a dict, not {type(value).__name__}")
        if writer.checks:
            problem = _find_problem(value, writer.checks, "")
            if problem:
                raise SerializationError(f"cannot encode {record_type}: {problem}")
        out = BytesIO()
        out.write(writer.header)
        try:
            # strict: a field the schema does not know is an error, not silently dropped; a field
            # left out takes its default, so code written for an older version keeps encoding
            schemaless_writer(out, writer.parsed, value, strict_allow_default=True)
        except Exception:  # fastavro raises many kinds; all mean "this value does not fit"
            failure = _explain_invalid(writer.version, value)
        else:
            return out.getvalue()
        raise SerializationError(f"cannot encode {record_type}: {failure}")

    def _registry_writer(self, record_type: str) -> _Writer:
        try:
            latest = self.catalog.latest(record_type)
        except LookupError:
            raise SerializationError(
                f"unknown record type {record_type!r}: use one of {', '.join(self.catalog.record_types())}"
            ) from None
        if self.registry is None:  # pragma: no cover - every catalog type has a writer then
            raise SerializationError(f"no writer for {record_type}")
        schema_id = self.registry.lookup_id(latest.subject, latest.schema_str)
        writer = self._writers[record_type] = _Writer(_header(schema_id), latest)
        return writer

    # decode -------------------------------------------------------------------------------

    def decode(self, data: bytes | bytearray | memoryview) -> tuple[str, dict]:
        """(short record type, value read into the latest version of that record type)."""
        if len(data) < _HEADER_SIZE:
            raise SerializationError(
                f"message of {len(data)} bytes is too short for the Confluent wire format "
                "(magic byte and 4-byte schema id): the producer did not use the hub's codec"
            )
        if data[0] != _MAGIC:
            raise SerializationError(
                f"unknown magic byte {data[0]}: expected 0 (Confluent wire format); "
                "the producer did not use the hub's codec or a Confluent Avro serializer"
            )
        schema_id = int.from_bytes(data[1:_HEADER_SIZE], "big")
        reader = self._readers.get(schema_id) or self._fetch_reader(schema_id)
        buffer = BytesIO(data)
        buffer.seek(_HEADER_SIZE)
        try:
            value = schemaless_reader(buffer, reader.writer, reader.reader)
        except Exception as exc:  # garbage makes fastavro raise almost anything
            failure = type(exc).__name__
        else:
            if buffer.tell() == len(data):
                return reader.record_type, cast(dict, value)  # every event schema is a record: a dict
            failure = f"{len(data) - buffer.tell()} bytes left over after the record"
        raise SerializationError(
            f"cannot decode {reader.record_type} (schema id {schema_id}): the payload is not "
            f"valid Avro for that schema ({failure}); the record is corrupt or mislabelled"
        )

    def _fetch_reader(self, schema_id: int) -> _Reader:
        if self.registry is None:
            raise SerializationError(
                f"unknown schema id {schema_id}: not in the hub's catalog; the producer used a "
                "schema that was never released here, or a different registry's ids"
            )
        try:
            text = self.registry.schema_by_id(schema_id)  # RetriableError when unreachable
        except UnknownSchemaError:
            raise SerializationError(f"unknown schema id {schema_id}: the registry does not know it") from None
        try:
            schema = json.loads(text)
            writer = fastavro.parse_schema(schema, named_schemas={})
            name = writer["name"] if isinstance(writer, dict) else ""
        except (ValueError, TypeError, KeyError, fastavro.schema.SchemaParseException) as exc:
            raise SerializationError(f"schema id {schema_id} from the registry is not valid Avro: {exc}") from exc
        try:
            latest = self.catalog.latest(name)
        except LookupError:
            raise SerializationError(
                f"schema id {schema_id} is a {name!r}, which is not a hub event type"
            ) from None
        problems = reader_incompatibilities(latest.schema, schema)
        if problems:
            raise SerializationError(
                f"schema id {schema_id} cannot be read as {latest.record_type} v{latest.version}: "
                + "; ".join(problems)
            )
        reader = self._readers[schema_id] = _Reader(latest.record_type, writer, latest.parsed)
        return reader


def _header(schema_id: int) -> bytes:
    return bytes([_MAGIC]) + schema_id.to_bytes(4, "big")


# Checks fastavro does not do on write: naive datetimes (it would read them as host local
# time) and Avro ints out of 32-bit range (it would write bytes other languages reject).
# Compiled per schema into (field, kind, sub-checks) so only the fields that need it are seen.
_Check = tuple  # (field name, "ts" | "int" | "record" | "items" | "values", sub-checks)


def _compile_checks(node: Any, _visiting: frozenset = frozenset()) -> list[_Check]:
    if not isinstance(node, dict) or node.get("type") != "record" or node["name"] in _visiting:
        return []
    visiting = _visiting | {node["name"]}
    checks: list[_Check] = []
    for field in node["fields"]:
        branches = field["type"] if isinstance(field["type"], list) else [field["type"]]
        for branch in branches:
            kind, sub = _leaf_kind(branch, visiting)
            if kind:
                checks.append((field["name"], kind, sub))
    return checks


def _leaf_kind(node: dict, visiting: frozenset) -> tuple[str | None, Any]:
    kind = node["type"]
    if kind == "long" and node.get("logicalType") in _TIMESTAMPS:
        return "ts", None
    if kind == "int" and "logicalType" not in node:
        return "int", None
    if kind == "record":
        sub = _compile_checks(node, visiting)
        return ("record", sub) if sub else (None, None)
    if kind in ("array", "map"):
        inner = node["items" if kind == "array" else "values"]
        # wrap the element in a one-field record so the same walker handles it
        sub = _compile_checks({"type": "record", "name": "", "fields": [{"name": "", "type": inner}]}, visiting)
        return (("items" if kind == "array" else "values"), sub) if sub else (None, None)
    return None, None


def _find_problem(value: Any, checks: list[_Check], prefix: str) -> str | None:
    for name, kind, sub in checks:
        item = value.get(name) if isinstance(value, dict) else None
        if item is None:
            continue
        where = f"{prefix}{name}"
        if kind == "ts":
            if isinstance(item, datetime) and item.utcoffset() is None:
                return f"field {where} is a naive datetime: give it a timezone (UTC)"
        elif kind == "int":
            if isinstance(item, int) and not _INT_MIN <= item <= _INT_MAX:
                return f"field {where} is out of the 32-bit range of an Avro int"
        elif kind == "record":
            problem = _find_problem(item, sub, f"{where}.")
            if problem:
                return problem
        else:
            elements: Iterable[Any]
            if kind == "items":
                elements = item if isinstance(item, (list, tuple)) else ()
            else:
                elements = item.values() if isinstance(item, dict) else ()
            for element in elements:
                problem = _find_problem({"": element}, sub, f"{where}[]")
                if problem:
                    return problem
    return None


def _explain_invalid(version: SchemaVersion, value: dict) -> str:
    """Which fields are wrong, from fastavro's validator (slow, so only on failure)."""
    known = {field["name"] for field in version.schema["fields"]}
    unknown = sorted(str(key) for key in value if key not in known)
    if unknown:
        return f"fields not in schema v{version.version}: {', '.join(unknown)}"
    try:
        fastavro.validation.validate(value, version.parsed, raise_errors=True)
    except fastavro.validation.ValidationError as exc:
        fields = sorted({_field_path(data.field, version.subject) for data in exc.errors})
        return f"fields that do not match schema v{version.version}: {', '.join(fields)}"
    except Exception as exc:  # the validator itself choked on the value
        return f"the value does not fit schema v{version.version} ({type(exc).__name__})"
    return f"the value does not fit schema v{version.version} (nested unknown field?)"


def _field_path(field: str | None, subject: str) -> str:
    # fastavro names fields by namespace.Record.field; keep what follows the record name
    if not field:
        return "(record)"
    return field[len(subject) + 1 :] if field.startswith(subject + ".") else field.rpartition(".")[2]


_DEFAULT_CODEC: Codec | None = None


def default_codec() -> Codec:
    """The process-wide codec over the shipped catalog (created on first use)."""
    global _DEFAULT_CODEC
    if _DEFAULT_CODEC is None:
        _DEFAULT_CODEC = Codec(default_catalog())
    return _DEFAULT_CODEC


def set_default_codec(codec: Codec | None) -> None:
    """Replace the codec behind :func:`encode`/:func:`decode` (e.g. one using a registry)."""
    global _DEFAULT_CODEC
    _DEFAULT_CODEC = codec


def encode(record_type: str, value: dict) -> bytes:
    """Encode ``value`` as the latest version of ``record_type`` (short name)."""
    return (_DEFAULT_CODEC or default_codec()).encode(record_type, value)


def decode(data: bytes | bytearray | memoryview) -> tuple[str, dict]:
    """Decode wire-format bytes into (short record type, value in the latest version)."""
    return (_DEFAULT_CODEC or default_codec()).decode(data)

