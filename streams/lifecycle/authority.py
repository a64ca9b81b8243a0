"""Who may do what to a complaint, in which status: every authority rule of the lifecycle, in one place.

:func:`check` is the lifecycle's gate: :func:`~lapor_hub.streams.lifecycle.transition.transition` calls it
before any handler runs, and the HTTP API calls it with the status and holder from the read
model so that an action the complaint's status does not allow is answered 409 with the reason
before anything is produced (the lifecycle stays the final judge: the read model may be a
moment behind). :func:`check_agency_update` is the outbox relay's gate: what an agency may
publish on its own outbox, and that it speaks only for itself.

Who the sender is, is established by the wiring and never by a payload: the agency of the
outbox topic, the reporter holding the complaint's reporter token, the national admin, the
intake (the lifecycle agent, having validated a submission), or the hub's own timer.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from lapor_hub.schemas.agency_updates import OUTBOX_UPDATES
from lapor_hub.streams.directory import NATIONAL_ADMIN, Directory
from lapor_hub.streams.lifecycle.commands import HUB, NATIONAL_ADMIN_ACTOR, REPORTER, SLA_CHECK, IllegalTransition
from lapor_hub.streams.lifecycle.status import OPEN_STATUSES, Status

__all__ = ["Standing", "check", "check_agency_update", "is_admin", "WORKING", "RATEABLE"]

S = Status
#: The statuses in which the holding agency works on a complaint.
WORKING = frozenset({S.DISPOSITIONED, S.ACCEPTED, S.IN_PROGRESS})
#: The statuses in which the reporter may rate the agency's response: it stands, or the complaint
#: closed after it (only the national admin closes without a response; the API checks for one).
RATEABLE = frozenset({S.RESPONDED, S.CLOSED})
#: The closing reason each kind of closer must give, and the statuses it may close in.
_CLOSERS = {REPORTER: ("REPORTER_SATISFIED", {S.RESPONDED}),
            NATIONAL_ADMIN_ACTOR: ("ADMIN_CLOSED", OPEN_STATUSES)}


@dataclass(frozen=True)
class Standing:
    """What the rules need to know of a complaint: where it stands and who holds it."""

    status: Status
    #: The agency holding the complaint (KEMENPANRB while it is in triage or on hold).
    holder: str


def is_admin(sender: str) -> bool:
    """The national admin: by the hub's own API, or through KEMENPANRB's outbox."""
    return sender in (NATIONAL_ADMIN_ACTOR, NATIONAL_ADMIN)


def check(standing: Standing, record_type: str, sender: str, value: Mapping[str, Any], directory: Directory) -> None:
    """Raise :class:`IllegalTransition` with the reason unless ``sender`` may send this now."""
    rule = _RULES.get(record_type)
    if rule is None:
        raise IllegalTransition(f"{record_type} is not a command the lifecycle accepts")
    rule(standing, record_type, sender, value, directory)


def check_agency_update(agency: str, record_type: str, record: Mapping[str, Any]) -> None:
    """An update on the outbox of ``agency`` is one it may publish, about itself only."""
    if record_type not in OUTBOX_UPDATES:  # the contract's list; who may send which: _RULES
        raise IllegalTransition(f"{record_type} is not an update an agency may publish on its outbox")
    if record.get("actor") != agency:
        raise IllegalTransition(f"an update on the outbox of {agency} claims another actor")
    if not record.get("tracking_id"):
        raise IllegalTransition(f"{record_type} without a tracking id")


def _require(condition: bool, reason: str) -> None:
    if not condition:
        raise IllegalTransition(reason)


def _from_holder(standing: Standing, record_type: str, sender: str, allowed: set[Status] | frozenset[Status]) -> None:
    _require(sender == standing.holder, f"{record_type} from {sender}, which does not hold the complaint")
    _require(standing.status in allowed, f"{record_type} is not allowed while {standing.status.value}")


def _holder_only(allowed: frozenset[Status] | set[Status]) -> Callable[..., None]:
    def rule(standing: Standing, record_type: str, sender: str, value, directory) -> None:
        _from_holder(standing, record_type, sender, allowed)

    return rule


def _forwarded(standing: Standing, record_type: str, sender: str, value, directory: Directory) -> None:
    """A decline [bukan wewenang] is a forwarding [pelimpahan]; in triage the admin dispositions."""
    if is_admin(sender) and standing.status is S.TRIAGE:
        suggested = value.get("to_agency") or None
        _require(suggested is not None and suggested in directory and suggested != NATIONAL_ADMIN,
                 "the national admin's disposition must name a known agency in to_agency")
        return
    _from_holder(standing, record_type, sender, WORKING | {S.TRIAGE})


def _returned_to_reporter(standing: Standing, record_type: str, sender: str, value, directory) -> None:
    if not is_admin(sender):
        _from_holder(standing, record_type, sender, WORKING | {S.TRIAGE})
    _require(standing.status in OPEN_STATUSES - {S.WAITING_FOR_REPORTER, S.ON_HOLD},
             f"cannot ask the reporter for information while {standing.status.value}")


def _from_reporter(standing: Standing, record_type: str, sender: str, value, directory) -> None:
    _require(sender == REPORTER, f"{record_type} must come from the reporter")
    _require(standing.status in OPEN_STATUSES, f"the complaint is {standing.status.value}: reopen it instead")


def _closed(standing: Standing, record_type: str, sender: str, value, directory) -> None:
    reason = value.get("reason")
    closer = NATIONAL_ADMIN_ACTOR if is_admin(sender) and reason == "ADMIN_CLOSED" else sender
    if closer in _CLOSERS:
        expected, allowed = _CLOSERS[closer]
        _require(reason == expected, f"{closer} closes a complaint with reason {expected}")
        _require(standing.status in allowed, f"cannot close while {standing.status.value}")
        return
    _from_holder(standing, record_type, sender, {S.RESPONDED})
    _require(reason == "AGENCY_CLOSED", "an agency closes a complaint with reason AGENCY_CLOSED")


def _reopened(standing: Standing, record_type: str, sender: str, value, directory) -> None:
    _require(sender == REPORTER, "only the reporter reopens a complaint")
    _require(standing.status in {S.RESPONDED, S.CLOSED}, f"cannot reopen while {standing.status.value}")


def _rated(standing: Standing, record_type: str, sender: str, value, directory) -> None:
    """The reporter rates a response [penilaian]: while it stands, or after the complaint closed."""
    _require(sender == REPORTER, "only the reporter rates the response")
    _require(standing.status in RATEABLE, f"there is no response to rate while {standing.status.value}")


def _admin_while(allowed: frozenset[Status] | set[Status], reason: str) -> Callable[..., None]:
    def rule(standing: Standing, record_type: str, sender: str, value, directory) -> None:
        _require(is_admin(sender), f"{record_type} is the national admin's decision")
        _require(standing.status in allowed, reason.format(status=standing.status.value))

    return rule


def _sla_check(standing: Standing, record_type: str, sender: str, value, directory) -> None:
    _require(sender == HUB, "SLA checks come from the hub's own timer")


_RULES: dict[str, Callable[..., None]] = {
    "ComplaintAccepted": _holder_only({S.DISPOSITIONED, S.TRIAGE}),
    "ComplaintForwarded": _forwarded,
    "ComplaintReturnedToReporter": _returned_to_reporter,
    "ReporterReplied": _from_reporter,
    "InformationAdded": _from_reporter,
    "FollowUpRecorded": _holder_only(WORKING),
    "ResponseGiven": _holder_only(WORKING),
    "ComplaintClosed": _closed,
    "ComplaintReopened": _reopened,
    "ComplaintRated": _rated,
    "ComplaintArchived": _admin_while(OPEN_STATUSES, "cannot archive while {status}"),
    "ComplaintPutOnHold": _admin_while({S.TRIAGE}, "only a complaint in triage can be put on hold"),
    "ComplaintVerified": _admin_while({S.ON_HOLD}, "only a complaint on hold is verified back into triage"),
    SLA_CHECK: _sla_check,
}
