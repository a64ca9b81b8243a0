"""The audit trail: every authenticated request, appended to ``hub.audit`` before it is answered.

An entry says who (subject, role, agency, issuer), what (the endpoint's action, method, route
template, the complaint and agency concerned), when, from where (the client's address) and how
it ended (the status). It never holds a token, a secret, a query string or a body. Every
worker's read model projects the topic (table ``audit_log``), so ``GET /api/v1/audit`` answers
for the whole hub, on any worker.
"""

from __future__ import annotations

import logging
import uuid

from lapor_hub.errors import RetriableError
from lapor_hub.schemas import cloudevent_headers, encode
from lapor_hub.streams.core import topics
from lapor_hub.streams.core.durable import DurableWriter
from lapor_hub.streams.lifecycle import REPORTER

__all__ = ["AuditTrail", "AUDIT_SOURCE"]

log = logging.getLogger(__name__)

AUDIT_SOURCE = "/lapor-hub/api/audit"


class AuditTrail:
    def __init__(self, writer: DurableWriter, clock) -> None:
        self._writer = writer
        self._clock = clock

    async def record(self, call, endpoint, status: int) -> bool:
        """Append the entry for ``call``; False when it could not be stored (the caller decides)."""
        principal = call.principal
        now = self._clock.now()
        event_id = str(uuid.uuid4())
        tracking_id = call.tracking_id or ""
        value = {
            "event_id": event_id, "tracking_id": tracking_id, "occurred_at": now,
            "actor": principal.subject if principal else REPORTER,
            "role": principal.role.value if principal else REPORTER,
            "agency": principal.agency if principal else None,
            "issuer": principal.issuer if principal else None,
            "action": f"{endpoint.action}.{call.detail}" if call.detail else endpoint.action,
            "method": endpoint.method, "route": endpoint.path,
            "target_agency": call.target_agency, "status_code": status, "client_address": call.client,
        }
        headers = cloudevent_headers("AuditEntry", event_id, AUDIT_SOURCE, tracking_id, now)
        try:
            await self._writer.store(topics.AUDIT, tracking_id.encode() or None, encode("AuditEntry", value), headers)
        except RetriableError as exc:
            log.warning("audit entry for %s not stored: %s", endpoint.action, exc)
            return False
        return True
