"""``sql``: an agency with a legacy database (PostgreSQL, SQLite, MySQL/MariaDB via SQLAlchemy).

Out: each assignment (``ComplaintDispositioned``) becomes a row of ``settings.assignments.table``;
``columns`` maps a column to a field of the assignment (``tracking_id``, ``title``,
``location.address``, ``agency.code``...), ``key_column`` holds the idempotency key (event id):
a redelivery updates the same row instead of inserting another (update, else insert, in one
transaction per assignment). Other inbox events (the reporter's added information or reply,
a reopening, SLA notices) are accepted and not written.

In: rows of ``settings.updates.table`` newer than the stored watermark (``watermark_column``,
strictly increasing: an id or a sequence) become updates, in watermark order. The watermark is
stored in ``state_table`` (same database) only after the updates are on the outbox: a crash
re-reads them and their event ids (from ``update_id_column``) are the same. Naive timestamps are
read in ``timezone`` (legacy systems often store WIB/WITA/WIT wall-clock time).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Mapping, Sequence
from datetime import date, datetime, timezone
from decimal import Decimal
from types import TracebackType
from typing import Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import sqlalchemy as sa
from pydantic import Field, SecretStr, field_validator
from sqlalchemy import exc as sa_exc

from lapor_hub.connectors.sdk.config import ConnectorConfig, StrictModel
from lapor_hub.connectors.sdk.connector import Connector
from lapor_hub.connectors.sdk.model import AgencyUpdate, Delivery, json_safe
from lapor_hub.connectors.sdk.updates import AGENCY_UPDATES, UPDATE_FIELDS
from lapor_hub.errors import ConfigurationError, FatalError, RetriableError, SkippableError

__all__ = ["SqlConnector", "SqlSettings", "AssignmentTable", "UpdatesTable", "ASSIGNMENT_FIELDS"]

#: Field paths of a ComplaintDispositioned a column may be mapped to.
ASSIGNMENT_FIELDS = (
    "event_id", "tracking_id", "occurred_at", "actor", "agency.code", "agency.name", "rule", "reason", "hop",
    "privacy", "title", "description", "content_hidden", "category", "location.region_code", "location.lat",
    "location.lon", "location.address", "attachments", "reporter.name", "reporter.nik", "reporter.phone",
    "reporter.email", "submitted_at", "due_at",
)
_UPDATE_FIELD_NAMES = sorted({"occurred_at", "text", *(f for req, opt in UPDATE_FIELDS.values() for f in (*req, *opt))})


class AssignmentTable(StrictModel):
    table: str
    key_column: str
    columns: dict[str, str] = Field(min_length=1, description="column → assignment field")

    @field_validator("columns")
    @classmethod
    def _known_fields(cls, columns: dict[str, str]) -> dict[str, str]:
        unknown = sorted(set(columns.values()) - set(ASSIGNMENT_FIELDS))
        if unknown:
            raise ValueError(f"unknown assignment field(s) {', '.join(unknown)}; "
                             f"map columns to {', '.join(ASSIGNMENT_FIELDS)}")
        return columns


class UpdatesTable(StrictModel):
    table: str
    watermark_column: str
    update_id_column: str | None = None
    tracking_id_column: str
    type_column: str
    type_values: dict[str, str] = Field(default_factory=dict, description="agency's word → record type")
    columns: dict[str, str] = Field(default_factory=dict, description="update field → column")
    batch_size: int = Field(100, ge=1, le=10000)

    @field_validator("type_values")
    @classmethod
    def _known_types(cls, values: dict[str, str]) -> dict[str, str]:
        unknown = sorted(set(values.values()) - AGENCY_UPDATES)
        if unknown:
            raise ValueError(f"{', '.join(unknown)} are not agency updates; use {', '.join(sorted(AGENCY_UPDATES))}")
        return values

    @field_validator("columns")
    @classmethod
    def _known_fields(cls, columns: dict[str, str]) -> dict[str, str]:
        unknown = sorted(set(columns) - set(_UPDATE_FIELD_NAMES))
        if unknown:
            raise ValueError(f"unknown update field(s) {', '.join(unknown)}; use {', '.join(_UPDATE_FIELD_NAMES)}")
        return columns


class SqlSettings(StrictModel):
    url: SecretStr = Field(description="SQLAlchemy URL, e.g. postgresql+psycopg2://user:pw@host/db")
    assignments: AssignmentTable
    updates: UpdatesTable | None = None
    state_table: str = "lapor_connector_state"
    timezone: str = "UTC"
    busy_timeout: float = Field(5.0, gt=0, le=60, description="seconds to wait for a lock or a connection")

    @field_validator("url")
    @classmethod
    def _sqlalchemy_url(cls, url: SecretStr) -> SecretStr:
        try:
            sa.engine.make_url(url.get_secret_value())
        except (sa_exc.ArgumentError, ValueError):
            raise ValueError("not a SQLAlchemy URL: write e.g. postgresql+psycopg2://user:${DB_PASSWORD}@host/db "
                             "or sqlite:////var/lib/agency.db") from None
        return url

    @field_validator("timezone")
    @classmethod
    def _zone(cls, name: str) -> str:
        try:
            ZoneInfo(name)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError("unknown time zone: use UTC, Asia/Jakarta (WIB), Asia/Makassar (WITA) "
                             "or Asia/Jayapura (WIT)") from None
        return name


class SqlConnector(Connector):
    type = "sql"
    Settings = SqlSettings

    def __init__(self, config: ConnectorConfig, *, engine: sa.Engine | None = None) -> None:
        super().__init__(config)
        self.engine = engine or _engine(self.settings)
        self._tables: dict[str, sa.Table] = {}
        self._pending_watermark: Any = None

    def check(self) -> None:
        try:
            with self.engine.connect() as conn:
                conn.execute(sa.text("SELECT 1"))
            inspector = sa.inspect(self.engine)
            a = self.settings.assignments
            _require_columns(inspector, a.table, [a.key_column], "settings.assignments.key_column")
            _require_columns(inspector, a.table, list(a.columns), "settings.assignments.columns")
            u = self.settings.updates
            if u is not None:
                named = [u.watermark_column, u.tracking_id_column, u.type_column,
                         *([u.update_id_column] if u.update_id_column else [])]
                _require_columns(inspector, u.table, named, "settings.updates")
                _require_columns(inspector, u.table, list(u.columns.values()), "settings.updates.columns")
        except sa_exc.SQLAlchemyError as exc:
            raise ConfigurationError(f"settings.url: cannot use the database ({_cause(exc)}); check the URL, "
                                     "the credentials and that the server is up") from None

    # hub → agency -----------------------------------------------------------------------

    def deliver(self, batch: Sequence[Delivery]) -> Iterator[None]:
        a = self.settings.assignments
        for delivery in batch:
            if delivery.is_assignment:
                with _translated(a.table):
                    table = self._table(a.table)
                    row = {col: _cell(_field(delivery.value, path), table.c[col]) for col, path in a.columns.items()}
                    row[a.key_column] = delivery.idempotency_key
                    key = table.c[a.key_column] == delivery.idempotency_key
                    with self.engine.begin() as conn:
                        if not conn.execute(sa.update(table).where(key).values(row)).rowcount:
                            conn.execute(sa.insert(table).values(row))
            yield None

    # agency → hub -----------------------------------------------------------------------

    def poll(self) -> list[AgencyUpdate]:
        u = self.settings.updates
        if u is None:
            return []
        with _translated(u.table):
            table = self._table(u.table)
            watermark = self._load_watermark()
            query = sa.select(table).order_by(table.c[u.watermark_column]).limit(u.batch_size)
            if watermark is not None:
                query = query.where(table.c[u.watermark_column] > watermark)
            with self.engine.connect() as conn:
                rows = conn.execute(query).mappings().all()
        zone = ZoneInfo(self.settings.timezone)
        updates = []
        for row in rows:
            fields = {f: row[c] for f, c in u.columns.items() if f != "occurred_at" and row[c] is not None}
            occurred = row[u.columns["occurred_at"]] if "occurred_at" in u.columns else None
            if isinstance(occurred, datetime) and occurred.tzinfo is None:
                occurred = occurred.replace(tzinfo=zone)
            raw_type = str(row[u.type_column])
            updates.append(AgencyUpdate(u.type_values.get(raw_type, raw_type), str(row[u.tracking_id_column]),
                                        f"{u.table}:{row[u.update_id_column or u.watermark_column]}",
                                        fields, occurred if isinstance(occurred, datetime) else None))
        self._pending_watermark = rows[-1][u.watermark_column] if rows else None
        return updates

    def acknowledge(self, updates: Sequence[AgencyUpdate]) -> None:
        if self._pending_watermark is None:
            return
        with _translated(self.settings.state_table):
            state = self._state_table()
            stored = json.dumps(_encode_watermark(self._pending_watermark))
            key = state.c.connector_id == self.config.id
            values = {"connector_id": self.config.id, "watermark": stored, "updated_at": datetime.now(timezone.utc)}
            with self.engine.begin() as conn:
                if not conn.execute(sa.update(state).where(key).values(values)).rowcount:
                    conn.execute(sa.insert(state).values(values))
        self._pending_watermark = None

    def close(self) -> None:
        self.engine.dispose()

    def _load_watermark(self) -> Any:
        state = self._state_table()
        with self.engine.connect() as conn:
            stored = conn.execute(sa.select(state.c.watermark).where(state.c.connector_id == self.config.id)).scalar()
        return _decode_watermark(json.loads(stored)) if stored else None

    def _table(self, name: str) -> sa.Table:
        if name not in self._tables:
            try:
                self._tables[name] = sa.Table(name, sa.MetaData(), autoload_with=self.engine)
            except sa_exc.NoSuchTableError:
                raise FatalError(f"table {name!r} does not exist: "
                                 "run `lapor-connect check` and fix the mapping") from None
        return self._tables[name]

    def _state_table(self) -> sa.Table:
        name = self.settings.state_table
        if name not in self._tables:
            table = sa.Table(name, sa.MetaData(), sa.Column("connector_id", sa.String(100), primary_key=True),
                             sa.Column("watermark", sa.Text, nullable=False),
                             sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False))
            table.create(self.engine, checkfirst=True)
            self._tables[name] = table
        return self._tables[name]


def _engine(settings: SqlSettings) -> sa.Engine:
    url = sa.engine.make_url(settings.url.get_secret_value())
    ms = int(settings.busy_timeout * 1000)
    connect_args: dict[str, Any] = {}
    if url.get_backend_name() == "sqlite":
        connect_args = {"timeout": settings.busy_timeout}
    elif url.get_backend_name() == "postgresql":
        connect_args = {"connect_timeout": max(1, int(settings.busy_timeout)), "options": f"-c lock_timeout={ms}"}
    elif url.get_backend_name() in ("mysql", "mariadb"):
        seconds = max(1, int(settings.busy_timeout))
        # Both waits: row locks (InnoDB) and table locks (metadata, a year by default).
        connect_args = {"connect_timeout": seconds,
                        "init_command": f"SET SESSION innodb_lock_wait_timeout={seconds}, lock_wait_timeout={seconds}"}
    return sa.create_engine(url, pool_pre_ping=True, connect_args=connect_args)


class _translated:
    """SQLAlchemy errors → what the runtime should do. Never the DBAPI message: it quotes values."""

    def __init__(self, table: str) -> None:
        self.table = table

    def __enter__(self) -> None:
        return None

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> Literal[False]:
        if exc is None or not isinstance(exc, sa_exc.SQLAlchemyError):
            return False
        if isinstance(exc, (sa_exc.IntegrityError, sa_exc.DataError)):
            raise SkippableError(f"the database refused the row for table {self.table!r} ({_cause(exc)}): "
                                 "compare the column constraints (NOT NULL, length) with the mapping") from None
        if isinstance(exc, sa_exc.ProgrammingError):
            raise FatalError(f"table {self.table!r}: {_cause(exc)}; "
                             "run `lapor-connect check` to see what is wrong") from None
        raise RetriableError(f"database unavailable for table {self.table!r} ({_cause(exc)})") from exc


def _cause(exc: sa_exc.SQLAlchemyError) -> str:
    orig = getattr(exc, "orig", None)
    return f"{type(exc).__name__}/{type(orig).__name__}" if orig is not None else type(exc).__name__


def _require_columns(inspector: Any, table: str, columns: list[str], key: str) -> None:
    if not inspector.has_table(table):
        raise ConfigurationError(f"{key}: table {table!r} does not exist in the database "
                                 f"(tables: {', '.join(sorted(inspector.get_table_names())) or 'none'})")
    existing = [c["name"] for c in inspector.get_columns(table)]
    missing = [c for c in columns if c not in existing]
    if missing:
        raise ConfigurationError(f"{key}: column {', '.join(map(repr, missing))} does not exist in table {table!r} "
                                 f"(its columns: {', '.join(existing)}); fix the mapping")


def _field(value: Mapping[str, Any], path: str) -> Any:
    node: Any = value
    for part in path.split("."):
        node = node.get(part) if isinstance(node, dict) else None
    return node


def _cell(value: Any, column: sa.Column) -> Any:
    if isinstance(value, (dict, list)):
        return json.dumps(json_safe(value), ensure_ascii=False)
    if isinstance(value, datetime) and not isinstance(column.type, (sa.DateTime, sa.Date)):
        return json_safe(value)
    return value


def _encode_watermark(value: Any) -> dict:
    if isinstance(value, datetime):
        return {"t": "datetime", "v": value.isoformat()}
    if isinstance(value, date):
        return {"t": "date", "v": value.isoformat()}
    if isinstance(value, Decimal):
        return {"t": "decimal", "v": str(value)}
    if isinstance(value, int):
        return {"t": "int", "v": value}
    return {"t": "str", "v": str(value)}


_WATERMARK_DECODERS: dict[str, Callable[[Any], Any]] = {
    "datetime": datetime.fromisoformat, "date": date.fromisoformat, "decimal": Decimal, "int": int}


def _decode_watermark(stored: dict) -> Any:
    kind, value = stored["t"], stored["v"]
    return _WATERMARK_DECODERS.get(kind, str)(value)
