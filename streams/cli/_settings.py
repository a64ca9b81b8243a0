"""The hub's settings for a command: from the environment, read when the command runs."""

from __future__ import annotations

from lapor_hub.streams.core.config import HubSettings

__all__ = ["settings"]


def settings() -> HubSettings:
    return HubSettings.from_env()
