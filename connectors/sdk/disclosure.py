"""The reporter's identity for the agency that holds a public or confidential report.

The hub puts the identity on ``agency.<code>.inbox`` sealed (only the hub holds the keys, so
a copy of the topic, a backup or a replay never shows it in clear, and an erased identity stays
erased). Before an assignment is handed to ``deliver``, the runtime asks the hub to open it
(``GET /api/v1/agencies/{code}/complaints/{tracking_id}/identity`` with the connector's API key,
role ``connector``; the hub checks the agency holds the complaint and audits the disclosure)
and puts it in ``value["reporter"]`` (and a private location's details in ``value["location"]``).
The sealed form never reaches the agency system.

Without ``hub`` in the connector's configuration, assignments are delivered without the
reporter. Outcomes as the runtime should act on them: 200 -> identity (or none, erased); 403 ->
the connector's key is not for this agency (fatal: the connector stops and says so); 404 ->
the hub's read model has not seen the complaint yet, 5xx or unreachable -> retry later.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from lapor_hub.connectors.sdk.config import HubAccess
from lapor_hub.connectors.sdk.model import Delivery
from lapor_hub.errors import FatalError, RetriableError

__all__ = ["IdentityClient", "without_sealed_identity"]


def without_sealed_identity(delivery: Delivery) -> Delivery:
    """``delivery`` without the sealed identity (agency systems never see ciphertext)."""
    if "identity" not in delivery.value:
        return delivery
    return replace(delivery, value={k: v for k, v in delivery.value.items() if k != "identity"})


class IdentityClient:
    def __init__(self, hub: HubAccess, agency: str) -> None:
        self._hub = hub
        self._agency = agency

    def reveal(self, delivery: Delivery) -> Delivery:
        """``delivery`` with the reporter filled in when the hub discloses it; the sealed form removed."""
        sealed = delivery.value.get("identity")
        if not delivery.is_assignment or not sealed:
            return without_sealed_identity(delivery)
        answer = self._fetch(delivery.tracking_id)
        value: dict[str, Any] = {k: v for k, v in delivery.value.items() if k != "identity"}
        value["reporter"] = answer.get("reporter")
        private = answer.get("private_location")
        if isinstance(private, Mapping) and isinstance(value.get("location"), Mapping):
            value["location"] = {**value["location"], **private}
        return replace(delivery, value=value)

    def _fetch(self, tracking_id: str) -> dict:
        base = str(self._hub.url).rstrip("/")
        path = (f"/api/v1/agencies/{urllib.parse.quote(self._agency, safe='')}/complaints/"
                f"{urllib.parse.quote(tracking_id, safe='')}/identity")
        request = urllib.request.Request(base + path, headers={
            "Accept": "application/json", "Authorization": f"Bearer {self._hub.api_key.get_secret_value()}"})
        try:
            with urllib.request.urlopen(request, timeout=self._hub.timeout) as response:
                return json.loads(response.read())
        except urllib.error.HTTPError as err:
            if err.code in (401, 403):
                raise FatalError(f"the hub refused the connector's identity request ({err.code}): hub.api_key "
                                         f"must be a connector key of agency {self._agency}") from None
            retry = _retry_after(err)
            raise RetriableError(f"the hub answered {err.code} to the identity request of {tracking_id}; "
                                 "retrying", retry_after=retry) from None
        except (OSError, ValueError) as exc:
            raise RetriableError(f"the hub is not reachable for the identity of {tracking_id} "
                                 f"({type(exc).__name__}); retrying") from None


def _retry_after(err: urllib.error.HTTPError) -> float | None:
    try:
        return float(err.headers.get("Retry-After") or "")
    except ValueError:
        return None
