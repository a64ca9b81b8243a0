"""The read model in the worker: migrate the database, then run the projector beside Faust."""

from __future__ import annotations

from typing import TYPE_CHECKING

from lapor_hub.streams.core.deadletter import DeadLetters
from lapor_hub.streams.core.durable import DurableSink
from lapor_hub.streams.readmodel.model import open_read_model
from lapor_hub.streams.readmodel.projector import Projector

if TYPE_CHECKING:
    from lapor_hub.streams.hub import Hub

__all__ = ["install"]


def install(hub: Hub) -> None:
    settings = hub.settings
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    read_model = open_read_model(settings.read_model_url, directory=hub.directory)
    read_model.create_schema()
    dead_letters = DeadLetters(DurableSink(hub.writer, "/lapor-hub/readmodel"))
    projector = Projector(settings, read_model, dead_letters)
    # A service of its own, not a Faust agent: it reads every partition when the database is
    # this worker's alone, and it starts before (and independently of) the tables' recovery.
    hub.app.add_dependency(projector)
    hub.read_model = read_model
    hub.projector = projector
