"""Counting a chaos run: answered, lost and duplicated complaints, from what was observed.

Pure functions over :mod:`lapor_hub.streams.ops.chaos.model` values, so that the definitions can be read,
tested and argued about without a broker:

- **answered**: distinct tracking ids a client got in a 202 (and, per Idempotency-Key, which keys
  got one, got a 4xx, or got nothing before the client gave up);
- **lost**: a tracking id answered 202 that has no ``ComplaintSubmitted`` or no
  ``ComplaintDispositioned`` on ``complaints.events``, or that some worker's API did not show
  in time (a citizen holding a 202 is told the complaint does not exist);
- **duplicated**: a tracking id with two distinct event ids for ``ComplaintSubmitted`` or
  ``ComplaintDispositioned`` on ``complaints.events``, an agency inbox delivering one
  complaint's assignment under two event ids, one key answered with two tracking ids, or one
  key's complaint stored under two tracking ids (found by the key the load generator writes
  into each complaint's text); totals count citizens' submissions (keys) affected.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from lapor_hub.streams.ops.chaos.model import DISPOSITIONED, SUBMITTED, Attempt, Post, Seen

__all__ = ["ComplaintCounts", "AgencyCounts", "count_complaints", "count_agency",
           "NO_SUBMITTED", "NO_DISPOSITIONED", "NOT_VISIBLE", "SUBMITTED_TWICE", "DISPOSITIONED_TWICE",
           "DELIVERED_TWICE", "ANSWERED_TWICE", "STORED_TWICE", "CASE_TWICE", "NOT_AT_AGENCY"]

# Reasons for a loss, and kinds of duplicate: the keys of the breakdowns in the JSON results.
NO_SUBMITTED = "no ComplaintSubmitted on complaints.events"
NO_DISPOSITIONED = "no ComplaintDispositioned on complaints.events"
NOT_VISIBLE = "not visible through the API of "  # + the worker's name
NOT_AT_AGENCY = "assignment never arrived at the agency's system"
SUBMITTED_TWICE = "ComplaintSubmitted with two event ids"
DISPOSITIONED_TWICE = "ComplaintDispositioned with two event ids"
DELIVERED_TWICE = "inbox delivery with two event ids"
ANSWERED_TWICE = "one Idempotency-Key answered with two tracking ids"
STORED_TWICE = "one Idempotency-Key stored under two tracking ids"
CASE_TWICE = "two cases at the agency for one assignment"


@dataclass(frozen=True)
class ComplaintCounts:
    #: Complaints the clients sent (distinct Idempotency-Keys).
    sent: int
    #: Distinct tracking ids answered 202.
    answered: int
    keys_answered: int
    #: Keys answered 4xx and never 202: the citizen saw an error.
    keys_rejected: int
    #: Keys that got neither 202 nor 4xx before the client gave up.
    keys_unanswered: int
    #: Reason -> tracking ids (a tracking id may have several reasons).
    lost_by_reason: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    #: Kind -> tracking ids or keys (as the kind names).
    duplicated_by_kind: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    #: Distinct tracking ids lost.
    lost: int = 0
    #: Distinct submissions (keys) with a duplicate of any kind.
    duplicated: int = 0
    #: Answered 202 but never on complaints.intake: where a loss happened (a subset of lost).
    never_on_intake: int = 0
    #: Tracking ids stored for one of the run's keys that no client was answered with.
    stored_unanswered: int = 0


@dataclass(frozen=True)
class AgencyCounts:
    #: Distinct assignments (event ids of ComplaintDispositioned) in the agency's inbox.
    assignments: int
    #: Of those, how many the agency's system stored as a case.
    arrived: int
    #: Deliveries the system answered from a case it had (a redelivery, deduplicated).
    redeliveries: int
    lost_by_reason: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    duplicated_by_kind: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    lost: int = 0
    duplicated: int = 0


def count_complaints(attempts: Iterable[Attempt], events: Iterable[Seen], *, intake: Iterable[Seen] = (),
                     inboxes: Iterable[Seen] = (), visible: Mapping[str, set[str]] | None = None) -> ComplaintCounts:
    """Count one run. ``visible`` maps each worker's name to the tracking ids its API showed."""
    attempts = list(attempts)
    keys = {a.key for a in attempts}
    answered_by_key: dict[str, set[str]] = defaultdict(set)
    rejected_keys = set()
    for a in attempts:
        if a.accepted and a.tracking_id:
            answered_by_key[a.key].add(a.tracking_id)
        elif a.rejected:
            rejected_keys.add(a.key)
    answered: set[str] = set().union(*answered_by_key.values())
    key_of = {tid: key for key, tids in answered_by_key.items() for tid in tids}

    events = list(events)
    stored_by_key: dict[str, set[str]] = defaultdict(set)
    for e in events:
        if e.record_type == SUBMITTED and e.key in keys:
            stored_by_key[e.key].add(e.tracking_id)
            key_of.setdefault(e.tracking_id, e.key)
    mine = answered.union(*stored_by_key.values())
    event_ids = _event_ids(e for e in events if e.tracking_id in mine)

    lost: dict[str, set[str]] = defaultdict(set)
    for tid in answered:
        if not event_ids.get((tid, SUBMITTED)):
            lost[NO_SUBMITTED].add(tid)
        if not event_ids.get((tid, DISPOSITIONED)):
            lost[NO_DISPOSITIONED].add(tid)
        for worker, shown in (visible or {}).items():
            if tid not in shown:
                lost[NOT_VISIBLE + worker].add(tid)
    on_intake = {s.tracking_id for s in intake if s.record_type == SUBMITTED}

    duplicated: dict[str, set[str]] = defaultdict(set)
    for tid in mine:
        if len(event_ids.get((tid, SUBMITTED), ())) > 1:
            duplicated[SUBMITTED_TWICE].add(tid)
        if len(event_ids.get((tid, DISPOSITIONED), ())) > 1:
            duplicated[DISPOSITIONED_TWICE].add(tid)
    delivered: dict[tuple[str, str], set[str]] = defaultdict(set)
    for s in inboxes:
        if s.record_type == DISPOSITIONED and s.tracking_id in mine:
            delivered[(s.topic, s.tracking_id)].add(s.event_id)
    duplicated[DELIVERED_TWICE] = {tid for (_, tid), ids in delivered.items() if len(ids) > 1}
    duplicated[ANSWERED_TWICE] = {key for key, tids in answered_by_key.items() if len(tids) > 1}
    duplicated[STORED_TWICE] = {key for key, tids in stored_by_key.items() if len(tids) > 1}

    lost_all: set[str] = set().union(*lost.values())
    affected = {key_of.get(item, item) for kind, items in duplicated.items() for item in items}
    return ComplaintCounts(
        sent=len(keys), answered=len(answered), keys_answered=len(answered_by_key),
        keys_rejected=len(rejected_keys - answered_by_key.keys()),
        keys_unanswered=len(keys - answered_by_key.keys() - rejected_keys),
        lost_by_reason=_sorted(lost), duplicated_by_kind=_sorted(duplicated),
        lost=len(lost_all), duplicated=len(affected), never_on_intake=len(answered - on_intake),
        stored_unanswered=len(mine - answered))


def count_agency(inboxes: Iterable[Seen], posts: Iterable[Post], tracking_ids: set[str]) -> AgencyCounts:
    """Every assignment in the inbox reached the agency's system, and none made two cases."""
    expected = {s.event_id: s.tracking_id for s in inboxes
                if s.record_type == DISPOSITIONED and s.tracking_id in tracking_ids}
    posts = [p for p in posts if p.tracking_id in tracking_ids]
    cases = {p.key: p for p in posts if p.new_case}
    missing = {tid for event_id, tid in expected.items() if event_id not in cases}
    cases_per_complaint: dict[str, set[str]] = defaultdict(set)
    for case in cases.values():
        if case.record_type == DISPOSITIONED:
            cases_per_complaint[case.tracking_id].add(case.key)
    twice = {tid for tid, case_keys in cases_per_complaint.items() if len(case_keys) > 1}
    lost = {NOT_AT_AGENCY: missing} if missing else {}
    duplicated = {CASE_TWICE: twice} if twice else {}
    return AgencyCounts(assignments=len(expected), arrived=len(expected.keys() & cases.keys()),
                        redeliveries=sum(1 for p in posts if not p.new_case),
                        lost_by_reason=_sorted(lost), duplicated_by_kind=_sorted(duplicated),
                        lost=len(missing), duplicated=len(twice))


def _event_ids(events: Iterable[Seen]) -> dict[tuple[str, str], set[str]]:
    ids: dict[tuple[str, str], set[str]] = defaultdict(set)
    for e in events:
        ids[(e.tracking_id, e.record_type)].add(e.event_id)
    return ids


def _sorted(groups: Mapping[str, set[str]]) -> dict[str, tuple[str, ...]]:
    return {name: tuple(sorted(items)) for name, items in groups.items() if items}
