"""What the hub can already tell about an agency's update, from its public view: refused at once.

With ``hub_url`` in a connector's config, the runtime asks the hub's public view
(``GET {hub_url}/api/v1/complaints/{tracking_id}``: status and holding agency, public anyway)
before it publishes an update, and applies the lifecycle's own rule
(:func:`lapor_hub.streams.lifecycle.authority.check`, the one the HTTP API uses): an update for a
complaint the hub does not hold, one another agency holds, or one the status does not allow is
refused with the reason (409 at a push endpoint, a dead letter and ``refused()`` for a polled
record) instead of being accepted and dead-lettered later.

The view may be a moment behind the lifecycle, which stays the final judge (its refusals reach
the agency as ``UpdateRejected`` notices). So the check only refuses what it can tell for sure:
a complaint this connector delivered or published about in the last ``grace`` seconds, or one
named earlier in the same batch, is not judged; neither is anything while the hub does not
answer (the update then goes on, as without ``hub_url``).
"""

from __future__ import annotations

import logging
import time
import urllib.parse
from collections.abc import Sequence
from typing import Any

from lapor_hub.connectors.sdk.http import HttpClient
from lapor_hub.connectors.sdk.model import Delivery
from lapor_hub.connectors.sdk.updates import UpdateConflict
from lapor_hub.connectors.sdk.vetting import Checked
from lapor_hub.errors import HubError
from lapor_hub.streams.directory import Directory, default_directory
from lapor_hub.streams.lifecycle.authority import Standing, check
from lapor_hub.streams.lifecycle.commands import IllegalTransition
from lapor_hub.streams.lifecycle.status import Status

__all__ = ["HubView"]

log = logging.getLogger("lapor_hub.connectors.runtime")

_UNKNOWN = object()  # the hub did not say


class HubView:
    """An :class:`~lapor_hub.connectors.sdk.vetting.UpdateCheck` backed by the hub's public view."""

    def __init__(self, hub_url: str, agency: str, *, http: HttpClient | None = None, grace: float = 60.0,
                 directory: Directory | None = None, clock=time.monotonic) -> None:
        self._base = hub_url.rstrip("/")
        self._agency = agency
        self._http = http or HttpClient(timeout=5.0)
        self._grace = grace
        self._directory = directory or default_directory()
        self._clock = clock
        self._touched: dict[str, float] = {}  # tracking id → when this connector last delivered or published

    def check(self, updates: Sequence[Checked]) -> list[UpdateConflict | None]:
        seen: set[str] = set()
        views: dict[str, Any] = {}
        conflicts: list[UpdateConflict | None] = []
        for update, value in updates:
            tracking_id = update.tracking_id
            if tracking_id in seen or self._recent(tracking_id):
                conflicts.append(None)  # the view cannot know yet
            else:
                if tracking_id not in views:
                    views[tracking_id] = self._view(tracking_id)
                conflicts.append(self._judge(update.record_type, tracking_id, value, views[tracking_id]))
            seen.add(tracking_id)
        return conflicts

    def published(self, updates: Sequence[Checked]) -> None:
        for update, _ in updates:
            self._touch(update.tracking_id)

    def delivered(self, delivery: Delivery) -> None:
        self._touch(delivery.tracking_id)

    def _judge(self, record_type: str, tracking_id: str, value: dict, view: Any) -> UpdateConflict | None:
        if view is _UNKNOWN:
            return None
        if view is None:
            return UpdateConflict(f"the hub holds no complaint {tracking_id}: check the tracking id")
        try:
            standing = Standing(Status(view["status"]), str(view["agency_code"]))
        except (KeyError, TypeError, ValueError):
            return None
        try:
            check(standing, record_type, self._agency, value, self._directory)
        except IllegalTransition as refused:
            return UpdateConflict(f"{refused.reason} (complaint {tracking_id})")
        return None

    def _view(self, tracking_id: str) -> Any:
        url = f"{self._base}/api/v1/complaints/{urllib.parse.quote(tracking_id, safe='')}"
        try:
            answer = self._http.get(url)
            if answer.status == 404:
                return None
            return answer.json() if answer.status == 200 else _UNKNOWN
        except HubError as exc:
            log.info("the hub's public view did not answer (%s): updates are not checked against it now",
                     type(exc).__name__)
            return _UNKNOWN

    def _recent(self, tracking_id: str) -> bool:
        at = self._touched.get(tracking_id)
        return at is not None and self._clock() - at < self._grace

    def _touch(self, tracking_id: str) -> None:
        now = self._clock()
        self._touched[tracking_id] = now
        if len(self._touched) > 10_000:  # forget what is past its grace
            self._touched = {t: at for t, at in self._touched.items() if now - at < self._grace}
