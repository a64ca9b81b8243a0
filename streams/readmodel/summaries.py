"""One short sentence per event for the timeline.

Built only from codes, enums and agency names: free text (notes, replies, reasons, responses)
may carry personal data and CONFIDENTIAL content, so none of it reaches a summary.
"""

from __future__ import annotations

from collections.abc import Callable

__all__ = ["summarize"]

_CLOSURE = {
    "REPORTER_SATISFIED": "the reporter was satisfied",
    "NO_REPLY": "no reply from the reporter after the response",
    "AGENCY_CLOSED": "closed by the agency",
    "ADMIN_CLOSED": "closed by the national admin",
}
_ARCHIVE = {
    "SPAM": "spam",
    "OUT_OF_SCOPE": "out of LAPOR!'s scope",
    "DUPLICATE": "a duplicate",
    "SETTLED": "already settled",
}
_DELIVERY = {"DELIVERED": "delivered", "FAILED": "delivery failed", "DEAD_LETTERED": "could not be delivered"}


def summarize(record_type: str, value: dict, agency_name: Callable[[str], str]) -> str:
    """The summary of one event; ``agency_name(code)`` names an agency (or returns the code)."""
    build = _BUILDERS.get(record_type)
    return build(value, agency_name) if build else record_type


def _submitted(v: dict, name: Callable[[str], str]) -> str:
    return f"Complaint submitted via {v.get('channel') or 'an unknown channel'}"


def _dispositioned(v: dict, name: Callable[[str], str]) -> str:
    agency = v.get("agency") or {}
    return f"Dispositioned to {agency.get('name') or name(agency.get('code', ''))}"


def _forwarded(v: dict, name: Callable[[str], str]) -> str:
    source = name(v.get("from_agency") or "")
    target = v.get("to_agency")
    if target:
        return f"Forwarded from {source} to {name(target)}"
    return f"Declined by {source} as outside its authority; the hub routes it again"


def _closed(v: dict, name: Callable[[str], str]) -> str:
    return f"Closed: {_CLOSURE.get(v.get('reason') or '', 'closed')}"


def _archived(v: dict, name: Callable[[str], str]) -> str:
    return f"Archived: {_ARCHIVE.get(v.get('reason') or '', 'out of scope')}"


def _warning(v: dict, name: Callable[[str], str]) -> str:
    return f"{v.get('percent')}% of the {v.get('stage')} time used by {name(v.get('agency') or '')}"


def _escalated(v: dict, name: Callable[[str], str]) -> str:
    target = v.get("addressed_to") or {}
    return (
        f"{name(v.get('agency') or '')} missed the {v.get('stage')} deadline; escalated (tier "
        f"{v.get('tier')}) to {v.get('office')}, {target.get('name') or name(target.get('code', ''))}"
    )


def _receipt(v: dict, name: Callable[[str], str]) -> str:
    return f"{_DELIVERY.get(v.get('status') or '', 'delivery failed').capitalize()} to {name(v.get('agency') or '')}"


def _rated(v: dict, name: Callable[[str], str]) -> str:
    return f"The reporter rated the response of {name(v.get('agency') or '')} {v.get('rating')} of 5"


def _fixed(text: str) -> Callable[[dict, Callable[[str], str]], str]:
    return lambda v, name: text


def _by_agency(text: str) -> Callable[[dict, Callable[[str], str]], str]:
    return lambda v, name: f"{text} {name(v.get('agency') or '')}"


_BUILDERS: dict[str, Callable[[dict, Callable[[str], str]], str]] = {
    "ComplaintSubmitted": _submitted,
    "ComplaintVerified": _fixed("Verified by the national admin"),
    "ComplaintReturnedToReporter": _fixed("Returned to the reporter for missing information"),
    "InformationAdded": _fixed("The reporter added information"),
    "ComplaintPutOnHold": _fixed("Put on hold by the national admin"),
    "ComplaintArchived": _archived,
    "ComplaintDispositioned": _dispositioned,
    "ComplaintAccepted": _by_agency("Accepted by"),
    "ComplaintForwarded": _forwarded,
    "FollowUpRecorded": _by_agency("Followed up by"),
    "ResponseGiven": _by_agency("Response given by"),
    "ReporterReplied": _fixed("The reporter replied"),
    "ComplaintReopened": _fixed("Reopened"),
    "ComplaintRated": _rated,
    "ComplaintClosed": _closed,
    "SlaWarning": _warning,
    "ComplaintEscalated": _escalated,
    "DeliveryReceipt": _receipt,
}
