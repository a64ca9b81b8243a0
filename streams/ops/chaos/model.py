"""What a chaos run observes, as plain values: the counting reads nothing else.

Three sources, each independent of the hub's own bookkeeping: what the clients were answered
(:class:`Attempt`), what is on the topics (:class:`Seen`), and what the agency's system received
(:class:`Post`). Instants are seconds since the epoch (``time.time()``, and a Kafka record's
timestamp divided by 1000) so that the client's clock and the broker's compare.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["Attempt", "Seen", "Post", "Fault", "ACCEPTED", "SUBMITTED", "DISPOSITIONED",
           "WORKER_KILL", "WORKER_STOP", "WORKER_START", "WORKER_READY", "WORKER_EXIT", "BROKER_KILL", "BROKER_RESTART",
           "BROKER_READY", "AGENCY_DOWN", "AGENCY_UP", "LOAD_START", "LOAD_STOP", "PRELOADED"]

#: The HTTP status that promises a complaint is taken in.
ACCEPTED = 202
SUBMITTED = "ComplaintSubmitted"
DISPOSITIONED = "ComplaintDispositioned"

# Timeline kinds (:class:`Fault`). A broker kill or restart names the node in ``target``.
WORKER_KILL = "worker-kill"
#: SIGTERM: ``detail`` says how it went (``exit code 0 after 2.1 s``, or ``no exit within 30 s``).
WORKER_STOP = "worker-stop"
WORKER_START = "worker-start"
WORKER_READY = "worker-ready"
#: A worker process that ended by itself (not killed by the scenario), ``detail`` its exit code.
WORKER_EXIT = "worker-exit"
BROKER_KILL = "broker-kill"
BROKER_RESTART = "broker-restart"
BROKER_READY = "broker-ready"
AGENCY_DOWN = "agency-down"
AGENCY_UP = "agency-up"
#: Existing complaints written and processed before the load (``detail``: how many, how long).
PRELOADED = "preloaded"
LOAD_START = "load-start"
LOAD_STOP = "load-stop"


@dataclass(frozen=True)
class Attempt:
    """One HTTP request of the retrying client and what came of it."""

    #: The complaint's Idempotency-Key: one key is one citizen's submission.
    key: str
    worker: str
    sent_at: float
    done_at: float
    #: The HTTP status, or None when no answer came (``outcome`` says why).
    status: int | None
    #: ``answered``, ``timeout`` or ``connection`` (refused, reset, closed mid-answer).
    outcome: str
    tracking_id: str | None = None
    retry_after: float | None = None
    #: The key's first request (not a retry).
    first: bool = False

    @property
    def accepted(self) -> bool:
        return self.status == ACCEPTED

    @property
    def rejected(self) -> bool:
        """A 4xx: the client stops and the citizen sees an error."""
        return self.status is not None and 400 <= self.status < 500


@dataclass(frozen=True)
class Seen:
    """One record on a topic, by its CloudEvents attributes."""

    topic: str
    partition: int
    tracking_id: str
    record_type: str
    event_id: str
    timestamp: float
    #: The Idempotency-Key the load generator wrote into a submission's text; None otherwise.
    key: str | None = None
    #: ``ce_agency`` on complaints.events: the agency holding the complaint after the event.
    agency: str | None = None


@dataclass(frozen=True)
class Post:
    """One delivery the agency's app answered with success."""

    key: str
    tracking_id: str
    record_type: str
    at: float
    #: False when the key was stored already (a redelivery, answered without a new case).
    new_case: bool


@dataclass(frozen=True)
class Fault:
    """One thing the scenario did, or saw happen, at an instant: the run's timeline."""

    at: float
    kind: str
    target: str = ""
    detail: str = ""
