from __future__ import annotations

import pytest

from lapor_hub.streams.directory import Directory, default_directory
from lapor_hub.streams.routing import CategoryTree, RuleTable, default_categories, default_rule_table


@pytest.fixture(scope="session")
def directory() -> Directory:
    return default_directory()


@pytest.fixture(scope="session")
def rules() -> RuleTable:
    return default_rule_table()


@pytest.fixture(scope="session")
def categories() -> CategoryTree:
    return default_categories()
