"""The read model's schema: Alembic migrations, applied under a lock so workers may start together.

Every worker runs :func:`upgrade_schema` at start. Two workers starting at once on an empty
PostgreSQL database both try to create the tables; a PostgreSQL advisory lock (a file lock for
SQLite) lets one migrate while the other waits and then finds nothing to do. A database that
the first release created without Alembic (tables, no ``alembic_version``) is stamped at the
baseline revision first, then upgraded like any other.

To change the schema: edit :mod:`lapor_hub.streams.readmodel.tables`, add a revision in
``migrations/versions/`` (``NNNN_what.py``, ``down_revision`` the previous one), and run the
tests: one of them checks that the migrations produce exactly the tables' metadata.
"""

from __future__ import annotations

import fcntl
from collections.abc import Iterator
from contextlib import contextmanager
from importlib import resources
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Connection, Engine, inspect, text

from lapor_hub.streams.readmodel.engine import translated_errors

__all__ = ["upgrade_schema", "current_revision", "HEAD", "BASELINE"]

BASELINE = "0001"
HEAD = "0004"
#: Any constant: the advisory lock's key in PostgreSQL, shared by every worker.
_PG_LOCK_KEY = 0x4C41504F52  # "LAPOR"
_BASELINE_TABLES = {"complaints", "timeline", "assignments"}


def upgrade_schema(engine: Engine) -> None:
    """Bring the database to the newest revision; safe to run from many workers at once."""
    with translated_errors("migrating the schema"), _migration_lock(engine) as conn:
        config = _config(conn)
        if current_revision(conn) is None and _BASELINE_TABLES <= set(inspect(conn).get_table_names()):
            command.stamp(config, BASELINE)
        command.upgrade(config, "head")
        conn.commit()


def current_revision(conn: Connection) -> str | None:
    return MigrationContext.configure(conn).get_current_revision()


def _config(conn: Connection) -> Config:
    config = Config()
    config.set_main_option("script_location", str(resources.files("lapor_hub.streams.readmodel") / "migrations"))
    config.attributes["connection"] = conn
    return config


@contextmanager
def _migration_lock(engine: Engine) -> Iterator[Connection]:
    with engine.connect() as conn:
        if engine.dialect.name == "postgresql":
            conn.execute(text("SELECT pg_advisory_lock(:key)"), {"key": _PG_LOCK_KEY})
            conn.commit()
            try:
                yield conn
            finally:
                conn.rollback()
                conn.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": _PG_LOCK_KEY})
                conn.commit()
            return
        with _file_lock(engine):
            yield conn


@contextmanager
def _file_lock(engine: Engine) -> Iterator[None]:
    database = engine.url.database
    if not database or database == ":memory:":
        yield
        return
    path = Path(database).expanduser().with_suffix(".migrate-lock")
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "a+") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)
