"""Connector types: the built-ins, plus third-party ones registered as entry points.

A third-party package registers its class in its own ``pyproject.toml``::

    [project.entry-points."lapor_hub.connectors"]
    email = "lapor_email_connector:EmailConnector"

A config may also name a class directly, ``type: package.module:ClassName``, which helps while
developing a connector before it is packaged.
"""

from __future__ import annotations

import importlib
from importlib.metadata import entry_points

from lapor_hub.connectors.sdk.connector import Connector
from lapor_hub.errors import ConfigurationError

__all__ = ["ENTRY_POINT_GROUP", "BUILTIN_TYPES", "available_types", "connector_class"]

ENTRY_POINT_GROUP = "lapor_hub.connectors"
BUILTIN_TYPES = {
    "webhook": "lapor_hub.connectors.builtin.webhook:WebhookConnector",
    "sql": "lapor_hub.connectors.builtin.sql:SqlConnector",
    "filedrop": "lapor_hub.connectors.builtin.filedrop:FileDropConnector",
    "open311": "lapor_hub.connectors.builtin.open311:Open311Connector",
}


def available_types() -> dict[str, str]:
    """Type name → ``module:Class``; built-ins win over an entry point of the same name."""
    found = {ep.name: ep.value for ep in entry_points(group=ENTRY_POINT_GROUP)}
    return {**found, **BUILTIN_TYPES}


def connector_class(name: str) -> type[Connector]:
    """The class of connector type ``name``: a built-in, an entry point, or ``module:Class``."""
    target = available_types().get(name) or (name if ":" in name else None)
    if target is None:
        raise ConfigurationError(
            f"type: unknown connector type {name!r}; available: {', '.join(sorted(available_types()))} "
            "(third-party types are registered as entry points in group 'lapor_hub.connectors')"
        )
    module_name, _, attr = target.partition(":")
    try:
        cls = getattr(importlib.import_module(module_name), attr)
    except (ImportError, AttributeError) as exc:
        raise ConfigurationError(f"type: connector {name!r} ({target}) cannot be loaded: {exc}; "
                                 "is its package installed in this environment?") from exc
    if not (isinstance(cls, type) and issubclass(cls, Connector)):
        raise ConfigurationError(f"type: {target} is not a lapor_hub.connectors.sdk.Connector subclass")
    if cls.abstract:
        raise ConfigurationError(f"type: {target} is an abstract base (declared with abstract=True); "
                                 "name a connector class that implements it")
    return cls
