"""The second baseline: the smallest Faust agent, run as its own process.

``python -m lapor_hub.streams.ops.bench.faust_passthrough BOOTSTRAP SOURCE TARGET APP_ID``.
Raw bytes in, the same bytes (key, value, headers) sent on, one record at a time, concurrency 1,
with the hub's producer and commit settings and no table: what Faust's per-event path costs
before the hub does any work. Prints ``ready`` once it owns its partitions.
"""

from __future__ import annotations

import sys
from typing import Any

import faust
from mode.signals import BaseSignalT

from lapor_hub.streams.core.config import HubSettings
from lapor_hub.streams.hub import faust_settings

__all__ = ["passthrough_app", "main"]


def passthrough_app(bootstrap: str, source: str, target: str, app_id: str, data_dir: str) -> faust.App:
    hub = faust_settings(HubSettings(broker=bootstrap, app_id=app_id))
    producer_and_commits = {k: v for k, v in hub.items() if k.startswith(("producer_", "broker_"))}
    app = faust.App(app_id, broker=hub["broker"], store="memory://", web_enabled=False, autodiscover=False,
                    consumer_auto_offset_reset="earliest", topic_allow_declare=False, datadir=data_dir,
                    **producer_and_commits)
    inbound = app.topic(source, key_type=bytes, value_type=bytes, key_serializer="raw", value_serializer="raw")
    outbound = app.topic(target, key_type=bytes, value_type=bytes, key_serializer="raw", value_serializer="raw")

    @app.agent(inbound, concurrency=1)
    async def forward(stream):
        async for event in stream.events():
            message = event.message
            await outbound.send(key=message.key, value=message.value, headers=message.headers)

    async def announce(sender: Any, /, *args: Any, signal: BaseSignalT, **kwargs: Any) -> None:
        if args[0] if args else kwargs.get("assigned"):
            print("ready", flush=True)

    app.on_partitions_assigned.connect(announce)

    return app


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 5:
        print("usage: python -m lapor_hub.streams.ops.bench.faust_passthrough BOOTSTRAP SOURCE TARGET APP_ID DATA_DIR",
              file=sys.stderr)
        return 2
    app = passthrough_app(*args)
    # The worker writes its banner and spinner to its stdout: send them to stderr, keep stdout for "ready".
    worker = faust.Worker(app, loglevel="WARNING", redirect_stdouts=False, quiet=True, stdout=sys.stderr)
    try:
        worker.execute_from_commandline()
    except SystemExit as exit_:
        return exit_.code if isinstance(exit_.code, int) else 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
