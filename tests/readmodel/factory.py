"""Valid ``complaints.events`` records for the read-model tests, as the hub would write them.

Every value goes through ``schemas.encode`` and ``schemas.decode``: the read model sees
exactly what the projector will hand it, and an invalid test record fails loudly here.
The people, NIKs and phone numbers are invented.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from lapor_hub import schemas
from lapor_hub.streams.directory import NATIONAL_ADMIN, default_directory
from lapor_hub.streams.readmodel import ProjectedEvent

__all__ = ["Hub", "REPORTER", "dump"]

REPORTER = {
    "name": "Siti Rahayu", "nik": "3201046503910007", "phone": "+6281298765432", "email": "siti.rahayu@gmail.com",
}  # fmt: skip
_START = datetime(2020, 7, 6, 1, 0, tzinfo=timezone.utc)  # a Monday, 08:00 WIB


class Hub:
    """Writes events for many complaints, keeping each one's holder like the lifecycle agent
    (KEMENPANRB, the national admin, while a complaint is in triage).

    The clock moves one minute per event, so timestamps are distinct and deterministic.
    """

    def __init__(self) -> None:
        self._n = 0
        self.holder: dict[str, str] = {}
        self.events: list[ProjectedEvent] = []

    def _event(self, record_type: str, tracking_id: str, actor: str, status_after: str, /, **fields) -> ProjectedEvent:
        self._n += 1
        value = {
            "event_id": f"00000000-0000-4000-8000-{self._n:012d}",
            "tracking_id": tracking_id,
            "occurred_at": _START + timedelta(minutes=self._n),
            "actor": actor,
            **fields,
        }
        kind, decoded = schemas.decode(schemas.encode(record_type, value))
        event = ProjectedEvent(kind, decoded, status_after, self.holder.get(tracking_id, NATIONAL_ADMIN))
        self.events.append(event)
        return event

    def submitted(self, tid: str, *, privacy: str = "PUBLIC", region: str = "18.10",
                  reporter: dict | None = None, title: str = "Jalan berlubang di depan SDN 1 Pringsewu",
                  category: str = "infrastruktur", classification: str = "COMPLAINT") -> ProjectedEvent:
        return self._event(
            "ComplaintSubmitted", tid, "reporter", "triage",
            title=title, description="Sudah tiga bulan jalan berlubang; dua anak jatuh minggu lalu.",
            category=category, channel="sms-1708", privacy=privacy, reporter=reporter or REPORTER,
            location={"region_code": region, "lat": None, "lon": None, "address": None},
            attachments=[], requested_agency=None, classification=classification,
        )  # fmt: skip

    def dispositioned(self, tid: str, code: str, *, hop: int = 0, privacy: str = "PUBLIC",
                      reporter: dict | None = None) -> ProjectedEvent:
        self.holder[tid] = code
        anonymous = privacy == "ANONYMOUS"
        return self._event(
            "ComplaintDispositioned", tid, "hub", "dispositioned",
            agency={"code": code, "name": default_directory().get(code).name}, rule="region-road-damage",
            reason="Jalan kabupaten di wilayah pelapor", hop=hop, privacy=privacy,
            title="Jalan berlubang di depan SDN 1 Pringsewu", description="Sudah tiga bulan jalan berlubang.",
            content_hidden=privacy == "CONFIDENTIAL", category="infrastruktur",
            location={"region_code": "18.10", "lat": None, "lon": None, "address": None},
            attachments=[], reporter=None if anonymous else (reporter or REPORTER),
            submitted_at=_START, due_at=None,
        )  # fmt: skip

    def accepted(self, tid: str) -> ProjectedEvent:
        code = self.holder[tid]
        return self._event("ComplaintAccepted", tid, code, "accepted", agency=code)

    def forwarded(self, tid: str, to: str, *, hop: int = 1) -> ProjectedEvent:
        source = self.holder[tid]
        if to:
            self.holder[tid] = to
        else:
            self.holder.pop(tid)
        return self._event(
            "ComplaintForwarded", tid, source, "dispositioned" if to else "triage", from_agency=source,
            to_agency=to, reason="Bukan wewenang kabupaten", hop=hop, suggested_by_agency=bool(to),
        )  # fmt: skip

    def followed_up(self, tid: str) -> ProjectedEvent:
        code = self.holder[tid]
        return self._event("FollowUpRecorded", tid, code, "in_progress", agency=code,
                           note="Dinas PUPR meninjau lokasi bersama Bapak Joko (0812-1111-2222).", attachments=[])

    def responded(self, tid: str) -> ProjectedEvent:
        code = self.holder[tid]
        return self._event("ResponseGiven", tid, code, "responded", agency=code, response="Jalan telah ditambal.")

    def closed(self, tid: str, reason: str = "NO_REPLY") -> ProjectedEvent:
        return self._event("ComplaintClosed", tid, "hub", "closed", reason=reason, note=None)

    def rated(self, tid: str, rating: int, comment: str | None = None) -> ProjectedEvent:
        code = self.holder[tid]
        status = "closed" if any(e.tracking_id == tid and e.record_type == "ComplaintClosed" for e in self.events) \
            else "responded"
        return self._event("ComplaintRated", tid, "reporter", status, agency=code, rating=rating, comment=comment)

    def reopened(self, tid: str) -> ProjectedEvent:
        return self._event("ComplaintReopened", tid, "reporter", "in_progress", reason="Lubang muncul lagi.")

    def warned(self, tid: str, percent: int = 75) -> ProjectedEvent:
        code = self.holder[tid]
        return self._event("SlaWarning", tid, "hub", "dispositioned", stage="first-follow-up", agency=code,
                           percent=percent, deadline_at=_START + timedelta(days=7))

    def escalated(self, tid: str, code: str | None = None, *, tier: int = 1,
                  status: str = "dispositioned") -> ProjectedEvent:
        return self._event(
            "ComplaintEscalated", tid, "hub", status, stage="first-follow-up", agency=code or self.holder[tid],
            tier=tier, addressed_to={"code": "18", "name": "LAMPUNG"}, office="Inspektorat Provinsi",
            deadline_at=_START + timedelta(days=7), breached_at=_START + timedelta(days=7, seconds=5),
        )  # fmt: skip

    def delivered(self, tid: str) -> ProjectedEvent:
        code = self.holder[tid]
        return self._event("DeliveryReceipt", tid, code, "dispositioned", agency=code, connector_id="pringsewu-1",
                           delivered_event_id=self.events[-1].event_id, status="DELIVERED",
                           external_ref=None, detail=None)


def dump(model) -> dict[str, list[tuple]]:
    """Every row of every read-model table, in primary-key order."""
    from sqlalchemy import select

    from lapor_hub.streams.readmodel.tables import metadata

    with model.engine.connect() as conn:
        return {
            table.name: [tuple(row) for row in conn.execute(select(table).order_by(*table.primary_key.columns))]
            for table in metadata.sorted_tables
        }
