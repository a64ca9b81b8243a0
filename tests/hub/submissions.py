"""ComplaintSubmitted records as a channel adapter or connector writes them to complaints.intake."""

from __future__ import annotations

import uuid
from datetime import datetime, timezone

__all__ = ["submission_record"]


def submission_record(tracking_id: str = "", *, region_code: str = "18.10",
                      category: str = "civil_registry.id_card", privacy: str = "PUBLIC") -> dict:
    return {
        "event_id": str(uuid.uuid4()), "tracking_id": tracking_id, "occurred_at": datetime.now(timezone.utc),
        "actor": "reporter", "title": "KTP elektronik belum jadi setelah tiga bulan",
        "description": "Saya sudah merekam data KTP-el di kecamatan tiga bulan lalu tetapi belum dicetak.",
        "category": category, "channel": "sms", "privacy": privacy,
        "reporter": {"name": "Budi Santoso", "nik": None, "phone": "+6281234567890", "email": None},
        "location": {"region_code": region_code, "lat": None, "lon": None, "address": None},
        "attachments": [], "requested_agency": None,
    }
