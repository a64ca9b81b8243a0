"""The routing rule table: which agency has authority over which categories.

The table is data (``rules.yaml``, whose header documents the format and semantics). This module
parses it, checks it against the category tree and the agency directory, and answers one
question: which rule applies to a leaf category. The most specific matching category wins; two
rules for the same category are rejected, so there are no ties to break.
"""

from __future__ import annotations

import difflib
import enum
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from lapor_hub.errors import ConfigurationError
from lapor_hub.streams.directory import Directory, Level, default_directory
from lapor_hub.streams.routing._yaml import load_data_file
from lapor_hub.streams.routing.categories import CategoryTree, default_categories, is_within

__all__ = ["LocationRole", "Rule", "RuleTable", "TRIAGE_PREFIX", "default_rule_table"]

#: Rule ids the router uses for its own triage decisions; data rules may not use the prefix.
TRIAGE_PREFIX = "triage."

_RULE_ID = re.compile(r"^[a-z][a-z0-9_]*(\.[a-z0-9_]+)*$")
_FIELDS = ("id", "category", "agency", "location", "out_of_scope", "refer_to", "triage", "level", "shared_with")
_TARGETS = ("agency", "location", "out_of_scope", "triage")


class LocationRole(str, enum.Enum):
    """An agency named by the complaint's location rather than by a fixed code."""

    REGENCY = "regency"  # the regency/city of the region code
    PROVINCE = "province"  # the province of the region code

    @property
    def level(self) -> Level:
        return Level.REGENCY if self is LocationRole.REGENCY else Level.PROVINCIAL


@dataclass(frozen=True, slots=True)
class Rule:
    """One row of the table. Exactly one of agency, location, out_of_scope, triage is set."""

    id: str
    category: str
    agency: str | None = None
    location: LocationRole | None = None
    #: Where such complaints belong instead; the complaint goes to the national admin's triage.
    out_of_scope: str | None = None
    #: The agency with its own channel for out-of-scope complaints, named in the reason.
    refer_to: str | None = None
    #: Why a person must classify complaints of this category.
    triage: str | None = None
    #: The declared level of authority, if the file states one; checked against agency/location.
    level: Level | None = None
    #: Agencies sharing authority: honoured when the reporter picks them, never the default.
    shared_with: tuple[str, ...] = ()

    @property
    def sends_to_triage(self) -> bool:
        return self.out_of_scope is not None or self.triage is not None

    @property
    def specificity(self) -> int:
        return self.category.count(".") + 1

    def matches(self, category: str) -> bool:
        return is_within(category, self.category)


class RuleTable:
    """A checked, immutable rule table bound to its category tree."""

    def __init__(
        self,
        rules: Iterable[Rule],
        *,
        categories: CategoryTree,
        directory: Directory,
        where: str = "rule table",
    ) -> None:
        self._rules = tuple(rules)
        self._categories = categories
        self._by_id: dict[str, Rule] = {}
        by_category: dict[str, Rule] = {}
        for rule in self._rules:
            _check_rule(rule, categories, directory, where)
            if rule.id in self._by_id:
                raise ConfigurationError(
                    f"{where}: rule id {rule.id!r} is used twice; give each rule a unique id"
                )
            earlier = by_category.get(rule.category)
            if earlier is not None:
                raise ConfigurationError(
                    f"{where}: rule {rule.id!r} can never apply: rule {earlier.id!r} already has "
                    f"category {rule.category!r}; merge the two or make one more specific"
                )
            self._by_id[rule.id] = rule
            by_category[rule.category] = rule
        self._by_leaf = _winning_rules(self._rules, categories, where)

    @classmethod
    def load(
        cls,
        path: str | Path | None = None,
        *,
        categories: CategoryTree | None = None,
        directory: Directory | None = None,
    ) -> RuleTable:
        """Read and check a rule file; the one shipped with the hub when ``path`` is None.

        Raises :class:`ConfigurationError` naming the rule and what to fix.
        """
        content, where = load_data_file(path, "rules.yaml")
        if not isinstance(content, dict) or not isinstance(content.get("rules"), list):
            raise ConfigurationError(f"{where}: expected a mapping with a 'rules' list")
        rules = [_parse_rule(raw, n, where) for n, raw in enumerate(content["rules"], start=1)]
        return cls(
            rules,
            categories=default_categories() if categories is None else categories,
            directory=default_directory() if directory is None else directory,
            where=where,
        )

    @property
    def categories(self) -> CategoryTree:
        return self._categories

    def __iter__(self) -> Iterator[Rule]:
        return iter(self._rules)

    def __len__(self) -> int:
        return len(self._rules)

    def get(self, rule_id: str) -> Rule:
        """The rule with ``rule_id``; KeyError when there is none."""
        return self._by_id[rule_id]

    def rule_for(self, category: str) -> Rule | None:
        """The rule that applies to a leaf category; None for unknown codes and groups."""
        return self._by_leaf.get(category)


@cache
def default_rule_table() -> RuleTable:
    """The table shipped with the hub, checked against the shipped tree and directory, read once."""
    return RuleTable.load()


def _parse_rule(raw: Any, number: int, where: str) -> Rule:
    if not isinstance(raw, dict):
        raise ConfigurationError(f"{where}: rule #{number} must be a mapping with 'id' and 'category'")
    name = f"rule #{number} (id {raw['id']!r})" if isinstance(raw.get("id"), str) else f"rule #{number}"
    unknown = sorted(set(raw) - set(_FIELDS))
    if unknown:
        hints = [difflib.get_close_matches(str(f), _FIELDS, n=1) for f in unknown]
        hint = "".join(f"; did you mean {h[0]!r}?" for h in hints if h)
        raise ConfigurationError(f"{where}: {name} has unknown fields {unknown}{hint}")
    for field in ("id", "category"):
        if not isinstance(raw.get(field), str) or not raw[field]:
            raise ConfigurationError(f"{where}: {name} needs a non-empty {field!r}")
    targets = [t for t in _TARGETS if raw.get(t) is not None]
    if len(targets) != 1:
        raise ConfigurationError(
            f"{where}: {name} names {targets or 'nothing'}; give exactly one of "
            "'agency', 'location', 'out_of_scope' or 'triage'"
        )
    location = raw.get("location")
    if location is not None and location not in {r.value for r in LocationRole}:
        raise ConfigurationError(
            f"{where}: {name} has location {location!r}; use 'regency' or 'province'"
        )
    level = raw.get("level")
    if level is not None and level not in {lv.value for lv in Level}:
        raise ConfigurationError(
            f"{where}: {name} has level {level!r}; use 'national', 'provincial' or 'regency'"
        )
    shared = raw.get("shared_with", [])
    if not isinstance(shared, list) or not all(isinstance(c, str) for c in shared):
        raise ConfigurationError(f"{where}: {name} has 'shared_with' that is not a list of agency codes")
    if raw.get("refer_to") is not None and raw.get("out_of_scope") is None:
        raise ConfigurationError(f"{where}: {name} has 'refer_to' without 'out_of_scope'")
    for field in ("agency", "out_of_scope", "refer_to", "triage"):
        if raw.get(field) is not None and not isinstance(raw[field], str):
            raise ConfigurationError(f"{where}: {name} has a {field!r} that is not text")
    return Rule(
        id=raw["id"],
        category=raw["category"],
        agency=raw.get("agency"),
        location=LocationRole(location) if location else None,
        out_of_scope=raw.get("out_of_scope"),
        refer_to=raw.get("refer_to"),
        triage=raw.get("triage"),
        level=Level(level) if level else None,
        shared_with=tuple(shared),
    )


def _check_rule(rule: Rule, categories: CategoryTree, directory: Directory, where: str) -> None:
    name = f"rule {rule.id!r}"
    if not _RULE_ID.match(rule.id):
        raise ConfigurationError(
            f"{where}: {name}: ids are lower-case dotted words such as 'road.regency'"
        )
    if rule.id.startswith(TRIAGE_PREFIX):
        raise ConfigurationError(
            f"{where}: {name}: ids starting with {TRIAGE_PREFIX!r} are reserved for the router; rename it"
        )
    if rule.category not in categories:
        hint = difflib.get_close_matches(rule.category, [c.code for c in categories], n=1)
        raise ConfigurationError(
            f"{where}: {name}: category {rule.category!r} is not in the category tree"
            + (f"; did you mean {hint[0]!r}?" if hint else "; add it to categories.yaml first")
        )
    for field, code in (("agency", rule.agency), ("refer_to", rule.refer_to)) + tuple(
        ("shared_with", c) for c in rule.shared_with
    ):
        if code is not None and code not in directory:
            codes = [a.code for a in directory if not a.is_regional]
            hint = difflib.get_close_matches(code, codes, n=1)
            raise ConfigurationError(
                f"{where}: {name}: {field} {code!r} is not an agency in the directory"
                + (f"; did you mean {hint[0]!r}?" if hint else "")
            )
    if rule.shared_with and rule.sends_to_triage:
        raise ConfigurationError(f"{where}: {name}: 'shared_with' makes no sense on a triage rule; drop it")
    if rule.agency is not None and rule.agency in rule.shared_with:
        raise ConfigurationError(f"{where}: {name}: {rule.agency!r} is both the agency and in 'shared_with'")
    actual = (
        rule.location.level if rule.location else directory.get(rule.agency).level if rule.agency else None
    )
    if rule.level is not None and rule.level is not actual:
        assigned = f"location {rule.location.value!r}" if rule.location else f"agency {rule.agency!r}"
        raise ConfigurationError(
            f"{where}: {name}: level {rule.level.value!r} does not match {assigned}, which is "
            f"{actual.value + '-level' if actual else 'a triage rule without a level'}; fix or drop 'level'"
        )


def _winning_rules(rules: tuple[Rule, ...], categories: CategoryTree, where: str) -> dict[str, Rule]:
    winners: dict[str, Rule] = {}
    for leaf in categories.leaves():
        matching = [r for r in rules if r.matches(leaf.code)]
        if not matching:
            raise ConfigurationError(
                f"{where}: category {leaf.code!r} has no rule; add a rule for it or for one of "
                "its groups (a complaint in it would otherwise have nowhere to go)"
            )
        # Categories are unique per rule, so the most specific match is unique too.
        winners[leaf.code] = max(matching, key=lambda r: r.specificity)
    return winners
