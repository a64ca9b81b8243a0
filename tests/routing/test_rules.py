from __future__ import annotations

import textwrap

import pytest

from lapor_hub.errors import ConfigurationError
from lapor_hub.streams.directory import Directory
from lapor_hub.streams.routing import CategoryTree, LocationRole, Rule, RuleTable

_TREE = """
road:
  id: Jalan
  en: Roads
  children:
    national: {id: Jalan nasional, en: National roads}
    regency: {id: Jalan kabupaten, en: Regency roads}
health: {id: Kesehatan, en: Health}
"""

_VALID_RULES = """
- {id: road, category: road, agency: KEMENPUPR}
- {id: road.regency, category: road.regency, location: regency}
- {id: health, category: health, agency: KEMENKES}
"""


@pytest.fixture
def tree(tmp_path) -> CategoryTree:
    path = tmp_path / "categories.yaml"
    path.write_text(_TREE, encoding="utf-8")
    return CategoryTree.load(path)


def _load(tmp_path, rules_yaml: str, tree: CategoryTree, directory: Directory) -> RuleTable:
    path = tmp_path / "rules.yaml"
    path.write_text("rules:\n" + textwrap.indent(textwrap.dedent(rules_yaml), "  "), encoding="utf-8")
    return RuleTable.load(path, categories=tree, directory=directory)


def _rule(table: RuleTable, category: str) -> Rule:
    rule = table.rule_for(category)
    assert rule is not None, f"no rule for {category}"
    return rule


def test_the_most_specific_category_wins(tmp_path, tree: CategoryTree, directory: Directory) -> None:
    table = _load(tmp_path, _VALID_RULES, tree, directory)
    assert _rule(table, "road.national").id == "road"
    assert _rule(table, "road.regency").location is LocationRole.REGENCY
    # the order in the file does not change the outcome
    reordered = _load(tmp_path, "\n".join(reversed(_VALID_RULES.strip().splitlines())), tree, directory)
    assert _rule(reordered, "road.regency").id == "road.regency"
    assert table.rule_for("road") is None  # groups are never routed


def test_the_shipped_table_prefers_the_specific_civil_registry_rule(rules: RuleTable) -> None:
    assert _rule(rules, "civil_registry.id_card").id == "civil_registry"
    assert _rule(rules, "civil_registry.nik_data").agency == "KEMENDAGRI"


@pytest.mark.parametrize(
    ("rules_yaml", "message"),
    [
        (
            _VALID_RULES + "- {id: health.x, category: health, agency: BPOM}\n",
            "rule 'health.x' can never apply: rule 'health' already has category 'health'",
        ),
        (
            _VALID_RULES.replace("agency: KEMENKES", "agency: KEMKES"),
            "rule 'health': agency 'KEMKES' is not an agency in the directory; did you mean 'KEMENKES'",
        ),
        (
            _VALID_RULES.replace("category: health,", "category: helth,"),
            "rule 'health': category 'helth' is not in the category tree; did you mean 'health'",
        ),
        (
            _VALID_RULES.replace("id: health,", "id: road,"),
            "rule id 'road' is used twice",
        ),
        (
            _VALID_RULES.replace("agency: KEMENKES", "agency: KEMENKES, location: regency"),
            "rule #3 \\(id 'health'\\) names \\['agency', 'location'\\]; give exactly one",
        ),
        (
            _VALID_RULES.replace("location: regency", "location: city"),
            "location 'city'; use 'regency' or 'province'",
        ),
        (
            _VALID_RULES.replace("location: regency", "location: regency, level: provincial"),
            "rule 'road.regency': level 'provincial' does not match location 'regency'",
        ),
        (
            _VALID_RULES.replace("agency: KEMENKES", "agency: KEMENKES, shared: [BPOM]"),
            "unknown fields \\['shared'\\]; did you mean 'shared_with'",
        ),
        (
            _VALID_RULES.replace("agency: KEMENKES", "agency: KEMENKES, shared_with: [BPJS]"),
            "rule 'health': shared_with 'BPJS' is not an agency in the directory",
        ),
        (
            _VALID_RULES.replace("id: health,", "id: triage.health,"),
            "reserved for the router",
        ),
        (
            "- {id: road.regency, category: road.regency, location: regency}\n"
            "- {id: health, category: health, agency: KEMENKES}\n",
            "category 'road.national' has no rule",
        ),
        (
            _VALID_RULES.replace("agency: KEMENKES", "triage: sort it, refer_to: KPK"),
            "'refer_to' without 'out_of_scope'",
        ),
    ],
)
def test_a_broken_rule_table_names_the_rule_and_the_fix(
    tmp_path, tree: CategoryTree, directory: Directory, rules_yaml: str, message: str
) -> None:
    with pytest.raises(ConfigurationError, match=message):
        _load(tmp_path, rules_yaml, tree, directory)


def test_a_rule_file_that_is_not_a_rule_list_is_rejected(tmp_path, tree, directory) -> None:
    path = tmp_path / "rules.yaml"
    path.write_text("- {id: road, category: road, agency: KEMENPUPR}\n", encoding="utf-8")
    with pytest.raises(ConfigurationError, match="expected a mapping with a 'rules' list"):
        RuleTable.load(path, categories=tree, directory=directory)
    with pytest.raises(ConfigurationError, match="cannot read the file"):
        RuleTable.load(tmp_path / "missing.yaml", categories=tree, directory=directory)


def test_the_shipped_table_loads_against_the_shipped_tree_and_directory(rules: RuleTable) -> None:
    assert len(rules) >= 150
    assert all(rules.rule_for(leaf.code) is not None for leaf in rules.categories.leaves())
    assert rules.get("road.national").agency == "KEMENPUPR"
