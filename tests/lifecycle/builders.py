"""Builders for lifecycle tests: a valid submission, commands, and a driver that keeps the state.

Times are real: Monday 6 July 2026, 10:00 WIB, in a month without Indonesian public holidays,
so working days are plain Monday to Friday.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from lapor_hub import schemas
from lapor_hub.streams.directory import NATIONAL_ADMIN
from lapor_hub.streams.lifecycle import (
    HUB,
    INTAKE,
    NATIONAL_ADMIN_ACTOR,
    REPORTER,
    SLA_CHECK,
    Command,
    ComplaintState,
    Emission,
    LifecycleContext,
    Outcome,
    Status,
    transition,
)

__all__ = ["T0", "PRINGSEWU", "TRACKING_ID", "submission", "command_value", "submit", "Complaint", "complaint_in",
           "encode_all", "at_wib"]

#: Monday 6 July 2026, 10:00 in Jakarta (WIB, UTC+7).
T0 = datetime(2026, 7, 6, 3, 0, tzinfo=UTC)
PRINGSEWU = "18.10"
TRACKING_ID = "LPR-20260706-7K3M9Q2X"


def at_wib(day: int, hour: int = 9, minute: int = 0, month: int = 7) -> datetime:
    """An instant given in Jakarta time, in UTC."""
    return datetime(2026, month, day, hour, minute, tzinfo=UTC) - timedelta(hours=7)


def submission(**overrides: Any) -> dict[str, Any]:
    """A valid ComplaintSubmitted value: an e-KTP complaint from Pringsewu, public, one photo."""
    value: dict[str, Any] = {
        "event_id": "sub-0001",
        "tracking_id": TRACKING_ID,
        "occurred_at": T0,
        "actor": REPORTER,
        "title": "KTP elektronik belum jadi",
        "description": "Sudah tiga bulan sejak perekaman, KTP-el saya belum juga dicetak.",
        "category": "civil_registry.id_card",
        "channel": "web",
        "privacy": "PUBLIC",
        "reporter": {"name": "Siti Rahmawati", "nik": "1810015507900003", "phone": "+6281234567890",
                     "email": "siti@contoh.id"},
        "location": {"region_code": PRINGSEWU, "lat": -5.3581, "lon": 104.9744, "address": "Jl. Kenanga 7"},
        "attachments": [{"name": "bukti.jpg", "content_type": "image/jpeg",
                         "url": "https://files.lapor.go.id/bukti.jpg", "size_bytes": 120_000}],
        "requested_agency": None,
    }
    region = overrides.pop("region_code", None)
    value.update(overrides)
    if region is not None:
        value["location"] = {**value["location"], "region_code": region}
    schemas.encode("ComplaintSubmitted", value)  # the builder itself must build valid values
    return value


_CLOSING_REASON = {REPORTER: "REPORTER_SATISFIED", NATIONAL_ADMIN_ACTOR: "ADMIN_CLOSED"}


def command_value(record_type: str, sender: str, **overrides: Any) -> dict[str, Any]:
    """The fields of a command that the lifecycle reads, with values right for ``sender``."""
    values: dict[str, dict[str, Any]] = {
        "ComplaintAccepted": {"agency": sender},
        "ComplaintForwarded": {"to_agency": "", "reason": "bukan wewenang kami"},
        "ComplaintReturnedToReporter": {"reason": "mohon lengkapi nomor registrasi"},
        "ReporterReplied": {"message": "Terima kasih, tetapi KTP belum saya terima."},
        "InformationAdded": {"message": "Nomor registrasi: 123/2026", "attachments": []},
        "FollowUpRecorded": {"note": "Sedang dicetak ulang", "attachments": []},
        "ResponseGiven": {"response": "KTP-el sudah dapat diambil di kantor kecamatan."},
        "ComplaintClosed": {"reason": _CLOSING_REASON.get(sender, "AGENCY_CLOSED"), "note": None},
        "ComplaintReopened": {"reason": "KTP ternyata belum ada di kecamatan"},
        "ComplaintRated": {"agency": "", "rating": 4, "comment": "Cepat ditanggapi"},
        "ComplaintArchived": {"reason": "SPAM", "notes": None},
        "ComplaintPutOnHold": {"reason": "menunggu klarifikasi"},
        "ComplaintVerified": {"notes": "lengkap"},
        SLA_CHECK: {},
    }
    return {**values.get(record_type, {}), **overrides}


def submit(value: dict[str, Any] | None = None) -> Command:
    value = value or submission()
    return Command(value["event_id"], "/channels/web", "ComplaintSubmitted", value, INTAKE)


def encode_all(emissions: Iterable[Emission]) -> None:
    for emission in emissions:
        schemas.encode(emission.record_type, emission.value)


@dataclass
class Complaint:
    """Drives one complaint through the lifecycle, keeping its state and every emission."""

    ctx: LifecycleContext
    _state: ComplaintState | None = None
    now: datetime = T0
    emitted: list[Emission] = field(default_factory=list)
    #: The submission as received: kept apart from the state, as the agent keeps it.
    _submission: dict[str, Any] | None = None
    _ids: itertools.count = field(default_factory=lambda: itertools.count(1))

    @classmethod
    def submitted(cls, ctx: LifecycleContext, value: dict[str, Any] | None = None, at: datetime = T0) -> Complaint:
        complaint = cls(ctx, now=at)
        complaint.apply(submit(value))
        return complaint

    @property
    def state(self) -> ComplaintState:
        """The state since the submission (there is none before)."""
        assert self._state is not None, "submit the complaint first"
        return self._state

    @property
    def submission(self) -> dict[str, Any]:
        assert self._submission is not None, "submit the complaint first"
        return self._submission

    @property
    def status(self) -> Status:
        return self.state.status

    @property
    def holder(self) -> str:
        return self.state.agency

    def command(self, record_type: str, sender: str, **overrides: Any) -> Command:
        number = next(self._ids)
        return Command(f"cmd-{number:04d}", f"/senders/{sender}", record_type,
                       command_value(record_type, sender, **overrides), sender)

    def send(self, record_type: str, sender: str, *, at: datetime | None = None, **overrides: Any) -> Outcome:
        return self.apply(self.command(record_type, sender, **overrides), at=at)

    def apply(self, command: Command, *, at: datetime | None = None) -> Outcome:
        if at is not None:
            assert at >= self.now, "the driver does not go back in time"
            self.now = at
        if self._state is None and command.record_type == "ComplaintSubmitted":
            self._submission = command.value
        outcome = transition(self._state, command, self.ctx, self.now, self._submission)
        self._state = outcome.state
        self.emitted.extend(outcome.emissions)
        return outcome

    def check_sla(self, at: datetime) -> Outcome:
        return self.send(SLA_CHECK, HUB, at=at)

    # -- reaching each status ----------------------------------------------------------------

    def later(self, hours: float = 1) -> datetime:
        return self.now + timedelta(hours=hours)

    def to(self, status: Status) -> Complaint:
        """Move a freshly dispositioned (or triaged) complaint on to ``status``."""
        steps = {
            Status.DISPOSITIONED: [],
            Status.TRIAGE: [],
            Status.ACCEPTED: [("ComplaintAccepted", "holder")],
            Status.IN_PROGRESS: [("ComplaintAccepted", "holder"), ("FollowUpRecorded", "holder")],
            Status.RESPONDED: [("ComplaintAccepted", "holder"), ("ResponseGiven", "holder")],
            Status.WAITING_FOR_REPORTER: [("ComplaintAccepted", "holder"), ("ComplaintReturnedToReporter", "holder")],
            Status.ON_HOLD: [("ComplaintPutOnHold", NATIONAL_ADMIN_ACTOR)],
            Status.CLOSED: [("ComplaintAccepted", "holder"), ("ResponseGiven", "holder"),
                            ("ComplaintClosed", REPORTER)],
            Status.ARCHIVED: [("ComplaintArchived", NATIONAL_ADMIN_ACTOR)],
        }[status]
        for record_type, sender in steps:
            self.send(record_type, self.holder if sender == "holder" else sender, at=self.later())
        assert self.status is status
        return self


def complaint_in(ctx: LifecycleContext, status: Status) -> Complaint:
    """A complaint in ``status``: triage-side statuses start from an unclassified ('other') one."""
    triage_side = status in (Status.TRIAGE, Status.ON_HOLD)
    value = submission(category="other") if triage_side else submission()
    complaint = Complaint.submitted(ctx, value)
    assert complaint.holder == (NATIONAL_ADMIN if triage_side else PRINGSEWU)
    return complaint.to(status)
