"""Everything a lifecycle decision reads besides the state and the command."""

from __future__ import annotations

from dataclasses import dataclass, field

from streams.directory import Directory, default_directory
from streams.routing import RuleTable, default_rule_table
from streams.sla import SlaPolicy, WorkingCalendar, default_calendar

__all__ = ["LifecycleContext"]


@dataclass(frozen=True)
class LifecycleContext:
    directory: Directory = field(default_factory=default_directory)
    rules: RuleTable = field(default_factory=default_rule_table)
    policy: SlaPolicy = field(default_factory=SlaPolicy)
    calendar: WorkingCalendar = field(default_factory=default_calendar)
    #: More forwardings than this and the national admin decides (ping-pong).
    max_hops: int = 4
