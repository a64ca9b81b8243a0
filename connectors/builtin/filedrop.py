"""``filedrop``: a small institution exchanging files through a shared folder.

Out: each inbox event becomes one file in ``outgoing`` named ``<tracking id>__<event id>.json``
(or ``.csv``), written to a hidden temporary file and renamed, so the agency never reads half a
file and a redelivery overwrites the same file. A missing ``outgoing`` folder (an unmounted
share) is a temporary failure: it is never re-created locally.

In: response files (``*.json``: one update object, a list, or ``{"updates": [...]}``; ``*.csv``:
a header row with ``type,tracking_id`` and optional ``update_id,occurred_at,text,note,
response,reason,to_agency``) are picked up from ``incoming``, oldest first. Hidden files and
``*.tmp``/``*.part`` are left alone (the agency is still writing them). A file whose updates are
all valid is published and moved to ``incoming/done/``; any invalid file is moved to
``incoming/rejected/`` with ``<name>.error.txt`` beside it saying which row and field is wrong.
"""

from __future__ import annotations

import csv
import io
import json
import os
import re
from collections.abc import Iterator, Sequence
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Literal

from pydantic import Field

from lapor_hub.connectors.sdk.config import ConnectorConfig, StrictModel
from lapor_hub.connectors.sdk.connector import Connector
from lapor_hub.connectors.sdk.model import AgencyUpdate, Delivery, json_safe
from lapor_hub.connectors.sdk.updates import parse_update, update_value
from lapor_hub.errors import ConfigurationError, RetriableError, SkippableError

__all__ = ["FileDropConnector", "FileDropSettings"]

_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


class FileDropSettings(StrictModel):
    outgoing: Path
    incoming: Path
    format: Literal["json", "csv"] = "json"
    max_files_per_poll: int = Field(100, ge=1, le=10000)


class FileDropConnector(Connector):
    type = "filedrop"
    Settings = FileDropSettings

    def __init__(self, config: ConnectorConfig) -> None:
        super().__init__(config)
        self._picked: list[Path] = []
        self._file_of: dict[str, Path] = {}  # update id → the response file it came from
        self._refusals: dict[Path, list[str]] = {}  # file → why the hub refused some of its updates
        self.done = self.settings.incoming / "done"
        self.rejected = self.settings.incoming / "rejected"

    def check(self) -> None:
        for key in ("outgoing", "incoming"):
            folder: Path = getattr(self.settings, key)
            if not folder.is_dir():
                raise ConfigurationError(f"settings.{key}: folder {folder} does not exist; "
                                         "create it or mount the share")
            if not os.access(folder, os.W_OK | os.X_OK):
                raise ConfigurationError(f"settings.{key}: folder {folder} is not writable by this user")

    def open(self, context) -> None:
        super().open(context)
        for folder in (self.done, self.rejected):
            folder.mkdir(parents=True, exist_ok=True)

    # hub → agency -----------------------------------------------------------------------

    def deliver(self, batch: Sequence[Delivery]) -> Iterator[None]:
        outgoing = self.settings.outgoing
        for delivery in batch:
            if not outgoing.is_dir():
                raise RetriableError(f"outgoing folder {outgoing} is not available (an unmounted share?)")
            if not delivery.tracking_id:
                raise SkippableError("the event has no tracking id: its file could not be named")
            name = f"{_safe(delivery.tracking_id)}__{_safe(delivery.idempotency_key)}.{self.settings.format}"
            try:
                _write_atomically(outgoing / name, self._render(delivery))
            except OSError as exc:
                raise RetriableError(f"cannot write to {outgoing}: {exc.strerror}") from exc
            yield None

    def _render(self, delivery: Delivery) -> bytes:
        envelope = {"type": delivery.record_type, "id": delivery.idempotency_key,
                    "tracking_id": delivery.tracking_id, "data": json_safe(delivery.value)}
        if self.settings.format == "json":
            return json.dumps(envelope, ensure_ascii=False, indent=2, sort_keys=True).encode("utf-8")
        row = {"type": envelope["type"], "id": envelope["id"], **_flatten(envelope["data"])}
        out = io.StringIO()
        writer = csv.DictWriter(out, fieldnames=list(row))
        writer.writeheader()
        writer.writerow(row)
        return out.getvalue().encode("utf-8")

    # agency → hub -----------------------------------------------------------------------

    def poll(self) -> list[AgencyUpdate]:
        incoming = self.settings.incoming
        if not incoming.is_dir():
            raise RetriableError(f"incoming folder {incoming} is not available (an unmounted share?)")
        files = sorted((p for p in incoming.iterdir() if _is_response_file(p)),
                       key=lambda p: (p.stat().st_mtime, p.name))[: self.settings.max_files_per_poll]
        updates: list[AgencyUpdate] = []
        self._picked = []
        for path in files:
            try:
                found = self._read(path)
            except SkippableError as exc:
                self._reject(path, exc.reason)
                continue
            updates.extend(found)
            self._file_of.update((u.update_id, path) for u in found)
            self._picked.append(path)
        return updates

    def refused(self, record: Any, reason: str) -> None:
        """An update of a well-formed file the hub refused: reported next to the file in done/."""
        path = self._file_of.get(getattr(record, "update_id", ""))
        if path is not None:
            self._refusals.setdefault(path, []).append(f"{record.record_type} for {record.tracking_id}: {reason}")

    def acknowledge(self, updates: Sequence[AgencyUpdate]) -> None:
        for path in self._picked:
            moved = _move(path, self.done)
            if path in self._refusals:
                report = (f"file: {path.name}\nconnector: {self.config.id}\nthe other updates of the file were "
                          "taken; these were refused:\n" + "".join(f"  - {r}\n" for r in self._refusals[path]))
                _write_atomically(moved.with_name(moved.name + ".error.txt"), report.encode("utf-8"))
        self._picked, self._file_of, self._refusals = [], {}, {}

    def _read(self, path: Path) -> list[AgencyUpdate]:
        try:
            text = path.read_text(encoding="utf-8-sig")
        except UnicodeDecodeError:
            raise SkippableError("the file is not UTF-8 text") from None
        except OSError as exc:
            raise RetriableError(f"cannot read {path.name}: {exc.strerror}") from exc
        rows = _csv_rows(text) if path.suffix.lower() == ".csv" else _json_rows(text)
        if not rows:
            raise SkippableError("the file holds no updates")
        updates = []
        for number, row in rows:
            try:
                update = parse_update(row)
                update_value(update, connector_id=self.config.id, agency=self.config.agency)
            except SkippableError as exc:
                raise SkippableError(f"{number}: {exc.reason}") from None
            updates.append(update)
        return updates

    def _reject(self, path: Path, reason: str) -> None:
        moved = _move(path, self.rejected)
        report = (f"file: {path.name}\nrejected at: {datetime.now(timezone.utc).isoformat()}\n"
                  f"connector: {self.config.id}\nproblem: {reason}\n"
                  "fix the file and drop it into the incoming folder again\n")
        _write_atomically(moved.with_name(moved.name + ".error.txt"), report.encode("utf-8"))
        if self.context is not None:  # also a dead letter, for the operators (the file's name, not its content)
            self.context.log.warning("rejected response file %s: %s", path.name, reason)
            self.context.refuse({"file": path.name, "rejected_to": str(moved)}, reason)


def _json_rows(text: str) -> list[tuple[str, Any]]:
    try:
        payload = json.loads(text)
    except ValueError as exc:
        raise SkippableError(f"not valid JSON (line {getattr(exc, 'lineno', '?')}): fix the syntax") from None
    if isinstance(payload, dict) and "updates" in payload:
        payload = payload["updates"]
    items = payload if isinstance(payload, list) else [payload]
    return [(f"update {i + 1}", item) for i, item in enumerate(items)]


def _csv_rows(text: str) -> list[tuple[str, Any]]:
    reader = csv.DictReader(io.StringIO(text))
    if not reader.fieldnames or not {"type", "tracking_id"} <= set(reader.fieldnames):
        raise SkippableError("the CSV header must name at least the columns type and tracking_id")
    rows = []
    for row in reader:
        if None in row:
            raise SkippableError(f"row {reader.line_num}: more cells than header columns")
        rows.append((f"row {reader.line_num}", row))
    return rows


def _is_response_file(path: Path) -> bool:
    return (path.is_file() and not path.name.startswith(".") and path.suffix.lower() in (".json", ".csv"))


def _write_atomically(target: Path, data: bytes) -> None:
    temporary = target.with_name(f".{target.name}.tmp")
    with open(temporary, "wb") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(temporary, target)


def _move(path: Path, folder: Path) -> Path:
    target = folder / path.name
    if target.exists():  # the same name dropped twice: keep both
        target = folder / f"{path.stem}.{datetime.now(timezone.utc):%Y%m%dT%H%M%S%f}{path.suffix}"
    os.replace(path, target)
    return target


def _safe(text: str) -> str:
    return _UNSAFE.sub("_", text)[:120]


def _flatten(value: Any, prefix: str = "") -> dict[str, str]:
    if isinstance(value, dict):
        out: dict[str, str] = {}
        for key, item in value.items():
            out.update(_flatten(item, f"{prefix}{key}."))
        return out
    cell = "" if value is None else json.dumps(value, ensure_ascii=False) if isinstance(value, list) else str(value)
    return {prefix.rstrip("."): cell}
