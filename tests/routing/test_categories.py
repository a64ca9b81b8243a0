from __future__ import annotations

import json

import pytest

from lapor_hub.errors import ConfigurationError
from lapor_hub.streams.routing import CategoryTree, UnknownCategoryError

# Codes the rest of the hub and the brief of issue #4 rely on.
_KNOWN_LEAVES = [
    "infrastructure.road.national",
    "infrastructure.road.provincial",
    "infrastructure.road.regency",
    "health.puskesmas",
    "health.bpjs",
    "health.hospital.public.regency",
    "education.school.primary",
    "education.school.secondary",
    "civil_registry.id_card",
    "social_aid.pkh",
    "tax.national",
    "tax.regional.property",
    "land.certificate",
    "financial.online_loans",
    "utilities.electricity",
    "utilities.water",
    "transport.driver_license",
    "environment.pollution",
    "environment.waste",
    "religion.hajj.services",
    "manpower.migrant_workers",
    "food_drug_safety.drugs",
    "corruption",
    "foreign_affairs.consular",
    "statistics",
    "other",
]


def test_the_shipped_tree_has_the_leaves_complaints_carry(categories: CategoryTree) -> None:
    missing = [code for code in _KNOWN_LEAVES if not categories.is_leaf(code)]
    assert missing == []
    assert 150 <= len(categories.leaves()) <= 250


def test_every_category_has_both_labels_and_a_consistent_parent(categories: CategoryTree) -> None:
    for category in categories:
        assert category.label_id and category.label_en, category.code
        if category.parent is not None:
            assert category.code in categories.get(category.parent).children


def test_groups_are_not_leaves_and_unknown_codes_are_neither(categories: CategoryTree) -> None:
    assert categories.get("infrastructure.road").children == (
        "infrastructure.road.national",
        "infrastructure.road.provincial",
        "infrastructure.road.regency",
        "infrastructure.road.toll",
    )
    assert not categories.is_leaf("infrastructure.road")
    assert not categories.is_leaf("infrastructure.rail")
    with pytest.raises(UnknownCategoryError, match="infrastructure.rail"):
        categories.get("infrastructure.rail")


def test_as_json_serves_the_whole_tree_with_labels(categories: CategoryTree) -> None:
    body = json.loads(json.dumps(categories.as_json()))

    def walk(nodes: list[dict]) -> list[dict]:
        return [n for node in nodes for n in (node, *walk(node["children"]))]

    nodes = walk(body["categories"])
    assert len(nodes) == len(categories)
    road = next(n for n in nodes if n["code"] == "infrastructure.road.regency")
    assert road == {
        "code": "infrastructure.road.regency",
        "label": {"id": "Jalan kabupaten/kota", "en": "Regency and city roads"},
        "leaf": True,
        "children": [],
    }
    assert {n["code"] for n in nodes if n["leaf"]} == {c.code for c in categories.leaves()}


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("roads: {id: Jalan, en: Roads}\nroads: {id: Jalan, en: Roads}\n", "duplicate key 'roads'"),
        ("Roads: {id: Jalan, en: Roads}\n", "'Roads' is not valid"),
        ("roads: {id: Jalan}\n", "'roads' needs a non-empty 'en' label"),
        ("roads: {id: Jalan, en: Roads, label: x}\n", "unknown fields \\['label'\\]"),
        ("roads: {id: Jalan, en: Roads, children: {}}\n", "drop the field to make it a leaf"),
        ("roads: [Jalan, Roads]\n", "must be a mapping"),
        ("roads: {id: Jalan, en: Roads\n", "not valid YAML"),
    ],
)
def test_a_broken_tree_file_fails_with_what_to_fix(tmp_path, text: str, message: str) -> None:
    path = tmp_path / "categories.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigurationError, match=message):
        CategoryTree.load(path)
