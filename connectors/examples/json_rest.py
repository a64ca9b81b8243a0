"""A custom connector for an agency system with a JSON REST API, in the fewest lines that are right.

The agency's system takes ``POST {url}/complaints`` (one delivery as the contract's JSON, see
docs/agency-integration.md, with ``Idempotency-Key``; it may answer ``{"reference": ...}``) and
serves ``GET {url}/updates?after=<id>``: a JSON list of its updates, each
``{"id", "type", "tracking_id", ...fields}``, in ``id`` order. The runtime keeps the last ``id``
handled, checks each update (a malformed one is dead-lettered with the reason and passed over),
publishes the rest, and does everything else (commits, retries, receipts, heartbeats)::

    type: lapor_hub.connectors.examples.json_rest:JsonRestConnector
"""

from pydantic import HttpUrl, SecretStr

from lapor_hub.connectors.sdk import Connector, StrictModel

__all__ = ["JsonRestConnector", "JsonRestSettings"]


class JsonRestSettings(StrictModel):
    url: HttpUrl
    token: SecretStr
    timeout: float = 10.0


class JsonRestConnector(Connector):
    type = "json-rest"
    Settings = JsonRestSettings
    cursor = "id"

    def check(self) -> None:
        self.raise_for_status(self._get_updates(None), what="GET updates")

    def deliver(self, batch):
        for delivery in batch:
            answer = self.http.post(self._url("complaints"), json=delivery.as_json(),
                                    headers={"Idempotency-Key": delivery.idempotency_key, **self._auth()})
            self.raise_for_status(answer, what="POST complaints")
            yield answer.reference()

    def poll(self, after=None) -> list:
        answer = self._get_updates(after)
        self.raise_for_status(answer, what="GET updates")
        return answer.json()

    def _get_updates(self, after):
        return self.http.get(self._url("updates"), params={"after": after} if after else None, headers=self._auth())

    def _url(self, name: str) -> str:
        return f"{str(self.settings.url).rstrip('/')}/{name}"

    def _auth(self) -> dict:
        return {"Authorization": f"Bearer {self.settings.token.get_secret_value()}"}
