"""Regenerate the golden vectors in tests/schemas/golden/ from tests/schemas/samples.py.

    .venv/bin/python -m tests.schemas.regenerate_golden

Writes ``<Record>.bin`` (wire-format bytes, latest version) and ``<Record>.json`` (the value,
with ``{"$datetime": ...}`` and ``{"$bytes": base64}`` for what JSON lacks), plus
``FollowUpRecorded.v1.bin``/``.json`` written with schema v1. Only regenerate on purpose (a new
record type or version): the point of golden files is that released bytes never change.
"""

from __future__ import annotations

import base64
import json
from datetime import datetime
from io import BytesIO
from pathlib import Path
from typing import Any

from fastavro import schemaless_writer

from schemas import default_catalog, encode
from tests.schemas.samples import FOLLOW_UP_V1, SAMPLES

__all__ = ["GOLDEN", "to_json", "from_json", "write_v1", "main"]

GOLDEN = Path(__file__).parent / "golden"


def to_json(value: Any) -> Any:
    if isinstance(value, datetime):
        return {"$datetime": value.isoformat()}
    if isinstance(value, bytes):
        return {"$bytes": base64.b64encode(value).decode()}
    if isinstance(value, dict):
        return {k: to_json(v) for k, v in value.items()}
    if isinstance(value, list):
        return [to_json(v) for v in value]
    return value


def from_json(value: Any) -> Any:
    if isinstance(value, dict):
        if set(value) == {"$datetime"}:
            return datetime.fromisoformat(value["$datetime"])
        if set(value) == {"$bytes"}:
            return base64.b64decode(value["$bytes"])
        return {k: from_json(v) for k, v in value.items()}
    if isinstance(value, list):
        return [from_json(v) for v in value]
    return value


def write_v1(record_type: str, value: dict) -> bytes:
    """Bytes as a producer still on version 1 writes them."""
    v1 = default_catalog().version(default_catalog().subject_for(record_type), 1)
    out = BytesIO(b"\x00" + v1.schema_id.to_bytes(4, "big"))
    out.seek(5)
    schemaless_writer(out, v1.parsed, value)
    return out.getvalue()


def _write(name: str, data: bytes, value: dict) -> None:
    (GOLDEN / f"{name}.bin").write_bytes(data)
    (GOLDEN / f"{name}.json").write_text(json.dumps(to_json(value), indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


def main() -> None:
    GOLDEN.mkdir(exist_ok=True)
    for record_type, value in SAMPLES.items():
        _write(record_type, encode(record_type, value), value)
    _write("FollowUpRecorded.v1", write_v1("FollowUpRecorded", FOLLOW_UP_V1), FOLLOW_UP_V1)
    print(f"wrote {len(SAMPLES) + 1} golden vectors to {GOLDEN}")


if __name__ == "__main__":
    main()
