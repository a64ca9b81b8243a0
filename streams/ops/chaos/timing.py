"""How long a fault hurt: failover and recovery times, from the timeline and the observations.

- **failover**: from a SIGKILL (a worker, or the broker leading a partition) until events are
  produced on ``complaints.events`` again on every partition, for the run's own complaints. A
  partition nobody processes shows as the slowest one; with steady load every partition gets
  submissions every second or so, so the figure is not limited by the load.
- **recovery**: from a broker's restart (its process started again) until a new complaint (a key
  first sent after that, so no answer remembered from before can count) is answered 202. It
  includes the broker's own start after a SIGKILL (log recovery: 10-30 s here), which
  :func:`broker_restarts` times apart: the hub's share is the difference.
- **delivery recovery**: from the agency's system coming back until every assignment reached it.
- **answers during an outage**: what clients were answered while the broker was down; a 202 there
  is a promise made without the broker;
- **answers while not ready**: what a restarted worker answered before it said it was ready;
- **ready to processing**: from a restarted worker saying it is ready until complaints sent to
  it then are shown by the API (an honest ``/ready`` makes this a second or two).

Pure functions; None where the thing never happened within what was observed.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from lapor_hub.streams.ops.chaos.model import (
    ACCEPTED,
    AGENCY_UP,
    BROKER_KILL,
    BROKER_READY,
    BROKER_RESTART,
    DISPOSITIONED,
    WORKER_READY,
    WORKER_START,
    Attempt,
    Fault,
    Post,
    Seen,
)

__all__ = ["Measured", "failover_times", "recovery_times", "delivery_recovery", "answers_during_outage",
           "answers_while_not_ready", "broker_restarts", "worst"]


@dataclass(frozen=True)
class Measured:
    """One fault and how many seconds until things worked again (None: not within the run)."""

    at: float
    kind: str
    target: str
    seconds: float | None


def failover_times(faults: Iterable[Fault], events: Iterable[Seen], *, partitions: int,
                   after: Sequence[str]) -> list[Measured]:
    """For each fault of a kind in ``after``: until every partition of ``events`` has a newer record."""
    by_partition: dict[int, list[float]] = {p: [] for p in range(partitions)}
    for e in events:
        by_partition.setdefault(e.partition, []).append(e.timestamp)
    for stamps in by_partition.values():
        stamps.sort()
    measured = []
    for fault in faults:
        if fault.kind not in after:
            continue
        firsts = [next((t for t in stamps if t > fault.at), None) for stamps in by_partition.values()]
        found = [t for t in firsts if t is not None]
        seconds = max(found) - fault.at if found and len(found) == len(firsts) else None
        measured.append(Measured(fault.at, fault.kind, fault.target, seconds))
    return measured


def recovery_times(faults: Iterable[Fault], attempts: Iterable[Attempt], *,
                   after: Sequence[str] = (BROKER_RESTART,)) -> list[Measured]:
    """For each fault of a kind in ``after``: until a new complaint sent after it is answered 202."""
    fresh = sorted((a for a in attempts if a.first and a.status == ACCEPTED), key=lambda a: a.done_at)
    measured = []
    for fault in faults:
        if fault.kind not in after:
            continue
        done = next((a.done_at for a in fresh if a.sent_at >= fault.at), None)
        measured.append(Measured(fault.at, fault.kind, fault.target, None if done is None else done - fault.at))
    return measured


def delivery_recovery(faults: Iterable[Fault], inboxes: Iterable[Seen], posts: Iterable[Post],
                      tracking_ids: set[str]) -> list[Measured]:
    """For each time the agency came back: until every assignment stored in its inbox reached it."""
    expected = {s.event_id for s in inboxes if s.record_type == DISPOSITIONED and s.tracking_id in tracking_ids}
    first_case: dict[str, float] = {}
    for post in sorted(posts, key=lambda p: p.at):
        if post.new_case:
            first_case.setdefault(post.key, post.at)
    measured = []
    for fault in faults:
        if fault.kind != AGENCY_UP:
            continue
        late = [first_case.get(event_id) for event_id in expected
                if first_case.get(event_id) is None or first_case[event_id] > fault.at]
        arrived = [at for at in late if at is not None]
        if len(arrived) < len(late):
            seconds = None
        else:
            seconds = max(arrived) - fault.at if arrived else 0.0
        measured.append(Measured(fault.at, fault.kind, fault.target, seconds))
    return measured


def broker_restarts(faults: Sequence[Fault]) -> list[Measured]:
    """For each broker restart: seconds until that node answered again."""
    measured = []
    for i, fault in enumerate(faults):
        if fault.kind == BROKER_RESTART:
            ready = next((f.at for f in faults[i + 1:] if f.kind == BROKER_READY and f.target == fault.target), None)
            measured.append(Measured(fault.at, fault.kind, fault.target, None if ready is None else ready - fault.at))
    return measured


def answers_during_outage(faults: Sequence[Fault], attempts: Iterable[Attempt]) -> dict[str, int]:
    """Answers completed while a broker was down (from its SIGKILL until its process started again:
    surely down, whereas the moment it answers again is only seen within a few seconds), by status.

    Keys: ``"503"``, ... and ``"timeout"``, ``"connection"`` when no answer came; a 202 is
    ``"202 first request"`` or ``"202 retry"``: a new complaint accepted without a broker can
    only be a promise the hub cannot keep yet, while a retry may be answered from memory.
    """
    windows = []
    for i, fault in enumerate(faults):
        if fault.kind == BROKER_KILL:
            back = next((f.at for f in faults[i + 1:] if f.kind == BROKER_RESTART and f.target == fault.target), None)
            windows.append((fault.at, back if back is not None else float("inf")))
    counted: Counter[str] = Counter()
    for a in attempts:
        if any(start <= a.done_at < end for start, end in windows):
            if a.status == ACCEPTED:
                counted["202 first request" if a.first else "202 retry"] += 1
            else:
                counted[str(a.status) if a.status is not None else a.outcome] += 1
    return dict(sorted(counted.items()))


def answers_while_not_ready(faults: Sequence[Fault], attempts: Iterable[Attempt]) -> dict[str, dict[str, int]]:
    """Per worker: answers (by status) it gave between a restart and saying it was ready.

    The first start of each worker is left out (no load runs then); a worker never ready again
    counts until the end.
    """
    windows: dict[str, list[tuple[float, float]]] = {}
    started: set[str] = set()
    for i, fault in enumerate(faults):
        if fault.kind != WORKER_START:
            continue
        if fault.target not in started:
            started.add(fault.target)
            continue
        ready = next((f.at for f in faults[i + 1:]
                      if f.target == fault.target and f.kind in (WORKER_READY, WORKER_START)), float("inf"))
        windows.setdefault(fault.target, []).append((fault.at, ready))
    counted: dict[str, Counter[str]] = {}
    for a in attempts:
        if a.status is not None and any(start <= a.done_at < end for start, end in windows.get(a.worker, ())):
            counted.setdefault(a.worker, Counter())[str(a.status)] += 1
    return {worker: dict(sorted(c.items())) for worker, c in sorted(counted.items())}


def worst(measured: Iterable[Measured]) -> tuple[float | None, bool]:
    """The longest time, and whether every fault was recovered from (False: some never were)."""
    measured = list(measured)
    times = [m.seconds for m in measured if m.seconds is not None]
    return (max(times) if times else None), all(m.seconds is not None for m in measured)
