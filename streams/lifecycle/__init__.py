"""The complaint lifecycle: one pure transition function and its Faust wiring.

:func:`transition` takes the complaint's :class:`ComplaintState` (None for a new complaint) and
a :class:`Command`, and returns an :class:`Outcome`: the new state and the events to append to
``complaints.events`` (and to deliver to agency inboxes). Illegal commands raise
:class:`IllegalTransition`, which the agent dead-letters with the reason.
"""

from lapor_hub.streams.lifecycle.commands import (
    HUB,
    INTAKE,
    NATIONAL_ADMIN_ACTOR,
    REPORTER,
    SLA_CHECK,
    Command,
    Emission,
    IllegalTransition,
    Outcome,
    derived_event_id,
)
from lapor_hub.streams.lifecycle.context import LifecycleContext
from lapor_hub.streams.lifecycle.state import ComplaintState
from lapor_hub.streams.lifecycle.status import OPEN_STATUSES, Status
from lapor_hub.streams.lifecycle.transition import transition

__all__ = [
    "HUB",
    "INTAKE",
    "NATIONAL_ADMIN_ACTOR",
    "REPORTER",
    "SLA_CHECK",
    "Command",
    "ComplaintState",
    "Emission",
    "IllegalTransition",
    "LifecycleContext",
    "OPEN_STATUSES",
    "Outcome",
    "Status",
    "derived_event_id",
    "transition",
]
