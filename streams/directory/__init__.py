"""The agency directory: 34 ministries, 96 institutions, 34 provinces, 514 regencies and cities."""

from lapor_hub.streams.directory.directory import Directory, default_directory
from lapor_hub.streams.directory.loader import time_zone_of_province
from lapor_hub.streams.directory.model import (
    NATIONAL_ADMIN,
    OMBUDSMAN,
    Agency,
    AgencyKind,
    Level,
    Supervisor,
    TimeZone,
)

__all__ = [
    "Agency",
    "AgencyKind",
    "Directory",
    "Level",
    "NATIONAL_ADMIN",
    "OMBUDSMAN",
    "Supervisor",
    "TimeZone",
    "default_directory",
    "time_zone_of_province",
]
