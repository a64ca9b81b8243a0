"""Reading a request's JSON body defensively: hostile input is normal input.

Limits are enforced before parsing cost can grow: the body is read up to its limit and no
further, nesting is counted on the raw bytes before the parser recurses, and what the parser
would accept but nothing downstream can store (``NaN``, ``Infinity``, numbers too large for a
float, integers of thousands of digits, lone UTF-16 surrogates) is refused. Every refusal is an
:class:`~lapor_hub.streams.web.responses.ApiError` with a 4xx status that says what is wrong.
"""

from __future__ import annotations

import json
import math
import re
from typing import Any

from lapor_hub.streams.web.responses import ApiError

__all__ = ["read_json_object", "read_form", "parse_json_object", "MAX_DEPTH"]

#: Deeper nesting than any request of this API needs.
MAX_DEPTH = 8
_MAX_INT_DIGITS = 19
_STRUCTURE = re.compile(rb'[\[\]{}"]')


async def read_json_object(request, *, max_bytes: int) -> tuple[bytes, dict[str, Any]]:
    """The raw body and its JSON object; ApiError (400, 413, 415) when it is not acceptable."""
    content_type = (request.headers.get("Content-Type") or "application/json").split(";")[0].strip().lower()
    if content_type not in ("application/json", "text/json") and not content_type.endswith("+json"):
        raise ApiError(415, "unsupported_media_type", "send the body as JSON with Content-Type: application/json")
    raw = await _read_limited(request, max_bytes)
    return raw, parse_json_object(raw)


async def read_form(request, *, max_bytes: int) -> bytes:
    """The raw body of an HTML form post (``application/x-www-form-urlencoded``); ApiError 413, 415."""
    content_type = (request.headers.get("Content-Type") or "").split(";")[0].strip().lower()
    if content_type != "application/x-www-form-urlencoded":
        raise ApiError(415, "unsupported_media_type",
                       "send the parameters as a form with Content-Type: application/x-www-form-urlencoded")
    return await _read_limited(request, max_bytes)


async def _read_limited(request, max_bytes: int) -> bytes:
    declared = request.headers.get("Content-Length")
    if declared is not None and declared.isdigit() and int(declared) > max_bytes:
        raise _too_large(max_bytes)
    raw = await _read_at_most(request, max_bytes + 1)
    if len(raw) > max_bytes:
        raise _too_large(max_bytes)
    return raw


def parse_json_object(raw: bytes) -> dict[str, Any]:
    """The JSON object in ``raw`` (an empty body is ``{}``); ApiError 400 otherwise."""
    if not raw.strip():
        return {}
    if _depth(raw) > MAX_DEPTH:
        raise ApiError(400, "invalid_json", f"the body is nested deeper than {MAX_DEPTH} levels")
    try:
        value = json.loads(raw, parse_constant=_no_constant, parse_float=_finite_float, parse_int=_bounded_int)
    except _Refused as exc:
        raise ApiError(400, "invalid_json", str(exc)) from None
    except (ValueError, RecursionError):
        raise ApiError(400, "invalid_json", "the body is not valid JSON (UTF-8)") from None
    if not isinstance(value, dict):
        raise ApiError(400, "invalid_json", "the body must be a JSON object")
    _check_text(value)
    return value


class _Refused(ValueError):
    pass


def _too_large(max_bytes: int) -> ApiError:
    return ApiError(413, "payload_too_large", f"the body may be at most {max_bytes} bytes")


async def _read_at_most(request, limit: int) -> bytes:
    content = getattr(request, "content", None)
    if content is None:
        return await request.read()
    chunks, size = [], 0
    while size < limit:
        chunk = await content.read(limit - size)
        if not chunk:
            break
        chunks.append(chunk)
        size += len(chunk)
    return b"".join(chunks)


def _depth(raw: bytes) -> int:
    """The deepest nesting of arrays and objects, counted outside strings."""
    depth = deepest = 0
    in_string = False
    for match in _STRUCTURE.finditer(raw):
        char = match.group()
        if char == b'"':
            if not _is_escaped(raw, match.start()):
                in_string = not in_string
        elif in_string:
            continue
        elif char in (b"[", b"{"):
            depth += 1
            deepest = max(deepest, depth)
        else:
            depth -= 1
    return deepest


def _is_escaped(raw: bytes, index: int) -> bool:
    """Whether the character at ``index`` is preceded by an odd number of backslashes."""
    count = 0
    while index > 0 and raw[index - 1] == 0x5C:
        count += 1
        index -= 1
    return count % 2 == 1


def _no_constant(name: str) -> float:
    raise _Refused(f"{name} is not a JSON number; send a finite number")


def _finite_float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise _Refused("a number in the body is too large; send a finite number")
    return value


def _bounded_int(text: str) -> int:
    if len(text.lstrip("-")) > _MAX_INT_DIGITS:
        raise _Refused(f"a whole number in the body has more than {_MAX_INT_DIGITS} digits")
    return int(text)


def _check_text(value: Any) -> None:
    """Refuse strings that cannot be stored as UTF-8 (lone surrogates), anywhere in the body."""
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            _utf8(item)
        elif isinstance(item, dict):
            for key, nested in item.items():
                _utf8(key)
                stack.append(nested)
        elif isinstance(item, list):
            stack.extend(item)


def _utf8(text: str) -> None:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        raise ApiError(400, "invalid_json", "a string in the body is not valid Unicode (a lone surrogate)") from None
