"""GeoReport v2 documents in the two formats the specification defines, and its error format.

The JSON form follows the Spark convention the specification uses: a document is an array of
items (or an object), and a container element of repeated children becomes an array. The XML
form is the mapping back: ``[{"service_code": ...}]`` with root ``services`` and item
``service`` is ``<services><service><service_code>...``. Both are built from the same plain data,
so they cannot say different things.

XML is schemaless and without a namespace, as the specification recommends; ``true``/``false``
for booleans, an empty element for a null, date-times in the W3C profile of ISO 8601 with a
zone (``2026-11-30T03:31:56Z``). Text is stripped of the characters XML 1.0 cannot carry
(control characters a JSON submission may have held), so every document is well-formed.

Errors are ``[{"code", "description"}]`` / ``<errors><error><code/><description/></error></errors>``,
with the HTTP status as the code.
"""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from lapor_hub.streams.web.endpoints import Reply

__all__ = ["FORMATS", "CONTENT_TYPES", "render", "render_errors", "w3c", "Document"]

#: The formats a path may end in, and what each is sent as.
FORMATS = ("xml", "json")
CONTENT_TYPES = {"xml": "text/xml; charset=utf-8", "json": "application/json; charset=utf-8"}
#: Containers of repeated children (Spark convention): container -> child element.
_CHILDREN = {"services": "service", "service_requests": "request", "attributes": "attribute", "values": "value",
             "endpoints": "endpoint", "formats": "format", "errors": "error"}
_NOT_XML = re.compile("[^\u0009\u000a\u000d\u0020-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")

#: Plain data: dicts, lists, text, numbers, booleans, None and aware datetimes.
Document = Mapping[str, Any] | Sequence[Mapping[str, Any]]


def w3c(at: datetime | None) -> str | None:
    """An instant as the specification writes it (UTC, whole seconds, ``Z``)."""
    if at is None:
        return None
    return at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def render(fmt: str, root: str, document: Document, *, status: int = 200,
           headers: Mapping[str, str] | None = None) -> Reply:
    """``document`` in ``fmt``; a list becomes the repeated children of ``root``."""
    if fmt == "json":
        body = json.dumps(_jsonable(document), ensure_ascii=False, separators=(",", ":")).encode()
    else:
        element = ET.Element(root)
        _fill(element, root, document)
        body = ET.tostring(element, encoding="UTF-8", xml_declaration=True)
    return Reply(body, status=status, headers={"Content-Type": CONTENT_TYPES[fmt], **(headers or {})})


def render_errors(fmt: str, status: int, descriptions: Sequence[str], *,
                  headers: Mapping[str, str] | None = None) -> Reply:
    """The specification's error document: one ``{code, description}`` per problem, the code the HTTP status."""
    return render(fmt if fmt in FORMATS else "xml", "errors",
                  [{"code": status, "description": d} for d in descriptions], status=status, headers=headers)


def _jsonable(value: Any) -> Any:
    if isinstance(value, datetime):
        return w3c(value)
    if isinstance(value, Mapping):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    return value


def _fill(element: ET.Element, name: str, value: Any) -> None:
    if isinstance(value, Mapping):
        for key, nested in value.items():
            _fill(ET.SubElement(element, key), key, nested)
    elif isinstance(value, (list, tuple)):
        child = _CHILDREN[name]
        for item in value:
            _fill(ET.SubElement(element, child), child, item)
    elif value is not None:
        element.text = _text(value)


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime):
        return w3c(value) or ""
    return _NOT_XML.sub("\ufffd", str(value))
