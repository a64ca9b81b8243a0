"""The pure fold: current rows + new events -> changed rows. No database in here.

Privacy decision: the read model serves public pages and agency dashboards, and it is a copy
(a SQLite file on a hub's disk, database replicas, backups) with far weaker access control
than intake. Only the case file that entitled staff open needs the reporter's NIK, phone
number or e-mail (and the location and attachments), so they are folded into one table,
``case_files``, and nowhere else: the complaint rows, the timeline and every statistic hold no
identity. ``reporter_name`` is kept in the complaint row only while the complaint is PUBLIC,
because the public view shows it then; the moment a later event says otherwise it is erased.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from lapor_hub.streams.lifecycle.status import Status
from lapor_hub.streams.readmodel.events import ProjectedEvent, as_utc
from lapor_hub.streams.readmodel.summaries import summarize

__all__ = ["Changes", "project", "new_complaint", "new_case_file", "FOLLOW_UP_TYPES", "STATUS_NEUTRAL_TYPES"]

#: A response is the agency's follow-up too [tindak lanjut]: an agency that answers at once
#: without a separate progress note has still followed the complaint up.
FOLLOW_UP_TYPES = ("FollowUpRecorded", "ResponseGiven")

#: Events after which the holder is no longer late: it acted, or the complaint is finished.
_CLEARS_OVERDUE = frozenset({*FOLLOW_UP_TYPES, "ComplaintClosed", "ComplaintArchived", "ComplaintForwarded"})

#: The agency named in the record itself; others are attributed to the holder.
_AGENCY_FIELD = frozenset(
    {"ComplaintAccepted", "FollowUpRecorded", "ResponseGiven", "SlaWarning", "ComplaintEscalated", "DeliveryReceipt",
     "ComplaintRated"}
)
#: Events that say something about a complaint without moving it on (its status notes skip them).
STATUS_NEUTRAL_TYPES = ("ComplaintRated", "DeliveryReceipt", "SlaWarning")

#: Status after an event when the ``ce_complaintstatus`` header is missing (older producers).
#: The header, written by the lifecycle agent, is the truth; this is a best effort.
_STATUS_AFTER = {
    "ComplaintSubmitted": Status.TRIAGE,
    "ComplaintReturnedToReporter": Status.WAITING_FOR_REPORTER,
    "ComplaintPutOnHold": Status.ON_HOLD,
    "ComplaintArchived": Status.ARCHIVED,
    "ComplaintDispositioned": Status.DISPOSITIONED,
    "ComplaintAccepted": Status.ACCEPTED,
    "FollowUpRecorded": Status.IN_PROGRESS,
    "ResponseGiven": Status.RESPONDED,
    "ComplaintReopened": Status.IN_PROGRESS,
    "ComplaintClosed": Status.CLOSED,
}

_PUBLIC = "PUBLIC"
_CONFIDENTIAL = "CONFIDENTIAL"


def new_complaint(tracking_id: str) -> dict:
    """The row of a complaint the read model has not seen yet."""
    return {
        "tracking_id": tracking_id, "status": None, "agency": None, "agency_name": None, "hop": 0,
        "category": None, "region_code": None, "privacy": None, "classification": None, "content_hidden": False,
        "title": None, "description": None, "channel": None, "reporter_name": None,
        "submitted_at": None, "updated_at": None, "dispositioned_at": None,
        "first_follow_up_at": None, "responded_at": None, "closed_at": None,
        "overdue": False, "escalation_tier": 0, "event_count": 0, "due_at": None,
    }  # fmt: skip


def new_case_file(tracking_id: str) -> dict:
    """The case file row of a complaint the read model has not seen yet."""
    return {
        "tracking_id": tracking_id, "reporter_token_hash": None, "reporter_name": None, "reporter_nik": None,
        "reporter_phone": None, "reporter_email": None, "address": None, "lat": None, "lon": None,
        "attachments": "[]",
    }  # fmt: skip


@dataclass
class Changes:
    """Rows to write: complaints, case files, assignments and ratings as full rows (upserted), timeline rows new."""

    complaints: dict[str, dict] = field(default_factory=dict)
    timeline: list[dict] = field(default_factory=list)
    assignments: dict[tuple[str, int, str], dict] = field(default_factory=dict)
    case_files: dict[str, dict] = field(default_factory=dict)
    #: (tracking id, agency) -> the latest rating of that agency's response.
    ratings: dict[tuple[str, str], dict] = field(default_factory=dict)


def project(
    events: Sequence[ProjectedEvent],
    complaints: Mapping[str, dict],
    assignments: Mapping[str, Sequence[dict]],
    agency_name: Callable[[str], str | None],
    case_files: Mapping[str, dict] | None = None,
) -> Changes:
    """Fold ``events`` (new ones only, in topic order) into the current rows.

    ``complaints`` maps tracking ids to their stored rows, ``assignments`` tracking ids to
    their stored assignment rows, ``case_files`` to their stored case files; none is modified.
    """
    changes = Changes()
    for event in events:
        if event.record_type in _CASE_FILE_HANDLERS:
            tid = event.tracking_id
            case = changes.case_files.get(tid)
            if case is None:
                stored = (case_files or {}).get(tid)
                case = changes.case_files[tid] = dict(stored) if stored else new_case_file(tid)
            _CASE_FILE_HANDLERS[event.record_type](case, event.value)
        elif event.record_type == "ComplaintRated":
            value = event.value
            changes.ratings[(event.tracking_id, value["agency"])] = {
                "tracking_id": event.tracking_id, "agency": value["agency"], "rating": value["rating"],
                "comment": value.get("comment"), "rated_at": as_utc(value["occurred_at"])}
    held: dict[str, list[dict]] = {}
    for event in events:
        tid = event.tracking_id
        row = changes.complaints.get(tid)
        if row is None:
            stored = complaints.get(tid)
            row = changes.complaints[tid] = dict(stored) if stored else new_complaint(tid)
        rows = held.get(tid)
        if rows is None:
            rows = held[tid] = [dict(a) for a in assignments.get(tid, ())]
        changes.timeline.append(_apply(event, row, _Assignments(tid, rows, changes.assignments), agency_name))
    return changes


class _Assignments:
    """The assignment rows of one complaint; every row touched is recorded in ``changed``."""

    def __init__(self, tracking_id: str, rows: list[dict], changed: dict) -> None:
        self.tracking_id = tracking_id
        self.rows = rows
        self.changed = changed

    def _touch(self, row: dict) -> None:
        self.changed[(self.tracking_id, row["hop"], row["agency"])] = row

    def begin(self, hop: int, agency: str, rule: str, reason: str, at: datetime) -> None:
        for row in self.rows:
            if row["hop"] == hop and row["agency"] == agency:
                row.update(rule=rule, reason=reason, ended_at=None)
                self._touch(row)
                return
        row = {"tracking_id": self.tracking_id, "hop": hop, "agency": agency, "rule": rule,
               "reason": reason, "assigned_at": at, "ended_at": None}  # fmt: skip
        self.rows.append(row)
        self._touch(row)

    def end_all_but(self, holder: str | None, at: datetime) -> None:
        """Keep "an open assignment is the current holder" true, whatever moved the complaint."""
        for row in self.rows:
            if row["ended_at"] is None and row["agency"] != holder:
                row["ended_at"] = at
                self._touch(row)


def _apply(event: ProjectedEvent, row: dict, held: _Assignments, agency_name: Callable[[str], str | None]) -> dict:
    kind, value = event.record_type, event.value
    at = as_utc(value["occurred_at"])
    assert at is not None  # ProjectedEvent.check() skipped every record without occurred_at
    holder_before = row["agency"]
    handler = _HANDLERS.get(kind)
    if handler is not None:
        handler(row, value, at, held)

    if event.agency is not None:  # the hub's ce_agency header decides who holds it now
        row["agency"] = event.agency or None
    if row["agency"] != holder_before:
        if not (kind == "ComplaintDispositioned" and row["agency"] == value["agency"]["code"]):
            row["agency_name"] = agency_name(row["agency"]) if row["agency"] else None
        row["overdue"] = False
    held.end_all_but(row["agency"], at)

    if kind in _CLEARS_OVERDUE:
        row["overdue"] = False
    elif kind == "ComplaintEscalated":
        row["escalation_tier"] = max(row["escalation_tier"], value["tier"])
        if row["agency"] and value["agency"] == row["agency"]:
            row["overdue"] = True

    row["status"] = _status_after(event, row)
    row["event_count"] += 1
    if row["updated_at"] is None or at > row["updated_at"]:
        row["updated_at"] = at

    def name(code: str) -> str:
        return agency_name(code) or code or "an agency"

    return {
        "event_id": event.event_id, "tracking_id": event.tracking_id, "position": row["event_count"],
        "record_type": kind, "occurred_at": at, "actor": value.get("actor"),
        "agency": _event_agency(kind, value, row["agency"]), "summary": summarize(kind, value, name),
        "status": row["status"], "actor_subject": event.subject,
    }  # fmt: skip


def _status_after(event: ProjectedEvent, row: dict) -> str | None:
    if event.status:
        return event.status
    kind = event.record_type
    if kind == "ComplaintForwarded":
        return (Status.DISPOSITIONED if event.value.get("to_agency") else Status.TRIAGE).value
    if kind == "InformationAdded":
        return (Status.ACCEPTED if row["agency"] else Status.TRIAGE).value
    derived = _STATUS_AFTER.get(kind)
    return derived.value if derived else row["status"]


def _event_agency(kind: str, value: dict, holder: str | None) -> str | None:
    if kind in _AGENCY_FIELD:
        return value.get("agency") or None
    if kind == "ComplaintDispositioned":
        return value["agency"]["code"]
    if kind == "ComplaintForwarded":
        return value.get("to_agency") or value.get("from_agency") or None
    return holder


def _state_privacy(row: dict, privacy: str | None, reporter: dict | None, hidden: bool = False) -> None:
    row["privacy"] = privacy
    row["content_hidden"] = hidden or privacy == _CONFIDENTIAL
    if privacy != _PUBLIC:
        row["reporter_name"] = None  # see the module docstring: erase as soon as it is not PUBLIC
    elif reporter and reporter.get("name"):
        row["reporter_name"] = reporter["name"]


def _region(value: dict) -> str | None:
    location = value.get("location")
    return location.get("region_code") if location else None


def _classification(v: dict) -> str:
    # Events written before classifications existed decode with the default: a complaint.
    return (v.get("classification") or "COMPLAINT").lower()


def _on_submitted(row: dict, v: dict, at: datetime, held: _Assignments) -> None:
    row.update(title=v["title"], description=v["description"], category=v["category"], channel=v["channel"])
    row["classification"] = _classification(v)
    row["region_code"] = _region(v) or row["region_code"]
    row["submitted_at"] = at
    _state_privacy(row, v["privacy"], v.get("reporter"))


def _on_dispositioned(row: dict, v: dict, at: datetime, held: _Assignments) -> None:
    # Fill gaps only: the agency's copy may be filtered (description empty when withheld).
    for key in ("title", "description", "category"):
        if not row[key] and v.get(key):
            row[key] = v[key]
    row["region_code"] = row["region_code"] or _region(v)
    row["classification"] = row["classification"] or _classification(v)
    row["submitted_at"] = row["submitted_at"] or as_utc(v.get("submitted_at"))
    _state_privacy(row, v["privacy"], v.get("reporter"), bool(v.get("content_hidden")))
    row.update(agency=v["agency"]["code"], agency_name=v["agency"]["name"], hop=v["hop"])
    row["dispositioned_at"] = row["dispositioned_at"] or at
    row["due_at"] = as_utc(v.get("due_at"))
    held.begin(v["hop"], v["agency"]["code"], v["rule"], v["reason"], at)


def _on_forwarded(row: dict, v: dict, at: datetime, held: _Assignments) -> None:
    target = v.get("to_agency") or None
    row.update(agency=target, hop=v["hop"], due_at=None)
    if target:
        held.begin(v["hop"], target, "forwarding", v["reason"], at)


def _on_follow_up(row: dict, v: dict, at: datetime, held: _Assignments) -> None:
    row["first_follow_up_at"] = row["first_follow_up_at"] or at
    row["due_at"] = None


def _on_response(row: dict, v: dict, at: datetime, held: _Assignments) -> None:
    row["first_follow_up_at"] = row["first_follow_up_at"] or at
    row["responded_at"] = at
    row["due_at"] = None


def _on_closed(row: dict, v: dict, at: datetime, held: _Assignments) -> None:
    row["closed_at"] = at
    row["due_at"] = None


def _on_archived(row: dict, v: dict, at: datetime, held: _Assignments) -> None:
    row["due_at"] = None


def _on_reopened(row: dict, v: dict, at: datetime, held: _Assignments) -> None:
    row["closed_at"] = None


_HANDLERS: dict[str, Callable[[dict, dict, datetime, _Assignments], None]] = {
    "ComplaintSubmitted": _on_submitted,
    "ComplaintDispositioned": _on_dispositioned,
    "ComplaintForwarded": _on_forwarded,
    "FollowUpRecorded": _on_follow_up,
    "ResponseGiven": _on_response,
    "ComplaintClosed": _on_closed,
    "ComplaintArchived": _on_archived,
    "ComplaintReopened": _on_reopened,
}


def _case_submitted(case: dict, v: dict) -> None:
    reporter = v.get("reporter") or {}
    location = v.get("location") or {}
    case.update(
        reporter_token_hash=v.get("reporter_token_hash") or case["reporter_token_hash"],
        reporter_name=reporter.get("name"), reporter_nik=reporter.get("nik"), reporter_phone=reporter.get("phone"),
        reporter_email=reporter.get("email"), address=location.get("address"), lat=location.get("lat"),
        lon=location.get("lon"), attachments=json.dumps(_attachments(v)),
    )


def _case_information(case: dict, v: dict) -> None:
    if v.get("attachments"):
        case["attachments"] = json.dumps([*json.loads(case["attachments"]), *_attachments(v)])


def _attachments(v: dict) -> list[dict]:
    return [{"name": a.get("name"), "content_type": a.get("content_type"), "url": a.get("url"),
             "size_bytes": a.get("size_bytes")} for a in v.get("attachments") or []]


#: The events that carry what only the case file keeps.
_CASE_FILE_HANDLERS: dict[str, Callable[[dict, dict], None]] = {
    "ComplaintSubmitted": _case_submitted,
    "InformationAdded": _case_information,
}
