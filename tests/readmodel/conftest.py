"""Each read-model test runs on SQLite (a temp file) and on the session's PostgreSQL server."""

from __future__ import annotations

import pytest

from lapor_hub.streams.readmodel import open_read_model


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def database_url(request, tmp_path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'read-model.db'}"
    return request.getfixturevalue("postgres_url")


@pytest.fixture
def read_model(database_url):
    """A read model with fresh, empty tables (PostgreSQL's are dropped and created again)."""
    model = open_read_model(database_url)
    model.drop_schema()
    model.create_schema()
    yield model
    model.dispose()
