"""The connectors that ship with the hub: ``webhook``, ``sql``, ``filedrop``, ``open311``."""

__all__: list[str] = []
