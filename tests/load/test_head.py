"""HEAD on keep-alive connections: an answer to HEAD has no body, whatever its Content-Length says.

httptools cannot be told that a response answers a HEAD request, so it would wait for the body the
headers announce and every HEAD would end as a timeout. These runs use a short ``--timeout`` so that
failure shows quickly; a working engine answers each request in well under a millisecond. Every load
here is bounded and aimed at the test server on 127.0.0.1.
"""

from __future__ import annotations

import json

import pytest

from stanchion.load import build_plan, run
from tests.load.conftest import BehaviourServer, run_cli
from tests.load.servers import HEAD_ANSWERS

# Only reached when the engine waits for a body that never comes. Long, so that a slow answer on a busy
# machine is never mistaken for that wait: the bug shows as timeouts (closed model) or no answer at all
# before the deadline (open model), whatever the machine's speed.
TIMEOUT = 30.0
PATHS = ["keep", "keep-bare", "keep-http10"]  # announced length, no length at all, HTTP/1.0 keep-alive


@pytest.mark.parametrize("path", PATHS)
def test_closed_model_completes_head_on_kept_connections(
    server: BehaviourServer, path: str, engine: str
) -> None:
    plan = build_plan(
        [server.url(f"/{path}")], method="HEAD", requests=50, concurrency=2, workers=1, timeout=TIMEOUT
    )
    result = run(plan)
    assert result.errors == {}, result.errors
    assert result.sent == 50 and result.completed == 50
    assert result.status == {200: 50}
    assert result.latency.get_total_count() == 50
    assert result.bytes_in == 50 * len(HEAD_ANSWERS[path])  # headers only: no body was waited for
    assert result.engine == engine
    seen = server.count()
    assert seen["count"] == 50
    assert seen["connections"] == 2  # keep-alive used: one connection per user, none replaced


@pytest.mark.parametrize("path", PATHS)
def test_open_model_completes_head_on_kept_connections(server: BehaviourServer, path: str) -> None:
    plan = build_plan(
        [server.url(f"/{path}")],
        method="HEAD",
        requests=None,
        rate=20,
        duration=1,
        concurrency=2,
        workers=1,
        timeout=TIMEOUT,
    )
    result = run(plan)
    assert result.errors == {}, result.errors
    # the run ends at its deadline: the last arrivals may be cut off (unfinished), never failed
    assert result.sent == 20 and result.completed + result.unfinished == 20 and result.completed > 0
    assert result.status == {200: result.completed}
    assert result.uncorrected is not None and result.uncorrected.get_total_count() == result.completed
    assert result.bytes_in >= result.completed * len(HEAD_ANSWERS[path])
    seen = server.count()
    assert result.completed <= int(seen["count"]) <= 20  # type: ignore[call-overload]
    assert isinstance(seen["connections"], int) and seen["connections"] <= 2


def test_head_then_close_still_reconnects(server: BehaviourServer) -> None:
    # an answer with Connection: close ends its connection even though it completed at its headers
    plan = build_plan(
        [server.url("/")], method="HEAD", requests=10, concurrency=2, workers=1, timeout=TIMEOUT
    )
    result = run(plan)
    assert result.errors == {} and result.completed == 10
    seen = server.count()
    assert seen["count"] == 10 and seen["connections"] == 10


def test_cli_head_on_a_keep_alive_server(server: BehaviourServer) -> None:
    proc = run_cli(
        server.url("/keep"),
        *("-m", "HEAD", "-n", "50", "-c", "2", "--workers", "1", "--timeout", "0.5s", "--json"),
    )
    assert proc.returncode == 0, proc.stderr
    doc = json.loads(proc.stdout)
    assert doc["requests"]["sent"] == 50 and doc["requests"]["completed"] == 50
    assert doc["errors"] == {} and doc["status"] == {"200": 50}
    seen = server.count()
    assert seen["count"] == 50 and seen["connections"] == 2
