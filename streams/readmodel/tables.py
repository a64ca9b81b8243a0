"""The read model's tables (SQLAlchemy Core), the same on SQLite and PostgreSQL.

Per-agency counters are not stored: they are GROUP BY queries over these rows (see
:mod:`lapor_hub.streams.readmodel.queries`), so they can never drift from the rows they summarize,
however often ``complaints.events`` is replayed.

The reporter's identity (NIK, phone, e-mail, name), the location and the attachments are kept
in one table only, :data:`case_files`, which serves nothing but the case file that an entitled
member of staff asks for (see :mod:`lapor_hub.streams.web.staff`); every other table holds no identity
(``reporter_name`` only while a complaint is PUBLIC, see :mod:`lapor_hub.streams.readmodel.projection`).
The reporter's comment on a rating (:data:`ratings`) is free text too: the case file shows it,
statistics count only the scores.
"""

from __future__ import annotations

from datetime import datetime, timezone

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    DateTime,
    Float,
    Index,
    Integer,
    MetaData,
    PrimaryKeyConstraint,
    String,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy.types import TypeDecorator

__all__ = ["metadata", "complaints", "timeline", "assignments", "case_files", "ratings", "audit_log",
           "projection_offsets", "UtcDateTime"]


class UtcDateTime(TypeDecorator):
    """Timestamps in UTC, always read back timezone-aware.

    SQLite has no time zones: values are stored as naive UTC there and get their zone back on
    reading, so both backends return identical values (and table dumps compare equal).
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime: the read model stores UTC instants only")
        value = value.astimezone(timezone.utc)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=timezone.utc) if value.tzinfo is None else value.astimezone(timezone.utc)


metadata = MetaData()

complaints = Table(
    "complaints",
    metadata,
    Column("tracking_id", String, primary_key=True),
    Column("status", String),
    #: The agency holding the complaint now (None at triage / national admin).
    Column("agency", String),
    Column("agency_name", String),
    Column("hop", Integer, nullable=False, default=0),
    Column("category", String),
    Column("region_code", String),
    Column("privacy", String),
    #: complaint, aspiration or information_request (pengaduan, aspirasi, permintaan informasi).
    Column("classification", String),
    #: True when the content must not be published (CONFIDENTIAL, or flagged by the hub).
    Column("content_hidden", Boolean, nullable=False, default=False),
    Column("title", String),
    Column("description", String),
    Column("channel", String),
    #: Only for PUBLIC complaints; the only reporter field the read model keeps.
    Column("reporter_name", String),
    Column("submitted_at", UtcDateTime),
    Column("updated_at", UtcDateTime),
    Column("dispositioned_at", UtcDateTime),
    Column("first_follow_up_at", UtcDateTime),
    Column("responded_at", UtcDateTime),
    Column("closed_at", UtcDateTime),
    #: The current holder missed a stage deadline and has not acted since.
    Column("overdue", Boolean, nullable=False, default=False),
    #: Highest escalation tier reached (0 = never escalated).
    Column("escalation_tier", Integer, nullable=False, default=0),
    #: Events applied so far; the next event's timeline position.
    Column("event_count", Integer, nullable=False, default=0),
    #: When the current holder's stage is due (verification in triage, the first follow-up
    #: at an agency), from its disposition; cleared when it followed up or the complaint ended.
    Column("due_at", UtcDateTime),
)
Index("ix_complaints_agency_status", complaints.c.agency, complaints.c.status)
Index("ix_complaints_status", complaints.c.status)
Index("ix_complaints_overdue_agency", complaints.c.overdue, complaints.c.agency)

timeline = Table(
    "timeline",
    metadata,
    #: The idempotency key: an event already here is never applied again.
    Column("event_id", String, primary_key=True),
    Column("tracking_id", String, nullable=False),
    #: 1, 2, 3, ... per complaint, in the order of the topic (its partition keeps that order).
    Column("position", Integer, nullable=False),
    Column("record_type", String, nullable=False),
    Column("occurred_at", UtcDateTime, nullable=False),
    Column("actor", String),
    #: The agency the event is about (who followed up, whose deadline was missed, ...).
    Column("agency", String),
    #: A short sentence for people; never free text from reporters or agencies.
    Column("summary", String, nullable=False),
    Column("status", String),
    #: The person who acted for ``actor`` (a staff member's subject), when the hub knows it.
    Column("actor_subject", String),
    UniqueConstraint("tracking_id", "position", name="uq_timeline_tracking_position"),
)
Index("ix_timeline_agency_type", timeline.c.agency, timeline.c.record_type, timeline.c.tracking_id)

assignments = Table(
    "assignments",
    metadata,
    Column("tracking_id", String, nullable=False),
    #: Agencies that had the complaint before this one (0 = the first agency).
    Column("hop", Integer, nullable=False),
    Column("agency", String, nullable=False),
    Column("rule", String),
    Column("reason", String),
    Column("assigned_at", UtcDateTime, nullable=False),
    #: When the agency stopped holding it (forwarded or dispositioned elsewhere); None = holds it.
    Column("ended_at", UtcDateTime),
    PrimaryKeyConstraint("tracking_id", "hop", "agency", name="pk_assignments"),
)
Index("ix_assignments_agency", assignments.c.agency, assignments.c.tracking_id)

case_files = Table(
    "case_files",
    metadata,
    Column("tracking_id", String, primary_key=True),
    #: SHA-256 of the reporter token: what a reporter's action is checked against.
    Column("reporter_token_hash", String),
    Column("reporter_name", String),
    Column("reporter_nik", String),
    Column("reporter_phone", String),
    Column("reporter_email", String),
    Column("address", String),
    Column("lat", Float),
    Column("lon", Float),
    #: JSON list of {name, content_type, url, size_bytes}: the submission's and the reporter's later ones.
    Column("attachments", Text, nullable=False, default="[]"),
)

ratings = Table(
    "ratings",
    metadata,
    Column("tracking_id", String, nullable=False),
    #: The agency whose response was rated; a complaint forwarded after a reopening may rate two.
    Column("agency", String, nullable=False),
    #: 1 (very poor) to 5 (very good): the reporter's latest rating of this agency's response.
    Column("rating", Integer, nullable=False),
    #: The reporter's words: for staff reading the case file, never in a statistic or a public view.
    Column("comment", Text),
    Column("rated_at", UtcDateTime, nullable=False),
    PrimaryKeyConstraint("tracking_id", "agency", name="pk_ratings"),
)
Index("ix_ratings_agency", ratings.c.agency)

audit_log = Table(
    "audit_log",
    metadata,
    Column("event_id", String, primary_key=True),
    Column("occurred_at", UtcDateTime, nullable=False),
    Column("actor", String, nullable=False),
    Column("role", String, nullable=False),
    Column("agency", String),
    Column("issuer", String),
    Column("action", String, nullable=False),
    Column("method", String, nullable=False),
    Column("route", String, nullable=False),
    Column("tracking_id", String),
    Column("target_agency", String),
    Column("status_code", Integer, nullable=False),
    Column("client_address", String),
)
Index("ix_audit_log_occurred_at", audit_log.c.occurred_at)
Index("ix_audit_log_actor", audit_log.c.actor, audit_log.c.occurred_at)
Index("ix_audit_log_tracking_id", audit_log.c.tracking_id)

projection_offsets = Table(
    "projection_offsets",
    metadata,
    Column("topic", String, nullable=False),
    Column("partition", Integer, nullable=False),
    #: The next offset to read: written in the same transaction as the rows of the batch, so
    #: the database always says exactly how far it has projected.
    Column("next_offset", BigInteger, nullable=False),
    PrimaryKeyConstraint("topic", "partition", name="pk_projection_offsets"),
)
