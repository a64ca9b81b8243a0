"""Sample inbox events of every kind, as the hub sends them: for the sandbox and for tests.

Values follow the Avro contract (``lapor_hub.schemas``) and the privacy rules: the reporter is
absent (an anonymous report), so no personal data is ever sent by a sample.
"""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta, timezone
from typing import Any

from lapor_hub.connectors.sdk.model import INBOX_TYPES, Delivery
from lapor_hub.streams.directory import default_directory

__all__ = ["sample_value", "sample_deliveries"]


def sample_value(record_type: str, agency: str, tracking_id: str, *, event_id: str | None = None) -> dict[str, Any]:
    """One value of ``record_type`` (an inbox type) for ``agency`` about complaint ``tracking_id``."""
    now = datetime.now(timezone.utc).replace(microsecond=0)
    name = default_directory().get(agency).name
    common = {"event_id": event_id or str(uuid.uuid4()), "tracking_id": tracking_id, "occurred_at": now}
    values: dict[str, dict[str, Any]] = {
        "ComplaintDispositioned": {
            "actor": "hub", "agency": {"code": agency, "name": name}, "rule": "sandbox",
            "reason": "a sandbox assignment: no citizen is waiting for it", "hop": 0, "privacy": "ANONYMOUS",
            "title": "Jalan berlubang (sandbox)", "description": "Lubang besar di depan pasar (contoh, bukan laporan)",
            "content_hidden": False, "category": "infrastruktur.jalan",
            "location": {"region_code": agency if agency[:1].isdigit() else "31", "lat": -5.3582, "lon": 104.9747,
                         "address": "Jl. Contoh No. 1"},
            "attachments": [], "reporter": None, "submitted_at": now - timedelta(days=1),
            "due_at": now + timedelta(days=5)},
        "InformationAdded": {"actor": "reporter", "message": "Lubangnya di dekat masjid (contoh)", "attachments": []},
        "ReporterReplied": {"actor": "reporter", "message": "Terima kasih, tetapi belum diperbaiki (contoh)"},
        "ComplaintReopened": {"actor": "reporter", "reason": "Belum selesai (contoh)"},
        "SlaWarning": {"actor": "hub", "stage": "FOLLOW_UP", "agency": agency, "percent": 75,
                       "deadline_at": now + timedelta(days=1)},
        "ComplaintEscalated": {"actor": "hub", "stage": "FOLLOW_UP", "agency": agency, "tier": 1,
                               "addressed_to": {"code": agency, "name": name}, "office": "agency admin",
                               "deadline_at": now - timedelta(hours=1), "breached_at": now},
        "UpdateRejected": {"actor": "hub", "agency": agency, "update_type": "ResponseGiven",
                           "update_event_id": str(uuid.uuid4()), "update_source": f"/agency/{agency}/connector/x",
                           "reason": "ResponseGiven is not allowed while the complaint is dispositioned: accept "
                                     "it first (sandbox example)"},
    }
    if record_type not in values:
        raise ValueError(f"{record_type} is not an inbox type: one of {', '.join(sorted(INBOX_TYPES))}")
    return {**common, **values[record_type]}


def sample_deliveries(agency: str, tracking_id: str) -> list[Delivery]:
    """One delivery of every inbox type, the assignment first."""
    kinds = ["ComplaintDispositioned", *sorted(INBOX_TYPES - {"ComplaintDispositioned"})]
    deliveries = []
    for kind in kinds:
        value = sample_value(kind, agency, tracking_id)
        deliveries.append(Delivery(kind, value, tracking_id, value["event_id"], agency=agency))
    return deliveries
