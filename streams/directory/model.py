"""The agencies the hub routes complaints to, and who supervises each of them."""

from __future__ import annotations

import enum
from dataclasses import dataclass

__all__ = ["Agency", "AgencyKind", "Level", "Supervisor", "TimeZone", "NATIONAL_ADMIN", "OMBUDSMAN"]

#: KemenPANRB runs the national admin (Admin Nasional) and its triage inbox.
NATIONAL_ADMIN = "KEMENPANRB"
#: Ombudsman RI, the external oversight at the top of every escalation ladder.
OMBUDSMAN = "ORI"


class AgencyKind(str, enum.Enum):
    COORDINATING_MINISTRY = "coordinating_ministry"
    MINISTRY = "ministry"
    INSTITUTION = "institution"
    PROVINCE = "province"
    REGENCY = "regency"
    CITY = "city"


class Level(str, enum.Enum):
    NATIONAL = "national"
    PROVINCIAL = "provincial"
    REGENCY = "regency"  # regencies (kabupaten) and cities (kota) alike


class TimeZone(str, enum.Enum):
    """Indonesia's three time zones, with the IANA zone each stands for."""

    WIB = "Asia/Jakarta"
    WITA = "Asia/Makassar"
    WIT = "Asia/Jayapura"


@dataclass(frozen=True, slots=True)
class Supervisor:
    """One step of a supervision chain: the agency whose inbox is addressed, and the office."""

    code: str
    office: str


@dataclass(frozen=True, slots=True)
class Agency:
    code: str
    name: str
    kind: AgencyKind
    level: Level
    time_zone: TimeZone
    province_code: str | None = None
    abbreviation: str | None = None
    name_en: str | None = None
    #: Escalation order above the agency's own admin, ending at Ombudsman RI.
    supervision_chain: tuple[Supervisor, ...] = ()

    @property
    def is_regional(self) -> bool:
        return self.level is not Level.NATIONAL

    @property
    def inbox_topic(self) -> str:
        return f"agency.{self.code}.inbox"

    @property
    def outbox_topic(self) -> str:
        return f"agency.{self.code}.outbox"
