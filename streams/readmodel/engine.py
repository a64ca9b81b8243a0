"""Engines for the read model, and SQLAlchemy errors translated into the hub's errors."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import Engine, create_engine, event, exc
from sqlalchemy.engine import make_url
from sqlalchemy.pool import StaticPool

from lapor_hub.errors import ConfigurationError, FatalError, RetriableError

__all__ = ["create_read_model_engine", "translated_errors", "IMMEDIATE"]

#: Execution option asking SQLite for ``BEGIN IMMEDIATE``: a batch takes the write lock at
#: its start, so two writers queue on the busy timeout instead of one failing on lock upgrade.
IMMEDIATE = "lapor_begin_immediate"

_BUSY_TIMEOUT_S = 30.0


def create_read_model_engine(url: str) -> Engine:
    """An engine for ``url``: SQLite (WAL, busy timeout) or PostgreSQL.

    A URL that cannot be parsed, names an unknown dialect or a driver that is not installed
    is a :class:`ConfigurationError`. Nothing connects yet.
    """
    try:
        parsed = make_url(url)
    except exc.ArgumentError as error:
        # The URL may hold a password: the message never quotes it.
        raise ConfigurationError("read model URL cannot be parsed: use e.g. sqlite:///var/read-model.db "
                                 "or postgresql+psycopg2://user@host/db") from error
    try:
        if parsed.get_backend_name() == "sqlite":
            return _sqlite_engine(parsed)
        if parsed.get_backend_name() == "postgresql":
            # execute_batch for UPDATEs too: a batch is a few round trips, not one per row.
            options = {"executemany_mode": "values_plus_batch"} if parsed.get_driver_name() == "psycopg2" else {}
            return create_engine(parsed, pool_pre_ping=True, **options)
    except (exc.NoSuchModuleError, exc.ArgumentError, ImportError) as error:
        raise ConfigurationError(
            f"read model URL names a driver that is not installed ({parsed.drivername})"
        ) from error
    raise ConfigurationError(
        f"read model database {parsed.get_backend_name()!r} is not supported: use sqlite or postgresql"
    )


def _sqlite_engine(url) -> Engine:
    memory = url.database in (None, "", ":memory:")
    if memory:
        # One shared connection, or every checkout would see its own empty database.
        engine = create_engine(url, poolclass=StaticPool, connect_args={"check_same_thread": False})
    else:
        Path(url.database).expanduser().parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"timeout": _BUSY_TIMEOUT_S})

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record) -> None:
        # Let SQLAlchemy emit BEGIN itself (pysqlite's own transaction handling defers it).
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        if not memory:
            # WAL: readers (the web views) never block the projector and vice versa.
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute(f"PRAGMA busy_timeout={int(_BUSY_TIMEOUT_S * 1000)}")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection) -> None:
        immediate = connection.get_execution_options().get(IMMEDIATE)
        connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")

    return engine


@contextmanager
def translated_errors(action: str) -> Iterator[None]:
    """Turn SQLAlchemy errors into the hub's, by what the caller should do.

    Messages name the action and the driver's error class only: SQLAlchemy's own messages
    quote statement parameters, which are personal data.
    """
    try:
        yield
    except exc.IntegrityError as error:
        # Another projector applied the same events concurrently (a rebalance): retrying
        # finds them in the timeline and skips them.
        raise RetriableError(f"read model: {action} conflicted with a concurrent writer; retry") from error
    except exc.OperationalError as error:
        if _missing_schema(error):
            raise _no_schema(action, error) from error
        raise RetriableError(
            f"read model: {action} failed, the database is unavailable or busy ({_cause(error)})", retry_after=1.0
        ) from error
    except (exc.InterfaceError, exc.DisconnectionError, exc.TimeoutError) as error:
        raise RetriableError(
            f"read model: {action} failed, the database is unavailable or busy ({_cause(error)})", retry_after=1.0
        ) from error
    except exc.ProgrammingError as error:
        raise _no_schema(action, error) from error
    except exc.SQLAlchemyError as error:
        raise FatalError(f"read model: {action} failed ({_cause(error)})") from error


def _cause(error: exc.SQLAlchemyError) -> str:
    orig = getattr(error, "orig", None)
    return type(orig if orig is not None else error).__name__


def _missing_schema(error: exc.OperationalError) -> bool:
    # SQLite reports a missing table as an OperationalError; waiting will not create it.
    return str(getattr(error, "orig", "")).startswith(("no such table", "no such column"))


def _no_schema(action: str, error: exc.SQLAlchemyError) -> ConfigurationError:
    return ConfigurationError(
        f"read model: {action} failed ({_cause(error)}); was create_schema() run on this database?"
    )
