"""What a measurement ran on: the commit and its local changes, and how busy the machine was.

``lapor-hub bench`` and ``lapor-hub chaos`` write both into their results, so a figure can be
traced to the code that produced it and read against the load it was measured under.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

__all__ = ["code_version", "loadavg"]


def code_version() -> dict:
    """The commit measured, and the tracked files that differed from it (the workers run the working tree)."""
    def git(*args: str) -> str:
        done = subprocess.run(["git", *args], capture_output=True, text=True, check=False, timeout=10)
        return done.stdout if done.returncode == 0 else ""

    # Porcelain lines are "XY path": the status takes the first three characters, leading blank included.
    changed = [line[3:] for line in git("status", "--porcelain", "--untracked-files=no").splitlines() if line]
    return {"commit": git("rev-parse", "HEAD").strip() or None, "modified_files": changed}


def loadavg() -> list[float]:
    """1, 5 and 15 minute load averages: other programs on the machine skew every figure measured."""
    return [float(v) for v in Path("/proc/loadavg").read_text().split()[:3]]
