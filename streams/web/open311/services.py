"""GeoReport v2 services: the leaves of the category tree, in Bahasa Indonesia or English.

A ``service_code`` is the category's code itself (``infrastructure.road.regency``): the tree's
codes are stable identifiers that are never renamed (``streams/routing/categories.yaml``), so
a 311 client may keep them for as long as the hub runs; ``tests/web/open311/service_codes.txt``
holds every code ever published, and a test fails if one disappears. The ``group`` is the
top-level category, the ``keywords`` both labels of the leaf and of its parents, so a client
searching in either language finds it.

Every service has ``metadata=true``: filing a report needs attributes the core fields lack,
the reporter's privacy choice above all (:data:`ATTRIBUTES`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from lapor_hub.streams.intake.validation import CLASSIFICATIONS, PRIVACY_LEVELS
from lapor_hub.streams.routing import Category, CategoryTree

__all__ = ["LOCALES", "ATTRIBUTES", "Attribute", "service_list", "service_definition", "service_name"]

#: ``locale=`` of the service documents; the first is the default: the citizens' language.
LOCALES = ("id", "en")


@dataclass(frozen=True)
class Attribute:
    """One attribute of a service definition (``attribute[code]=value`` when filing)."""

    code: str
    datatype: str
    required: bool
    description: dict[str, str]
    #: (key, {locale: name}) for the list datatypes.
    values: tuple[tuple[str, dict[str, str]], ...] = ()
    datatype_description: dict[str, str] | None = None


_PRIVACY_NAMES = {
    "public": {"id": "Publik: laporan dan nama pelapor dapat dilihat umum",
               "en": "Public: the report and the reporter's name are shown to everyone"},
    "confidential": {"id": "Rahasia: isi laporan tidak ditampilkan kepada umum",
                     "en": "Confidential: the content is hidden from the public"},
    "anonymous": {"id": "Anonim: identitas pelapor tidak diteruskan kepada instansi",
                  "en": "Anonymous: the reporter's identity never reaches the agency"},
}
_CLASSIFICATION_NAMES = {
    "complaint": {"id": "Pengaduan", "en": "Complaint"},
    "aspiration": {"id": "Aspirasi", "en": "Aspiration"},
    "information_request": {"id": "Permintaan informasi (dijawab PPID instansi)",
                            "en": "Request for information (answered by the agency's PPID)"},
}

#: What every service asks besides the core fields, in the order shown.
ATTRIBUTES = (
    Attribute("privacy", "singlevaluelist", True,
              {"id": "Kerahasiaan laporan. Laporan publik dan rahasia memerlukan nama (first_name/last_name) "
                     "serta nomor telepon atau e-mail pelapor.",
               "en": "Privacy of the report. Public and confidential reports need the reporter's name "
                     "(first_name/last_name) and a phone number or an e-mail address."},
              tuple((key, _PRIVACY_NAMES[key]) for key in PRIVACY_LEVELS)),
    Attribute("classification", "singlevaluelist", False,
              {"id": "Jenis laporan; bila kosong: pengaduan.", "en": "Kind of report; a complaint when left out."},
              tuple((key, _CLASSIFICATION_NAMES[key]) for key in CLASSIFICATIONS)),
    Attribute("title", "string", False,
              {"id": "Judul singkat laporan (10-150 karakter); bila kosong diambil dari awal deskripsi.",
               "en": "Short title of the report (10-150 characters); taken from the start of the "
                     "description when left out."},
              datatype_description={"id": "10-150 karakter", "en": "10 to 150 characters"}),
)


def _label(category: Category, locale: str) -> str:
    return category.label_en if locale == "en" else category.label_id


def service_name(categories: CategoryTree, code: str, locale: str) -> str | None:
    """The service's name in ``locale``; None for a code that is not a service."""
    return _label(categories.get(code), locale) if categories.is_leaf(code) else None


def _lineage(categories: CategoryTree, category: Category) -> list[Category]:
    chain = [category]
    while chain[-1].parent is not None:
        chain.append(categories.get(chain[-1].parent))
    return chain[::-1]


def service_list(categories: CategoryTree, locale: str) -> list[dict[str, Any]]:
    """``GET services``: every leaf of the tree, in the tree's order."""
    services = []
    for leaf in categories.leaves():
        lineage = _lineage(categories, leaf)
        keywords = dict.fromkeys(label for c in lineage for label in (c.label_id, c.label_en))
        services.append({
            "service_code": leaf.code,
            "service_name": _label(leaf, locale),
            "description": " › ".join(_label(c, locale) for c in lineage),
            "metadata": True,
            "type": "realtime",
            "keywords": ", ".join(keywords),
            "group": _label(lineage[0], locale),
        })
    return services


def service_definition(code: str, locale: str) -> dict[str, Any]:
    """``GET services/{service_code}``: the attributes filing a report of this service takes."""
    attributes = []
    for order, attribute in enumerate(ATTRIBUTES, start=1):
        attributes.append({
            "variable": True,
            "code": attribute.code,
            "datatype": attribute.datatype,
            "required": attribute.required,
            "datatype_description": (attribute.datatype_description or {}).get(locale),
            "order": order,
            "description": attribute.description[locale],
            "values": [{"key": key, "name": names[locale]} for key, names in attribute.values],
        })
    return {"service_code": code, "attributes": attributes}
