"""Alembic's environment for the read model: run with the connection :mod:`..schema` passes in."""

from alembic import context

from lapor_hub.streams.readmodel.tables import metadata

connection = context.config.attributes["connection"]
context.configure(connection=connection, target_metadata=metadata, render_as_batch=True)
with context.begin_transaction():
    context.run_migrations()
