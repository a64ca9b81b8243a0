from __future__ import annotations

import pytest

from lapor_hub.streams.lifecycle import LifecycleContext


@pytest.fixture(scope="session")
def ctx() -> LifecycleContext:
    return LifecycleContext()
