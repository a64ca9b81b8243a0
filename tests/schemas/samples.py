"""One realistic, fixed value per record type: the source of the golden vectors.

The people, NIKs and phone numbers are invented. Changing a value here changes the golden
files: run ``python -m tests.schemas.regenerate_golden`` and review the diff.
"""

from __future__ import annotations

from datetime import datetime, timezone

__all__ = ["SAMPLES", "FOLLOW_UP_V1", "SUBMITTED_V1", "SUBMITTED_V2", "DISPOSITIONED_V1", "OLDER_VERSIONS"]

_T0 = datetime(2024, 3, 4, 2, 15, 30, 123456, tzinfo=timezone.utc)  # 09:15 WIB


def _at(minutes: int) -> datetime:
    return _T0.replace(minute=(_T0.minute + minutes) % 60, hour=_T0.hour + (_T0.minute + minutes) // 60)


_TRACKING = "LAP-2024-0001708"
_REPORTER = {"name": "Siti Rahayu", "nik": "3201046503910007", "phone": "+6281298765432",
             "email": "siti.rahayu@gmail.com"}
_LOCATION = {"region_code": "18.10", "lat": -5.3583, "lon": 104.9746, "address": "Jl. Ahmad Yani No. 12, Pringsewu"}
_PHOTO = {"name": "jalan-berlubang.jpg", "content_type": "image/jpeg", "url": "https://lapor.go.id/files/8f1d2c3a",
          "size_bytes": 482113}


def _common(n: int, actor: str, tracking: str = _TRACKING) -> dict:
    return {"event_id": f"0b8e6f2a-7c1d-4e5f-9a0b-{n:012d}", "tracking_id": tracking, "occurred_at": _at(n),
            "actor": actor}


SAMPLES: dict[str, dict] = {
    "ComplaintSubmitted": {
        **_common(1, "reporter", tracking=""),
        "title": "Jalan berlubang di depan SDN 1 Pringsewu",
        "description": "Sudah tiga bulan jalan berlubang, dua anak jatuh dari sepeda minggu lalu.",
        "category": "infrastruktur", "channel": "sms-1708", "privacy": "PUBLIC",
        "reporter": _REPORTER, "location": _LOCATION, "attachments": [_PHOTO], "requested_agency": "18.10",
        "reporter_token_hash": "5d41402abc4b2a76b9719d911017c592ae5eb5c3e0d8d7b8b3f0f8f1a2b3c4d5",
        "classification": "COMPLAINT",
    },
    "ComplaintVerified": {**_common(2, "national-admin"), "notes": "Lengkap; disposisi ke Pemkab Pringsewu."},
    "ComplaintReturnedToReporter": {**_common(3, "national-admin"),
                                    "reason": "Mohon sebutkan nama desa dan lampirkan foto lokasi."},
    "ComplaintArchived": {**_common(4, "national-admin"), "reason": "DUPLICATE",
                          "notes": "Sama dengan LAP-2024-0001650."},
    "ComplaintPutOnHold": {**_common(5, "national-admin"), "reason": "Menunggu konfirmasi kewenangan dari Kemendagri."},
    "ComplaintDispositioned": {
        **_common(6, "hub"),
        "agency": {"code": "18.10", "name": "KAB. PRINGSEWU"}, "rule": "region-road-damage",
        "reason": "Jalan kabupaten di wilayah KAB. PRINGSEWU", "hop": 0, "privacy": "ANONYMOUS",
        "title": "Jalan berlubang di depan SDN 1 Pringsewu",
        "description": "Sudah tiga bulan jalan berlubang, dua anak jatuh dari sepeda minggu lalu.",
        "content_hidden": False, "category": "infrastruktur", "location": _LOCATION,
        "attachments": [], "reporter": None, "submitted_at": _T0,
        "due_at": datetime(2024, 3, 11, 10, 0, tzinfo=timezone.utc),
        "classification": "INFORMATION_REQUEST", "unit": "PPID",
    },
    "ComplaintAccepted": {**_common(7, "18.10"), "agency": "18.10"},
    "ComplaintForwarded": {
        **_common(8, "18.10"), "from_agency": "18.10", "to_agency": "18",
        "reason": "Jalan provinsi, bukan wewenang kabupaten.", "hop": 1, "suggested_by_agency": True,
    },
    "FollowUpRecorded": {
        **_common(9, "18.10"), "agency": "18.10",
        "note": "Dinas PUPR telah meninjau lokasi; perbaikan dijadwalkan minggu depan.",
        "attachments": [{"name": "survei.pdf", "content_type": "application/pdf", "url": "https://lapor.go.id/files/0c9e",
                         "size_bytes": None}],
    },
    "ResponseGiven": {**_common(10, "18.10"), "agency": "18.10",
                      "response": "Jalan telah ditambal pada 12 Maret 2024."},
    "ReporterReplied": {**_common(11, "reporter"), "message": "Terima kasih, sudah diperbaiki."},
    "InformationAdded": {**_common(12, "reporter"), "message": "Desa Fajar Esuk, dekat masjid.",
                         "attachments": [_PHOTO]},
    "ComplaintReopened": {**_common(13, "reporter"), "reason": "Lubang muncul lagi setelah hujan."},
    "ComplaintRated": {**_common(22, "reporter"), "agency": "18.10", "rating": 4,
                       "comment": "Cepat ditanggapi, tambalannya rapi."},
    "ComplaintClosed": {**_common(14, "hub"), "reason": "NO_REPLY", "note": None},
    "SlaWarning": {**_common(15, "hub"), "stage": "first-follow-up", "agency": "18.10", "percent": 75,
                   "deadline_at": datetime(2024, 3, 11, 10, 0, tzinfo=timezone.utc)},
    "ComplaintEscalated": {
        **_common(16, "hub"), "stage": "first-follow-up", "agency": "18.10", "tier": 2,
        "addressed_to": {"code": "18", "name": "LAMPUNG"}, "office": "Inspektorat Provinsi",
        "deadline_at": datetime(2024, 3, 11, 10, 0, tzinfo=timezone.utc),
        "breached_at": datetime(2024, 3, 11, 10, 0, 5, tzinfo=timezone.utc),
    },
    "DeliveryReceipt": {
        **_common(17, "18.10"), "agency": "18.10", "connector_id": "pringsewu-sipp-1",
        "delivered_event_id": "0b8e6f2a-7c1d-4e5f-9a0b-000000000006", "status": "DELIVERED",
        "external_ref": "SIPP/2024/0311", "detail": None,
    },
    "ConnectorHeartbeat": {
        **_common(18, "18.10", tracking=""), "connector_id": "pringsewu-sipp-1", "agency": "18.10",
        "connector_type": "sql", "status": "UP", "delivered": 42, "failed": 1, "polled": 17, "lag": 0,
        "sent_at": _at(18),
    },
    "DeadLetter": {
        **_common(19, "hub"), "source_topic": "agency.18.10.outbox", "source_partition": 1, "source_offset": 52311,
        "stage": "lifecycle", "error_class": "SerializationError",
        "reason": "unknown magic byte 123: expected 0 (Confluent wire format)",
        "payload": b'{"status": "selesai"}', "key": b"LAP-2024-0001708", "failed_at": _at(19),
    },
    "AuditEntry": {
        **_common(21, "siti.pringsewu"), "role": "agency-officer", "agency": "18.10", "issuer": "lapor-hub",
        "action": "agency_action.follow_up", "method": "POST",
        "route": "/api/v1/agencies/{code}/complaints/{tracking_id}/actions", "target_agency": "18.10",
        "status_code": 202, "client_address": "10.20.30.40",
    },
}

#: FollowUpRecorded as an agency connector on schema v1 still writes it.
FOLLOW_UP_V1 = {
    **_common(20, "18.10"), "agency": "18.10", "note": "Laporan diteruskan ke Dinas PUPR.",
}

#: ComplaintSubmitted as a connector on schema v1 still writes it (no reporter token hash).
SUBMITTED_V1 = {k: v for k, v in SAMPLES["ComplaintSubmitted"].items()
                if k not in ("reporter_token_hash", "classification")}
#: ComplaintSubmitted as a producer on schema v2 still writes it (no classification).
SUBMITTED_V2 = {k: v for k, v in SAMPLES["ComplaintSubmitted"].items() if k != "classification"}

#: ComplaintDispositioned as a hub on schema v1 wrote it (no classification, no unit).
DISPOSITIONED_V1 = {k: v for k, v in SAMPLES["ComplaintDispositioned"].items() if k not in ("classification", "unit")}

#: Older released versions kept as golden vectors: name -> (record type, version, value written).
OLDER_VERSIONS = {
    "FollowUpRecorded.v1": ("FollowUpRecorded", 1, FOLLOW_UP_V1),
    "ComplaintSubmitted.v1": ("ComplaintSubmitted", 1, SUBMITTED_V1),
    "ComplaintSubmitted.v2": ("ComplaintSubmitted", 2, SUBMITTED_V2),
    "ComplaintDispositioned.v1": ("ComplaintDispositioned", 1, DISPOSITIONED_V1),
}
