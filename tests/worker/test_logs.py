"""A broker outage writes a bounded number of log lines; a closed stdout never stops a stop."""

import errno
import logging
from typing import TextIO, cast

import pytest

from lapor_hub.streams.worker.logs import RepeatFilter, TolerantStream


class _Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def _record(msg: str, *args, name: str = "aiokafka.conn", level: int = logging.ERROR) -> logging.LogRecord:
    return logging.LogRecord(name, level, __file__, 1, msg, args, None)


def test_repeats_of_a_kind_are_summarized_once_per_interval():
    clock = _Clock()
    repeat = RepeatFilter(30.0, clock)
    passed = []
    for second in range(0, 95):  # a 95 s outage, ten attempts a second
        clock.now = float(second)
        for _ in range(10):
            record = _record("Unable connect to node with id %s: %s", 1, "refused")
            if repeat.filter(record):
                passed.append(record)
    # the first line, then one summary per 30 s interval: 4 lines instead of 950
    assert len(passed) == 4
    assert passed[1].getMessage().endswith("[and 299 more like this in the last 30 s]")
    assert "Unable connect to node with id 1" in passed[1].getMessage()


def test_information_lines_are_never_held_back():
    repeat = RepeatFilter(30.0, _Clock())
    lines = [_record("demo %s: received %s for %s", "18.10", "ComplaintDispositioned", f"LPR-{n}",
                     name="lapor_hub.streams.demo.feed.agencies", level=logging.INFO) for n in range(50)]
    assert all(repeat.filter(line) for line in lines)


def test_different_kinds_pass_independently():
    repeat = RepeatFilter(30.0, _Clock())
    assert repeat.filter(_record("Unable connect to node with id %s", 1))
    assert repeat.filter(_record("Failed fetch messages from %s", 1))
    assert repeat.filter(_record("Unable connect to node with id %s", 1, level=logging.WARNING))
    assert not repeat.filter(_record("Unable connect to node with id %s", 2))


class _GonePipe:
    def __init__(self) -> None:
        self.writes = 0

    def write(self, text: str) -> int:
        self.writes += 1
        raise BrokenPipeError(errno.EPIPE, "Broken pipe")

    def flush(self) -> None:
        raise BrokenPipeError(errno.EPIPE, "Broken pipe")

    def isatty(self) -> bool:
        return False


def test_a_stream_whose_reader_went_away_goes_quiet():
    pipe = _GonePipe()
    stream = TolerantStream(cast(TextIO, pipe))  # a fake with the methods a stream calls
    print("-INT- -INT-", file=stream, flush=True)
    print("stopping", file=stream, flush=True)
    assert pipe.writes == 1 and not stream.isatty()
    with pytest.raises(OSError):
        stream.fileno()


def test_other_stream_errors_are_not_hidden():
    class Full(_GonePipe):
        def write(self, text: str) -> int:
            raise OSError(errno.ENOSPC, "No space left on device")

    with pytest.raises(OSError):
        TolerantStream(cast(TextIO, Full())).write("x")
