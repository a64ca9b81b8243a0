"""Reading the fields of an action's JSON body: every problem reported at once, as 422."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from lapor_hub.streams.directory import Directory
from lapor_hub.streams.web.responses import ApiError

__all__ = ["Field", "read_fields"]


@dataclass(frozen=True)
class Field:
    name: str
    #: ``text``, ``agency`` (a code of the directory), ``choice`` (one of ``choices``), ``rating``
    #: (a whole number from 1 to 5) or ``attachments`` (a list of {name, content_type, url, size_bytes?}).
    kind: str = "text"
    required: bool = True
    max_length: int = 2000
    choices: tuple[str, ...] = ()


def read_fields(body: Mapping[str, Any], fields: Sequence[Field], directory: Directory, *,
                allowed_extra: Sequence[str] = ()) -> dict[str, Any]:
    """The fields' values (None when an optional one is absent); ApiError 422 naming every problem.

    Messages never repeat what was sent: it may be personal data.
    """
    problems: list[dict[str, str]] = []
    values: dict[str, Any] = {}
    known = {f.name for f in fields} | set(allowed_extra)
    for name in sorted(set(body) - known):
        problems.append(_problem(name, "unknown_field", f"{name} is not a field of this action"))
    for spec in fields:
        raw = body.get(spec.name)
        if raw is None or (isinstance(raw, str) and not raw.strip()):
            if spec.required:
                problems.append(_problem(spec.name, "required", f"{spec.name} is required"))
            values[spec.name] = [] if spec.kind == "attachments" else None
            continue
        value, problem = _read(spec, raw, directory)
        if problem:
            problems.append(problem)
        values[spec.name] = value
    if problems:
        raise ApiError(422, "invalid_fields", "the request has invalid fields", fields=problems)
    return values


def _read(spec: Field, raw: Any, directory: Directory) -> tuple[Any, dict | None]:
    if spec.kind == "attachments":
        return _attachments(spec.name, raw)
    if spec.kind == "rating":
        if isinstance(raw, bool) or not isinstance(raw, int) or not 1 <= raw <= 5:
            return None, _problem(spec.name, "invalid", f"{spec.name} is a whole number from 1 to 5")
        return raw, None
    if not isinstance(raw, str):
        return None, _problem(spec.name, "type", f"{spec.name} must be text")
    text = raw.strip()
    if len(text) > spec.max_length:
        return None, _problem(spec.name, "too_long", f"{spec.name} is at most {spec.max_length} characters")
    if spec.kind == "agency" and text not in directory:
        return None, _problem(spec.name, "unknown", f"{spec.name} is not an agency code of the directory "
                                                    "(see `lapor-hub directory list`)")
    if spec.kind == "choice" and text.upper() not in spec.choices:
        return None, _problem(spec.name, "unknown", f"{spec.name} must be one of {', '.join(spec.choices)}")
    return (text.upper() if spec.kind == "choice" else text), None


def _attachments(name: str, raw: Any) -> tuple[list, dict | None]:
    if not isinstance(raw, list) or len(raw) > 10:
        return [], _problem(name, "type", f"{name} must be a list of at most 10 {{name, content_type, url}}")
    out = []
    for item in raw:
        if not isinstance(item, dict) or not all(isinstance(item.get(k), str) and item[k].strip()
                                                  for k in ("name", "content_type", "url")):
            return [], _problem(name, "type", f"each of {name} needs text name, content_type and url")
        if not item["url"].startswith("https://") or len(item["url"]) > 2000 or len(item["name"]) > 255:
            return [], _problem(name, "invalid", f"each of {name} needs an https url (at most 2000 characters)")
        size = item.get("size_bytes")
        if size is not None and (not isinstance(size, int) or isinstance(size, bool) or not 0 <= size <= 10**10):
            return [], _problem(name, "invalid", f"size_bytes in {name} must be a whole number of bytes")
        out.append({"name": item["name"].strip(), "content_type": item["content_type"].strip(),
                    "url": item["url"].strip(), "size_bytes": size})
    return out, None


def _problem(field: str, code: str, message: str) -> dict[str, str]:
    return {"field": field, "code": code, "message": message}
