"""Realistic complaint bodies and agency updates for the end-to-end tests."""

from __future__ import annotations

import uuid
from datetime import datetime, timezone

__all__ = ["complaint_body", "agency_update"]


def complaint_body(**overrides) -> dict:
    body = {
        "title": "Jalan kabupaten rusak dan berlubang",
        "description": "Jalan menuju pasar Pringsewu berlubang besar dan membahayakan pengendara motor.",
        "category": "infrastructure.road.regency",
        "region_code": "18.10",
        "channel": "web",
        "privacy": "public",
        "reporter": {"name": "Siti Rahmawati", "phone": "081234567890", "nik": "1810015708900003"},
    }
    body.update(overrides)
    return body


def agency_update(record_type: str, tracking_id: str, actor: str, **fields) -> dict:
    return {"event_id": str(uuid.uuid4()), "tracking_id": tracking_id, "occurred_at": datetime.now(timezone.utc),
            "actor": actor, **fields}
