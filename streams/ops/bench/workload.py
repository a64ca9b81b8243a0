"""A realistic complaint workload: ComplaintSubmitted records of about 1 KB, pre-encoded.

Categories are leaves of the category tree, weighted towards what SP4N-LAPOR! receives most
(social aid, roads, health, schools, civil registry); locations are regencies, cities and
provinces of the directory; one reporter in five picks an agency, half of them a wrong one.
The records are encoded before the clock starts, so the bench measures the hub, not itself.
"""

from __future__ import annotations

import random
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime

from lapor_hub.schemas import cloudevent_headers, encode
from lapor_hub.streams.directory import Directory, Level, default_directory
from lapor_hub.streams.intake.tracking import new_tracking_id
from lapor_hub.streams.intake.validation import to_submission
from lapor_hub.streams.routing import (
    CategoryTree,
    RoutingRequest,
    RuleTable,
    decide_route,
    default_categories,
    default_rule_table,
)

__all__ = ["Submission", "WorkloadGenerator", "SOURCE", "GROUP_WEIGHTS"]

#: The CloudEvents source of the bench's submissions (a channel adapter would use its own).
SOURCE = "/lapor-hub/bench/intake"
#: Relative weight of each top-level category group; groups not listed weigh 1.
GROUP_WEIGHTS = {"social_aid": 16, "infrastructure": 14, "health": 11, "education": 10, "civil_registry": 9,
                 "utilities": 6, "land": 5, "transport": 4, "police": 4, "financial": 3, "tax": 3}
_PRIVACY = (("public", 50), ("confidential", 30), ("anonymous", 20))
_CHANNELS = (("web", 40), ("mobile", 30), ("sms", 15), ("twitter", 5), ("email", 5), ("connector", 5))
_FIRST = ("Siti", "Budi", "Agus", "Dewi", "Made", "Yohanes", "Nur", "Rizky", "Putri", "Wayan", "Fitri", "Andi",
          "Rahmat", "Intan", "Hendra", "Maria", "Teguh", "Ayu", "Fransiskus", "Lestari")
_LAST = ("Rahmawati", "Santoso", "Wijaya", "Lestari", "Suartana", "Kambu", "Hidayat", "Saputra", "Siregar",
         "Nasution", "Pratama", "Kusuma", "Simanjuntak", "Wulandari", "Hasibuan", "Manurung")
_STREETS = ("Jl. Merdeka", "Jl. Sudirman", "Jl. Diponegoro", "Jl. Ahmad Yani", "Jl. Gatot Subroto",
            "Jl. Pahlawan", "Jl. Raya Pasar", "Jl. Pemuda", "Jl. Kartini", "Jl. Veteran")
_OPENERS = (
    "Saya ingin menyampaikan pengaduan mengenai {topic} di {place}.",
    "Dengan hormat, melalui LAPOR! saya mengadukan masalah {topic} yang terjadi di {place}.",
    "Warga kami di {place} sudah lama mengalami masalah {topic} dan belum ada penyelesaian.",
)
_SENTENCES = (
    "Masalah ini sudah berlangsung lebih dari tiga bulan dan sudah kami sampaikan ke kantor kelurahan.",
    "Petugas yang kami temui hanya meminta kami menunggu tanpa kepastian waktu penyelesaian.",
    "Beberapa tetangga saya juga mengalami hal yang sama dan merasa sangat dirugikan.",
    "Kami sudah datang langsung ke kantor pelayanan sebanyak dua kali tetapi tidak dilayani dengan baik.",
    "Informasi yang diberikan melalui telepon dan media sosial resmi berbeda dengan yang disampaikan di loket.",
    "Kami diminta membayar biaya tambahan di luar tarif resmi tanpa bukti pembayaran yang jelas.",
    "Kondisi ini sangat mengganggu kegiatan sehari-hari warga, terutama anak sekolah dan lansia.",
    "Pada musim hujan keadaannya semakin parah dan sudah menimbulkan kecelakaan kecil.",
    "Kami berharap instansi yang berwenang segera meninjau lokasi dan memberikan tanggapan tertulis.",
    "Mohon agar pengaduan ini ditindaklanjuti sesuai standar pelayanan yang berlaku.",
    "Nomor antrean dan bukti pendaftaran masih saya simpan apabila diperlukan untuk verifikasi.",
    "Kami sudah mengirim surat resmi bulan lalu namun belum menerima balasan sampai hari ini.",
    "Sebagian warga tidak memiliki akses internet sehingga sulit mengikuti prosedur secara daring.",
    "Kami mohon penjelasan mengenai persyaratan yang benar agar tidak terjadi kesalahpahaman lagi.",
)
_DESCRIPTION_CHARS = (500, 760)


@dataclass(frozen=True, slots=True)
class Submission:
    """One pre-encoded ComplaintSubmitted for ``complaints.intake``, and where it should go."""

    tracking_id: str
    key: bytes
    value: bytes
    headers: list[tuple[str, bytes]]
    record: dict
    #: The agency the rules route it to (predicted with the hub's own pure routing function).
    expected_agency: str
    triage: bool


class WorkloadGenerator:
    """Deterministic for a seed: the same seed gives the same complaints (ids aside)."""

    def __init__(self, seed: int = 1708, *, directory: Directory | None = None,
                 categories: CategoryTree | None = None, rules: RuleTable | None = None) -> None:
        self.directory = directory or default_directory()
        self.categories = categories or default_categories()
        self.rules = rules or default_rule_table()
        self._random = random.Random(seed)
        leaves = self.categories.leaves()
        self._leaves = [leaf.code for leaf in leaves]
        self._leaf_weights = [GROUP_WEIGHTS.get(leaf.code.split(".")[0], 1) for leaf in leaves]
        self._regencies = [a for a in self.directory if a.level is Level.REGENCY]
        self._provinces = [a for a in self.directory if a.level is Level.PROVINCIAL]
        self._agencies = [a.code for a in self.directory]

    def submissions(self, count: int, *, now: datetime | None = None) -> list[Submission]:
        return [self.submission(now=now) for _ in range(count)]

    def submission(self, *, now: datetime | None = None) -> Submission:
        now = now or datetime.now(UTC)
        body = self.body()
        tracking_id = new_tracking_id(now)
        event_id = str(uuid.uuid4())
        record = to_submission(body, tracking_id=tracking_id, event_id=event_id, now=now)
        decision = decide_route(RoutingRequest(body["category"], body["region_code"], body.get("agency")),
                                self.directory, self.rules)
        headers = cloudevent_headers("ComplaintSubmitted", event_id, SOURCE, tracking_id, now)
        return Submission(tracking_id, tracking_id.encode(), encode("ComplaintSubmitted", record), headers, record,
                          decision.agency_code, decision.triage)

    def body(self) -> dict:
        """A JSON complaint body as a channel would send it (see streams.intake.validation)."""
        rnd = self._random
        category = rnd.choices(self._leaves, self._leaf_weights)[0]
        place = rnd.choice(self._regencies) if rnd.random() < 0.85 else rnd.choice(self._provinces)
        region_code = place.code
        if place.level is Level.REGENCY and rnd.random() < 0.3:
            region_code += f".{rnd.randint(1, 20):02d}"  # a district inside the regency
        privacy = _weighted(rnd, _PRIVACY)
        label = self.categories.get(category).label_id
        place_name = place.name.title()
        body: dict = {
            "title": f"{label} bermasalah di {place_name}"[:150],
            "description": self._description(label.lower(), place_name),
            "category": category,
            "region_code": region_code,
            "agency": self._requested_agency(category, region_code),
            "channel": _weighted(rnd, _CHANNELS),
            "privacy": privacy,
            "reporter": {} if privacy == "anonymous" and rnd.random() < 0.7 else self._reporter(place),
        }
        if rnd.random() < 0.6:
            body["location"] = {"lat": round(rnd.uniform(-10.5, 5.5), 6), "lon": round(rnd.uniform(95.0, 141.0), 6),
                                "address": f"{rnd.choice(_STREETS)} No. {rnd.randint(1, 250)}, {place_name}"}
        attachments = rnd.choices((0, 1, 2), (50, 35, 15))[0]
        if attachments:
            body["attachments"] = [
                {"name": f"bukti-{n + 1}.jpg", "content_type": "image/jpeg",
                 "url": f"https://files.lapor.go.id/lampiran/{uuid.UUID(int=rnd.getrandbits(128))}.jpg",
                 "size_bytes": rnd.randint(80_000, 3_000_000)}
                for n in range(attachments)
            ]
        return body

    def _description(self, topic: str, place: str) -> str:
        rnd = self._random
        target = rnd.randint(*_DESCRIPTION_CHARS)
        text = rnd.choice(_OPENERS).format(topic=topic, place=place)
        sentences = list(_SENTENCES)
        rnd.shuffle(sentences)
        for sentence in sentences:
            if len(text) >= target:
                break
            text += " " + sentence
        return text

    def _requested_agency(self, category: str, region_code: str) -> str | None:
        rnd = self._random
        if rnd.random() >= 0.2:
            return None
        if rnd.random() < 0.5:  # a right pick: the agency the rules name anyway
            return decide_route(RoutingRequest(category, region_code, None), self.directory, self.rules).agency_code
        return rnd.choice(self._agencies)

    def _reporter(self, place) -> dict:
        rnd = self._random
        name = f"{rnd.choice(_FIRST)} {rnd.choice(_LAST)}"
        reporter = {"name": name, "phone": "08" + "".join(rnd.choices("0123456789", k=rnd.randint(9, 11)))}
        if rnd.random() < 0.5:
            reporter["email"] = f"{name.lower().replace(' ', '.')}{rnd.randint(1, 99)}@mail.example.id"
        if rnd.random() < 0.4:
            province = place.province_code or place.code
            day = rnd.randint(1, 28) + (40 if rnd.random() < 0.5 else 0)
            reporter["nik"] = (f"{province[:2]}{rnd.randint(0, 9999):04d}{day:02d}{rnd.randint(1, 12):02d}"
                               f"{rnd.randint(50, 99):02d}{rnd.randint(1, 9999):04d}")
        return reporter


def _weighted(rnd: random.Random, options: tuple[tuple[str, int], ...]) -> str:
    return rnd.choices([o for o, _ in options], [w for _, w in options])[0]
