"""Acceptance 3: each error category comes from a server built to cause it, is reported, and nothing crashes."""

from __future__ import annotations

import json

import pytest

from stanchion.load import build_plan, run
from tests.load.conftest import BehaviourServer, run_cli
from tests.support.servers import free_port


def _run(url: str, **kwargs: object) -> tuple[dict[str, int], object]:
    # a long timeout: a busy machine's slow answer must never turn into a "timeout" here (the timeout tests
    # set their own short one against a server that never answers)
    options: dict[str, object] = {"requests": 12, "concurrency": 3, "workers": 1, "timeout": 30.0}
    options.update(kwargs)
    result = run(build_plan([url], **options))  # type: ignore[arg-type]
    return result.errors, result


@pytest.mark.parametrize(
    ("path", "kind"),
    [
        ("/reset", "reset"),
        ("/truncate", "reset"),
        ("/malformed", "malformed"),
        ("/status/404", "4xx"),
        ("/status/503", "5xx"),
    ],
)
def test_server_side_errors(server: BehaviourServer, path: str, kind: str, engine: str) -> None:
    errors, result = _run(server.url(path))
    assert errors == {kind: 12}, errors
    assert result.sent == 12  # type: ignore[attr-defined]
    assert result.engine == engine  # type: ignore[attr-defined]
    assert sum(row.errors.get(kind, 0) for row in result.timeline) == 12  # type: ignore[attr-defined]


def test_refused(engine: str) -> None:
    errors, result = _run(f"http://127.0.0.1:{free_port()}/")
    assert errors == {"refused": 12}
    assert result.engine == engine  # type: ignore[attr-defined]


def test_timeout(server: BehaviourServer, engine: str) -> None:
    errors, result = _run(server.url("/hang"), requests=3, timeout="0.3s")
    assert errors == {"timeout": 3}
    assert result.completed == 0  # type: ignore[attr-defined]
    assert result.engine == engine  # type: ignore[attr-defined]


def test_dns() -> None:
    # .invalid is reserved (RFC 6761): the system resolver answers "no such name"; no HTTP traffic leaves.
    errors, _ = _run("http://stanchion-test.invalid/", requests=3, concurrency=1)
    assert errors == {"dns": 3}


def test_tls_errors_and_insecure(tls_server: BehaviourServer, server: BehaviourServer) -> None:
    errors, _ = _run(tls_server.url("/"), requests=3, concurrency=1)  # self-signed: verification fails
    assert errors == {"tls": 3}
    plain_as_tls = f"https://127.0.0.1:{server.port}/"  # a plain HTTP server spoken to with TLS
    errors, _ = _run(plain_as_tls, requests=3, concurrency=1)
    assert errors == {"tls": 3}
    errors, result = _run(tls_server.url("/"), requests=20, concurrency=2, insecure=True)
    assert errors == {} and result.completed == 20  # type: ignore[attr-defined]


def test_429_under_rate(server: BehaviourServer) -> None:
    # a quota by count (429 after the 50th request), so the limit is reached on any machine
    errors, result = _run(server.url("/quota/50"), requests=None, rate=200, duration=2, concurrency=5)
    assert errors.get("4xx", 0) > 0
    assert result.status[429] == errors["4xx"]  # type: ignore[attr-defined]
    assert result.status[200] <= 50  # type: ignore[attr-defined]
    assert result.rate_limited_at is not None  # type: ignore[attr-defined]


def test_errors_are_reported_by_the_cli_without_a_traceback(server: BehaviourServer) -> None:
    some = run_cli(server.url("/status/500"), server.url("/"), "-n", "20", "-c", "2", "--workers", "1")
    assert some.returncode == 0, some.stderr  # errors beside successes are reported, not a failed gate
    assert "%): 5xx " in some.stdout and "200: " in some.stdout
    proc = run_cli(server.url("/status/500"), "-n", "20", "-c", "2", "--workers", "1")
    assert proc.returncode == 1, proc.stderr  # no request got a 2xx/3xx answer: nothing worked
    assert "errors: 20 (100.000%): 5xx 20" in proc.stdout
    assert "Every answer was 500: look at the server's logs." in proc.stdout
    assert "Traceback" not in proc.stderr
    proc = run_cli(f"http://127.0.0.1:{free_port()}/", "-n", "5", "--workers", "1", "--json")
    assert proc.returncode == 3, proc.stderr  # not one connection: nothing was tested
    doc = json.loads(proc.stdout)  # the report is still the one document on stdout
    assert doc["errors"] == {"refused": 5} and doc["timeline"][0]["errors"] == {"refused": 5}
    assert doc["connections_opened"] == 0


def test_open_model_queue_times_out_during_the_run(server: BehaviourServer) -> None:
    errors, result = _run(
        server.url("/hang"), requests=None, rate=50, duration=2, concurrency=2, timeout="0.3s"
    )
    assert result.sent == 100  # type: ignore[attr-defined]  # the schedule's 50/s for 2 s, exactly
    # every arrival timed out, on the wire or in the queue, or was still waiting when the deadline cut it off
    assert errors == {"timeout": 100 - result.unfinished}  # type: ignore[attr-defined]
    assert result.completed == 0  # type: ignore[attr-defined]
    first_second = result.timeline[0]  # type: ignore[attr-defined]
    # reported as they happen, not only at the end: the sweep that finds the first timeouts (due at 0.3 s)
    # runs before the first second's sample (due at 1 s), in deadline order, however late the loop is
    assert first_second.errors.get("timeout", 0) > 0


def test_an_answer_before_the_whole_body_was_sent(server: BehaviourServer, engine: str) -> None:
    """A 413 that comes while a large body is still being written: the connection is not reused for the
    next request (its unsent rest would be read as that request), and every answer is counted."""
    body = "x" * 8_000_000  # more than the socket buffers hold: the write is still going when the 413 comes
    errors, result = _run(
        server.url("/early"), method="POST", body=body, requests=5, concurrency=1, timeout=30.0
    )
    assert errors == {"4xx": 5}, errors
    assert result.completed == 5 and result.status == {413: 5}  # type: ignore[attr-defined]
    assert result.engine == engine  # type: ignore[attr-defined]
