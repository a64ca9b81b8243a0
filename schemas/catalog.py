"""The schema catalog: every released version of every event schema, with its schema id.

``schemas/catalog.json`` is the source of truth. Subjects follow the RecordNameStrategy (the
record's full name, e.g. ``id.go.lapor.ComplaintSubmitted``); each subject lists its versions
oldest first, each with a stable integer schema id, its ``.avsc`` file under ``schemas/avro/``
and a fingerprint of the released schema, so a released version can never be edited in place
without :meth:`SchemaCatalog.verify` (``lapor-hub schemas check``) noticing.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

import fastavro

from lapor_hub.errors import ConfigurationError, HubError
from lapor_hub.schemas._avro import InvalidSchemaError, expand, full_name, normalize
from lapor_hub.schemas.compat import CompatibilityMode, check_compatibility

__all__ = [
    "SchemaVersion",
    "SchemaCatalog",
    "CatalogLookupError",
    "UnknownSubjectError",
    "UnknownVersionError",
    "UnknownSchemaError",
    "fingerprint",
    "default_catalog",
]

_NAMESPACE = "id.go.lapor"


class CatalogLookupError(HubError, LookupError):
    """A subject, version or schema id that the catalog does not hold."""


class UnknownSubjectError(CatalogLookupError):
    pass


class UnknownVersionError(CatalogLookupError):
    pass


class UnknownSchemaError(CatalogLookupError):
    pass


def fingerprint(schema: Any) -> str:
    """sha256 of the schema without its docs: docs may be improved, nothing else may change."""
    text = json.dumps(_without_docs(schema), sort_keys=True, separators=(",", ":"))
    return "sha256:" + hashlib.sha256(text.encode()).hexdigest()


def _without_docs(schema: Any) -> Any:
    if isinstance(schema, dict):
        return {k: _without_docs(v) for k, v in schema.items() if k != "doc"}
    if isinstance(schema, list):
        return [_without_docs(v) for v in schema]
    return schema


@dataclass(frozen=True)
class SchemaVersion:
    """One released version of one subject."""

    subject: str
    version: int
    schema_id: int
    file: str
    #: Standalone schema (shared named types inlined), as parsed JSON.
    schema: dict = field(repr=False)
    #: Fingerprint recorded in catalog.json when the version was released.
    released_fingerprint: str = field(default="", repr=False)
    #: The schema parsed once by fastavro, shared by every reader and writer.
    parsed: Any = field(default=None, repr=False, compare=False)

    @property
    def record_type(self) -> str:
        """Short record name, e.g. ``ComplaintSubmitted``."""
        return self.subject.rpartition(".")[2]

    @property
    def schema_str(self) -> str:
        """The schema as the registry serves it: compact JSON."""
        return json.dumps(self.schema, separators=(",", ":"), ensure_ascii=False)


class SchemaCatalog:
    """Lookups over released schema versions; no I/O after construction."""

    def __init__(
        self,
        versions: Iterable[SchemaVersion],
        mode: CompatibilityMode = CompatibilityMode.FULL_TRANSITIVE,
    ) -> None:
        self.mode = CompatibilityMode(mode)
        self._subjects: dict[str, list[SchemaVersion]] = {}
        self._by_id: dict[int, SchemaVersion] = {}
        for item in sorted(versions, key=lambda v: (v.subject, v.version)):
            self._subjects.setdefault(item.subject, []).append(item)
            if item.schema_id in self._by_id:
                raise ConfigurationError(
                    f"schema id {item.schema_id} is used twice in the catalog "
                    f"({self._by_id[item.schema_id].subject} and {item.subject}): "
                    "give every version its own id"
                )
            self._by_id[item.schema_id] = item
        for subject, items in self._subjects.items():
            if [v.version for v in items] != list(range(1, len(items) + 1)):
                raise ConfigurationError(f"versions of {subject} must be numbered 1, 2, 3... without gaps")

    @classmethod
    def load(cls, root: Path | None = None) -> SchemaCatalog:
        """Load ``catalog.json`` and the ``avro/`` files next to it (the shipped ones by default)."""
        base = Path(root) if root is not None else Path(str(resources.files("lapor_hub.schemas")))
        try:
            manifest = json.loads((base / "catalog.json").read_text(encoding="utf-8"))
            types = {}
            for name in manifest.get("types", []):
                schema = json.loads((base / "avro" / name).read_text(encoding="utf-8"))
                types[full_name(schema["name"], schema.get("namespace"))] = schema
            versions = []
            for subject, entries in manifest["subjects"].items():
                for entry in entries:
                    raw = json.loads((base / "avro" / entry["file"]).read_text(encoding="utf-8"))
                    versions.append(_version(subject, entry, expand(raw, types)))
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise ConfigurationError(
                f"cannot load the schema catalog from {base}: {type(exc).__name__}: {exc}; "
                "fix schemas/catalog.json or the .avsc file it names"
            ) from exc
        return cls(versions, manifest.get("compatibility", "FULL_TRANSITIVE"))

    # lookups -----------------------------------------------------------------------------

    def subjects(self) -> list[str]:
        return sorted(self._subjects)

    def record_types(self) -> list[str]:
        return [self._subjects[s][-1].record_type for s in self.subjects()]

    def versions(self, subject: str) -> list[SchemaVersion]:
        try:
            return list(self._subjects[subject])
        except KeyError:
            raise UnknownSubjectError(f"subject {subject!r} not found") from None

    def version(self, subject: str, version: int | str) -> SchemaVersion:
        """One version; ``version`` is a number (1-based), ``"latest"`` or ``-1``."""
        items = self.versions(subject)
        if version in ("latest", -1, "-1"):
            return items[-1]
        number = int(version)
        if not 1 <= number <= len(items):
            raise UnknownVersionError(f"version {number} of subject {subject!r} not found")
        return items[number - 1]

    def by_id(self, schema_id: int) -> SchemaVersion:
        try:
            return self._by_id[schema_id]
        except KeyError:
            raise UnknownSchemaError(f"schema id {schema_id} not found") from None

    def ids(self) -> list[int]:
        return sorted(self._by_id)

    def subject_for(self, record_type: str) -> str:
        """``ComplaintSubmitted`` → ``id.go.lapor.ComplaintSubmitted`` (full names pass through)."""
        return record_type if "." in record_type else f"{_NAMESPACE}.{record_type}"

    def latest(self, record_type: str) -> SchemaVersion:
        """The version the hub writes for a record type (short or full name)."""
        return self.versions(self.subject_for(record_type))[-1]

    # compatibility ------------------------------------------------------------------------

    def check(self, subject: str, schema: Any) -> list[str]:
        """Problems that stop ``schema`` from becoming the next version of ``subject``.

        Checked against every released version when the mode is transitive, otherwise
        against the latest. Raises InvalidSchemaError when ``schema`` is not valid Avro.
        """
        existing = [v.schema for v in self.versions(subject)]
        return check_compatibility(schema, existing, self.mode)

    def verify(self) -> dict[str, list[str]]:
        """Per subject, what is wrong with its released versions (empty lists when sound)."""
        report: dict[str, list[str]] = {}
        for subject in self.subjects():
            problems: list[str] = []
            items = self._subjects[subject]
            for index, item in enumerate(items):
                actual = fingerprint(item.schema)
                if item.released_fingerprint != actual:
                    problems.append(
                        f"v{item.version} ({item.file}) differs from what was released: "
                        "restore it and add a new version instead; if this version is new, "
                        f'set its "fingerprint" to "{actual}" in schemas/catalog.json'
                    )
                problems += [
                    f"v{item.version}: {p}"
                    for p in check_compatibility(item.schema, [v.schema for v in items[:index]], self.mode)
                ]
            report[subject] = problems
        return report


def _version(subject: str, entry: dict, schema: dict) -> SchemaVersion:
    name = full_name(schema.get("name", ""), schema.get("namespace"))
    if name != subject:
        raise ValueError(f"{entry['file']} defines {name!r}, but the catalog lists it under {subject!r}")
    try:
        normalize(schema)
        parsed = fastavro.parse_schema(schema, named_schemas={})
    except (InvalidSchemaError, fastavro.schema.SchemaParseException) as exc:
        raise ValueError(f"{entry['file']} is not a valid Avro schema: {exc}") from exc
    return SchemaVersion(
        subject=subject,
        version=int(entry["version"]),
        schema_id=int(entry["id"]),
        file=entry["file"],
        schema=schema,
        released_fingerprint=entry.get("fingerprint", ""),
        parsed=parsed,
    )


_DEFAULT: SchemaCatalog | None = None


def default_catalog() -> SchemaCatalog:
    """The catalog shipped with the package, loaded once per process."""
    global _DEFAULT
    if _DEFAULT is None:
        _DEFAULT = SchemaCatalog.load()
    return _DEFAULT
