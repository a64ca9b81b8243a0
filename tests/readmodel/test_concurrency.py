"""Two projectors on one database (a rebalance overlap) still leave the rows of one pass."""

from __future__ import annotations

import threading

from lapor_hub.errors import RetriableError
from lapor_hub.streams.readmodel import open_read_model
from tests.readmodel.factory import dump
from tests.readmodel.test_idempotency import EVENTS


def _apply_with_retries(model, batch, applied: list[int]) -> None:
    for _ in range(50):
        try:
            applied.append(model.apply(batch))
            return
        except RetriableError:
            continue  # the other projector won this batch: the retry skips what it wrote
    raise AssertionError("no progress after 50 retries")


def test_concurrent_projectors_apply_each_event_once(read_model, database_url):
    read_model.apply(EVENTS)
    expected = dump(read_model)
    read_model.drop_schema()
    read_model.create_schema()

    second = open_read_model(database_url)
    applied: list[int] = []
    failures: list[BaseException] = []
    batches = [EVENTS[i : i + 25] for i in range(0, len(EVENTS), 25)]

    def run(model) -> None:
        try:
            for batch in batches:
                _apply_with_retries(model, batch, applied)
        except BaseException as error:  # noqa: BLE001 - reported by the assertion below
            failures.append(error)

    threads = [threading.Thread(target=run, args=(m,)) for m in (read_model, second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    second.dispose()

    assert failures == []
    assert sum(applied) == len(EVENTS)  # every event counted by exactly one projector
    assert dump(read_model) == expected
