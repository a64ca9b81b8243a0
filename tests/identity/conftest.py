"""Fixtures of the identity tests: an embedded issuer over a temporary identity directory."""

from __future__ import annotations

import pytest
from argon2 import PasswordHasher

from lapor_hub.streams.directory import default_directory
from lapor_hub.streams.identity import EmbeddedIssuer, IdentitySettings


@pytest.fixture
def fast_hasher() -> PasswordHasher:
    """Argon2id with tiny costs: the tests check behaviour, not the cost (one test checks that)."""
    return PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)


@pytest.fixture
def settings(tmp_path) -> IdentitySettings:
    return IdentitySettings(identity_dir=tmp_path / "identity")


@pytest.fixture
def directory():
    return default_directory()


@pytest.fixture
def issuer(settings, directory, fast_hasher) -> EmbeddedIssuer:
    return EmbeddedIssuer(settings, directory, hasher=fast_hasher)
