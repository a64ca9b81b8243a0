"""What may be published on an agency's outbox (``agency.<code>.outbox``): one list for the hub and the SDK.

Two kinds of sender write outboxes, and the list says which record types each may write:

- :data:`AGENCY_UPDATES`: what every agency publishes about a complaint it holds (it accepts it,
  forwards it, asks the reporter for information, follows it up, responds, closes it). The
  connector SDK maps exactly these from an agency system's own words
  (:mod:`lapor_hub.connectors.sdk.updates`); anything else an agency system sends is refused
  there, before it reaches the broker.
- :data:`NATIONAL_ADMIN_UPDATES`: the national admin's decisions (archive, put on hold, verify
  back into triage). They come from the hub's staff API, or from a system of the national admin
  writing KEMENPANRB's outbox with KEMENPANRB's credentials; the connector SDK, made for the
  agencies that work on complaints, does not publish them.

:data:`OUTBOX_UPDATES` is their union: what the hub's outbox relay accepts from any outbox
(:func:`lapor_hub.streams.lifecycle.authority.check_agency_update`). The relay does not decide
who may send which: the lifecycle's authority rules refuse a national admin decision from an
outbox other than KEMENPANRB's, and an agency update about a complaint the agency does not hold.

Adding a type here is a change to the event contract: it needs an Avro schema in
``schemas/avro/``, a rule in the lifecycle and, for :data:`AGENCY_UPDATES`, a mapping in the SDK.
"""

from __future__ import annotations

__all__ = ["AGENCY_UPDATES", "NATIONAL_ADMIN_UPDATES", "OUTBOX_UPDATES"]

AGENCY_UPDATES = frozenset({
    "ComplaintAccepted",
    "ComplaintForwarded",
    "ComplaintReturnedToReporter",
    "FollowUpRecorded",
    "ResponseGiven",
    "ComplaintClosed",
})
NATIONAL_ADMIN_UPDATES = frozenset({
    "ComplaintArchived",
    "ComplaintPutOnHold",
    "ComplaintVerified",
})
OUTBOX_UPDATES = AGENCY_UPDATES | NATIONAL_ADMIN_UPDATES
