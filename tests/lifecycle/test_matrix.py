"""Every status x every command type x every kind of sender: legal per the table, or IllegalTransition.

The table below is the lifecycle's specification, written independently of transition.py. A cell
that is legal must produce encodable events and the status the table names; every other cell
must raise IllegalTransition. Nothing is accepted silently.
"""

from __future__ import annotations

from datetime import timedelta

import pytest

from lapor_hub.streams.directory import NATIONAL_ADMIN
from lapor_hub.streams.lifecycle import (
    HUB,
    INTAKE,
    NATIONAL_ADMIN_ACTOR,
    OPEN_STATUSES,
    REPORTER,
    SLA_CHECK,
    IllegalTransition,
    Status,
)
from tests.lifecycle.builders import PRINGSEWU, complaint_in, encode_all

S = Status
WORKING = {S.DISPOSITIONED, S.ACCEPTED, S.IN_PROGRESS}
ANY = set(Status)

COMMAND_TYPES = (
    "ComplaintSubmitted", "ComplaintAccepted", "ComplaintForwarded", "ComplaintReturnedToReporter",
    "ReporterReplied", "InformationAdded", "FollowUpRecorded", "ResponseGiven", "ComplaintClosed",
    "ComplaintReopened", "ComplaintRated", "ComplaintArchived", "ComplaintPutOnHold", "ComplaintVerified", SLA_CHECK,
    # Events the hub emits itself are never commands.
    "ComplaintEscalated", "ComplaintDispositioned",
)
#: Kinds of sender; "holder" is the agency holding the complaint (KEMENPANRB while in triage),
#: "other_agency" any other agency, e.g. forging an update through its own outbox.
SENDER_KINDS = (INTAKE, HUB, REPORTER, NATIONAL_ADMIN_ACTOR, "holder", "other_agency")


def _is_admin(sender: str) -> bool:
    # KEMENPANRB's outbox speaks for the national admin, as does the admin console.
    return sender in (NATIONAL_ADMIN_ACTOR, NATIONAL_ADMIN)


def expected_status(status: Status, record_type: str, sender: str, holder: str,
                    resume_status: Status | None) -> Status | None:
    """The status after the command, or None when the command is illegal."""
    is_holder = sender == holder
    admin = _is_admin(sender)
    if record_type == "ComplaintAccepted" and is_holder and status in {S.DISPOSITIONED, S.TRIAGE}:
        return S.ACCEPTED
    if record_type == "ComplaintForwarded" and (
            (is_holder and status in WORKING | {S.TRIAGE}) or (admin and status is S.TRIAGE)):
        # Pringsewu declining an e-KTP complaint: only Pringsewu has authority, so triage decides.
        return S.DISPOSITIONED if status is S.TRIAGE else S.TRIAGE
    if record_type == "ComplaintReturnedToReporter" and (
            (admin and status in OPEN_STATUSES - {S.WAITING_FOR_REPORTER, S.ON_HOLD})
            or (is_holder and status in WORKING | {S.TRIAGE})):
        return S.WAITING_FOR_REPORTER
    if record_type in ("ReporterReplied", "InformationAdded") and sender == REPORTER and status in OPEN_STATUSES:
        if status is S.WAITING_FOR_REPORTER:
            return resume_status
        if status is S.RESPONDED:  # any answer to a response gives the agency work again
            return S.IN_PROGRESS
        return status
    if record_type == "FollowUpRecorded" and is_holder and status in WORKING:
        return S.IN_PROGRESS
    if record_type == "ResponseGiven" and is_holder and status in WORKING:
        return S.RESPONDED
    if record_type == "ComplaintClosed" and (
            (sender == REPORTER and status is S.RESPONDED)
            or (sender == NATIONAL_ADMIN_ACTOR and status in OPEN_STATUSES)
            or (is_holder and sender != NATIONAL_ADMIN and status is S.RESPONDED)):
        return S.CLOSED
    if record_type == "ComplaintReopened" and sender == REPORTER and status in {S.RESPONDED, S.CLOSED}:
        return S.ACCEPTED
    if record_type == "ComplaintRated" and sender == REPORTER and status in {S.RESPONDED, S.CLOSED}:
        return status  # a verdict on the response: the course of the complaint does not change
    if record_type == "ComplaintArchived" and admin and status in OPEN_STATUSES:
        return S.ARCHIVED
    if record_type == "ComplaintPutOnHold" and admin and status is S.TRIAGE:
        return S.ON_HOLD
    if record_type == "ComplaintVerified" and admin and status is S.ON_HOLD:
        return S.TRIAGE
    if record_type == SLA_CHECK and sender == HUB:
        return status  # nothing is due a day after the last change
    return None


def _sender(kind: str, holder: str) -> str:
    if kind == "holder":
        return holder
    if kind == "other_agency":
        return PRINGSEWU if holder == NATIONAL_ADMIN else "18.71"  # Kota Bandar Lampung
    return kind


def _cells():
    for status in Status:
        for record_type in COMMAND_TYPES:
            for kind in SENDER_KINDS:
                yield pytest.param(status, record_type, kind, id=f"{status.value}-{record_type}-{kind}")


@pytest.mark.parametrize(("status", "record_type", "kind"), list(_cells()))
def test_every_command_is_either_legal_or_illegal(ctx, status, record_type, kind):
    complaint = complaint_in(ctx, status)
    before = complaint.state
    sender = _sender(kind, complaint.holder)
    overrides = {"to_agency": PRINGSEWU} if record_type == "ComplaintForwarded" and status is S.TRIAGE else {}
    command = complaint.command(record_type, sender, **overrides)
    expected = expected_status(status, record_type, sender, complaint.holder, before.resume_status)
    at = complaint.now + timedelta(days=1)
    if expected is None:
        with pytest.raises(IllegalTransition):
            complaint.apply(command, at=at)
        assert complaint.state is before
        return
    outcome = complaint.apply(command, at=at)
    assert not outcome.duplicate
    assert outcome.state.status is expected
    # SLA checks are idempotent through their fired keys and stay out of the duplicate memory.
    assert outcome.state.has_seen(command.key) is (record_type != SLA_CHECK)
    encode_all(outcome.emissions)
    if record_type != SLA_CHECK:
        assert outcome.emissions, "a legal command leaves a trace in complaints.events"
        assert all(e.value["tracking_id"] == before.tracking_id for e in outcome.emissions)


def test_the_table_is_not_trivial():
    """Guards the matrix: the table allows a fair share of cells and forbids the rest."""
    legal = [
        (status, record_type, kind)
        for status in Status for record_type in COMMAND_TYPES for kind in SENDER_KINDS
        if expected_status(status, record_type, _sender(kind, "18.10" if status not in {S.TRIAGE, S.ON_HOLD}
                                                         else NATIONAL_ADMIN),
                           "18.10" if status not in {S.TRIAGE, S.ON_HOLD} else NATIONAL_ADMIN,
                           S.ACCEPTED) is not None
    ]
    total = len(Status) * len(COMMAND_TYPES) * len(SENDER_KINDS)
    assert 60 < len(legal) < total / 3
    assert not any(kind == "other_agency" and rt != SLA_CHECK for _, rt, kind in legal)
    assert not any(kind == INTAKE for _, _, kind in legal)
