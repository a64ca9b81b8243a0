"""Regenerate the golden vectors in tests/schemas/golden/ from tests/schemas/samples.py.

    .venv/bin/python -m tests.schemas.regenerate_golden

Writes ``<Record>.bin`` (wire-format bytes, latest version) and ``<Record>.json`` (the value,
with ``{"$datetime": ...}`` and ``{"$bytes": base64}`` for what JSON lacks), plus
``<Record>.v<N>.bin``/``.json`` for the older versions in ``OLDER_VERSIONS``. Only regenerate on
purpose (a new record type or version): the point of golden files is that released bytes never
change. Before releasing version N+1 of a record, rename its golden files to ``.v<N>`` and add
it to ``OLDER_VERSIONS``.
"""

from __future__ import annotations

import base64
import json
from datetime import datetime
from io import BytesIO
from pathlib import Path
from typing import Any

from fastavro import schemaless_writer

from lapor_hub.schemas import default_catalog, encode
from tests.schemas.samples import OLDER_VERSIONS, SAMPLES

__all__ = ["GOLDEN", "to_json", "from_json", "write_version", "main"]

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


def write_version(record_type: str, version: int, value: dict) -> bytes:
    """Bytes as a producer still on ``version`` writes them."""
    old = default_catalog().version(default_catalog().subject_for(record_type), version)
    out = BytesIO(b"\x00" + old.schema_id.to_bytes(4, "big"))
    out.seek(5)
    schemaless_writer(out, old.parsed, value)
    return out.getvalue()


def _write(name: str, data: bytes, value: dict) -> None:
    (GOLDEN / f"{name}.bin").write_bytes(data)
    (GOLDEN / f"{name}.json").write_text(json.dumps(to_json(value), indent=2, ensure_ascii=False) + "\n",
                                        encoding="utf-8")


def main() -> None:
    GOLDEN.mkdir(exist_ok=True)
    for record_type, value in SAMPLES.items():
        _write(record_type, encode(record_type, value), value)
    for name, (record_type, version, value) in OLDER_VERSIONS.items():
        if not (GOLDEN / f"{name}.bin").exists():  # released bytes are never rewritten
            _write(name, write_version(record_type, version, value), value)
    print(f"wrote {len(SAMPLES)} golden vectors to {GOLDEN}, kept {len(OLDER_VERSIONS)} older ones")


if __name__ == "__main__":
    main()
