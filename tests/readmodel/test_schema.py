"""The read model's schema comes from Alembic migrations, safe when several workers start at once."""

from __future__ import annotations

import threading

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import create_engine, inspect

from lapor_hub.streams.readmodel import open_read_model
from lapor_hub.streams.readmodel.schema import BASELINE, HEAD, current_revision, upgrade_schema
from lapor_hub.streams.readmodel.tables import metadata
from tests.readmodel.test_idempotency import EVENTS


def test_the_migrations_build_exactly_the_tables_the_code_uses(read_model):
    # The session's PostgreSQL also holds other tests' tables (the SQL connector's): only ours count.
    def ours(obj, name, type_, reflected, compare_to) -> bool:
        return type_ != "table" or name in metadata.tables

    with read_model.engine.connect() as conn:
        assert current_revision(conn) == HEAD
        context = MigrationContext.configure(conn, opts={"include_object": ours})
        differences = compare_metadata(context, metadata)
    assert differences == []


def test_workers_starting_together_on_an_empty_database_all_start(read_model, database_url):
    read_model.drop_schema()
    models = [open_read_model(database_url) for _ in range(4)]
    failures: list[BaseException] = []

    def start(model) -> None:
        try:
            model.create_schema()
        except BaseException as error:  # noqa: BLE001 - reported by the assertion below
            failures.append(error)

    threads = [threading.Thread(target=start, args=(m,)) for m in models]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    for model in models:
        model.dispose()
    assert failures == []
    assert read_model.apply(EVENTS) == len(EVENTS)


def test_a_database_of_the_first_release_is_stamped_and_upgraded(read_model, database_url):
    read_model.drop_schema()
    engine = create_engine(database_url)
    _first_release(engine)
    upgrade_schema(engine)
    with engine.connect() as conn:
        assert current_revision(conn) == HEAD != BASELINE
        assert "projection_offsets" in inspect(conn).get_table_names()
    engine.dispose()
    assert read_model.apply(EVENTS) == len(EVENTS)


def _first_release(engine) -> None:
    """What the first release's create_all left: its three tables (revision 0001), no version table."""
    from alembic import command

    from lapor_hub.streams.readmodel.schema import _config

    with engine.connect() as conn:
        command.upgrade(_config(conn), BASELINE)
        conn.exec_driver_sql("DROP TABLE alembic_version")
        conn.commit()


def test_offsets_are_stored_with_the_rows_of_their_batch(read_model):
    read_model.apply(EVENTS[:10], {("complaints.events", 0): 10, ("complaints.events", 1): 3})
    read_model.apply(EVENTS[10:20], {("complaints.events", 0): 20})
    assert read_model.projected_offsets("complaints.events") == {0: 20, 1: 3}
    assert read_model.projected_offsets("other.topic") == {}
