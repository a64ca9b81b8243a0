"""One failure policy: what happens to a record depends on what its error says to do."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass

import pytest

from lapor_hub.errors import FatalError, RetriableError, SkippableError
from lapor_hub.streams.core.deadletter import DeadLetters
from lapor_hub.streams.core.failures import FailurePolicy


@dataclass
class _Record:
    topic: str = "complaints.commands"
    partition: int = 1
    offset: int = 42
    key: bytes | None = b"LPR-20261130-AAAAAAAA"
    value: bytes | None = b"\x00..."
    headers: Sequence[tuple[str, bytes]] | None = ()


class _DeadLetters(DeadLetters):
    """Keeps what would be dead-lettered instead of publishing it."""

    def __init__(self) -> None:  # no publisher to hand the base class: send_raw() is replaced
        self.sent: list[tuple[int, str, BaseException]] = []

    async def send_raw(self, topic, partition, offset, key, payload, original_headers, stage, error) -> None:
        self.sent.append((offset, stage, error))


def _policy(dead: _DeadLetters, **options) -> tuple[FailurePolicy, list[float]]:
    slept: list[float] = []

    async def sleep(seconds: float) -> None:
        slept.append(seconds)

    return FailurePolicy(dead, sleep=sleep, **options), slept


def _failing(*errors: BaseException, result: str = "done"):
    remaining = list(errors)

    async def work() -> str:
        if remaining:
            raise remaining.pop(0)
        return result

    return work


def test_a_skippable_record_becomes_a_dead_letter_with_its_stage_and_the_next_goes_on():
    dead = _DeadLetters()
    policy, _ = _policy(dead)
    result = asyncio.run(policy.run(_Record(), "lifecycle", _failing(SkippableError("not allowed while closed"))))
    assert result is None
    assert [(o, s, str(e)) for o, s, e in dead.sent] == [(42, "lifecycle", "not allowed while closed")]


def test_a_retriable_failure_is_retried_in_place_with_backoff():
    dead = _DeadLetters()
    policy, slept = _policy(dead)
    outage = RetriableError("database busy")
    assert asyncio.run(policy.run(_Record(), "readmodel", _failing(outage, outage, outage))) == "done"
    assert dead.sent == [] and slept == [0.2, 0.5, 1.0]


def test_past_the_last_attempt_it_becomes_a_dead_letter_that_says_so():
    dead = _DeadLetters()
    policy, slept = _policy(dead, max_attempts=3)
    outage = RetriableError("broker unavailable")
    assert asyncio.run(policy.run(_Record(), "outbox", _failing(outage, outage, outage, outage))) is None
    [(_, stage, error)] = dead.sent
    assert stage == "outbox" and str(error) == "gave up after 3 attempts: broker unavailable"
    assert isinstance(error, SkippableError) and len(slept) == 2


def test_without_a_bound_it_waits_as_long_as_it_takes():
    dead = _DeadLetters()
    policy, slept = _policy(dead, max_attempts=None)
    outage = RetriableError("database down")
    assert asyncio.run(policy.run(_Record(), "readmodel", _failing(*[outage] * 20))) == "done"
    assert dead.sent == [] and len(slept) == 20 and slept[-1] == 5.0


def test_a_bug_is_a_dead_letter_by_its_class_and_a_fatal_error_stops():
    dead = _DeadLetters()
    policy, _ = _policy(dead)
    assert asyncio.run(policy.run(_Record(), "lifecycle", _failing(KeyError("nik 3201...")))) is None
    assert type(dead.sent[0][2]) is KeyError
    with pytest.raises(FatalError):
        asyncio.run(policy.run(_Record(), "lifecycle", _failing(FatalError("disk full"))))


def test_a_retriable_failure_while_stopping_is_raised_not_dead_lettered():
    dead = _DeadLetters()
    stopping = [False]
    policy, slept = _policy(dead, should_stop=lambda: stopping[0])
    outage = RetriableError("the worker's producer is not running (starting or stopping)")

    async def work() -> str:
        stopping[0] = True  # the worker began to stop while the record was being forwarded
        raise outage

    with pytest.raises(RetriableError):
        asyncio.run(policy.run(_Record(), "outbox", work))
    assert dead.sent == [] and slept == []  # the record is read again after the restart
