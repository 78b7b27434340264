"""Responses whose body ends when the server closes the connection (RFC 9112 section 6.3, rule 8).

An HTTP/1.0 answer, or an HTTP/1.1 one with ``Connection: close``, that carries neither Content-Length
nor chunked encoding is complete when the connection closes: it counts as answered, not as a reset. A
close before the headers are complete stays a reset. Every load here is bounded and aimed at the test
server on 127.0.0.1.
"""

from __future__ import annotations

import json

import pytest

from stanchion.load import build_plan, run
from stanchion.load.result import LoadResult
from tests.load.conftest import BehaviourServer, run_cli
from tests.load.servers import close_delimited


def _all_answered(result: LoadResult, server: BehaviourServer, n: int, engine: str | None) -> None:
    """Every one of ``n`` requests answered 200 once, with no error, on ``engine`` (None: any). An open-model
    run ends at its deadline, which may cut off the last arrivals (unfinished, not errors): then every
    request is either answered or unfinished, whatever the machine's speed."""
    assert result.errors == {}, result.errors
    assert result.sent == n and result.completed + result.unfinished == n and result.completed > 0
    assert result.status == {200: result.completed}
    if engine is not None:
        assert result.engine == engine
        assert result.unfinished == 0  # a closed-model count is waited for to the end
    assert result.completed <= int(server.count()["count"]) <= n  # type: ignore[call-overload]


@pytest.mark.parametrize(
    ("path", "size"),
    [("http10", 3), ("http10", 200_000), ("close-eof", 3)],  # 200 KB: the body spans many reads
)
def test_closed_model_completes_close_delimited_answers(
    server: BehaviourServer, path: str, size: int, engine: str
) -> None:
    result = run(build_plan([server.url(f"/{path}/{size}")], requests=20, concurrency=2, workers=1))
    assert result.engine == engine
    assert result.errors == {}, result.errors
    assert result.sent == 20 and result.completed == 20
    assert result.status == {200: 20}
    assert result.latency.get_total_count() == 20
    assert result.bytes_in == 20 * len(close_delimited(path, size))
    assert server.count()["count"] == 20  # one request per connection, none resent


def test_open_model_completes_close_delimited_answers(server: BehaviourServer) -> None:
    result = run(
        build_plan([server.url("/http10/3")], requests=None, rate=20, duration=1, concurrency=2, workers=1)
    )
    _all_answered(result, server, 20, None)
    assert result.uncorrected is not None and result.uncorrected.get_total_count() == result.completed
    assert result.bytes_in >= result.completed * len(close_delimited("http10", 3))


def test_connection_close_with_content_length_completes(server: BehaviourServer, engine: str) -> None:
    result = run(build_plan([server.url("/close")], requests=20, concurrency=2, workers=1))
    assert result.engine == engine
    assert result.errors == {} and result.completed == 20
    assert server.count()["count"] == 20


def test_head_answer_ends_at_its_headers_when_the_server_closes(server: BehaviourServer, engine: str) -> None:
    # the parser cannot know a HEAD answer has no body, so it waits for the 3 bytes it announces
    result = run(build_plan([server.url("/")], method="HEAD", requests=6, concurrency=2, workers=1))
    _all_answered(result, server, 6, engine)


@pytest.mark.parametrize("rate", [None, 20])
def test_close_before_the_headers_end_is_a_reset(
    server: BehaviourServer, rate: int | None, engine: str
) -> None:
    options: dict[str, object] = (
        {"requests": 6} if rate is None else {"requests": None, "rate": rate, "duration": 0.3}
    )
    result = run(build_plan([server.url("/cut-head")], concurrency=2, workers=1, **options))  # type: ignore[arg-type]
    assert result.completed == 0 and result.sent == 6
    assert result.errors == {"reset": result.sent - result.unfinished}  # the deadline may cut the last off
    assert result.unfinished == 0 if rate is None else result.unfinished <= 6
    assert result.engine == (engine if rate is None else "python")  # the open model runs in Python


def test_cli_reports_close_delimited_answers_as_completed(server: BehaviourServer) -> None:
    proc = run_cli(server.url("/http10/3"), "-n", "5", "-c", "1", "--workers", "1", "--json")
    assert proc.returncode == 0, proc.stderr
    doc = json.loads(proc.stdout)
    assert doc["requests"]["completed"] == 5 and doc["errors"] == {}
    assert doc["status"] == {"200": 5}


def test_interim_answers_are_skipped(server: BehaviourServer, engine: str) -> None:
    """A 100 Continue and a 103 Early Hints come before the answer: neither is the answer (RFC 9110 15.2)."""
    result = run(build_plan([server.url("/interim")], requests=20, concurrency=2, workers=1))
    _all_answered(result, server, 20, engine)


def test_interim_answers_are_skipped_in_the_open_model(server: BehaviourServer) -> None:
    result = run(
        build_plan([server.url("/interim")], requests=None, rate=20, duration=1, concurrency=2, workers=1)
    )
    _all_answered(result, server, 20, None)


def test_interim_answers_are_skipped_for_head(server: BehaviourServer, engine: str) -> None:
    result = run(build_plan([server.url("/interim")], method="HEAD", requests=6, concurrency=2, workers=1))
    _all_answered(result, server, 6, engine)
