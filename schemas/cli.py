"""``lapor-hub schemas check``: is the released contract still sound?"""

from __future__ import annotations

import sys
from typing import TextIO

from lapor_hub.errors import ConfigurationError
from lapor_hub.schemas.catalog import SchemaCatalog

__all__ = ["check_command"]


def check_command(catalog: SchemaCatalog | None = None, out: TextIO | None = None) -> int:
    """Check every version of every subject against all earlier ones; 0 when all is sound.

    One line per subject; under a broken subject, one indented line per problem. A problem
    is a released version edited in place (its fingerprint changed) or a version that breaks
    the catalog's compatibility mode (FULL_TRANSITIVE) with an earlier one.
    """
    out = out or sys.stdout
    try:
        catalog = catalog or SchemaCatalog.load()
    except ConfigurationError as exc:
        print(f"error: {exc}", file=out)
        return 2
    report = catalog.verify()
    for subject, problems in report.items():
        count = len(catalog.versions(subject))
        status = "ok" if not problems else "BROKEN"
        print(f"{status:6} {subject} ({count} version{'s' if count > 1 else ''}, {catalog.mode.value})", file=out)
        for problem in problems:
            print(f"         {problem}", file=out)
    broken = sum(1 for problems in report.values() if problems)
    if broken:
        print(f"{broken} of {len(report)} subjects break the contract: fix them before release", file=out)
        return 1
    return 0
