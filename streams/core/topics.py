"""The hub's topic names: what users script against, kept in one place."""

from __future__ import annotations

from collections.abc import Iterable

__all__ = [
    "INTAKE",
    "EVENTS",
    "ESCALATIONS",
    "DEADLETTER",
    "CONNECTOR_HEALTH",
    "COMMANDS",
    "IDEMPOTENCY",
    "AUDIT",
    "DATA_KEYS",
    "HEADS",
    "HUB_TOPICS",
    "STATE_TABLE",
    "SUBMISSION_TABLE",
    "TABLES",
    "changelog",
    "inbox",
    "outbox",
    "agency_of_topic",
    "agency_topics",
]

#: Submissions from channels and connectors.
INTAKE = "complaints.intake"
#: Every accepted lifecycle change, in order per complaint: the system of record.
EVENTS = "complaints.events"
#: SLA warnings and escalations.
ESCALATIONS = "complaints.escalations"
#: Records that could not be processed, with the reason in their headers.
DEADLETTER = "complaints.deadletter"
#: Connector heartbeats and counters.
CONNECTOR_HEALTH = "connectors.health"
#: Internal: lifecycle commands keyed by tracking id, co-partitioned with the complaint table.
COMMANDS = "complaints.commands"

#: Internal: Idempotency-Key claims of the HTTP API, keyed by a hash of the key (first wins).
IDEMPOTENCY = "complaints.idempotency"

#: Every authenticated request to the HTTP API: who, role, agency, what, when, from where.
AUDIT = "hub.audit"

#: The key store: every complaint's data key, wrapped by the key-encryption key (compacted, one
#: partition). Erasing a complaint's identity destroys its keys here (see streams/privacy).
DATA_KEYS = "hub.data-keys"

#: The signed heads of ``complaints.events``'s hash chain (JSON, see ``lapor_hub.streams.chain``).
HEADS = "complaints.events.heads"

HUB_TOPICS = (INTAKE, EVENTS, ESCALATIONS, DEADLETTER, CONNECTOR_HEALTH, COMMANDS, IDEMPOTENCY, AUDIT, DATA_KEYS,
              HEADS)

#: The lifecycle's tables: the compact state of every complaint, and every submission.
STATE_TABLE = "complaint-state"
SUBMISSION_TABLE = "complaint-submissions"
TABLES = (STATE_TABLE, SUBMISSION_TABLE)


def changelog(app_id: str, table: str) -> str:
    """A table's changelog topic, named as Faust names it."""
    return f"{app_id}-{table}-changelog"


def inbox(agency_code: str) -> str:
    """Where the hub delivers assignments and notices for one agency."""
    return f"agency.{agency_code}.inbox"


def outbox(agency_code: str) -> str:
    """Where one agency (through its connector) publishes its updates."""
    return f"agency.{agency_code}.outbox"


def agency_of_topic(topic: str) -> str | None:
    """The agency code of an ``agency.<code>.inbox|outbox`` topic, else None."""
    if topic.startswith("agency.") and topic.endswith((".inbox", ".outbox")):
        return topic[len("agency.") : topic.rindex(".")]
    return None


def agency_topics(codes: Iterable[str]) -> list[str]:
    return [name for code in codes for name in (inbox(code), outbox(code))]
