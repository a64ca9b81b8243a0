"""The arithmetic of the benchmark: percentiles, rates and the national-history extrapolation.

Pure functions only, so the figures the bench prints can be checked without a broker.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

__all__ = [
    "NATIONAL_HISTORY",
    "percentile",
    "latency_summary",
    "rate",
    "per_thousand",
    "extrapolate",
    "human_duration",
]

#: Complaints in the national history that a replay would push through intake and delivery.
NATIONAL_HISTORY = 560_146


def percentile(values: Sequence[float], q: float) -> float:
    """The ``q``-th percentile (0..100) by linear interpolation between closest ranks.

    The same definition as numpy's default (``method="linear"``); ValueError when empty.
    """
    if not values:
        raise ValueError("no values to take a percentile of")
    if not 0.0 <= q <= 100.0:
        raise ValueError(f"percentile {q} is outside 0..100")
    ordered = sorted(values)
    position = (len(ordered) - 1) * q / 100.0
    low = math.floor(position)
    high = min(low + 1, len(ordered) - 1)
    fraction = position - low
    return ordered[low] + (ordered[high] - ordered[low]) * fraction


def latency_summary(samples_ms: Sequence[float]) -> dict[str, float | int]:
    """count, mean, p50, p95, p99 and max of latencies in milliseconds."""
    if not samples_ms:
        raise ValueError("no latency samples: nothing arrived")
    return {
        "count": len(samples_ms),
        "mean_ms": round(sum(samples_ms) / len(samples_ms), 2),
        "p50_ms": round(percentile(samples_ms, 50), 2),
        "p95_ms": round(percentile(samples_ms, 95), 2),
        "p99_ms": round(percentile(samples_ms, 99), 2),
        "max_ms": round(max(samples_ms), 2),
    }


def rate(count: int, seconds: float) -> float:
    """Items per second; ValueError for a window that is not positive."""
    if seconds <= 0:
        raise ValueError(f"a measurement window of {seconds}s is not positive")
    return count / seconds


def per_thousand(total: float, count: int) -> float:
    """``total`` (CPU seconds, say) per 1,000 items."""
    if count <= 0:
        raise ValueError("per-thousand figures need at least one item")
    return total * 1000.0 / count


def extrapolate(measured_rate: float, *, complaints: int = NATIONAL_HISTORY, sample: int,
                what: str = "intake -> delivery") -> dict[str, Any]:
    """How long ``complaints`` take at ``measured_rate`` per second, stated as an extrapolation."""
    if measured_rate <= 0:
        raise ValueError("cannot extrapolate from a rate that is not positive")
    seconds = complaints / measured_rate
    return {
        "complaints": complaints,
        "path": what,
        "measured_rate_per_s": round(measured_rate, 1),
        "sample_complaints": sample,
        "seconds": round(seconds, 1),
        "human": human_duration(seconds),
        "method": (f"linear extrapolation: {complaints:,} complaints / {measured_rate:,.1f} complaints/s "
                   f"measured on a burst of {sample:,}; one worker, same partitions; assumes the rate "
                   "stays flat (state table and read model growth, compaction and GC are not modelled)"),
    }


def human_duration(seconds: float) -> str:
    """``3725`` -> ``1 h 2 min 5 s``."""
    seconds = max(0, round(seconds))
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    parts = [f"{hours} h"] if hours else []
    if hours or minutes:
        parts.append(f"{minutes} min")
    parts.append(f"{secs} s")
    return " ".join(parts)
