"""Load the agency directory from the CSV files shipped in ``data/``."""

from __future__ import annotations

import csv
from collections.abc import Iterator
from importlib import resources

from lapor_hub.streams.directory.model import (
    NATIONAL_ADMIN,
    OMBUDSMAN,
    Agency,
    AgencyKind,
    Level,
    Supervisor,
    TimeZone,
)

__all__ = ["load_agencies", "time_zone_of_province"]

_HOME_AFFAIRS = "KEMENDAGRI"
_WITA = {"51", "52", "53", "63", "64", "65", "71", "72", "73", "74", "75", "76"}
_WIT = {"81", "82", "91", "92"}


def time_zone_of_province(province_code: str) -> TimeZone:
    """WIB, WITA or WIT for a two-digit Kemendagri province code."""
    if province_code in _WIT:
        return TimeZone.WIT
    if province_code in _WITA:
        return TimeZone.WITA
    return TimeZone.WIB


def _rows(name: str) -> Iterator[dict[str, str]]:
    with resources.files("lapor_hub.streams.directory").joinpath("data", name).open(encoding="utf-8") as f:
        yield from csv.DictReader(f)


def _national_tail(code: str) -> tuple[Supervisor, ...]:
    tail = (
        Supervisor(NATIONAL_ADMIN, "Admin Nasional SP4N-LAPOR! (KemenPANRB)"),
        Supervisor(OMBUDSMAN, "Ombudsman Republik Indonesia"),
    )
    return tuple(step for step in tail if step.code != code)


def _central(row: dict[str, str], kind: AgencyKind, own_oversight: str) -> Agency:
    code = row["code"]
    return Agency(
        code=code,
        name=row["name_id"],
        name_en=row["name_en"],
        abbreviation=row["abbreviation"],
        kind=kind,
        level=Level.NATIONAL,
        time_zone=TimeZone.WIB,
        supervision_chain=(Supervisor(code, own_oversight), *_national_tail(code)),
    )


def load_agencies() -> list[Agency]:
    """All 678 agencies: ministries, institutions, provinces, regencies and cities."""
    agencies: list[Agency] = []
    for row in _rows("ministries.csv"):
        kind = AgencyKind.COORDINATING_MINISTRY if row["kind"] == "coordinating" else AgencyKind.MINISTRY
        agencies.append(_central(row, kind, "Inspektorat Jenderal"))
    for row in _rows("institutions.csv"):
        agencies.append(_central(row, AgencyKind.INSTITUTION, "Pengawas internal"))

    provinces = {row["code"]: row["name"] for row in _rows("provinces.csv")}
    for code, name in provinces.items():
        agencies.append(
            Agency(
                code=code,
                name=f"PROVINSI {name}",
                kind=AgencyKind.PROVINCE,
                level=Level.PROVINCIAL,
                time_zone=time_zone_of_province(code),
                province_code=code,
                supervision_chain=(
                    Supervisor(code, f"Inspektorat Provinsi {name}"),
                    Supervisor(_HOME_AFFAIRS, "Kementerian Dalam Negeri"),
                    *_national_tail(code),
                ),
            )
        )
    for row in _rows("regencies.csv"):
        code, province = row["code"], row["province_code"]
        name = row["name"]
        is_city = name.startswith("KOTA ")
        agencies.append(
            Agency(
                code=code,
                name=name,
                kind=AgencyKind.CITY if is_city else AgencyKind.REGENCY,
                level=Level.REGENCY,
                time_zone=time_zone_of_province(province),
                province_code=province,
                supervision_chain=(
                    Supervisor(code, f"Inspektorat {'Kota' if is_city else 'Kabupaten'} {name.split(' ', 1)[1]}"),
                    Supervisor(province, f"Pemerintah Provinsi {provinces[province]}"),
                    Supervisor(_HOME_AFFAIRS, "Kementerian Dalam Negeri"),
                    *_national_tail(code),
                ),
            )
        )
    return agencies
