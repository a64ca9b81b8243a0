"""The read model: :meth:`ReadModel.apply` projects batches of ``complaints.events``."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping, Sequence
from functools import lru_cache

from sqlalchemy import Connection, Engine, select, text

from lapor_hub.errors import ConfigurationError, UnknownAgencyError
from lapor_hub.streams.directory import Directory, default_directory
from lapor_hub.streams.readmodel import queries, servicerequests, staffqueries
from lapor_hub.streams.readmodel._bulk import BulkWriter
from lapor_hub.streams.readmodel.engine import IMMEDIATE, create_read_model_engine, translated_errors
from lapor_hub.streams.readmodel.events import AUDIT_RECORD_TYPE, PROJECTED_RECORD_TYPES, ProjectedEvent, as_utc
from lapor_hub.streams.readmodel.projection import project
from lapor_hub.streams.readmodel.schema import upgrade_schema
from lapor_hub.streams.readmodel.tables import (
    assignments,
    audit_log,
    case_files,
    complaints,
    metadata,
    projection_offsets,
    ratings,
    timeline,
)

__all__ = ["ReadModel", "open_read_model"]

#: Keys per IN (...) list: far below SQLite's and PostgreSQL's bind parameter limits.
_CHUNK = 500
_DIALECTS = ("sqlite", "postgresql")


def open_read_model(url: str, *, directory: Directory | None = None) -> ReadModel:
    """The read model at ``url`` (``sqlite:///path`` or ``postgresql+psycopg2://...``).

    A bad URL is a :class:`ConfigurationError`; nothing connects until first use.
    """
    return ReadModel(create_read_model_engine(url), directory=directory)


class ReadModel:
    """Tables, projection and queries over one SQLAlchemy engine (SQLite or PostgreSQL).

    Every method translates database errors: :class:`RetriableError` when the database is
    unavailable, busy or a concurrent writer won; :class:`ConfigurationError` when the schema
    is missing.
    """

    def __init__(self, engine: Engine, *, directory: Directory | None = None) -> None:
        if engine.dialect.name not in _DIALECTS:
            raise ConfigurationError(
                f"read model database {engine.dialect.name!r} is not supported: use sqlite or postgresql"
            )
        self.engine = engine
        self._directory = directory
        self._bulk = BulkWriter(engine)
        self._agency_name = lru_cache(maxsize=4096)(self._lookup_agency_name)

    @property
    def shared(self) -> bool:
        """Whether several workers share this database (PostgreSQL) rather than one each (SQLite)."""
        return self.engine.dialect.name != "sqlite"

    def create_schema(self) -> None:
        """Migrate the database to the newest schema (safe when several workers start at once)."""
        upgrade_schema(self.engine)

    def drop_schema(self) -> None:
        """Drop every read-model table (before a replay from the start of the topic)."""
        with translated_errors("dropping the schema"):
            metadata.drop_all(self.engine)
            with self.engine.begin() as conn:
                conn.execute(text("DROP TABLE IF EXISTS alembic_version"))

    def dispose(self) -> None:
        self.engine.dispose()

    # write side ---------------------------------------------------------------------------

    def apply(self, batch: Sequence[ProjectedEvent], offsets: Mapping[tuple[str, int], int] | None = None) -> int:
        """Project ``batch`` in one transaction; the number of events that were new.

        Idempotent by event id: an event already in the timeline (or earlier in this batch) is
        skipped entirely, so redelivered and overlapping batches change nothing, and replaying
        the topic into an empty database rebuilds identical rows. Events must come in topic
        order per tracking id (Kafka's per-key order). A record that cannot be projected at
        all raises :class:`SkippableError` before anything is written.

        ``offsets`` (``(topic, partition) -> next offset``) are stored in the same transaction,
        so the database says exactly how far it has projected (:meth:`projected_offsets`).
        """
        audits = [e.value for e in batch if e.record_type == AUDIT_RECORD_TYPE]
        candidates = _candidates(batch)
        if not candidates and not offsets and not audits:
            return 0
        with translated_errors("applying a batch"):
            with self.engine.connect() as conn:
                conn.execution_options(**{IMMEDIATE: True})
                with conn.begin():
                    applied = self._apply(conn, candidates) if candidates else 0
                    if audits:
                        applied += self._append_audit(conn, audits)
                    if offsets:
                        self._bulk.upsert(conn, projection_offsets, [
                            {"topic": topic, "partition": partition, "next_offset": offset}
                            for (topic, partition), offset in offsets.items()])
                    return applied

    def projected_offsets(self, topic: str) -> dict[int, int]:
        """The next offset to project per partition of ``topic`` (absent: from the beginning)."""
        with translated_errors("reading the projection offsets"), self.engine.connect() as conn:
            rows = conn.execute(select(projection_offsets.c.partition, projection_offsets.c.next_offset)
                                .where(projection_offsets.c.topic == topic)).all()
        return {partition: offset for partition, offset in rows}

    def _apply(self, conn: Connection, candidates: list[ProjectedEvent]) -> int:
        seen = set(_select_in(conn, select(timeline.c.event_id), timeline.c.event_id, [e.event_id for e in candidates]))
        fresh = [e for e in candidates if e.event_id not in seen]
        if not fresh:
            return 0
        tracking_ids = list(dict.fromkeys(e.tracking_id for e in fresh))
        stored = {
            row["tracking_id"]: row
            for row in _select_in(conn, select(complaints), complaints.c.tracking_id, tracking_ids, mappings=True)
        }
        held: dict[str, list[dict]] = defaultdict(list)
        for row in _select_in(conn, select(assignments), assignments.c.tracking_id, tracking_ids, mappings=True):
            held[row["tracking_id"]].append(dict(row))
        cases = {row["tracking_id"]: dict(row)
                 for row in _select_in(conn, select(case_files), case_files.c.tracking_id, tracking_ids, mappings=True)}
        changes = project(fresh, stored, held, self._agency_name, cases)
        self._bulk.upsert(conn, complaints, list(changes.complaints.values()))
        self._bulk.upsert(conn, case_files, list(changes.case_files.values()))
        # A plain insert: an event id that is already there means a concurrent projector,
        # and the IntegrityError rolls this batch back (see engine.translated_errors).
        self._bulk.insert(conn, timeline, changes.timeline)
        self._bulk.upsert(conn, assignments, list(changes.assignments.values()))
        self._bulk.upsert(conn, ratings, list(changes.ratings.values()))
        return len(fresh)

    def _append_audit(self, conn: Connection, entries: list[dict]) -> int:
        """Audit entries not stored yet (by event id), in one insert."""
        ids = list(dict.fromkeys(e["event_id"] for e in entries))
        seen = set(_select_in(conn, select(audit_log.c.event_id), audit_log.c.event_id, ids))
        rows: dict[str, dict] = {}
        for e in entries:
            if e["event_id"] in seen or e["event_id"] in rows:
                continue
            rows[e["event_id"]] = {
                "event_id": e["event_id"], "occurred_at": as_utc(e["occurred_at"]), "actor": e["actor"],
                "role": e["role"], "agency": e.get("agency"), "issuer": e.get("issuer"), "action": e["action"],
                "method": e["method"], "route": e["route"], "tracking_id": e.get("tracking_id") or None,
                "target_agency": e.get("target_agency"), "status_code": e["status_code"],
                "client_address": e.get("client_address"),
            }
        self._bulk.insert(conn, audit_log, list(rows.values()))
        return len(rows)

    def _lookup_agency_name(self, code: str) -> str | None:
        if self._directory is None:
            self._directory = default_directory()
        try:
            return self._directory.get(code).name
        except UnknownAgencyError:
            return None  # 'national-admin' and the like: the summary shows the code

    # read side ----------------------------------------------------------------------------

    def public_view(self, tracking_id: str) -> dict | None:
        """What anyone may see of a complaint; ``None`` when the tracking id is unknown."""
        with translated_errors("reading a complaint"), self.engine.connect() as conn:
            return queries.public_view(conn, tracking_id)

    def agency_complaints(self, code: str, status: str | None = None, limit: int = 100, offset: int = 0) -> list[dict]:
        """Complaints the agency holds now (optionally in one status), newest first."""
        if not 0 < limit <= 1000 or offset < 0:
            raise ValueError("limit must be 1..1000 and offset >= 0")
        with translated_errors("listing an agency's complaints"), self.engine.connect() as conn:
            return queries.agency_complaints(conn, code, status, limit, offset)

    def service_requests(self, wanted: servicerequests.RequestFilter) -> list[dict]:
        """Complaints as public service requests (Open311), newest first: publishable fields and the latest step."""
        with translated_errors("listing service requests"), self.engine.connect() as conn:
            return servicerequests.service_requests(conn, wanted)

    def agency_stats(self, code: str) -> dict:
        """received, followed_up, open, awaiting_follow_up, overdue, escalated, by_status, by_classification
        and ratings (see :func:`~lapor_hub.streams.readmodel.queries.agency_stats`)."""
        with translated_errors("computing agency statistics"), self.engine.connect() as conn:
            return queries.agency_stats(conn, code)

    def national_stats(self) -> dict:
        """by_status, the funnel (received → dispositioned → followed_up → closed), overdue, escalated."""
        with translated_errors("computing national statistics"), self.engine.connect() as conn:
            return queries.national_stats(conn)

    def standing(self, tracking_id: str) -> dict | None:
        """Status, holder, privacy and reporter token hash; None when the tracking id is unknown."""
        with translated_errors("reading a complaint"), self.engine.connect() as conn:
            return staffqueries.standing(conn, tracking_id)

    def case_file(self, tracking_id: str) -> dict | None:
        """The whole case file, unredacted (the HTTP layer applies the privacy rules)."""
        with translated_errors("reading a case file"), self.engine.connect() as conn:
            return staffqueries.case_file(conn, tracking_id)

    def triage_queue(self, limit: int = 100, offset: int = 0) -> list[dict]:
        with translated_errors("listing the triage queue"), self.engine.connect() as conn:
            return staffqueries.triage_queue(conn, limit, offset)

    def overdue_complaints(self, agencies: list[str] | None, limit: int = 500) -> list[dict]:
        with translated_errors("listing overdue complaints"), self.engine.connect() as conn:
            return staffqueries.overdue_complaints(conn, agencies, limit)

    def audit_entries(self, **filters) -> list[dict]:
        with translated_errors("reading the audit trail"), self.engine.connect() as conn:
            return staffqueries.audit_entries(conn, **filters)

    def lowest_rated_agencies(self, n: int = 10) -> list[dict]:
        """The ``n`` agencies whose responses reporters rated lowest: [{agency, average, count}]."""
        with translated_errors("ranking agencies by rating"), self.engine.connect() as conn:
            return queries.lowest_rated_agencies(conn, n)

    def top_overdue_agencies(self, n: int = 10) -> list[dict]:
        """The ``n`` agencies with the most overdue complaints now: [{agency, name, overdue}]."""
        with translated_errors("ranking overdue agencies"), self.engine.connect() as conn:
            return queries.top_overdue_agencies(conn, n)


def _candidates(batch: Iterable[ProjectedEvent]) -> list[ProjectedEvent]:
    """Projectable events of the batch, first occurrence of each event id, in batch order."""
    out: dict[str, ProjectedEvent] = {}
    for position, event in enumerate(batch):
        if event.record_type not in PROJECTED_RECORD_TYPES:
            continue
        event.check(position)
        out.setdefault(event.event_id, event)
    return list(out.values())


def _select_in(conn: Connection, query, column, keys: list, *, mappings: bool = False) -> Iterator:
    for start in range(0, len(keys), _CHUNK):
        result = conn.execute(query.where(column.in_(keys[start : start + _CHUNK])))
        yield from (result.mappings() if mappings else result.scalars())
