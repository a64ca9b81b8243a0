"""Look agencies up by code, kind and province."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from functools import cache

from lapor_hub.errors import UnknownAgencyError
from lapor_hub.streams.directory.loader import load_agencies
from lapor_hub.streams.directory.model import Agency, AgencyKind, Level

__all__ = ["Directory", "default_directory"]


class Directory:
    """An immutable index of agencies."""

    def __init__(self, agencies: Iterable[Agency]) -> None:
        self._by_code: dict[str, Agency] = {}
        for agency in agencies:
            if agency.code in self._by_code:
                raise ValueError(f"agency code {agency.code!r} appears twice in the directory")
            self._by_code[agency.code] = agency

    def __len__(self) -> int:
        return len(self._by_code)

    def __iter__(self) -> Iterator[Agency]:
        return iter(self._by_code.values())

    def __contains__(self, code: object) -> bool:
        return code in self._by_code

    def get(self, code: str) -> Agency:
        """The agency with ``code``; :class:`UnknownAgencyError` when there is none."""
        try:
            return self._by_code[code]
        except KeyError:
            raise UnknownAgencyError(code) from None

    def find(
        self,
        *,
        kind: AgencyKind | None = None,
        level: Level | None = None,
        province_code: str | None = None,
    ) -> list[Agency]:
        return [
            a
            for a in self._by_code.values()
            if (kind is None or a.kind is kind)
            and (level is None or a.level is level)
            and (province_code is None or a.province_code == province_code)
        ]

    def region_of(self, region_code: str) -> Agency:
        """The regional government for a Kemendagri code: a province (``18``) or regency (``18.10``).

        Deeper codes (districts, villages such as ``18.10.01``) resolve to their regency.
        """
        parts = region_code.split(".")
        for depth in (2, 1):
            if len(parts) >= depth:
                agency = self._by_code.get(".".join(parts[:depth]))
                if agency is not None and agency.is_regional:
                    return agency
        raise UnknownAgencyError(region_code)

    def province_of(self, agency: Agency) -> Agency | None:
        return self._by_code.get(agency.province_code) if agency.province_code else None


@cache
def default_directory() -> Directory:
    """The directory shipped with the hub (678 agencies), loaded once per process."""
    return Directory(load_agencies())
