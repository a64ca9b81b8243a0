"""The agency integration contract as machine-readable documents, generated from the code itself.

``docs/contract/`` holds what :func:`documents` returns (``lapor-connect contract --out
docs/contract`` writes them; a test fails when the published files and the code disagree):

- ``delivery.schema.json``: a delivery (JSON Schema 2020-12): ``{id, type, tracking_id, agency,
  data}``, ``data`` per inbox type, derived from the Avro schemas (timestamps as RFC 3339 UTC);
- ``update.schema.json``: one agency update or ``{"updates": [...]}``, from
  :data:`~lapor_hub.connectors.sdk.updates.UPDATE_FIELDS`;
- ``openapi.json``: OpenAPI 3.1, the calls to the agency as ``webhooks`` (deliveries and the
  ``ping``) and the connector's ``/updates`` endpoint as a path;
- ``signature-vectors.json``: secret, timestamp, body and the expected ``X-Lapor-Signature``.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from lapor_hub.connectors.sdk.model import INBOX_TYPES
from lapor_hub.connectors.sdk.signing import SIGNATURE_HEADER, sign
from lapor_hub.connectors.sdk.updates import _CLOSURE_REASONS, TEXT_FIELD, UPDATE_FIELDS

__all__ = ["documents", "delivery_schema", "update_schema", "openapi", "signature_vectors", "write"]

_AVRO = Path(__file__).resolve().parent.parent / "schemas" / "avro"
_DRAFT = "https://json-schema.org/draft/2020-12/schema"
_PRIMITIVES = {"string": "string", "boolean": "boolean", "int": "integer", "long": "integer",
               "float": "number", "double": "number", "bytes": "string"}
_TIME = {"type": "string", "format": "date-time", "description": "RFC 3339, UTC"}


def _avro(name: str) -> dict:
    return json.loads((_AVRO / f"{name}.avsc").read_text(encoding="utf-8"))


def _json_type(avro: Any, defs: dict) -> dict:
    if isinstance(avro, list):
        options = [_json_type(a, defs) for a in avro]
        return options[0] if len(options) == 1 else {"anyOf": options}
    if isinstance(avro, str):
        if avro == "null":
            return {"type": "null"}
        if avro in _PRIMITIVES:
            return {"type": _PRIMITIVES[avro]}
        if avro not in defs:
            defs[avro] = {}  # a placeholder first: a recursive type stops here
            defs[avro] = _json_type(_avro(avro), defs)
        return {"$ref": f"#/$defs/{avro}"}
    if avro.get("logicalType", "").startswith("timestamp"):
        return dict(_TIME)
    kind = avro["type"]
    if kind == "record":
        properties: dict[str, Any] = {}
        for f in avro["fields"]:
            prop = _json_type(f["type"], defs)
            properties[f["name"]] = {**prop, **({"description": f["doc"]} if f.get("doc") else {})}
        # the hub sends every field, the empty ones as null
        schema = {"type": "object", "properties": properties, "required": list(properties),
                  "additionalProperties": False}
        return {**schema, "description": avro["doc"]} if avro.get("doc") else schema
    if kind == "enum":
        return {"enum": list(avro["symbols"])}
    if kind == "array":
        return {"type": "array", "items": _json_type(avro["items"], defs)}
    return _json_type(kind, defs)


def delivery_schema() -> dict:
    defs: dict = {}
    variants = []
    for name in sorted(INBOX_TYPES):
        data = _json_type(name, defs)
        variants.append({"if": {"properties": {"type": {"const": name}}},
                         "then": {"properties": {"data": data}}})
    return {
        "$schema": _DRAFT, "$id": "https://lapor.go.id/contract/delivery.schema.json", "title": "Delivery",
        "description": "What a connector sends the agency for each event on its inbox (the webhook's POST body, "
                       "the file drop's JSON file). 'id' is the idempotency key: a delivery may come again.",
        "type": "object", "additionalProperties": False,
        "required": ["id", "type", "tracking_id", "agency", "data"],
        "properties": {
            "id": {"type": "string", "description": "the event id: store it, answer a repeat with success"},
            "type": {"enum": sorted(INBOX_TYPES)},
            "tracking_id": {"type": "string"},
            "agency": {"type": "string", "description": "the agency's code, e.g. '18.10'"},
            "data": {"type": "object"},
        },
        "allOf": variants, "$defs": defs,
    }


def _one_update(record_type: str) -> dict:
    required, optional = UPDATE_FIELDS[record_type]
    properties: dict[str, Any] = {
        "type": {"const": record_type},
        "tracking_id": {"type": "string", "minLength": 1},
        "update_id": {"type": "string", "description": "your own id of this update: the same id sent again is "
                                                      "dropped as a duplicate"},
        "occurred_at": {"type": "string", "format": "date-time", "description": "RFC 3339 with an offset"},
    }
    for name in required:
        properties[name] = {"type": "string", "minLength": 1}
    for name, default in optional.items():
        properties[name] = _optional_field(record_type, name, default)
    schema: dict[str, Any] = {"title": record_type, "type": "object", "additionalProperties": False,
                              "required": ["type", "tracking_id", *required], "properties": properties}
    text_of = TEXT_FIELD.get(record_type)
    if text_of is not None:
        properties["text"] = {"type": "string", "minLength": 1, "description": f"another name for '{text_of}'"}
        if text_of in required:  # either name will do
            schema["required"].remove(text_of)
            schema["anyOf"] = [{"required": [text_of]}, {"required": ["text"]}]
    return schema


def _optional_field(record_type: str, name: str, default: Any) -> dict:
    if name == "reason" and record_type == "ComplaintClosed":
        return {"enum": list(_CLOSURE_REASONS), "default": default}
    if name == "attachments":
        return {"type": "array", "items": {"type": "object", "required": ["name", "content_type", "url"],
                                           "properties": {"name": {"type": "string"},
                                                          "content_type": {"type": "string"},
                                                          "url": {"type": "string"}}}}
    if name == "hop":
        return {"type": "integer", "minimum": 0, "default": default}
    if name == "to_agency":
        return {"type": "string", "description": "the agency that should have it, if you know; '' if not"}
    return {"type": ["string", "null"]}


def update_schema() -> dict:
    one = {"oneOf": [{"$ref": f"#/$defs/{name}"} for name in UPDATE_FIELDS]}
    return {
        "$schema": _DRAFT, "$id": "https://lapor.go.id/contract/update.schema.json", "title": "AgencyUpdate",
        "description": "What the agency sends back (POST /updates, an SQL row, a file): one update, or "
                       "{\"updates\": [...]} with 1 to 100.",
        "oneOf": [{"$ref": "#/$defs/update"},
                  {"type": "object", "additionalProperties": False, "required": ["updates"],
                   "properties": {"updates": {"type": "array", "minItems": 1, "maxItems": 100,
                                              "items": {"$ref": "#/$defs/update"}}}}],
        "$defs": {"update": one, **{name: _one_update(name) for name in UPDATE_FIELDS}},
    }


def _errors_response(description: str) -> dict:
    schema = {"$ref": "#/components/schemas/Errors"}
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def openapi() -> dict:
    signature = {"name": SIGNATURE_HEADER, "in": "header", "required": True, "schema": {"type": "string"},
                 "description": "t=<unix seconds>,v1=<hex HMAC-SHA256(secret, t + '.' + raw body)>; reject a t more "
                                "than 300 s away from your clock"}
    agency_answers = {
        "2XX": {"description": "accepted (a repeated Idempotency-Key too); optionally {\"reference\": \"your id\"}",
                "content": {"application/json": {"schema": {"type": "object", "properties": {
                    "reference": {"type": "string"}}}}}},
        "401": {"description": "signature refused: the connector stops (the secret differs)"},
        "4XX": {"description": "refused for good: the delivery is dead-lettered with the status (408, 425 and "
                               "429 are retried)"},
        "5XX": {"description": "retried with backoff, honouring Retry-After"},
    }
    return {
        "openapi": "3.1.0",
        "info": {"title": "LAPOR Hub agency integration (webhook connector)", "version": "1",
                 "description": "Calls the webhook connector makes to the agency's application (webhooks) and "
                                "the endpoint the agency posts its updates to (paths). docs/agency-integration.md "
                                "explains them."},
        "webhooks": {
            "delivery": {"post": {
                "summary": "One inbox event for the agency (an assignment, the reporter's words, a deadline "
                           "notice, a refused update)",
                "parameters": [signature,
                               {"name": "Idempotency-Key", "in": "header", "required": True,
                                "schema": {"type": "string"}, "description": "= the body's id"},
                               {"name": "X-Lapor-Event-Type", "in": "header", "required": True,
                                "schema": {"enum": sorted(INBOX_TYPES)}}],
                "requestBody": {"required": True, "content": {"application/json": {
                    "schema": {"$ref": "https://lapor.go.id/contract/delivery.schema.json"}}}},
                "responses": agency_answers}},
            "ping": {"post": {
                "summary": "Sent by `lapor-connect check` and at every start: answer 2xx",
                "parameters": [signature, {"name": "X-Lapor-Event-Type", "in": "header", "required": True,
                                           "schema": {"const": "ping"}}],
                "requestBody": {"required": True, "content": {"application/json": {"schema": {
                    "type": "object", "required": ["type", "connector_id", "agency"],
                    "properties": {"type": {"const": "ping"}, "connector_id": {"type": "string"},
                                   "agency": {"type": "string"}}}}}},
                "responses": {"2XX": {"description": "the agency application is reachable and trusts the secret"}}}},
        },
        "paths": {"/updates": {"post": {
            "summary": "The agency's updates, to the connector's inbound endpoint",
            "parameters": [signature],
            "requestBody": {"required": True, "content": {"application/json": {
                "schema": {"$ref": "https://lapor.go.id/contract/update.schema.json"}}}},
            "responses": {
                "202": {"description": "stored durably on the agency's outbox", "content": {"application/json": {
                    "schema": {"type": "object", "required": ["accepted", "event_ids"],
                               "properties": {"accepted": {"type": "integer"},
                                              "event_ids": {"type": "array", "items": {"type": "string"}}}}}}},
                "400": _errors_response("the body is not JSON"),
                "401": _errors_response("missing, wrong or stale signature"),
                "409": _errors_response("the hub can already tell it would refuse the update; nothing stored"),
                "422": _errors_response("an update is malformed (the reason names it and the field); nothing stored"),
                "503": _errors_response("the hub is unreachable: send the same request again after Retry-After"),
            }}}},
        "components": {"schemas": {"Errors": {"type": "object", "required": ["errors"], "properties": {
            "errors": {"type": "array", "items": {"type": "object", "required": ["code", "description"],
                                                  "properties": {"code": {"type": "integer"},
                                                                 "description": {"type": "string"}}}}}}}},
    }


def signature_vectors() -> list[dict]:
    """Fixed inputs and the signature header they must give; check your own signer against them."""
    cases = [
        ("pringsewu-secret-0123456789", 1714611600,
         b'{"type":"ping","connector_id":"pringsewu-sipp","agency":"18.10"}'),
        ("pringsewu-secret-0123456789", 1714611601,
         b'{"type":"FollowUpRecorded","tracking_id":"LPR-20240502-7K3M9QZX","note":"Petugas sudah meninjau lokasi"}'),
        ("kunci-rahasia-yang-panjang!", 1700000000, "{\"note\":\"Jalan sudah diperbaiki \u2713\"}".encode()),
    ]
    return [{"secret": secret, "timestamp": t, "body": body.decode("utf-8"),
             "header": sign(secret, body, timestamp=t)} for secret, t, body in cases]


def documents() -> dict[str, Any]:
    return {"delivery.schema.json": delivery_schema(), "update.schema.json": update_schema(),
            "openapi.json": openapi(), "signature-vectors.json": signature_vectors()}


def write(folder: Path) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for name, document in documents().items():
        path = folder / name
        path.write_text(json.dumps(document, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
        written.append(path)
    return written
