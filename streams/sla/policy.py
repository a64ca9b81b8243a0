"""How long each stage of a complaint may take, and when to warn and escalate.

Every number is configuration: Perpres 76/2013 was replaced in 2025 and the hub must follow the
rules in force without a release. :meth:`SlaPolicy.from_mapping` reads the ``sla`` section of
the hub's YAML; environment variables are read by the entry point, never here.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass, fields
from typing import Any

from lapor_hub.errors import ConfigurationError

__all__ = ["Stage", "Counting", "OnBreach", "StageRule", "SlaPolicy", "warning_label"]


class Stage(str, enum.Enum):
    """The stages that run against a deadline; the value appears in action keys."""

    #: The national admin verifies and dispositions a new complaint.
    VERIFICATION = "verification"
    #: The agency's first follow-up after the disposition.
    FIRST_FOLLOW_UP = "first_follow_up"
    #: After a response, waiting for the reporter; silence closes the complaint.
    AWAITING_REPLY = "awaiting_reply"
    #: Settlement of the whole complaint, from the complete file.
    SETTLEMENT = "settlement"


class Counting(str, enum.Enum):
    WORKING_DAYS = "working_days"
    CALENDAR_DAYS = "calendar_days"


class OnBreach(str, enum.Enum):
    #: Warn before, then climb the escalation ladder.
    ESCALATE = "escalate"
    #: Nobody is late: the deadline triggers an automatic transition (close without reply).
    EXPIRE = "expire"


@dataclass(frozen=True, slots=True)
class StageRule:
    days: int
    counting: Counting
    on_breach: OnBreach


@dataclass(frozen=True)
class SlaPolicy:
    verification_working_days: int = 3
    first_follow_up_working_days: int = 5
    auto_close_working_days: int = 10
    settlement_calendar_days: int = 60
    #: Fractions of a deadline at which the agency is warned, ascending.
    warnings: tuple[float, ...] = (0.5, 0.75)
    #: Working days between one escalation tier and the next.
    days_between_tiers: int = 2

    def __post_init__(self) -> None:
        for name in _DAY_FIELDS:
            _check_days(name, getattr(self, name))
        _check_days("days_between_tiers", self.days_between_tiers)
        _check_warnings(self.warnings)

    def rule(self, stage: Stage | str) -> StageRule:
        stage = Stage(stage)
        if stage is Stage.VERIFICATION:
            return StageRule(self.verification_working_days, Counting.WORKING_DAYS, OnBreach.ESCALATE)
        if stage is Stage.FIRST_FOLLOW_UP:
            return StageRule(self.first_follow_up_working_days, Counting.WORKING_DAYS, OnBreach.ESCALATE)
        if stage is Stage.AWAITING_REPLY:
            return StageRule(self.auto_close_working_days, Counting.WORKING_DAYS, OnBreach.EXPIRE)
        return StageRule(self.settlement_calendar_days, Counting.CALENDAR_DAYS, OnBreach.ESCALATE)

    @classmethod
    def from_mapping(cls, config: Mapping[str, Any]) -> SlaPolicy:
        """A policy from configuration; missing keys keep their defaults.

        ``warnings`` is a list of fractions such as ``[0.5, 0.75]`` (an empty list turns warnings
        off). Any bad value raises :class:`ConfigurationError` naming the key and what to write.
        """
        if not isinstance(config, Mapping):
            raise ConfigurationError(
                f"the sla settings must be a mapping of names to values, not {type(config).__name__}")
        allowed = {f.name for f in fields(cls)}
        unknown = sorted(str(k) for k in config if k not in allowed)
        if unknown:
            raise ConfigurationError(
                f"unknown sla setting(s) {', '.join(unknown)}; allowed: {', '.join(sorted(allowed))}"
            )
        values: dict[str, Any] = dict(config)
        if "warnings" in values:
            raw = values["warnings"]
            if isinstance(raw, (str, bytes, Mapping)) or not hasattr(raw, "__iter__"):
                raise ConfigurationError(f"sla warnings={raw!r} must be a list of fractions such as [0.5, 0.75]")
            values["warnings"] = tuple(raw)
        return cls(**values)


_DAY_FIELDS = (
    "verification_working_days",
    "first_follow_up_working_days",
    "auto_close_working_days",
    "settlement_calendar_days",
)


def _check_days(name: str, value: object) -> None:
    # bool is an int in Python; "true" days is always a typo in the YAML.
    if isinstance(value, bool) or not isinstance(value, int):
        raise ConfigurationError(f"sla {name}={value!r} must be a whole number of days, such as 3")
    if value < 1:
        raise ConfigurationError(f"sla {name}={value!r} must be at least 1 day")


def _check_warnings(warnings: object) -> None:
    if not isinstance(warnings, tuple):
        raise ConfigurationError(f"sla warnings={warnings!r} must be a list of fractions such as [0.5, 0.75]")
    for fraction in warnings:
        if isinstance(fraction, bool) or not isinstance(fraction, (int, float)) or not 0 < fraction < 1:
            raise ConfigurationError(
                f"sla warning {fraction!r} must be a fraction of the deadline between 0 and 1 "
                "(exclusive), such as 0.5 for half-way"
            )
    if list(warnings) != sorted(set(warnings)):
        raise ConfigurationError(
            f"sla warnings {list(warnings)!r} must be ascending without repeats, such as [0.5, 0.75]")
    labels = [warning_label(f) for f in warnings]
    if len(set(labels)) != len(labels):
        raise ConfigurationError(f"sla warnings {list(warnings)!r} are too close together to tell apart in action keys")


def warning_label(fraction: float) -> str:
    """The percentage that names a warning in its action key: 0.5 -> "50", 0.875 -> "87.5"."""
    return f"{fraction * 100:g}"
