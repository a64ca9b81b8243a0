"""One YAML file per connector instance: read, secrets resolved, validated before anything starts.

Secrets never sit in the file: ``${ENV_NAME}`` is replaced by an environment variable and
``<key>_file: path`` by the file's content (Docker/Kubernetes secrets). They are held as
:class:`pydantic.SecretStr` and never printed. Every mistake is a :class:`ConfigurationError`
naming the key and what to do. :func:`config_schema` is the file's JSON Schema for one
connector type (``lapor-connect spec TYPE``).
"""

from __future__ import annotations

import os
import re
import typing
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ValidationError

from lapor_hub.connectors.sdk.config import ConnectorConfig, full_config_model
from lapor_hub.connectors.sdk.registry import connector_class
from lapor_hub.errors import ConfigurationError
from lapor_hub.streams.directory import Directory

__all__ = ["load_config", "build_config", "config_schema"]

_ENV_REF = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}")
_SECRET_WORDS = ("password", "secret", "key", "token", "url")
_SHARED_SECRETS = ("password", "secret", "key", "token")
_JSON_SCHEMA_DIALECT = "https://json-schema.org/draft/2020-12/schema"


def load_config(path: str | Path, *, env: Mapping[str, str] | None = None,
                directory: Directory | None = None) -> ConnectorConfig:
    """Read, resolve secrets, validate. ``env`` defaults to ``os.environ`` (the entry point)."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigurationError(f"cannot read connector config {path}: {exc.strerror}") from None
    try:
        raw = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}" if mark else ""
        raise ConfigurationError(f"{path} is not valid YAML{where}: fix the syntax") from None
    return build_config(raw, env=env, base_dir=path.parent, directory=directory, origin=str(path))


def build_config(raw: Any, *, env: Mapping[str, str] | None = None, base_dir: Path | None = None,
                 directory: Directory | None = None, origin: str = "connector config") -> ConnectorConfig:
    if not isinstance(raw, Mapping):
        raise ConfigurationError(f"{origin}: expected a mapping with type, id, agency, broker and settings")
    resolved = _resolve(raw, os.environ if env is None else env, base_dir or Path("."), "")
    if not isinstance(resolved.get("type"), str):
        raise ConfigurationError(f"{origin}: 'type' is missing: name a connector type (see `lapor-connect list`)")
    cls = connector_class(resolved["type"])
    context = {"directory": directory} if directory is not None else None
    try:
        config = ConnectorConfig.model_validate(resolved, context=context)
    except ValidationError as exc:
        raise ConfigurationError(_explain(exc, ConnectorConfig, origin, "")) from None
    try:
        settings = cls.Settings.model_validate(resolved.get("settings") or {})
    except ValidationError as exc:
        raise ConfigurationError(_explain(exc, cls.Settings, origin, "settings.")) from None
    state_dir = config.state_dir if config.state_dir.is_absolute() else (base_dir or Path(".")) / config.state_dir
    return config.model_copy(update={"settings": settings, "state_dir": state_dir})


def _resolve(node: Any, env: Mapping[str, str], base_dir: Path, where: str) -> Any:
    if isinstance(node, str):
        def substitute(match: re.Match) -> str:
            name = match.group(1)
            if name not in env:
                raise ConfigurationError(f"{where or 'config'}: environment variable {name} is not set; "
                                         f"export {name}=... or use {where.rpartition('.')[2] or 'key'}_file: /path")
            return env[name]
        return _ENV_REF.sub(substitute, node)
    if isinstance(node, list):
        return [_resolve(item, env, base_dir, f"{where}[{i}]") for i, item in enumerate(node)]
    if not isinstance(node, Mapping):
        return node
    out: dict[str, Any] = {}
    for key, value in node.items():
        key = str(key)
        here = f"{where}.{key}" if where else key
        if key.endswith("_file") and len(key) > 5:
            target = key[:-5]
            if target in node:
                raise ConfigurationError(f"{here}: give either {target} or {key}, not both")
            file = Path(str(_resolve(value, env, base_dir, here)))
            file = file if file.is_absolute() else base_dir / file
            try:
                out[target] = file.read_text(encoding="utf-8").strip()
            except OSError as exc:
                raise ConfigurationError(f"{here}: cannot read {file}: {exc.strerror}; "
                                         "check the path and its permissions") from None
        else:
            out[key] = _resolve(value, env, base_dir, here)
    return out


def _explain(exc: ValidationError, model: type[BaseModel], origin: str, prefix: str) -> str:
    lines = []
    for error in exc.errors(include_input=False, include_url=False):
        loc = [str(part) for part in error["loc"]]
        key = prefix + ".".join(loc) if loc else prefix.rstrip(".") or "config"
        if error["type"] == "extra_forbidden":
            allowed = _allowed_keys(model, loc[:-1])
            hint = f"; allowed here: {', '.join(allowed)}" if allowed else ""
            lines.append(f"{key}: unknown key{hint} (remove it or fix its spelling)")
        elif error["type"] == "missing":
            hint = (f"; write {loc[-1]}: ${{ENV_NAME}} or {loc[-1]}_file: /path"
                    if loc and any(w in loc[-1] for w in _SECRET_WORDS) else "")
            lines.append(f"{key}: required key is missing{hint}")
        elif error["type"].startswith("url_"):
            lines.append(f"{key}: {error['msg']}; write a full URL such as https://host:port/path")
        elif error["type"] == "string_type":
            lines.append(f"{key}: expected text; put the value in quotes, e.g. {loc[-1] if loc else key}: \"18.10\" "
                         "(YAML reads an unquoted 18.10 as the number 18.1)")
        elif error["type"] in ("too_short", "string_too_short") and loc and any(w in loc[-1] for w in _SHARED_SECRETS):
            least = (error.get("ctx") or {}).get("min_length", "more")
            lines.append(f"{key}: too short: a shared secret needs at least {least} characters; generate one with "
                         "`openssl rand -hex 32` and give the agency the same value")
        elif error["type"] in ("too_short", "string_too_short"):
            least = (error.get("ctx") or {}).get("min_length", "more")
            lines.append(f"{key}: too short: write at least {least} characters")
        else:
            lines.append(f"{key}: {error['msg'].removeprefix('Value error, ')}")
    return f"{origin} is invalid:\n  - " + "\n  - ".join(lines)


def _allowed_keys(model: type[BaseModel], loc: list[str]) -> list[str]:
    current: Any = model
    for part in loc:
        field = getattr(current, "model_fields", {}).get(part)
        if field is None:
            return []
        current = next((t for t in (field.annotation, *typing.get_args(field.annotation))
                        if isinstance(t, type) and issubclass(t, BaseModel)), None)
        if current is None:
            return []
    return list(getattr(current, "model_fields", {}))


def config_schema(type_name: str) -> dict[str, Any]:
    """The JSON Schema of a config file for connector type ``type_name`` (a built-in, an entry
    point or a ``module:Class`` path): the common keys and the type's own ``Settings``."""
    cls = connector_class(type_name)
    schema = full_config_model(type_name, cls.Settings).model_json_schema()
    return {"$schema": _JSON_SCHEMA_DIALECT, **schema}
