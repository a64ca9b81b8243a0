"""The polling watermark the runtime keeps for a connector with a ``cursor``: durable, one per connector.

One JSON file, ``<state_dir>/<connector id>.watermark.json``, replaced atomically (a temporary
file written and fsynced, renamed over the old one, the folder fsynced) after the polled updates
are on the outbox or dead-lettered: a crash re-reads at most what it had not stored, and re-read
updates get the same event ids, which the hub drops as duplicates. While the runtime runs it
holds an exclusive lock on ``<connector id>.lock``, so a second process with the same connector
id and state folder is refused instead of polling (and publishing) everything twice.
"""

from __future__ import annotations

import fcntl
import json
import os
from datetime import datetime, timezone
from pathlib import Path
from typing import IO, Any

from lapor_hub.connectors.sdk.model import json_safe
from lapor_hub.errors import ConfigurationError, FatalError

__all__ = ["Watermark"]


class Watermark:
    """The stored position of one connector; :meth:`open` before use, :meth:`close` after."""

    def __init__(self, state_dir: Path, connector_id: str, cursor: str) -> None:
        self.path = state_dir / f"{connector_id}.watermark.json"
        self._lock_path = state_dir / f"{connector_id}.lock"
        self._cursor = cursor
        self._connector_id = connector_id
        self._lock: IO[str] | None = None

    def open(self) -> Any:
        """Take the lock and return the stored position (None before the first poll)."""
        folder = self.path.parent
        try:
            folder.mkdir(parents=True, exist_ok=True)
            self._lock = open(self._lock_path, "a+", encoding="utf-8")
        except OSError as exc:
            raise ConfigurationError(f"state_dir: cannot use {folder} for the polling watermark ({exc.strerror}); "
                                     "set state_dir to a writable folder that survives restarts") from None
        try:
            fcntl.flock(self._lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            self._lock.close()
            self._lock = None
            raise ConfigurationError(f"connector {self._connector_id} already runs with state folder {folder}: "
                                     "stop the other process first (two would publish every update twice)") from None
        return self.load()

    def load(self) -> Any:
        try:
            stored = json.loads(self.path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return None
        except (OSError, ValueError) as exc:
            raise ConfigurationError(f"state_dir: {self.path} is not a watermark this runtime wrote "
                                     f"({type(exc).__name__}); restore it, or delete it to poll from the start"
                                     ) from None
        if stored.get("cursor") != self._cursor:
            raise ConfigurationError(f"state_dir: {self.path} holds a watermark of cursor {stored.get('cursor')!r}, "
                                     f"not {self._cursor!r}; delete it to poll from the start")
        return stored.get("after")

    def store(self, after: Any) -> None:
        record = {"connector_id": self._connector_id, "cursor": self._cursor, "after": json_safe(after),
                  "stored_at": datetime.now(timezone.utc).isoformat()}
        temporary = self.path.with_name(f".{self.path.name}.tmp")
        try:
            with open(temporary, "w", encoding="utf-8") as handle:
                json.dump(record, handle)
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(temporary, self.path)
            folder = os.open(self.path.parent, os.O_RDONLY)
            try:
                os.fsync(folder)
            finally:
                os.close(folder)
        except OSError as exc:
            # Published but not remembered: going on would re-publish after every restart.
            raise FatalError(f"cannot store the polling watermark in {self.path} ({exc.strerror}); "
                             "free the disk or fix the folder's permissions, then start again") from None

    def close(self) -> None:
        if self._lock is not None:
            fcntl.flock(self._lock, fcntl.LOCK_UN)
            self._lock.close()
            self._lock = None
