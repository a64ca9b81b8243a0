"""``jurisdiction_id``: a Kemendagri region code, because the hub serves every region at once.

GeoReport v2 lets one endpoint serve many jurisdictions if each request names its own. Here a
jurisdiction is a province (``18``), a regency or city (``18.10``), or a place inside one
(``18.10.05``), as a complaint's ``region_code`` is: filing a request there gives the complaint
that region code; reading requests there lists the complaints located at or below it. The
service list is the same in every jurisdiction, so there it may be left out.
"""

from __future__ import annotations

import re

from lapor_hub.streams.directory import Directory

__all__ = ["JurisdictionNotFound", "check_jurisdiction", "region_name"]

_REGION = re.compile(r"^\d{2}(\.\d{2}(\.\d{2}(\.\d{4})?)?)?$")


class JurisdictionNotFound(LookupError):
    pass


def check_jurisdiction(directory: Directory, jurisdiction_id: str) -> str:
    """The jurisdiction as given; :class:`JurisdictionNotFound` when it names no region of the directory."""
    if _REGION.match(jurisdiction_id):
        known = ".".join(jurisdiction_id.split(".")[:2])
        if known in directory and directory.get(known).is_regional:
            return jurisdiction_id
    raise JurisdictionNotFound(
        "jurisdiction_id names no province or regency/city: use a Kemendagri region code such as 18 (a province), "
        "18.10 (a regency or city) or 18.10.05 (inside one)")


def region_name(directory: Directory, region_code: str | None) -> str | None:
    """A readable place for an address field: the regency or city and its province (no street: that is private)."""
    if not region_code:
        return None
    parts = region_code.split(".")
    names = [directory.get(code).name for code in (".".join(parts[:2]), parts[0])
             if code in directory and len(code) <= len(region_code)]
    return ", ".join(dict.fromkeys(names)) or None
