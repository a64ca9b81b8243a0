from __future__ import annotations

import pytest

from streams.lifecycle import LifecycleContext


@pytest.fixture(scope="session")
def ctx() -> LifecycleContext:
    return LifecycleContext()
