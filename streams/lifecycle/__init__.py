"""The complaint lifecycle: one pure transition function and its Faust wiring."""

from streams.lifecycle.status import OPEN_STATUSES, Status

__all__ = ["OPEN_STATUSES", "Status"]
