"""``lapor-connect init TYPE --agency CODE``: a starting configuration that ``check`` can judge.

The webhook type (what most agency applications use) gets a complete file with a generated
secret's place marked; ``sql`` and ``filedrop`` start from their worked examples in
``connectors/examples/``; any other type (``open311``, a class of your own) gets its required
settings with placeholders and its optional ones commented out with their defaults. The id and
the names of the environment variables come from the agency's name in the directory.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from pydantic import BaseModel, SecretStr

from lapor_hub.connectors.sdk.registry import connector_class
from lapor_hub.errors import ConfigurationError
from lapor_hub.streams.directory import default_directory

__all__ = ["starting_config", "default_id", "env_prefix"]

_EXAMPLES = Path(__file__).resolve().parent / "examples"
#: Built-in types whose worked example is the better start, and the agency word it uses.
_FROM_EXAMPLE = {"sql": ("kemenkes-sql.yaml", "kemenkes"), "filedrop": ("small-institution-filedrop.yaml", "anri")}
_PREFIXES = ("KAB.", "KOTA", "ADM.", "PROVINSI", "KABUPATEN")

_WEBHOOK = """\
type: webhook
id: {id}
agency: "{agency}"          # quoted: YAML would read 18.10 as a number
broker:
  bootstrap: {bootstrap}    # the hub's Kafka address
hub_url: http://127.0.0.1:6066   # the hub's HTTP address: an update it can already tell is wrong is refused at once
inbound:
  host: 0.0.0.0
  port: 8088                # your application posts its updates to http://<this host>:8088/updates
settings:
  url: https://CHANGE-ME.example.go.id/lapor/deliveries   # your application's endpoint for deliveries
  secret: ${{{prefix}_WEBHOOK_SECRET}}   # export it first: {prefix}_WEBHOOK_SECRET=$(openssl rand -hex 32)
  timeout: 10
"""


def env_prefix(agency: str) -> str:
    return re.sub(r"[^A-Z0-9]+", "_", _short_name(agency).upper()).strip("_")


def default_id(connector_type: str, agency: str) -> str:
    kind = connector_type.rsplit(":", 1)[-1].rsplit(".", 1)[-1].lower()
    slug = re.sub(r"[^a-z0-9]+", "-", f"{_short_name(agency).lower()}-{kind}").strip("-")
    return slug[:63]


def starting_config(connector_type: str, agency: str, *, connector_id: str | None = None,
                    bootstrap: str = "127.0.0.1:9092") -> str:
    """The YAML text of a starting configuration; ConfigurationError for an unknown agency or type."""
    directory = default_directory()
    if agency not in directory:
        raise ConfigurationError(f"--agency: unknown agency code {agency!r}; use a code of the directory, e.g. "
                                 "18.10 (KAB. PRINGSEWU) or KEMENKES")
    cls = connector_class(connector_type)  # ConfigurationError names the available types
    connector_id = connector_id or default_id(cls.type or connector_type, agency)
    header = (f"# {cls.type or connector_type} connector for {directory.get(agency).name} ({agency}), written by "
              f"`lapor-connect init`.\n# Fill in the CHANGE-ME values, then: lapor-connect check <this file>; "
              "lapor-connect sandbox <this file>\n")
    prefix = env_prefix(agency)
    if connector_type == "webhook":
        return header + _WEBHOOK.format(id=connector_id, agency=agency, bootstrap=bootstrap, prefix=prefix)
    if connector_type in _FROM_EXAMPLE:
        name, word = _FROM_EXAMPLE[connector_type]
        lines = (_EXAMPLES / name).read_text(encoding="utf-8").splitlines()
        body = "\n".join(line for line in lines if not line.startswith("#"))  # the example's own header
        body = re.sub(r"(?m)^id: .*$", f"id: {connector_id}", body)
        body = re.sub(r"(?m)^agency: .*$", f'agency: "{agency}"', body)
        body = re.sub(r"(?m)^  bootstrap: .*$", f"  bootstrap: {bootstrap}", body)
        return header + body.replace(word.upper(), prefix).replace(word, prefix.lower().replace("_", "-")) + "\n"
    settings = "\n".join(_setting_lines(cls.Settings, connector_id, prefix)) or "  {}"
    return header + (f"type: {connector_type}\nid: {connector_id}\nagency: \"{agency}\"\nbroker:\n"
                     f"  bootstrap: {bootstrap}\nstate_dir: ./.lapor-connect   # where the runtime keeps "
                     f"the polling watermark\nsettings:\n{settings}\n")


def _setting_lines(model: type[BaseModel], connector_id: str, prefix: str) -> list[str]:
    lines = []
    for name, field in model.model_fields.items():
        if field.is_required():
            lines.append(f"  {name}: {_placeholder(name, field.annotation, connector_id, prefix)}")
        else:
            default: Any = field.get_default(call_default_factory=True)
            shown = json.dumps(default, ensure_ascii=False, default=str)
            lines.append(f"  # {name}: {shown}" + (f"   # {field.description}" if field.description else ""))
    return lines


def _placeholder(name: str, annotation: Any, connector_id: str, prefix: str) -> str:
    if annotation is SecretStr or "secret" in name or "key" in name or "password" in name or "token" in name:
        return f"${{{prefix}_{name.upper()}}}   # export it before check/run; never write it here"
    if "url" in name:
        return "https://CHANGE-ME.example.go.id/   # the agency system's address"
    if annotation is Path or "path" in name:
        return f"./{connector_id}-{name.removesuffix('_path')}.json"
    return "CHANGE-ME"


def _short_name(agency: str) -> str:
    name = default_directory().get(agency).name
    words = [w for w in name.split() if w.upper() not in _PREFIXES]
    return " ".join(words) if agency[:1].isdigit() and words else agency
