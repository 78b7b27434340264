"""The compiled loop's edges: which plans it takes, and bad arguments refused without side effects."""

from __future__ import annotations

import gc
import os
import socket

import pytest

from stanchion.load import build_plan
from stanchion.load.engine import fast
from stanchion.load.engine._hotloop import Loop


def test_it_takes_the_closed_model_over_plain_http_only(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("STANCHION_LOAD_ENGINE", raising=False)
    closed = build_plan(["http://127.0.0.1:9/"], requests=10, workers=1)
    assert fast.addresses(closed) == ((int(socket.AF_INET), "127.0.0.1", 9),)
    assert fast.addresses(build_plan(["http://127.0.0.1:9/"], rate=10, duration=1, workers=1)) is None
    assert fast.addresses(build_plan(["https://127.0.0.1:9/"], requests=10, workers=1)) is None
    # a name that does not resolve is reported per request as a DNS error by the Python engine
    assert fast.addresses(build_plan(["http://stanchion-test.invalid/"], requests=1, workers=1)) is None
    monkeypatch.setenv("STANCHION_LOAD_ENGINE", "python")
    assert fast.addresses(closed) is None


def test_bad_arguments_are_refused_and_close_nothing_they_do_not_own() -> None:
    before = os.fstat(0)
    with pytest.raises(ValueError, match="numeric"):
        Loop(((int(socket.AF_INET), "localhost", 80),), (b"GET / HTTP/1.1\r\n\r\n",), 4, 1.0)
    with pytest.raises(ValueError, match="one request per address"):
        Loop(((int(socket.AF_INET), "127.0.0.1", 80),), (), 4, 1.0)
    with pytest.raises(TypeError, match="bytes"):
        Loop(((int(socket.AF_INET), "127.0.0.1", 80),), ("text",), 4, 1.0)  # type: ignore[arg-type]
    gc.collect()
    assert os.fstat(0).st_ino == before.st_ino  # the half-built loops closed no descriptor of ours


def test_remaining_is_a_count() -> None:
    loop = Loop(((int(socket.AF_INET), "127.0.0.1", 9),), (b"GET / HTTP/1.1\r\n\r\n",), 1, 1.0)
    loop.remaining = 5
    assert loop.remaining == 5
    with pytest.raises(ValueError, match="count"):
        loop.remaining = -1
    loop.stop()
    assert loop.stopping and loop.remaining == 0
    assert loop.run(0.0) is True  # nothing to send, nothing in flight
    assert loop.take()[4] == 0
    loop.close()
