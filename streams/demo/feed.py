"""Demo complaints for ``make run``: a small, realistic stream through the public intake path.

A newcomer sees routing happen: regency roads reach the regency, SMA go to the province, BPJS
to BPJS Kesehatan, a wrong pick by the reporter is corrected, an unknown case goes to triage.
Names, NIK and phone numbers are made up.
"""

from __future__ import annotations

import random
import uuid
from typing import TYPE_CHECKING

from lapor_hub.streams.core import topics
from lapor_hub.streams.core.publisher import Publisher
from lapor_hub.streams.intake.tracking import new_tracking_id
from lapor_hub.streams.intake.validation import to_submission

if TYPE_CHECKING:
    from lapor_hub.streams.hub import Hub

__all__ = ["DemoFeed", "DEMO_CASES", "install"]

#: (category, title, description, agency the reporter picked or None)
DEMO_CASES: tuple[tuple[str, str, str, str | None], ...] = (
    ("infrastructure.road.regency", "Jalan desa rusak parah dan berlubang",
     "Jalan penghubung antar desa rusak berat sejak musim hujan, banyak pengendara motor terjatuh.", None),
    ("civil_registry.id_card", "KTP elektronik belum jadi setelah tiga bulan",
     "Saya sudah merekam data KTP-el di kantor kecamatan tiga bulan lalu tetapi belum juga dicetak.", None),
    ("health.bpjs", "Kartu BPJS Kesehatan tidak aktif saat berobat",
     "Kartu BPJS saya dinyatakan tidak aktif di puskesmas padahal iuran sudah dibayar setiap bulan.", None),
    ("education.school.secondary", "Pungutan liar di SMA negeri",
     "Sekolah meminta uang pembangunan gedung tanpa dasar yang jelas kepada seluruh orang tua siswa.", "KEMENDIKBUD"),
    ("social_aid.pkh", "Bantuan PKH tidak cair dua tahap",
     "Keluarga kami terdaftar sebagai penerima PKH tetapi dua tahap terakhir bantuan tidak diterima.", None),
    ("financial.online_loans", "Penagihan pinjaman online dengan ancaman",
     "Penagih pinjaman online menyebarkan data pribadi saya ke seluruh kontak telepon dan mengancam.", None),
    ("land.certificate", "Sertifikat tanah tidak terbit setelah PTSL",
     "Kami mengikuti program PTSL dua tahun lalu namun sertifikat tanah belum juga diterbitkan.", None),
    ("utilities.water", "Air PDAM mati berhari-hari",
     "Air PDAM di perumahan kami tidak mengalir selama lima hari tanpa pemberitahuan apa pun.", None),
    ("transport.driver_license", "Pembuatan SIM dipersulit",
     "Saat mengurus SIM saya diminta membayar di luar tarif resmi agar ujian praktik diluluskan.", None),
    ("infrastructure.road.national", "Jalan nasional amblas di tikungan",
     "Badan jalan nasional amblas sepanjang dua puluh meter dan membahayakan truk yang melintas.", "18.10"),
    ("other", "Keluhan yang belum jelas instansinya",
     "Saya tidak tahu harus mengadu ke mana tentang layanan yang saya terima di kantor pelayanan.", None),
)
_NAMES = ("Siti Rahmawati", "Budi Santoso", "Agus Wijaya", "Dewi Lestari", "Made Suartana", "Yohanes Kambu")
_CHANNELS = ("web", "sms", "mobile", "twitter")


class DemoFeed:
    """Builds demo submissions; deterministic for a given seed."""

    def __init__(self, directory, seed: int = 1708) -> None:
        self._random = random.Random(seed)
        self._regencies = [a.code for a in directory if a.level.value == "regency"]

    def next_body(self) -> dict:
        category, title, description, agency = self._random.choice(DEMO_CASES)
        privacy = self._random.choice(("public", "public", "confidential", "anonymous"))
        region = "18.10" if self._random.random() < 0.25 else self._random.choice(self._regencies)
        reporter = {} if privacy == "anonymous" else {
            "name": self._random.choice(_NAMES), "phone": "08" + "".join(self._random.choices("0123456789", k=10))}
        return {"title": title, "description": description, "category": category, "region_code": region,
                "agency": agency, "channel": self._random.choice(_CHANNELS), "privacy": privacy,
                "reporter": reporter}


def install(hub: Hub, *, interval: float = 3.0) -> None:
    """Feed one demo complaint every ``interval`` seconds into ``complaints.intake``."""
    app = hub.app
    feed = DemoFeed(hub.directory)
    publisher = Publisher(app, "/lapor-hub/demo")

    @app.timer(interval=interval)
    async def demo_complaints():
        now = hub.clock.now()
        tracking_id = new_tracking_id(now)
        value = to_submission(feed.next_body(), tracking_id=tracking_id, event_id=str(uuid.uuid4()), now=now)
        await publisher.record(topics.INTAKE, "ComplaintSubmitted", value)
