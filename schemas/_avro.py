"""Avro schema plumbing shared by the catalog and the compatibility check.

- :func:`expand` inlines named types kept in their own files, so every event schema becomes a
  standalone schema that a Schema Registry (and fastavro) can use on its own.
- :func:`normalize` turns a standalone schema into a graph of plain dicts in which every
  reference points at its definition, with full names everywhere; it validates the schema on
  the way (unknown names, duplicate names, malformed unions, defaults that do not fit).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any, Union

from lapor_hub.errors import HubError

__all__ = ["InvalidSchemaError", "Node", "PRIMITIVES", "expand", "full_name", "normalize"]

PRIMITIVES = frozenset({"null", "boolean", "int", "long", "float", "double", "bytes", "string"})
_NAMED = ("record", "error", "enum", "fixed")
_INT_RANGE = {"int": (-(2**31), 2**31 - 1), "long": (-(2**63), 2**63 - 1)}

#: A normalized schema node: a dict with "type", or a list (a union) of nodes.
Node = Union[dict, list]


class InvalidSchemaError(HubError, ValueError):
    """The text is not a valid Avro schema; the message says where."""


def full_name(name: str, namespace: str | None) -> str:
    """Avro full name: a dotted name stands alone, a simple one joins the namespace."""
    if "." in name or not namespace:
        return name
    return f"{namespace}.{name}"


def expand(schema: Any, types: Mapping[str, Any], namespace: str | None = None) -> Any:
    """``schema`` with references to ``types`` (full name → definition) inlined.

    Each named type is inlined at its first use and referenced by full name afterwards,
    as Avro requires; names defined inside ``schema`` itself are left alone.
    """
    return _expand(schema, types, namespace, set())


def _expand(schema: Any, types: Mapping[str, Any], ns: str | None, defined: set) -> Any:
    if isinstance(schema, str):
        if schema in PRIMITIVES:
            return schema
        name = full_name(schema, ns)
        if name in defined:
            return name
        if name not in types:
            raise InvalidSchemaError(
                f"unknown type {name!r}: define it inline or list its file under 'types' "
                "in schemas/catalog.json"
            )
        return _expand(types[name], types, ns, defined)
    if isinstance(schema, list):
        return [_expand(branch, types, ns, defined) for branch in schema]
    if not isinstance(schema, dict):
        raise InvalidSchemaError(f"a schema must be a string, list or object, not {type(schema).__name__}")
    kind = schema.get("type")
    out = dict(schema)
    if kind in _NAMED:
        name = full_name(schema["name"], schema.get("namespace", ns))
        defined.add(name)
        if kind in ("record", "error"):
            inner_ns = name.rpartition(".")[0] or None
            out["fields"] = [
                {**field, "type": _expand(field["type"], types, inner_ns, defined)}
                for field in schema["fields"]
            ]
    elif kind == "array":
        out["items"] = _expand(schema["items"], types, ns, defined)
    elif kind == "map":
        out["values"] = _expand(schema["values"], types, ns, defined)
    elif isinstance(kind, (dict, list)) or (isinstance(kind, str) and kind not in PRIMITIVES):
        # {"type": "Reporter"} or {"type": {...}}: a wrapped schema
        return _expand(kind, types, ns, defined)
    return out


def normalize(schema: Any) -> Node:
    """The schema as a graph of dicts (see the module docstring); raises InvalidSchemaError."""
    return _Normalizer().node(schema, None, "$")


class _Normalizer:
    def __init__(self) -> None:
        self.named: dict[str, dict] = {}

    def node(self, schema: Any, ns: str | None, path: str) -> Node:
        if isinstance(schema, str):
            if schema in PRIMITIVES:
                return {"type": schema}
            name = full_name(schema, ns)
            if name not in self.named:
                raise InvalidSchemaError(f"{path}: unknown type {name!r}")
            return self.named[name]
        if isinstance(schema, list):
            return self._union(schema, ns, path)
        if not isinstance(schema, dict) or "type" not in schema:
            raise InvalidSchemaError(f"{path}: expected a type name, a union or an object with 'type'")
        kind = schema["type"]
        if isinstance(kind, (dict, list)) or (
            isinstance(kind, str) and kind not in PRIMITIVES and kind not in _NAMED + ("array", "map")
        ):
            return self.node(kind, ns, path)
        if kind in PRIMITIVES:
            node = {"type": kind}
            if isinstance(schema.get("logicalType"), str):
                node["logicalType"] = schema["logicalType"]
            return node
        if kind == "array":
            return {"type": "array", "items": self.node(_required(schema, "items", path), ns, f"{path}[]")}
        if kind == "map":
            return {"type": "map", "values": self.node(_required(schema, "values", path), ns, f"{path}{{}}")}
        return self._named(schema, ns, path)

    def _union(self, branches: list, ns: str | None, path: str) -> list:
        nodes = [self.node(branch, ns, path) for branch in branches]
        keys = []
        for node in nodes:
            if isinstance(node, list):
                raise InvalidSchemaError(f"{path}: a union may not directly contain a union")
            keys.append(node.get("name", node["type"]))
        if len(set(keys)) != len(keys):
            raise InvalidSchemaError(f"{path}: a union may hold each type only once")
        return nodes

    def _named(self, schema: dict, ns: str | None, path: str) -> dict:
        kind = "record" if schema["type"] == "error" else schema["type"]
        name = full_name(_required(schema, "name", path), schema.get("namespace", ns))
        if name in self.named:
            raise InvalidSchemaError(f"{path}: type {name!r} is defined twice")
        inner_ns = name.rpartition(".")[0] or None
        node: dict = {"type": kind, "name": name}
        node["aliases"] = [full_name(a, inner_ns) for a in schema.get("aliases", ())]
        self.named[name] = node  # registered before the fields: records may be recursive
        if kind == "enum":
            symbols = _required(schema, "symbols", path)
            if len(set(symbols)) != len(symbols):
                raise InvalidSchemaError(f"{path}: enum {name} repeats a symbol")
            node["symbols"] = list(symbols)
            if "default" in schema:
                if schema["default"] not in symbols:
                    raise InvalidSchemaError(f"{path}: default of enum {name} is not one of its symbols")
                node["default"] = schema["default"]
        elif kind == "fixed":
            node["size"] = _required(schema, "size", path)
        else:
            node["fields"] = []
            seen: set[str] = set()
            for field in _required(schema, "fields", path):
                fname = _required(field, "name", path)
                if fname in seen:
                    raise InvalidSchemaError(f"{path}: record {name} repeats field {fname!r}")
                seen.add(fname)
                fpath = f"{path}.{fname}"
                out = {"name": fname, "type": self.node(_required(field, "type", fpath), inner_ns, fpath)}
                out["aliases"] = list(field.get("aliases", ()))
                if "default" in field:
                    if not _default_fits(out["type"], field["default"]):
                        raise InvalidSchemaError(
                            f"{fpath}: the default does not fit the field's type "
                            "(for a union, the default must fit its first branch)"
                        )
                    out["default"] = field["default"]
                node["fields"].append(out)
        return node


def _required(schema: Any, key: str, path: str) -> Any:
    if not isinstance(schema, dict) or key not in schema:
        raise InvalidSchemaError(f"{path}: missing {key!r}")
    return schema[key]


def _default_fits(node: Node, value: Any) -> bool:
    """Whether a JSON default fits the type (Avro spec, "default values")."""
    if isinstance(node, list):
        return bool(node) and _default_fits(node[0], value)
    kind = node["type"]
    if kind == "null":
        return value is None
    if kind == "boolean":
        return isinstance(value, bool)
    if kind in _INT_RANGE:
        low, high = _INT_RANGE[kind]
        return isinstance(value, int) and not isinstance(value, bool) and low <= value <= high
    if kind in ("float", "double"):
        return isinstance(value, (int, float)) and not isinstance(value, bool) and not math.isnan(value)
    if kind in ("bytes", "string"):
        return isinstance(value, str)
    if kind == "enum":
        return value in node["symbols"]
    if kind == "fixed":
        return isinstance(value, str) and len(value) == node["size"]
    if kind == "array":
        return isinstance(value, list) and all(_default_fits(node["items"], v) for v in value)
    if kind == "map":
        return isinstance(value, dict) and all(_default_fits(node["values"], v) for v in value.values())
    if kind == "record":
        return isinstance(value, dict) and all(
            _default_fits(f["type"], value[f["name"]]) if f["name"] in value else "default" in f
            for f in node["fields"]
        )
    return False
