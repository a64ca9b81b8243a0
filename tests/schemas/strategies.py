"""Hypothesis strategies built from the Avro schemas, with realistic Indonesian data.

:func:`from_avro` walks a normalized schema; fields whose names say what they hold (``nik``,
``phone``, ``name``, ``region_code``...) get realistic values most of the time and arbitrary
ones otherwise, so round-trips see both plausible complaints and awkward Unicode.
"""

from __future__ import annotations

from datetime import datetime, timezone

from hypothesis import strategies as st

from lapor_hub.schemas._avro import normalize

__all__ = ["from_avro", "record_values", "nik", "phone", "person_name"]

_FIRST = ["Siti", "Budi", "Dewi", "Agus", "Putu", "Made", "Nyoman", "Rina", "Yohanes", "Fransiska",
          "Muhammad", "Nur", "Ahmad", "Sri", "Wayan", "Ketut", "Maria", "Dian", "Eko", "Intan"]
_LAST = ["Rahayu", "Santoso", "Lestari", "Saputra", "Wijaya", "Hutapea", "Siregar", "Nainggolan",
         "Pratama", "Kurniawan", "Manurung", "Wulandari", "Setiawan", "Simanjuntak", "Hidayat"]
_REGIONS = ["11", "18", "18.10", "31", "31.71", "32.04", "51.71", "63.71", "73.71", "91.71", "94.71"]
_AGENCIES = ["KEMENKES", "KEMENDIKBUD", "KEMENDAGRI", "KEMENPUPR", "BPJS-KES", "ORI", "18", "18.10", "31.71"]
_TITLES = ["Jalan rusak di depan sekolah", "Antrean BPJS terlalu lama", "Lampu jalan mati sejak sebulan",
           "Pungutan liar pengurusan KTP", "Sampah menumpuk di pasar", "Guru honorer belum digaji"]

UTC = timezone.utc


def nik() -> st.SearchStrategy[str]:
    """NIK: 6-digit region, 6-digit birth date (day + 40 for women), 4-digit serial."""
    return st.builds(
        lambda region, day, month, year, serial: f"{region}{day:02d}{month:02d}{year:02d}{serial:04d}",
        st.sampled_from(["320104", "180802", "317101", "510301", "737103"]),
        st.integers(1, 28).flatmap(lambda d: st.sampled_from([d, d + 40])),
        st.integers(1, 12), st.integers(0, 99), st.integers(1, 9999),
    )


def phone() -> st.SearchStrategy[str]:
    return st.builds(lambda prefix, rest: f"+628{prefix}{rest}",
                     st.sampled_from(["11", "12", "13", "21", "52", "57", "77", "95"]),
                     st.text("0123456789", min_size=6, max_size=9))


def person_name() -> st.SearchStrategy[str]:
    return st.builds(lambda a, b: f"{a} {b}", st.sampled_from(_FIRST), st.sampled_from(_LAST))


_REALISTIC = {
    "nik": nik(),
    "phone": phone(),
    "name": person_name(),
    "email": st.builds(lambda n, d: f"{n.lower().replace(' ', '.')}@{d}", person_name(),
                       st.sampled_from(["gmail.com", "yahoo.co.id", "go.id"])),
    "region_code": st.sampled_from(_REGIONS),
    "agency": st.sampled_from(_AGENCIES),
    "code": st.sampled_from(_AGENCIES),
    "from_agency": st.sampled_from(_AGENCIES),
    "to_agency": st.sampled_from(_AGENCIES + [""]),
    "actor": st.sampled_from(["reporter", "national-admin", "hub"] + _AGENCIES),
    "title": st.sampled_from(_TITLES),
    "tracking_id": st.builds(lambda n: f"LAP-2024-{n:07d}", st.integers(0, 9_999_999)),
    "event_id": st.uuids().map(str),
    "channel": st.sampled_from(["web", "sms-1708", "twitter", "mobile", "open311", "email"]),
    "content_type": st.sampled_from(["image/jpeg", "application/pdf", "image/png"]),
    "url": st.builds(lambda n: f"https://lapor.go.id/files/{n}", st.uuids()),
}


def _timestamps() -> st.SearchStrategy[datetime]:
    return st.datetimes(min_value=datetime(1990, 1, 1), max_value=datetime(2080, 1, 1), timezones=st.just(UTC))


def from_avro(node, field: str | None = None) -> st.SearchStrategy:
    """Values that fit a normalized schema node (see schemas._avro.normalize)."""
    if isinstance(node, list):
        return st.one_of([from_avro(branch, field) for branch in node])
    kind = node["type"]
    if kind == "long" and node.get("logicalType") == "timestamp-micros":
        return _timestamps()
    if kind == "string":
        plain = st.text(max_size=40)
        return st.one_of(_REALISTIC[field], _REALISTIC[field], plain) if field in _REALISTIC else plain
    simple = {
        "null": st.none(),
        "boolean": st.booleans(),
        "int": st.integers(-(2**31), 2**31 - 1),
        "long": st.integers(-(2**63), 2**63 - 1),
        "float": st.floats(width=32, allow_nan=False),
        "double": st.floats(allow_nan=False),
        "bytes": st.binary(max_size=64),
    }
    if kind in simple:
        return simple[kind]
    if kind == "enum":
        return st.sampled_from(node["symbols"])
    if kind == "array":
        return st.lists(from_avro(node["items"]), max_size=3)
    if kind == "map":
        return st.dictionaries(st.text(max_size=8), from_avro(node["values"]), max_size=3)
    if kind == "record":
        return st.fixed_dictionaries({f["name"]: from_avro(f["type"], f["name"]) for f in node["fields"]})
    raise NotImplementedError(f"no strategy for Avro type {kind}")


def record_values(schema: dict) -> st.SearchStrategy[dict]:
    """Values of a standalone record schema (parsed JSON)."""
    return from_avro(normalize(schema))
