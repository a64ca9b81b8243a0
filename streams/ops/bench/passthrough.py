"""The baseline: a raw aiokafka consume -> produce passthrough, run as its own process.

``python -m streams.bench.passthrough BOOTSTRAP SOURCE TARGET GROUP``. It forwards every
record (key, value, headers unchanged) with acks=all and commits like the hub's worker does
(flush the producer, then commit, once a second), so what it costs is what Kafka and one
Python process cost before the hub does any work. Prints ``ready`` once it owns its partitions.
"""

from __future__ import annotations

import asyncio
import signal
import sys
import time

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer

__all__ = ["passthrough", "main"]

_COMMIT_INTERVAL_S = 1.0


async def passthrough(bootstrap: str, source: str, target: str, group: str) -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    consumer = AIOKafkaConsumer(source, bootstrap_servers=bootstrap, group_id=group, enable_auto_commit=False,
                                auto_offset_reset="earliest")
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, acks="all")
    await consumer.start()
    await producer.start()
    try:
        while not consumer.assignment():
            await consumer.getmany(timeout_ms=100)
        print("ready", flush=True)
        last_commit = time.monotonic()
        while not stop.is_set():
            batch = await consumer.getmany(timeout_ms=100, max_records=500)
            for records in batch.values():
                for record in records:
                    await producer.send(target, record.value, key=record.key, headers=list(record.headers))
            if time.monotonic() - last_commit >= _COMMIT_INTERVAL_S:
                await producer.flush()
                await consumer.commit()
                last_commit = time.monotonic()
        await producer.flush()
        await consumer.commit()
    finally:
        await producer.stop()
        await consumer.stop()


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 4:
        print("usage: python -m streams.bench.passthrough BOOTSTRAP SOURCE TARGET GROUP", file=sys.stderr)
        return 2
    asyncio.run(passthrough(*args))
    return 0


if __name__ == "__main__":
    sys.exit(main())
