"""What reaches the lifecycle: a command, who may have sent it, and what comes out."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from lapor_hub.errors import SkippableError
from lapor_hub.streams.core.ids import derived_event_id
from lapor_hub.streams.lifecycle.state import ComplaintState
from lapor_hub.streams.lifecycle.status import Status

__all__ = [
    "Command",
    "Emission",
    "Outcome",
    "IllegalTransition",
    "REPORTER",
    "NATIONAL_ADMIN_ACTOR",
    "HUB",
    "INTAKE",
    "SLA_CHECK",
    "derived_event_id",
]

REPORTER = "reporter"
NATIONAL_ADMIN_ACTOR = "national-admin"
HUB = "hub"
#: The intake: the lifecycle agent, having validated a submission from complaints.intake.
INTAKE = "intake"
#: The internal command the SLA timer proposes; the lifecycle decides what, if anything, is due.
SLA_CHECK = "SlaCheck"



@dataclass(frozen=True)
class Command:
    #: CloudEvents id and source: together they identify a duplicate.
    id: str
    source: str
    record_type: str
    value: dict[str, Any]
    #: Who is known to have sent it: the agency of the outbox it came from, the reporter,
    #: the national admin, the intake or the hub itself. Never taken from the payload.
    sender: str
    #: The person who acted for the sender (a staff token's subject), when the hub knows it.
    subject: str | None = None
    #: For an agency's update from its outbox: whether the agency's signature verified
    #: (``lapor_hub.streams.chain.agency``), recorded on the events the update causes.
    agency_signature: str | None = None

    @property
    def key(self) -> str:
        return f"{self.source}|{self.id}"


@dataclass(frozen=True)
class Emission:
    """An event to append to ``complaints.events``, and where else it goes."""

    record_type: str
    value: dict[str, Any]
    status: Status
    agency: str
    #: Agencies whose inbox receives it too.
    inboxes: tuple[str, ...] = ()
    #: Also on ``complaints.escalations`` (warnings and escalations).
    escalation: bool = False
    #: The person who acted (see :attr:`Command.subject`), recorded on the event.
    subject: str | None = None


@dataclass(frozen=True)
class Outcome:
    #: The complaint after the command (unchanged for a duplicate).
    state: ComplaintState
    emissions: tuple[Emission, ...] = field(default_factory=tuple)
    #: True when the command was a redelivered duplicate and nothing changed.
    duplicate: bool = False


class IllegalTransition(SkippableError):
    """The command is not allowed in the complaint's current state: it is dead-lettered."""
