"""A synthetic national history: complaints as the hub's tables hold them after years of service.

Every state is one the real lifecycle produced: a few thousand *templates* are driven through
:func:`transition` (submission, the agency's updates from :data:`UPDATE_MIX`, then every SLA
check that fell due up to the reference instant, which escalates the neglected ones and puts
long-closed ones to sleep). The history is made of copies of them, which costs microseconds
each where the lifecycle costs milliseconds:

- complaints of the last :attr:`HistoryMix.recent_days` are exact copies of a recent template
  (new tracking id, the same instants): open, overdue, escalated, closed within the reopen
  window, as the templates came out;
- older complaints copy an old template; those that finished (and went dormant) are moved back
  in time by whole weeks to spread the history over :attr:`HistoryMix.years`;
  :attr:`HistoryMix.unfinished_share` of them never finished (escalated and forgotten).

Submissions are spread evenly over the years: about 300 a day for the national figure.
"""

from __future__ import annotations

import random
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import orjson

from lapor_hub.schemas import encode
from lapor_hub.streams.intake.tracking import tracking_id_for
from lapor_hub.streams.lifecycle import LifecycleContext
from lapor_hub.streams.lifecycle.commands import HUB, INTAKE, SLA_CHECK, Command, IllegalTransition
from lapor_hub.streams.lifecycle.state import ComplaintState
from lapor_hub.streams.lifecycle.transition import transition
from lapor_hub.streams.ops.bench.updates import UPDATE_MIX, field_values
from lapor_hub.streams.ops.bench.workload import WorkloadGenerator

__all__ = ["HistoryMix", "Complaint", "NationalHistory", "NATIONAL_COMPLAINTS"]

#: Complaints in SP4N-LAPOR!'s national history (the figure the state must hold).
NATIONAL_COMPLAINTS = 560_146
_SOURCE = "/lapor-hub/bench/national"
_WEEK = 7 * 86_400.0


@dataclass(frozen=True)
class HistoryMix:
    years: float = 5.0
    #: Younger complaints copy a template of their own age, instants and all.
    recent_days: int = 120
    #: Of the older complaints, those that were never finished.
    unfinished_share: float = 0.03
    recent_templates: int = 1500
    old_templates: int = 500
    #: Days between two updates of one complaint by its agency.
    update_every_days: float = 2.0


@dataclass(frozen=True, slots=True)
class Complaint:
    """One complaint as the lifecycle's tables store it: the key, the state, the submission."""

    key: bytes
    state: bytes
    submission: bytes
    #: The state's next due time (epoch seconds), or None.
    due_ts: float | None


@dataclass
class _Template:
    state: dict[str, Any]
    submission: dict[str, Any]
    finished: bool


class NationalHistory:
    def __init__(self, reference: datetime, *, context: LifecycleContext, mix: HistoryMix | None = None,
                 seed: int = 1708) -> None:
        self.reference = reference
        self.mix = mix or HistoryMix()
        self._context = context
        self._seed = seed
        self._workload = WorkloadGenerator(seed, directory=context.directory)
        self._random = random.Random(seed)
        self.recent: list[_Template] = []
        self.old: list[_Template] = []

    def build_templates(self) -> None:
        mix, day = self.mix, 86_400.0
        for _ in range(mix.recent_templates):
            self.recent.append(self._template(self._random.uniform(0, mix.recent_days) * day))
        for _ in range(mix.old_templates):
            self.old.append(self._template(self._random.uniform(mix.recent_days, mix.years * 365) * day))

    def complaints(self, count: int) -> Iterator[Complaint]:
        """``count`` complaints, submitted evenly over the history, oldest first."""
        if not self.recent:
            self.build_templates()
        mix, rnd = self.mix, random.Random(self._seed + 1)
        span = mix.years * 365 * 86_400.0
        recent_after = self.reference.timestamp() - mix.recent_days * 86_400.0
        finished_old = [t for t in self.old if t.finished]
        unfinished_old = [t for t in self.old if not t.finished] or finished_old
        for n in range(count):
            submitted = self.reference.timestamp() - span * (1 - (n + 0.5) / count)
            if submitted >= recent_after:
                template, shift = rnd.choice(self.recent), 0.0
            elif rnd.random() < mix.unfinished_share:
                template, shift = rnd.choice(unfinished_old), 0.0
            else:
                template = rnd.choice(finished_old)
                # Whole weeks back: working-day deadlines keep their weekdays.
                shift = min(0.0, (submitted - template.state["facts"][5]) // _WEEK * _WEEK)
            yield self._copy(n, template, shift)

    def _template(self, age_s: float) -> _Template:
        submitted_at = self.reference - timedelta(seconds=age_s)
        submission = self._workload.submission(now=submitted_at).record
        ctx, now = self._context, submitted_at
        state = transition(None, Command(submission["event_id"], _SOURCE, "ComplaintSubmitted", submission, INTAKE),
                           ctx, now).state
        plan = self._random.choices([types for _, _, types in UPDATE_MIX], [w for _, w, _ in UPDATE_MIX])[0]
        for n, record_type in enumerate(plan):
            at = now + timedelta(days=self._random.uniform(0.2, 2 * self.mix.update_every_days))
            state = self._sla_checks(state, until=min(at, self.reference))
            if at > self.reference:
                break
            now = at
            value = {"event_id": str(uuid.uuid4()), "tracking_id": state.tracking_id, "occurred_at": now,
                     "actor": state.agency, **field_values(record_type, state.agency, "", n)}
            try:
                state = transition(state, Command(value["event_id"], f"/agency/{state.agency}", record_type, value,
                                                  state.agency), ctx, now, submission=submission).state
            except IllegalTransition:
                break  # e.g. the complaint waits in the national admin's triage: no agency acts on it

        state = self._sla_checks(state, until=self.reference)
        return _Template(state.to_dict(), submission, finished=state.finished_at is not None)

    def _sla_checks(self, state: ComplaintState, *, until: datetime) -> ComplaintState:
        for _ in range(50):
            due = state.next_due_at
            if due is None or due > until:
                break
            check = Command(f"{state.tracking_id}@{due.timestamp()}", "/lapor-hub/sla-timer", SLA_CHECK,
                            {"tracking_id": state.tracking_id}, HUB)
            state = transition(state, check, self._context, due).state
        return state

    def _copy(self, n: int, template: _Template, shift: float) -> Complaint:
        state = dict(template.state)
        facts = list(state["facts"])
        submitted = facts[5] + shift
        at = datetime.fromtimestamp(submitted, UTC)
        tracking_id = tracking_id_for(_SOURCE, str(n), at)
        event_id = str(uuid.UUID(int=self._random.getrandbits(128), version=4))
        facts[0], facts[5] = event_id, submitted
        state.update(tracking_id=tracking_id, facts=facts)
        if shift and state.get("finished_ts"):
            state["finished_ts"] += shift
        submission = {**template.submission, "tracking_id": tracking_id, "event_id": event_id, "occurred_at": at}
        return Complaint(tracking_id.encode(), orjson.dumps(state), encode("ComplaintSubmitted", submission),
                         state.get("next_due_ts"))
