"""What a process costs, read from /proc: CPU seconds and peak resident memory. Linux only."""

from __future__ import annotations

import os
import platform
from pathlib import Path

__all__ = ["cpu_seconds", "machine_busy_seconds", "peak_rss_bytes", "rss_bytes", "machine"]

_TICKS = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid: int) -> float:
    """User plus system CPU time of ``pid`` (all its threads) so far, in seconds."""
    text = Path(f"/proc/{pid}/stat").read_text()
    # The command name may contain spaces and parentheses: fields start after the last ')'.
    fields = text[text.rindex(")") + 2:].split()
    utime, stime = int(fields[11]), int(fields[12])  # fields 14 and 15 of proc(5)
    return (utime + stime) / _TICKS


def machine_busy_seconds() -> float:
    """CPU time all CPUs of the machine spent busy so far (not idle, not waiting for I/O).

    Compared with the processes the bench knows, it shows how much other programs took.
    """
    fields = Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]
    user, nice, system, _idle, _iowait, irq, softirq, steal = (int(v) for v in fields[:8])
    return (user + nice + system + irq + softirq + steal) / _TICKS


def peak_rss_bytes(pid: int) -> int:
    """VmHWM: the highest resident set size ``pid`` reached."""
    return _status_kib(pid, "VmHWM") * 1024


def rss_bytes(pid: int) -> int:
    """VmRSS: the resident set size of ``pid`` now."""
    return _status_kib(pid, "VmRSS") * 1024


def _status_kib(pid: int, key: str) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(key + ":"):
            return int(line.split()[1])
    raise LookupError(f"{key} not in /proc/{pid}/status")


def machine() -> dict[str, object]:
    """Where the figures were measured."""
    model = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    try:
        memory_kib = int(Path("/proc/meminfo").read_text().split()[1])
    except (OSError, ValueError, IndexError):
        memory_kib = 0
    return {"nproc": len(os.sched_getaffinity(0)), "cpu_model": model, "memory_mib": memory_kib // 1024,
            "python": platform.python_version(), "kernel": platform.release()}
