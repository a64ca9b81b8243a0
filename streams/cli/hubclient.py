"""Reaching the running hub's HTTP API from the command line (``track``, ``stats``, ``status``).

``LAPOR_HUB_URL`` says where the hub is (default ``http://127.0.0.1:<LAPOR_WEB_PORT>``);
``LAPOR_HUB_TOKEN`` (or ``LAPOR_HUB_TOKEN_FILE``) is the bearer credential for what needs one:
``lapor-hub status`` reads the health overview, which is for operators
(``lapor-hub users api-key ops-cli --role operator`` makes a key for it).
"""

from __future__ import annotations

import json
import os
import urllib.error
import urllib.request
from pathlib import Path

from lapor_hub.errors import ConfigurationError, HubError

__all__ = ["hub_get", "hub_post"]


def hub_get(path: str, *, web_port: int = 6066, role: str = "an operator's") -> dict | None:
    """GET one of the running hub's API pages as JSON; None for 404."""
    return _call("GET", path, web_port=web_port, role=role)


def hub_post(path: str, body: dict, *, web_port: int = 6066, role: str = "an operator's") -> dict | None:
    """POST ``body`` (JSON) to the running hub's API; its JSON answer, None for 404."""
    return _call("POST", path, web_port=web_port, role=role, body=body)


def _call(method: str, path: str, *, web_port: int, role: str, body: dict | None = None) -> dict | None:
    base = os.environ.get("LAPOR_HUB_URL", f"http://127.0.0.1:{web_port}")
    headers = {"Accept": "application/json", "Content-Type": "application/json"}
    token = _token()
    if token:
        headers["Authorization"] = f"Bearer {token}"
    request = urllib.request.Request(f"{base}{path}", headers=headers, method=method,
                                     data=None if body is None else json.dumps(body).encode())
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return json.loads(response.read())
    except urllib.error.HTTPError as err:
        if err.code == 404:
            return None
        if err.code in (401, 403):
            hint = ("`lapor-hub users api-key ops-cli --role operator` makes one" if role == "an operator's"
                    else "`lapor-hub users token USER` prints one")
            raise HubError(f"the hub refused {path} ({err.code}): "
                           f"set LAPOR_HUB_TOKEN to {role} token ({hint})") from err
        raise HubError(f"the hub answered {err.code} for {base}{path}: {_message(err)}") from err
    except OSError as exc:
        raise HubError(f"cannot reach the hub at {base}: is it running (make run)? "
                       "Set LAPOR_HUB_URL otherwise") from exc


def _message(err: urllib.error.HTTPError) -> str:
    try:
        return str(json.loads(err.read())["error"]["message"])
    except (ValueError, KeyError, TypeError, OSError):
        return "no reason given"


def _token() -> str | None:
    if os.environ.get("LAPOR_HUB_TOKEN"):
        return os.environ["LAPOR_HUB_TOKEN"].strip()
    path = os.environ.get("LAPOR_HUB_TOKEN_FILE")
    if not path:
        return None
    try:
        return Path(path).read_text(encoding="utf-8").strip()
    except OSError as exc:
        raise ConfigurationError(f"LAPOR_HUB_TOKEN_FILE={path!r} cannot be read: {exc.strerror}") from exc
