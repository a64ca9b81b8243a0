"""Read the routing data files: YAML with duplicate keys rejected, errors as ConfigurationError."""

from __future__ import annotations

from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from lapor_hub.errors import ConfigurationError

__all__ = ["load_data_file"]


class _StrictLoader(yaml.SafeLoader):
    """A SafeLoader that refuses duplicate mapping keys.

    PyYAML silently keeps the last of two equal keys; in a category tree or a rule that would
    drop a category or a field without a word, so it is a configuration error here.
    """


def _construct_unique_mapping(loader: _StrictLoader, node: yaml.MappingNode, deep: bool = False) -> dict:
    mapping: dict[Any, Any] = {}
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=deep)
        if key in mapping:
            raise yaml.constructor.ConstructorError(
                None, None, f"duplicate key {key!r}: each key may appear once", key_node.start_mark
            )
        mapping[key] = loader.construct_object(value_node, deep=deep)
    return mapping


_StrictLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_unique_mapping)


def load_data_file(path: str | Path | None, packaged_name: str) -> tuple[Any, str]:
    """The parsed content of ``path``, or of the file shipped in this package when ``path`` is None.

    Returns the content and a name for the file to use in error messages.
    """
    if path is None:
        source = resources.files("lapor_hub.streams.routing").joinpath(packaged_name)
        where = f"streams/routing/{packaged_name}"
    else:
        source = Path(path)
        where = str(path)
    try:
        text = source.read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigurationError(f"{where}: cannot read the file ({exc.strerror or exc})") from exc
    try:
        return yaml.load(text, Loader=_StrictLoader), where  # noqa: S506 - a SafeLoader subclass
    except yaml.YAMLError as exc:
        raise ConfigurationError(f"{where}: not valid YAML: {exc}") from exc
