"""``open311``: a city's Open311 GeoReport v2 endpoint (JSON format).

Out: each assignment is ``POST {base_url}requests.json`` (form-encoded) with ``api_key``,
``jurisdiction_id``, ``service_code`` (from ``service_codes[category]``, else
``default_service_code``, else the assignment is dead-lettered), ``lat``/``long``,
``address_string``, ``description`` (title and text, prefixed with the tracking id) and the
attributes ``attribute[lapor_tracking_id]`` and ``attribute[lapor_event_id]``. Open311 has no
idempotency key, so the connector remembers tracking id → ``service_request_id`` in
``state_path`` before the offset is committed; a redelivery of a known complaint posts nothing.
(A crash between the city's answer and that write can create one duplicate request.)

In: ``GET {base_url}requests.json?service_request_id=a,b,...`` for the requests not yet closed
(token-only answers are resolved with ``GET tokens/{token}.json`` first). Status mapping:

==========================================  ===================================================
the city's request                           LAPOR update
==========================================  ===================================================
seen for the first time (any status)         ``ComplaintAccepted``
``open``, ``status_notes`` changed           ``FollowUpRecorded`` (note = status_notes)
``closed``                                   ``ResponseGiven`` (response = status_notes); with
                                             ``close_on_closed`` also ``ComplaintClosed``
                                             (AGENCY_CLOSED)
==========================================  ===================================================

A closed request is a *response* by default, not a closure: LAPOR then lets the reporter reply
or reopen for 10 working days before closing. Event ids derive from the service_request_id and
the request's ``updated_datetime``, so re-polling the same change gives the same id.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator, Sequence
from datetime import datetime, timezone
from pathlib import Path
from urllib.parse import urlencode

from pydantic import Field, HttpUrl, SecretStr

from lapor_hub.connectors.sdk.config import ConnectorConfig, StrictModel
from lapor_hub.connectors.sdk.connector import Connector
from lapor_hub.connectors.sdk.http import HttpClient, HttpResponse
from lapor_hub.connectors.sdk.model import AgencyUpdate, Delivery
from lapor_hub.connectors.sdk.outcomes import parse_retry_after
from lapor_hub.errors import ConfigurationError, RetriableError, SkippableError

__all__ = ["Open311Connector", "Open311Settings"]

_IDS_PER_QUERY = 50


class Open311Settings(StrictModel):
    base_url: HttpUrl = Field(description="GeoReport v2 root, e.g. https://311.example.go.id/open311/v2/")
    api_key: SecretStr
    jurisdiction_id: str | None = None
    service_codes: dict[str, str] = Field(default_factory=dict, description="LAPOR category → service_code")
    default_service_code: str | None = None
    state_path: Path
    timeout: float = Field(10.0, gt=0, le=120)
    close_on_closed: bool = False


class Open311Connector(Connector):
    type = "open311"
    Settings = Open311Settings

    def __init__(self, config: ConnectorConfig, *, http: HttpClient | None = None) -> None:
        super().__init__(config)
        self.http = http or HttpClient(timeout=self.settings.timeout)
        self._base = str(self.settings.base_url).rstrip("/") + "/"
        self._state = _load_state(self.settings.state_path)
        self._seen: dict[str, dict] = {}

    def check(self) -> None:
        try:
            answer = self._get("services.json")
        except (RetriableError, SkippableError) as exc:
            raise ConfigurationError(f"settings.base_url: {exc}; check the URL and jurisdiction_id") from None
        offered = {str(s.get("service_code")) for s in _json_list(answer)}
        wanted = set(self.settings.service_codes.values()) | ({self.settings.default_service_code} - {None})
        missing = sorted(wanted - offered)
        if missing:
            raise ConfigurationError(f"settings.service_codes: the city offers no service {', '.join(missing)} "
                                     f"(it offers {', '.join(sorted(offered)) or 'none'}); fix the mapping")
        if not self.settings.state_path.parent.is_dir():
            raise ConfigurationError(f"settings.state_path: folder {self.settings.state_path.parent} does not exist")

    # hub → agency -----------------------------------------------------------------------

    def deliver(self, batch: Sequence[Delivery]) -> Iterator[str | None]:
        for delivery in batch:
            known = self._state.get(delivery.tracking_id)
            if not delivery.is_assignment or known is not None:
                yield None if known is None else (known.get("service_request_id") or known.get("token"))
                continue
            value = delivery.value
            code = self.settings.service_codes.get(value["category"]) or self.settings.default_service_code
            if code is None:
                raise SkippableError(f"no Open311 service_code for category {value['category']!r}: "
                                     "add it to settings.service_codes or set default_service_code")
            location = value.get("location") or {}
            form = {"api_key": self.settings.api_key.get_secret_value(), "service_code": code,
                    "description": f"[LAPOR {delivery.tracking_id}] {value['title']}\n\n{value['description']}".strip(),
                    "attribute[lapor_tracking_id]": delivery.tracking_id,
                    "attribute[lapor_event_id]": delivery.idempotency_key}
            for key, field in (("lat", "lat"), ("long", "lon"), ("address_string", "address")):
                if location.get(field) is not None:
                    form[key] = str(location[field])
            if self.settings.jurisdiction_id:
                form["jurisdiction_id"] = self.settings.jurisdiction_id
            answer = self.http.post(self._base + "requests.json", body=urlencode(form).encode(),
                                    headers={"Content-Type": "application/x-www-form-urlencoded"})
            self._raise_for(answer, "POST requests.json")
            created = (_json_list(answer) or [{}])[0]
            record = {"service_request_id": created.get("service_request_id"), "token": created.get("token"),
                      "event_id": delivery.idempotency_key, "status": None, "notes": None}
            if not record["service_request_id"] and not record["token"]:
                raise SkippableError("the city answered without a service_request_id or token")
            self._state[delivery.tracking_id] = record
            self._save()
            yield record["service_request_id"] or record["token"]

    # agency → hub -----------------------------------------------------------------------

    def poll(self) -> list[AgencyUpdate]:
        self._resolve_tokens()
        by_id = {r["service_request_id"]: t for t, r in self._state.items()
                 if r.get("service_request_id") and r.get("status") != "closed"}
        ids = sorted(by_id)
        updates: list[AgencyUpdate] = []
        self._seen = {}
        for start in range(0, len(ids), _IDS_PER_QUERY):
            answer = self._get("requests.json", service_request_id=",".join(ids[start:start + _IDS_PER_QUERY]))
            for request in _json_list(answer):
                tracking_id = by_id.get(str(request.get("service_request_id")))
                if tracking_id is not None:
                    updates.extend(self._changes(tracking_id, self._state[tracking_id], request))
        return updates

    def _changes(self, tracking_id: str, known: dict, request: dict) -> list[AgencyUpdate]:
        srid, status = known["service_request_id"], request.get("status")
        notes = (request.get("status_notes") or "").strip()
        changed = request.get("updated_datetime") or request.get("requested_datetime") or ""
        when = _parse_time(changed)
        updates = []
        if known.get("status") is None:
            updates.append(AgencyUpdate("ComplaintAccepted", tracking_id, f"{srid}:accepted", {}, when))
        if status == "open" and notes and notes != known.get("notes"):
            updates.append(AgencyUpdate("FollowUpRecorded", tracking_id, f"{srid}:{changed}:follow-up",
                                        {"note": notes}, when))
        if status == "closed":
            response = notes or "The city closed the request without a note."
            updates.append(AgencyUpdate("ResponseGiven", tracking_id, f"{srid}:{changed}:closed",
                                        {"response": response}, when))
            if self.settings.close_on_closed:
                updates.append(AgencyUpdate("ComplaintClosed", tracking_id, f"{srid}:{changed}:closure",
                                            {"reason": "AGENCY_CLOSED", "note": notes or None}, when))
        if status in ("open", "closed"):
            self._seen[tracking_id] = {"status": status, "notes": notes}
        return updates

    def acknowledge(self, updates: Sequence[AgencyUpdate]) -> None:
        for tracking_id, seen in self._seen.items():
            self._state[tracking_id].update(seen)
        self._seen = {}
        self._save()

    def _resolve_tokens(self) -> None:
        for record in self._state.values():
            if record.get("token") and not record.get("service_request_id"):
                answer = self._get(f"tokens/{record['token']}.json")
                found = (_json_list(answer) or [{}])[0].get("service_request_id")
                if found:
                    record["service_request_id"] = str(found)
                    self._save()

    def _get(self, path: str, **params: str) -> HttpResponse:
        if self.settings.jurisdiction_id:
            params["jurisdiction_id"] = self.settings.jurisdiction_id
        answer = self.http.get(self._base + path, params=params or None)
        self._raise_for(answer, f"GET {path.split('/')[0]}")
        return answer

    def _raise_for(self, answer: HttpResponse, what: str) -> None:
        self.raise_for_status(answer.status, what=what, retry_after=parse_retry_after(answer.header("Retry-After")))

    def _save(self) -> None:
        path = self.settings.state_path
        temporary = path.with_name(f".{path.name}.tmp")
        temporary.write_text(json.dumps({"requests": self._state}, indent=1, sort_keys=True), encoding="utf-8")
        os.replace(temporary, path)


def _load_state(path: Path) -> dict[str, dict]:
    try:
        return json.loads(path.read_text(encoding="utf-8"))["requests"]
    except FileNotFoundError:
        return {}
    except (ValueError, KeyError, OSError) as exc:
        raise ConfigurationError(f"settings.state_path: {path} is not a state file written by this connector "
                                 f"({type(exc).__name__}); restore it from a backup") from None


def _json_list(answer: HttpResponse) -> list[dict]:
    try:
        payload = json.loads(answer.body or b"[]")
    except ValueError:
        raise RetriableError("the city answered with something that is not JSON") from None
    return [item for item in (payload if isinstance(payload, list) else [payload]) if isinstance(item, dict)]


def _parse_time(text: str) -> datetime | None:
    try:
        parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.utcoffset() is not None else parsed.replace(tzinfo=timezone.utc)
