"""``GET requests`` and ``GET requests/{id}``: the specification's filters, and a complaint as a
service request, mapped from the lifecycle.

=====================  ==============================================================================
GeoReport v2           from the complaint
=====================  ==============================================================================
service_request_id     its tracking id
status                 ``closed`` once closed or archived [selesai / arsip]; ``open`` before
status_notes           the LAPOR! status in both languages and its latest step (``Response given by
                       KAB. PRINGSEWU``): sentences the hub writes from codes, never free text
service_code / _name   its category, named in ``locale``
description            the reporter's description; none for a confidential report
agency_responsible     the agency holding it (its PPID for an information request); the national
                       admin while it is verified in triage
service_notice         what happens next for its classification
requested_datetime     when it was submitted
updated_datetime       its latest change; for a closed one, when it closed
expected_datetime      the holder's current deadline (verification in triage, the first follow-up at
                       an agency); absent when none runs
address                the regency or city and the province of its region code
=====================  ==============================================================================

Privacy holds as on the public view: no reporter, no street address, coordinates or media
(they live only in the case file), no content of a confidential report.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from lapor_hub.streams.directory import NATIONAL_ADMIN, Directory
from lapor_hub.streams.readmodel.servicerequests import FINISHED, RequestFilter
from lapor_hub.streams.web.open311.jurisdictions import region_name

__all__ = ["FilterError", "request_filter", "service_request", "notice", "WINDOW", "LIMIT"]

#: The specification's default and largest span of requested_datetime, and most requests returned.
WINDOW = timedelta(days=90)
LIMIT = 1000
_STATUS_WORDS = {
    "triage": "verifikasi", "dispositioned": "didisposisikan", "accepted": "diterima",
    "in_progress": "ditindaklanjuti", "responded": "ditanggapi", "waiting_for_reporter": "menunggu pelapor",
    "on_hold": "ditunda", "closed": "selesai", "archived": "diarsipkan",
}
_NOTICES = {
    "complaint": {"id": "Instansi menindaklanjuti paling lambat 5 hari kerja setelah disposisi; pelapor dapat "
                        "membalas tanggapan dalam 10 hari kerja.",
                  "en": "The agency follows it up within 5 working days of the disposition; the reporter may "
                        "reply to the response within 10 working days."},
    "aspiration": {"id": "Aspirasi diteruskan kepada instansi yang berwenang untuk ditindaklanjuti.",
                   "en": "The aspiration goes to the agency with authority to be followed up."},
    "information_request": {"id": "Permintaan informasi publik dijawab oleh PPID instansi (UU 14/2008).",
                            "en": "The request for public information is answered by the agency's PPID "
                                  "(UU 14/2008)."},
}


def notice(classification: str | None, locale: str) -> str:
    """What happens next to a report of ``classification`` (a complaint when None), in ``locale``."""
    return _NOTICES.get(classification or "complaint", _NOTICES["complaint"])[locale]


class FilterError(ValueError):
    """A query parameter the specification's filters cannot take; the message says which and why."""


@dataclass(frozen=True)
class _Dates:
    start: datetime
    end: datetime


def request_filter(region: str, query: Mapping[str, str], *, is_service: Callable[[str], bool],
                   now: datetime) -> RequestFilter:
    """The read-model filter for ``GET requests``; :class:`FilterError` for a value it cannot take.

    ``service_request_id`` overrides every other filter (the specification); without dates the
    window is the latest 90 days, and a range may not span more than 90 days.
    """
    ids = _listed(query.get("service_request_id"))
    if ids is not None:
        if len(ids) > LIMIT:
            raise FilterError(f"service_request_id lists at most {LIMIT} requests")
        return RequestFilter(region, tracking_ids=ids, limit=LIMIT)
    codes = _listed(query.get("service_code"))
    for code in codes or ():
        if not is_service(code):
            raise FilterError("service_code lists a code that is no service (see GET services)")
    statuses = _listed(query.get("status"))
    if statuses is not None and not set(statuses) <= {"open", "closed"}:
        raise FilterError("status is open, closed, or both comma-separated")
    finished = None if statuses is None or set(statuses) == {"open", "closed"} else statuses[0] == "closed"
    dates = _dates(query.get("start_date"), query.get("end_date"), now)
    return RequestFilter(region, categories=codes, finished=finished, start=dates.start, end=dates.end, limit=LIMIT)


def service_request(row: Mapping[str, Any], *, locale: str, service_name: Callable[[str], str | None],
                    directory: Directory) -> dict[str, Any]:
    """One complaint (a row of :func:`~lapor_hub.streams.readmodel.servicerequests.service_requests`) as a
    GeoReport v2 service request."""
    status = row["status"]
    closed = status in FINISHED
    classification = row["classification"]
    document: dict[str, Any] = {
        "service_request_id": row["tracking_id"],
        "status": "closed" if closed else "open",
        "status_notes": _status_notes(status, row["note"]),
        "service_name": service_name(row["category"]) or row["category"],
        "service_code": row["category"],
        "description": row["description"],
        "agency_responsible": _agency_responsible(row, directory),
        "service_notice": notice(classification, locale),
        "requested_datetime": row["submitted_at"],
        "updated_datetime": (row["closed_at"] or row["updated_at"]) if closed else row["updated_at"],
        "expected_datetime": None if closed else row["due_at"],
        "address": region_name(directory, row["region_code"]),
    }
    return document


def _status_notes(status: str | None, note: str | None) -> str | None:
    if status is None:
        return note
    said = f"LAPOR! status: {status.replace('_', ' ')} ({_STATUS_WORDS.get(status, status)})"
    return f"{said}. {note}" if note else said


def _agency_responsible(row: Mapping[str, Any], directory: Directory) -> str:
    code = row["agency"]
    if not code or code == NATIONAL_ADMIN:
        national = directory.get(NATIONAL_ADMIN)
        return f"Admin Nasional SP4N-LAPOR!, {national.name} ({NATIONAL_ADMIN})"
    name = row["agency_name"] or (directory.get(code).name if code in directory else code)
    unit = "PPID " if row["classification"] == "information_request" else ""
    return f"{unit}{name} ({code})"


def _listed(raw: str | None) -> list[str] | None:
    """A comma-delimited list; None when absent or blank (optional arguments: empty is absent)."""
    if raw is None or not raw.strip():
        return None
    items = [item.strip() for item in raw.split(",") if item.strip()]
    return items or None


def _dates(start_raw: str | None, end_raw: str | None, now: datetime) -> _Dates:
    start = _instant("start_date", start_raw)
    end = _instant("end_date", end_raw)
    if start is None and end is None:
        return _Dates(now - WINDOW, now)
    if start is None:
        assert end is not None
        return _Dates(end - WINDOW, end)
    if end is None:
        return _Dates(start, start + WINDOW)
    if end < start:
        raise FilterError("end_date is before start_date")
    if end - start > WINDOW:
        raise FilterError("start_date to end_date may not span more than 90 days")
    return _Dates(start, end)


def _instant(name: str, raw: str | None) -> datetime | None:
    """A W3C date-time with a zone (``2010-01-01T00:00:00Z``), or a date (its start, UTC)."""
    if raw is None or not raw.strip():
        return None
    text = raw.strip()
    try:
        if len(text) == 10:
            return datetime.fromisoformat(text).replace(tzinfo=UTC)
        value = datetime.fromisoformat(text.replace("Z", "+00:00").replace("z", "+00:00"))
    except ValueError:
        raise FilterError(f"{name} must be a W3C date-time such as 2026-01-01T00:00:00Z") from None
    if value.tzinfo is None:
        raise FilterError(f"{name} must say its time zone: Z, or an offset such as +07:00")
    return value.astimezone(UTC)
