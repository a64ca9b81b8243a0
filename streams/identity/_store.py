"""The identity database: one SQLite file in the identity directory, beside the signing keys.

SQLite rather than a JSON file because the file has several writers at once: the CLI adds and
disables accounts and API keys while running workers read them (each token verification checks
that the account is still enabled) and write them (a sign-in may upgrade a password hash). A
JSON file replaced atomically cannot be torn, but two read-modify-write cycles would still lose
one another's change without a lock of our own around each; SQLite already serialises writers
with file locks, commits atomically, and in WAL mode lets readers go on while one writes. It is
in the standard library and is one file to back up.

The directory is created ``0700`` and the database ``0600``: it holds password hashes.
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path

__all__ = ["DATABASE_NAME", "ensure_private_dir", "open_database", "now_iso"]

DATABASE_NAME = "identity.sqlite3"
#: How long a writer waits for another to finish before giving up (seconds).
_BUSY_TIMEOUT_S = 10.0

_SCHEMA = """
CREATE TABLE IF NOT EXISTS accounts (
    username      TEXT PRIMARY KEY,
    role          TEXT NOT NULL,
    agency        TEXT,
    password_hash TEXT NOT NULL,
    disabled      INTEGER NOT NULL DEFAULT 0,
    created_at    TEXT NOT NULL,
    disabled_at   TEXT
);
CREATE TABLE IF NOT EXISTS api_keys (
    key_id      TEXT PRIMARY KEY,
    channel     TEXT NOT NULL,
    role        TEXT NOT NULL DEFAULT 'channel',
    agency      TEXT,
    secret_hash TEXT NOT NULL,
    created_at  TEXT NOT NULL,
    revoked_at  TEXT
);
"""


def ensure_private_dir(path: Path) -> Path:
    """Create ``path`` (mode 0700) when missing; an existing directory keeps its mode."""
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    return path


def now_iso() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


_ready: set[Path] = set()


@contextmanager
def open_database(identity_dir: Path, *, write: bool = False) -> Iterator[sqlite3.Connection]:
    """A connection to the identity database, created on first use; one transaction per ``with``.

    A writing transaction is ``BEGIN IMMEDIATE``: a read-then-write takes the write lock first,
    so two writers never both pass the same check (e.g. "is this name free?"). Readers take no
    write lock and, in WAL mode, are not blocked by a writer.
    """
    path = ensure_private_dir(identity_dir) / DATABASE_NAME
    if path not in _ready or not path.exists():
        _create(path)
        _ready.add(path)
    connection = sqlite3.connect(path, timeout=_BUSY_TIMEOUT_S, isolation_level=None)
    try:
        connection.row_factory = sqlite3.Row
        connection.execute("BEGIN IMMEDIATE" if write else "BEGIN")
        try:
            yield connection
        except BaseException:
            connection.execute("ROLLBACK")
            raise
        connection.execute("COMMIT")
    finally:
        connection.close()


def _create(path: Path) -> None:
    try:
        os.close(os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600))
    except FileExistsError:
        pass  # made earlier, or by another process just now
    connection = sqlite3.connect(path, timeout=_BUSY_TIMEOUT_S, isolation_level=None)
    try:
        connection.execute("PRAGMA journal_mode=WAL")  # persistent: recorded in the file
        connection.execute("BEGIN IMMEDIATE")
        for statement in filter(str.strip, _SCHEMA.split(";")):
            connection.execute(statement)
        connection.execute("COMMIT")
    finally:
        connection.close()
