"""A worked custom connector: an agency that exchanges CSV over HTTP.

The agency's system accepts ``POST {url}/assignments.csv`` (one CSV per batch, one row per
assignment, the event id in column ``event_id`` for its own dedupe) and serves
``GET {url}/updates.csv?after=<seq>`` (columns ``seq,type,tracking_id,text,occurred_at``).
Everything else (consuming the inbox, commits, retries, dead letters, receipts, heartbeats,
publishing to the outbox) is the runtime's. Run it with ``type:
lapor_hub.connectors.examples.csv_over_http:CsvOverHttpConnector`` in a config, or register it as an
entry point in your own package::

    [project.entry-points."lapor_hub.connectors"]
    csv-http = "lapor_hub.connectors.examples.csv_over_http:CsvOverHttpConnector"
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from pathlib import Path

from pydantic import Field, HttpUrl, SecretStr

from lapor_hub.connectors.sdk import (
    AgencyUpdate,
    ConfigurationError,
    Connector,
    Delivery,
    HttpClient,
    RetriableError,
    StrictModel,
    parse_update,
)

__all__ = ["CsvOverHttpConnector", "CsvOverHttpSettings"]

_COLUMNS = ("event_id", "tracking_id", "category", "title", "description", "address", "due_at")


class CsvOverHttpSettings(StrictModel):  # 1. typed settings: unknown keys are errors
    url: HttpUrl
    api_key: SecretStr
    watermark_path: Path = Field(description="where the last seen update seq is kept")
    timeout: float = Field(10.0, gt=0, le=60)


class CsvOverHttpConnector(Connector):
    type = "csv-http"
    Settings = CsvOverHttpSettings

    def __init__(self, config, *, http: HttpClient | None = None) -> None:
        super().__init__(config)
        self.http = http or HttpClient(timeout=self.settings.timeout)  # 2. a narrow port, injectable
        self._base = str(self.settings.url).rstrip("/")
        self._newest: int | None = None

    def check(self) -> None:  # 3. reach the agency system; say what to fix
        try:
            answer = self._get_updates()
        except RetriableError as exc:
            raise ConfigurationError(f"settings.url: {exc}") from None
        if answer.status != 200:
            raise ConfigurationError(f"settings.url: GET updates.csv answered HTTP {answer.status}; "
                                     "check url and api_key")

    def deliver(self, batch: Sequence[Delivery]) -> None:  # 4. one request for the whole batch
        rows = [d for d in batch if d.is_assignment]  # notices are not wanted by this agency
        if rows:
            out = io.StringIO()
            writer = csv.writer(out)
            writer.writerow(_COLUMNS)
            for d in rows:
                v, where = d.value, d.value.get("location") or {}
                writer.writerow([d.idempotency_key, d.tracking_id, v["category"], v["title"], v["description"],
                                 where.get("address") or "", v["due_at"].isoformat() if v.get("due_at") else ""])
            answer = self.http.post(f"{self._base}/assignments.csv", body=out.getvalue().encode(),
                                    headers={"Content-Type": "text/csv", "X-Api-Key": self._key()})
            # 5. the outcome table decides: retry, dead-letter or stop. All-or-nothing here: on a
            # dead-letter outcome the runtime retries the batch one assignment at a time.
            self.raise_for_status(answer.status, what="POST assignments.csv")
        return None

    def poll(self) -> list[AgencyUpdate]:  # 6. read new updates; the runtime publishes them
        answer = self._get_updates()
        self.raise_for_status(answer.status, what="GET updates.csv")
        rows = list(csv.DictReader(io.StringIO(answer.body.decode("utf-8"))))
        self._newest = max((int(r["seq"]) for r in rows), default=None)
        # the agency's own sequence number makes the event id deterministic across re-polls
        return [parse_update({"update_id": f"seq-{r.pop('seq')}", **r}) for r in rows]

    def acknowledge(self, updates: Sequence[AgencyUpdate]) -> None:  # 7. now move the watermark
        if self._newest is not None:
            self.settings.watermark_path.write_text(str(self._newest))

    def _get_updates(self):
        path = self.settings.watermark_path
        after = path.read_text().strip() if path.exists() else "0"
        return self.http.get(f"{self._base}/updates.csv", params={"after": after}, headers={"X-Api-Key": self._key()})

    def _key(self) -> str:
        return self.settings.api_key.get_secret_value()
