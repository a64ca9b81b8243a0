"""Where a complaint stands, in the words of the LAPOR! lifecycle."""

from __future__ import annotations

import enum

__all__ = ["Status", "OPEN_STATUSES"]


class Status(str, enum.Enum):
    #: At the national admin's triage inbox (KEMENPANRB): no rule matched, or a forwarding loop.
    TRIAGE = "triage"
    #: Assigned to an agency [didisposisikan], not yet accepted.
    DISPOSITIONED = "dispositioned"
    #: The agency accepted it as within its authority.
    ACCEPTED = "accepted"
    #: The agency has followed it up at least once [ditindaklanjuti / proses].
    IN_PROGRESS = "in_progress"
    #: The agency responded [tanggapan]; closes by itself when the reporter does not reply.
    RESPONDED = "responded"
    #: Returned to the reporter for missing information; the deadline clock is paused.
    WAITING_FOR_REPORTER = "waiting_for_reporter"
    #: Put on hold by the national admin [tunda].
    ON_HOLD = "on_hold"
    #: Finished [selesai].
    CLOSED = "closed"
    #: Archived: spam, out of scope, duplicate [arsip].
    ARCHIVED = "archived"


OPEN_STATUSES = frozenset(Status) - {Status.CLOSED, Status.ARCHIVED}
