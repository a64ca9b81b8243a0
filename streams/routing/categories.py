"""The complaint category tree: stable dotted codes with Indonesian and English labels.

The tree is data (``categories.yaml``). A complaint carries the code of one leaf; groups exist
so that rules can match many leaves at once and so that channels can show a browsable menu.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from lapor_hub.errors import ConfigurationError, SkippableError
from lapor_hub.streams.routing._yaml import load_data_file

__all__ = ["Category", "CategoryTree", "UnknownCategoryError", "default_categories", "is_within"]

_SEGMENT = re.compile(r"^[a-z][a-z0-9_]*$")
_NODE_FIELDS = frozenset({"id", "en", "children"})


def is_within(code: str, prefix: str) -> bool:
    """Whether ``code`` is ``prefix`` or lies below it, comparing whole dotted segments."""
    return code == prefix or code.startswith(prefix + ".")


@dataclass(frozen=True, slots=True)
class Category:
    code: str
    #: Label in Bahasa Indonesia, shown to citizens.
    label_id: str
    #: Label in English, used in routing reasons and operator tools.
    label_en: str
    #: Codes of the children in file order; empty for a leaf.
    children: tuple[str, ...] = ()

    @property
    def is_leaf(self) -> bool:
        return not self.children

    @property
    def parent(self) -> str | None:
        head, dot, _ = self.code.rpartition(".")
        return head if dot else None

    @property
    def depth(self) -> int:
        return self.code.count(".") + 1


class UnknownCategoryError(SkippableError, LookupError):
    """A code names no category in the tree."""

    def __init__(self, code: str) -> None:
        super().__init__(
            f"unknown category code {code!r}: use a leaf code from GET /api/v1/categories, "
            "such as 'infrastructure.road.regency'"
        )
        self.code = code


class CategoryTree:
    """An immutable index of categories by code, keeping the file's order."""

    def __init__(self, categories: Iterable[Category]) -> None:
        self._by_code: dict[str, Category] = {}
        for category in categories:
            if category.code in self._by_code:
                raise ConfigurationError(f"category {category.code!r} appears twice in the tree")
            self._by_code[category.code] = category
        for category in self._by_code.values():
            missing = [c for c in category.children if c not in self._by_code]
            if missing:
                raise ConfigurationError(
                    f"category {category.code!r} lists children that are not in the tree: {missing}"
                )

    @classmethod
    def load(cls, path: str | Path | None = None) -> CategoryTree:
        """Read and check a tree file; the one shipped with the hub when ``path`` is None."""
        content, where = load_data_file(path, "categories.yaml")
        if not isinstance(content, dict) or not content:
            raise ConfigurationError(f"{where}: expected a mapping of top-level categories")
        return cls(_parse_nodes(content, parent=None, where=where))

    def __len__(self) -> int:
        return len(self._by_code)

    def __iter__(self) -> Iterator[Category]:
        return iter(self._by_code.values())

    def __contains__(self, code: object) -> bool:
        return code in self._by_code

    def get(self, code: str) -> Category:
        """The category with ``code``; :class:`UnknownCategoryError` when there is none."""
        try:
            return self._by_code[code]
        except KeyError:
            raise UnknownCategoryError(code) from None

    def is_leaf(self, code: str) -> bool:
        """Whether ``code`` is a leaf, i.e. a code a complaint may carry. False for unknown codes."""
        category = self._by_code.get(code)
        return category is not None and category.is_leaf

    def leaves(self) -> tuple[Category, ...]:
        return tuple(c for c in self._by_code.values() if c.is_leaf)

    def roots(self) -> tuple[Category, ...]:
        return tuple(c for c in self._by_code.values() if c.parent is None)

    def leaves_within(self, prefix: str) -> tuple[Category, ...]:
        return tuple(c for c in self.leaves() if is_within(c.code, prefix))

    def as_json(self) -> dict[str, Any]:
        """The tree as JSON-ready data, the body of ``GET /api/v1/categories``.

        ``{"categories": [{"code", "label": {"id", "en"}, "leaf", "children": [...]}, ...]}``;
        only leaves (``"leaf": true``) may be used as a complaint's category.
        """
        return {"categories": [self._node_json(root) for root in self.roots()]}

    def _node_json(self, category: Category) -> dict[str, Any]:
        return {
            "code": category.code,
            "label": {"id": category.label_id, "en": category.label_en},
            "leaf": category.is_leaf,
            "children": [self._node_json(self._by_code[c]) for c in category.children],
        }


@cache
def default_categories() -> CategoryTree:
    """The tree shipped with the hub, read once per process."""
    return CategoryTree.load()


def _parse_nodes(nodes: dict[Any, Any], *, parent: str | None, where: str) -> list[Category]:
    parsed: list[Category] = []
    for key, node in nodes.items():
        code = f"{parent}.{key}" if parent else str(key)
        if not isinstance(key, str) or not _SEGMENT.match(key):
            raise ConfigurationError(
                f"{where}: category key {code!r} is not valid: use lower-case ASCII letters, "
                "digits and underscores, starting with a letter"
            )
        if not isinstance(node, dict):
            raise ConfigurationError(
                f"{where}: category {code!r} must be a mapping with 'id' and 'en' labels"
            )
        unknown = sorted(set(node) - _NODE_FIELDS)
        if unknown:
            raise ConfigurationError(
                f"{where}: category {code!r} has unknown fields {unknown}; "
                "allowed are 'id', 'en' and 'children'"
            )
        for language in ("id", "en"):
            label = node.get(language)
            if not isinstance(label, str) or not label.strip():
                raise ConfigurationError(
                    f"{where}: category {code!r} needs a non-empty {language!r} label"
                )
        children = node.get("children")
        if children is not None and (not isinstance(children, dict) or not children):
            raise ConfigurationError(
                f"{where}: category {code!r} has 'children' that is not a non-empty mapping; "
                "drop the field to make it a leaf"
            )
        below = _parse_nodes(children, parent=code, where=where) if children else []
        child_codes = tuple(c.code for c in below if c.parent == code)
        parsed.append(Category(code, node["id"].strip(), node["en"].strip(), child_codes))
        parsed.extend(below)
    return parsed
