"""Everything a lifecycle decision reads besides the state and the command."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

import yaml

from lapor_hub.errors import ConfigurationError
from lapor_hub.streams.directory import Directory, default_directory
from lapor_hub.streams.routing import RuleTable, default_rule_table
from lapor_hub.streams.sla import SlaPolicy, WorkingCalendar, default_calendar

__all__ = ["LifecycleContext"]


@dataclass(frozen=True)
class LifecycleContext:
    directory: Directory = field(default_factory=default_directory)
    rules: RuleTable = field(default_factory=default_rule_table)
    policy: SlaPolicy = field(default_factory=SlaPolicy)
    calendar: WorkingCalendar = field(default_factory=default_calendar)
    #: More forwardings than this and the national admin decides (ping-pong).
    max_hops: int = 4
    #: How long a closed (or archived) complaint keeps its full state before it goes dormant
    #: (it can still be reopened after: a dormant complaint keeps what that needs).
    reopen_window: timedelta = timedelta(days=60)

    @classmethod
    def from_file(cls, path: Path, *, directory: Directory | None = None) -> LifecycleContext:
        """Deadlines, calendar and forwarding limits from a YAML file (see config/deadlines.yaml)."""
        try:
            config = yaml.safe_load(Path(path).read_text(encoding="utf-8")) or {}
        except OSError as exc:
            raise ConfigurationError(f"LAPOR_SLA_CONFIG={str(path)!r} cannot be read: {exc.strerror}") from exc
        except yaml.YAMLError as exc:
            raise ConfigurationError(f"LAPOR_SLA_CONFIG={str(path)!r} is not valid YAML: {exc}") from exc
        if not isinstance(config, dict):
            raise ConfigurationError(f"{path}: expected the sections sla, calendar and forwarding")
        unknown = sorted(set(config) - {"sla", "calendar", "forwarding", "closing"})
        if unknown:
            raise ConfigurationError(f"{path}: unknown section(s) {', '.join(unknown)}; "
                                     "allowed: sla, calendar, forwarding, closing")
        forwarding = config.get("forwarding") or {}
        max_hops = forwarding.get("max_hops", cls.max_hops)
        if set(forwarding) - {"max_hops"} or not isinstance(max_hops, int) or isinstance(max_hops, bool) \
                or max_hops < 1:
            raise ConfigurationError(f"{path}: forwarding takes only max_hops, a whole number of at least 1")
        closing = config.get("closing") or {}
        window = closing.get("reopen_window_days", cls.reopen_window.days)
        if set(closing) - {"reopen_window_days"} or not isinstance(window, int) or isinstance(window, bool) \
                or window < 1:
            raise ConfigurationError(f"{path}: closing takes only reopen_window_days, a whole number of at least 1")
        return cls(
            directory=directory or default_directory(),
            policy=SlaPolicy.from_mapping(config.get("sla") or {}),
            calendar=WorkingCalendar.from_mapping(config.get("calendar") or {}),
            max_hops=max_hops,
            reopen_window=timedelta(days=window),
        )
