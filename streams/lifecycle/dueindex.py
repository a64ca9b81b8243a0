"""Which complaints have an SLA action due, by due time: the SLA timer's cost follows the due actions.

The index lives in memory beside the complaint table and is only ever a list of proposals: the
lifecycle decides from the stored state what fires, so an entry that is stale (the complaint
moved on, or its partition moved to another worker) costs one proposal the lifecycle drops, and
a proposal made twice fires nothing twice. What must never happen is a due complaint missing
from the index, so:

- every state the lifecycle stores is noted (:meth:`DueIndex.note`);
- the index is rebuilt from the table whenever this worker's partitions change (recovery,
  rebalance), while notes keep arriving (a note during a rebuild is never overwritten by an
  older value the rebuild reads later: see :meth:`DueIndex.rebuild_note`);
- a proposal that changed nothing is made again after :data:`RETRY_AFTER_S`.
"""

from __future__ import annotations

import heapq

__all__ = ["DueIndex", "RETRY_AFTER_S"]

#: Seconds before a due complaint whose check changed nothing is proposed again (a proposal can
#: be lost with a crashed worker's producer buffer).
RETRY_AFTER_S = 60.0


class DueIndex:
    """Tracking ids by the time their next SLA action is due (epoch seconds)."""

    def __init__(self) -> None:
        self._heap: list[tuple[float, str]] = []
        #: The one entry per complaint that counts; heap entries that disagree are stale.
        self._due: dict[str, float] = {}
        #: Complaints noted since the rebuild began: the rebuild's older reading must not win.
        self._noted_during_rebuild: set[str] | None = None

    def __len__(self) -> int:
        return len(self._due)

    def note(self, tracking_id: str, due_ts: float | None) -> None:
        """The lifecycle stored a state whose next action is due at ``due_ts`` (None: nothing due)."""
        if self._noted_during_rebuild is not None:
            self._noted_during_rebuild.add(tracking_id)
        self._set(tracking_id, due_ts)

    def begin_rebuild(self) -> None:
        """Forget everything; the table is about to be read again (:meth:`rebuild_note` per record)."""
        self._heap.clear()
        self._due.clear()
        self._noted_during_rebuild = set()

    def rebuild_note(self, tracking_id: str, due_ts: float | None) -> None:
        """A record read back from the table; a newer :meth:`note` of the same complaint wins."""
        if self._noted_during_rebuild is not None and tracking_id in self._noted_during_rebuild:
            return
        self._set(tracking_id, due_ts)

    def end_rebuild(self) -> None:
        self._noted_during_rebuild = None

    def take_due(self, now_ts: float, limit: int) -> list[tuple[str, float]]:
        """Up to ``limit`` (tracking id, due time) pairs due by ``now_ts``, earliest first; the rest wait.

        Each taken complaint is re-entered :data:`RETRY_AFTER_S` later: if its check changes the
        state, the lifecycle's :meth:`note` replaces that entry; if not, it is proposed again then.
        """
        taken: list[tuple[str, float]] = []
        while self._heap and len(taken) < limit and self._heap[0][0] <= now_ts:
            at, tracking_id = heapq.heappop(self._heap)
            if self._due.get(tracking_id) == at:  # otherwise stale: the complaint moved on
                taken.append((tracking_id, at))
                self._set(tracking_id, now_ts + RETRY_AFTER_S)  # later than now: not taken again here
        return taken

    def _set(self, tracking_id: str, due_ts: float | None) -> None:
        if due_ts is None:
            self._due.pop(tracking_id, None)
            return
        if self._due.get(tracking_id) == due_ts:
            return
        self._due[tracking_id] = due_ts
        heapq.heappush(self._heap, (due_ts, tracking_id))
        if len(self._heap) > 2 * len(self._due) + 1024:
            self._compact()

    def _compact(self) -> None:
        """Drop stale entries once they outnumber the live ones (a busy complaint leaves many)."""
        self._heap = [(at, key) for key, at in self._due.items()]
        heapq.heapify(self._heap)
