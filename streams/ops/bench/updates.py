"""Agency updates for the lifecycle phase: what agencies publish on their outboxes, and how often.

The mix follows how complaints end in SP4N-LAPOR!: most are accepted, followed up, answered
and closed by the agency; some stay in progress; about one in ten is declined as outside the
agency's authority (bukan wewenang) and forwarded. Updates are built when the bench sees the
ComplaintDispositioned (an agency cannot act on a complaint it has not received), for the
agency that actually holds it.
"""

from __future__ import annotations

import random
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime

from lapor_hub.schemas import cloudevent_headers, encode
from lapor_hub.streams.core import topics

__all__ = ["UPDATE_MIX", "UpdatePlan", "plan_updates", "expected_events", "update_records", "field_values"]

#: (name, weight, record types the holder publishes in order)
UPDATE_MIX: tuple[tuple[str, int, tuple[str, ...]], ...] = (
    ("closed_by_agency", 55, ("ComplaintAccepted", "FollowUpRecorded", "ResponseGiven", "ComplaintClosed")),
    ("in_progress", 20, ("ComplaintAccepted", "FollowUpRecorded")),
    ("accepted", 10, ("ComplaintAccepted",)),
    ("forwarded", 10, ("ComplaintForwarded",)),
    ("untouched", 5, ()),
)
_NOTES = ("Tim teknis sudah turun ke lokasi dan melakukan pengecekan.",
          "Pengaduan sudah diteruskan ke bidang terkait untuk ditindaklanjuti.",
          "Petugas sudah menghubungi pelapor untuk klarifikasi data.")
_RESPONSES = ("Perbaikan telah dilaksanakan dan layanan sudah kembali normal. Terima kasih atas laporannya.",
              "Data pelapor sudah diperbaiki dan dokumen dapat diambil di kantor pelayanan.",
              "Bantuan telah disalurkan sesuai ketentuan; silakan hubungi kami bila masih ada kendala.")


@dataclass(frozen=True, slots=True)
class UpdatePlan:
    name: str
    record_types: tuple[str, ...]


def plan_updates(count: int, *, seed: int = 1708) -> list[UpdatePlan]:
    """One plan per complaint, drawn from :data:`UPDATE_MIX`."""
    rnd = random.Random(seed)
    plans = [UpdatePlan(name, types) for name, _, types in UPDATE_MIX]
    return rnd.choices(plans, [weight for _, weight, _ in UPDATE_MIX], k=count)


def expected_events(plan: UpdatePlan) -> int:
    """Events on ``complaints.events`` for one complaint under ``plan``.

    Submitted and Dispositioned, one event per update, and a forwarding adds the new
    Dispositioned (to the next holder, or to the national admin's triage).
    """
    forwardings = plan.record_types.count("ComplaintForwarded")
    return 2 + len(plan.record_types) + forwardings


def update_records(plan: UpdatePlan, tracking_id: str, agency: str, *, to_agency: str = "",
                   now: datetime | None = None) -> list[tuple[str, bytes, bytes, list[tuple[str, bytes]]]]:
    """(topic, key, value, headers) of each update ``agency`` publishes for ``tracking_id``.

    ``to_agency`` is the suggestion of a forwarding: needed when the national admin forwards
    a complaint out of triage, left empty by an agency (the hub routes by its rules then).
    """
    now = now or datetime.now(UTC)
    source = f"/agency/{agency}/connector/bench"
    records = []
    for n, record_type in enumerate(plan.record_types):
        event_id = str(uuid.uuid4())
        value = {"event_id": event_id, "tracking_id": tracking_id, "occurred_at": now, "actor": agency,
                 **field_values(record_type, agency, to_agency, n)}
        headers = cloudevent_headers(record_type, event_id, source, tracking_id, now)
        records.append((topics.outbox(agency), tracking_id.encode(), encode(record_type, value), headers))
    return records


def field_values(record_type: str, agency: str, to_agency: str, n: int) -> dict:
    if record_type == "ComplaintAccepted":
        return {"agency": agency}
    if record_type == "FollowUpRecorded":
        return {"agency": agency, "note": _NOTES[n % len(_NOTES)], "attachments": []}
    if record_type == "ResponseGiven":
        return {"agency": agency, "response": _RESPONSES[n % len(_RESPONSES)]}
    if record_type == "ComplaintClosed":
        return {"reason": "AGENCY_CLOSED", "note": None}
    if record_type == "ComplaintForwarded":
        return {"from_agency": agency, "to_agency": to_agency, "reason": "bukan wewenang", "hop": 0,
                "suggested_by_agency": False}
    raise ValueError(f"the bench does not publish {record_type}")
