"""The complaints the chaos clients send: realistic bodies that carry their Idempotency-Key.

Every complaint is about KAB. PRINGSEWU (18.10), so all assignments land in one agency inbox,
the one the webhook connector of ``agency-down`` serves. The key is written into the text
(``kode uji <key>``) so that a complaint stored under a tracking id no client was ever answered
with can still be traced to the submission it came from: that is how a submission stored twice
is found.
"""

from __future__ import annotations

import json
import random
import re

__all__ = ["complaint_body", "encoded_body", "key_in_text", "AGENCY"]

AGENCY = "18.10"
_MARK = "kode uji "
_KEY_IN_TEXT = re.compile(re.escape(_MARK) + r"([0-9a-f-]{36})")
_CASES = (
    ("infrastructure.road.regency", "Jalan kabupaten rusak dan berlubang",
     "Jalan menuju pasar Pringsewu berlubang besar dan membahayakan pengendara motor."),
    ("civil_registry.id_card", "KTP elektronik belum jadi setelah tiga bulan",
     "Saya sudah merekam data KTP-el di kantor kecamatan Pringsewu tiga bulan lalu tetapi belum dicetak."),
    ("utilities.water", "Air PDAM mati berhari-hari",
     "Air PDAM di perumahan kami di Pringsewu tidak mengalir selama lima hari tanpa pemberitahuan."),
)
_NAMES = ("Siti Rahmawati", "Budi Santoso", "Agus Wijaya", "Dewi Lestari")


def complaint_body(key: str, rng: random.Random) -> dict:
    """A valid complaint for 18.10 whose description names ``key`` (a UUID)."""
    category, title, description = rng.choice(_CASES)
    return {
        "title": title,
        "description": f"{description} ({_MARK}{key})",
        "category": category,
        "region_code": AGENCY,
        "channel": "web",
        "privacy": "public",
        "reporter": {"name": rng.choice(_NAMES), "phone": f"0812{rng.randrange(10**7, 10**8)}"},
    }


def encoded_body(body: dict) -> bytes:
    """The exact bytes sent on every attempt: a retry must be the same request."""
    return json.dumps(body, ensure_ascii=False).encode()


def key_in_text(text: str | None) -> str | None:
    """The Idempotency-Key written into a complaint's description, if any."""
    match = _KEY_IN_TEXT.search(text or "")
    return match.group(1) if match else None
