from __future__ import annotations

from typing import Any

import pytest

from lapor_hub.streams.directory import Directory, default_directory
from lapor_hub.streams.routing import CategoryTree, default_categories

#: Made-up personal data, planted so that tests can prove it never shows up in messages.
NAME = "Siti Rahmawati Kusumaningrum"
NIK = "1810015507900003"
PHONE = "0812-3456-7890"
EMAIL = "siti.rahma@contoh.co.id"
ADDRESS = "Jl. Kenanga No. 7, Pringsewu"


def complaint_body(**overrides: Any) -> dict[str, Any]:
    """A valid public complaint body; keyword overrides replace top-level fields."""
    body: dict[str, Any] = {
        "title": "KTP elektronik belum jadi",
        "description": "Sudah tiga bulan sejak perekaman, KTP-el belum dicetak oleh Disdukcapil.",
        "category": "civil_registry.id_card",
        "region_code": "18.10",
        "channel": "web",
        "privacy": "public",
        "reporter": {"name": NAME, "nik": NIK, "phone": PHONE, "email": EMAIL},
        "location": {"lat": -5.3581, "lon": 104.9744, "address": ADDRESS},
        "attachments": [{"name": "bukti.jpg", "content_type": "image/jpeg",
                         "url": "https://files.lapor.go.id/a/bukti.jpg", "size_bytes": 120_000}],
    }
    body.update(overrides)
    return body


@pytest.fixture(scope="session")
def directory() -> Directory:
    return default_directory()


@pytest.fixture(scope="session")
def categories() -> CategoryTree:
    return default_categories()
