"""A read-only, Confluent-compatible Schema Registry over the catalog, without any web framework.

Each method answers ``(status, body)`` with the bodies the Confluent Schema Registry REST API
returns, so Confluent clients (``SchemaRegistryClient``, ``AvroDeserializer``, Kafka Connect,
ksqlDB) can read the hub's schemas. Errors use Confluent's codes: 40401 subject not found,
40402 version not found, 40403 schema not found, 42201 invalid schema, 42202 invalid version.
The web layers (:mod:`lapor_hub.schemas.registry_web`) only translate HTTP to these calls.
"""

from __future__ import annotations

import json
from typing import Any

from lapor_hub.schemas._avro import InvalidSchemaError
from lapor_hub.schemas.catalog import (
    SchemaCatalog,
    SchemaVersion,
    UnknownSchemaError,
    UnknownSubjectError,
    UnknownVersionError,
    fingerprint,
)

__all__ = ["CONTENT_TYPE", "RegistryApi", "Answer"]

CONTENT_TYPE = "application/vnd.schemaregistry.v1+json"

#: (HTTP status, JSON body)
Answer = tuple[int, Any]


def _error(status: int, code: int, message: str) -> Answer:
    return status, {"error_code": code, "message": message}


class RegistryApi:
    """The registry's answers; one instance per catalog, safe to share."""

    def __init__(self, catalog: SchemaCatalog) -> None:
        self.catalog = catalog

    def subjects(self) -> Answer:
        return 200, self.catalog.subjects()

    def versions(self, subject: str) -> Answer:
        try:
            return 200, [v.version for v in self.catalog.versions(subject)]
        except UnknownSubjectError:
            return self._subject_not_found(subject)

    def version(self, subject: str, version: str) -> Answer:
        if not _valid_version(version):
            return _error(
                422, 42202, f"The specified version '{version}' is not a valid version id. Allowed "
                "values are between [1, 2^31-1] and the string \"latest\""
            )
        try:
            return 200, self._version_body(self.catalog.version(subject, version))
        except UnknownSubjectError:
            return self._subject_not_found(subject)
        except UnknownVersionError:
            return _error(404, 40402, f"Version {version} not found.")

    def schema_by_id(self, schema_id: str | int) -> Answer:
        try:
            found = self.catalog.by_id(int(schema_id))
        except (UnknownSchemaError, ValueError):
            return _error(404, 40403, f"Schema {schema_id} not found")
        return 200, {"schema": found.schema_str}

    def lookup(self, subject: str, body: Any) -> Answer:
        """Which version of ``subject`` is ``body["schema"]`` (Confluent ``POST /subjects/{subject}``).

        Schemas match when equal apart from their docs, as released versions are fingerprinted.
        """
        try:
            versions = self.catalog.versions(subject)
        except UnknownSubjectError:
            return self._subject_not_found(subject)
        schema, problem = _schema_of(body)
        if problem:
            return _error(422, 42201, f"Invalid schema: {problem}")
        wanted = fingerprint(schema)
        for item in versions:
            if fingerprint(item.schema) == wanted:
                return 200, self._version_body(item)
        return _error(404, 40403, "Schema not found")

    def config(self) -> Answer:
        return 200, {"compatibilityLevel": self.catalog.mode.value}

    def check_compatibility(self, subject: str, body: Any, *, verbose: bool = False) -> Answer:
        """Whether ``body["schema"]`` may become the next version of ``subject``.

        Checked against every version in a transitive mode (the hub's is FULL_TRANSITIVE),
        though the URL says ``latest``: that is the question an agency asks before it deploys.
        """
        try:
            versions = self.catalog.versions(subject)
        except UnknownSubjectError:
            return self._subject_not_found(subject)
        schema, problem = _schema_of(body)
        if problem:
            return _error(422, 42201, f"Invalid schema: {problem}")
        try:
            problems = self.catalog.check(versions[0].subject, schema)
        except InvalidSchemaError as exc:
            return _error(422, 42201, f"Invalid schema: {exc}")
        answer: dict[str, Any] = {"is_compatible": not problems}
        if verbose:
            answer["messages"] = problems
        return 200, answer

    @staticmethod
    def _version_body(item: SchemaVersion) -> dict:
        return {"subject": item.subject, "version": item.version, "id": item.schema_id, "schema": item.schema_str}

    @staticmethod
    def _subject_not_found(subject: str) -> Answer:
        return _error(404, 40401, f"Subject '{subject}' not found.")


def _valid_version(version: str) -> bool:
    if version in ("latest", "-1"):
        return True
    return version.isdigit() and 1 <= int(version) <= 2**31 - 1


def _schema_of(body: Any) -> tuple[Any, str | None]:
    """The schema in a request body: ``{"schema": "<json text>", "schemaType"?: "AVRO"}``."""
    if not isinstance(body, dict) or not isinstance(body.get("schema"), str):
        return None, 'the body must be a JSON object with "schema" holding the schema as a JSON string'
    if body.get("schemaType", "AVRO") != "AVRO":
        return None, f"only AVRO schemas are served here, not {body['schemaType']}"
    if body.get("references"):
        return None, "schema references are not supported: send the schema with its named types inlined"
    try:
        return json.loads(body["schema"]), None
    except ValueError as exc:
        return None, f"the schema is not JSON ({exc})"
