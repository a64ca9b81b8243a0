"""A worked custom connector: an agency that exchanges CSV over HTTP.

The agency's system accepts ``POST {url}/assignments.csv`` (one CSV per batch, one row per
assignment, the event id in column ``event_id`` for its own dedupe) and serves
``GET {url}/updates.csv?after=<seq>`` (columns ``seq,type,tracking_id,text,occurred_at``, in
``seq`` order). Everything else is the runtime's: consuming the inbox, commits, retries, dead
letters, receipts, heartbeats, checking each update and publishing it to the outbox, and keeping
the polling watermark (the highest ``seq`` handled, durably, in ``state_dir``). Run it with
``type: lapor_hub.connectors.examples.csv_over_http:CsvOverHttpConnector`` in a config, or
register it as an entry point in your own package::

    [project.entry-points."lapor_hub.connectors"]
    csv-http = "lapor_hub.connectors.examples.csv_over_http:CsvOverHttpConnector"
"""

import csv
import io

from pydantic import HttpUrl, SecretStr

from lapor_hub.connectors.sdk import Connector, StrictModel

__all__ = ["CsvOverHttpConnector", "CsvOverHttpSettings"]

_COLUMNS = ("event_id", "tracking_id", "category", "title", "description", "due_at")


class CsvOverHttpSettings(StrictModel):  # 1. typed settings: unknown keys are errors
    url: HttpUrl
    api_key: SecretStr


class CsvOverHttpConnector(Connector):  # 2. self.http is an HttpClient (injectable: tests pass their own)
    type = "csv-http"
    Settings = CsvOverHttpSettings
    cursor = "seq"  # 3. the runtime keeps the last seq handled, durably, and passes it to poll(after)

    def check(self) -> None:  # 4. one GET tells whether url and api_key are right
        self.poll()

    def deliver(self, batch) -> None:  # 5. one request for the whole batch; notices are not wanted
        rows = [[d.idempotency_key, d.tracking_id, *(d.as_json()["data"].get(c) for c in _COLUMNS[2:])]
                for d in batch if d.is_assignment]
        if rows:
            out = io.StringIO()
            csv.writer(out).writerows([_COLUMNS, *rows])
            answer = self._call("POST", "assignments.csv", body=out.getvalue().encode(), content_type="text/csv")
            # 6. the outcome table decides: retry, dead-letter or stop. All or nothing here: on a
            # dead-letter outcome the runtime retries the batch one assignment at a time.
            self.raise_for_status(answer, what="POST assignments.csv")

    def poll(self, after=None) -> list[dict]:  # 7. the agency's rows as they are: the runtime checks each,
        answer = self._call("GET", "updates.csv", params={"after": after or 0})  # dead-letters a bad one
        self.raise_for_status(answer, what="GET updates.csv")
        return list(csv.DictReader(io.StringIO(answer.body.decode("utf-8"))))

    def _call(self, method: str, name: str, content_type: str = "text/csv", **options):
        headers = {"Content-Type": content_type, "X-Api-Key": self.settings.api_key.get_secret_value()}
        return self.http.request(method, f"{str(self.settings.url).rstrip('/')}/{name}", headers=headers, **options)
