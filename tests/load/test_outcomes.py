"""What a run's outcome says: exit 3 when no connection could be opened, exit 1 when no request got a
2xx/3xx answer, each with the cause named; the deadline of -d cuts a run off on both loops; a JSON body is
sent as application/json; the report's Requests/sec line, worker count and loader line; --save's suffix.

Every check is on counts and exit codes against servers that answer in a fixed way: the deadline's effect
is proven by requests that can never be answered (``/hang``) being counted as unfinished, not by a clock.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from stanchion.load import build_plan, run
from tests.load.conftest import BehaviourServer, run_cli
from tests.support.servers import free_port


def test_nothing_listening_is_exit_3_naming_host_and_port(engine: str) -> None:
    port = free_port()
    proc = run_cli(f"http://127.0.0.1:{port}/health", "-n", "5", "--workers", "1")
    assert proc.returncode == 3, proc.stdout + proc.stderr
    cause = f"Nothing is listening on 127.0.0.1:{port} (connection refused)"
    assert cause in proc.stdout  # the recommendation in the report
    assert f"error: {cause}" in proc.stderr and "Traceback" not in proc.stderr


def test_dns_and_tls_failures_are_exit_3(server: BehaviourServer) -> None:
    dns = run_cli("http://stanchion-test.invalid/", "-n", "2", "-c", "1", "--workers", "1")
    assert dns.returncode == 3 and "stanchion-test.invalid does not resolve" in dns.stderr
    tls = run_cli(f"https://127.0.0.1:{server.port}/", "-n", "2", "-c", "1", "--workers", "1", "--json")
    assert tls.returncode == 3 and f"TLS handshake with 127.0.0.1:{server.port} failed" in tls.stderr
    assert json.loads(tls.stdout)["errors"] == {"tls": 2}


def test_every_answer_404_is_exit_1_check_the_path(server: BehaviourServer, engine: str) -> None:
    proc = run_cli(server.url("/status/404"), "-n", "20", "-c", "2", "--workers", "1")
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert "Every answer was 404: check the path (/status/404)" in proc.stdout
    assert "2xx/3xx  some      none of 20 (404: 20)  FAIL" in proc.stdout
    expected = run_cli(
        server.url("/status/404"), "-n", "20", "-c", "2", "--workers", "1", "--expect-status", "404"
    )
    assert expected.returncode == 0, expected.stdout  # --expect-status says 404 is the point of the test


def test_a_json_body_is_sent_as_application_json(server: BehaviourServer, tmp_path: Path) -> None:
    url = server.url("/json-only")  # 415 unless Content-Type: application/json
    inline = run_cli(url, "-m", "POST", "-b", '{"email": "a@b.c"}', "-n", "10", "--workers", "1")
    assert inline.returncode == 0, inline.stdout
    assert "status codes: 200: 10" in inline.stdout
    assert "Content-Type: application/json (added: the body is JSON)" in inline.stdout
    (tmp_path / "body.json").write_text("[1, 2, 3]\n")
    data = run_cli(
        url, "-m", "POST", "--data", str(tmp_path / "body.json"), "-n", "5", "--workers", "1", "--json"
    )
    doc = json.loads(data.stdout)
    assert doc["status"] == {"200": 5}
    assert (doc["plan"]["content_type"], doc["plan"]["content_type_added"]) == ("application/json", True)
    given = run_cli(
        url, "-m", "POST", "-b", '{"a": 1}', "-H", "Content-Type: text/plain", "-n", "5", "--workers", "1"
    )
    assert given.returncode == 1 and "status codes: 415: 5" in given.stdout  # a given Content-Type is kept
    assert "check the body's Content-Type" in given.stdout
    form = run_cli(url, "-m", "POST", "-b", "a=1&b=2", "-n", "5", "--workers", "1", "--json")
    assert json.loads(form.stdout)["plan"]["content_type"] is None  # not JSON: nothing added


def test_the_deadline_cuts_off_requests_in_flight(server: BehaviourServer, engine: str) -> None:
    """Three requests that are never answered, a 1 s run and a 30 s timeout: the run ends at its deadline
    with the three unfinished, not timed out (waiting for --timeout would have made them timeouts)."""
    plan = build_plan([server.url("/hang")], concurrency=3, duration=1, timeout=30, workers=1)
    result = run(plan)
    assert result.engine == engine
    assert (result.sent, result.completed, result.unfinished) == (3, 0, 3)
    assert result.errors == {}
    assert result.elapsed == 1.0  # the measured window is the run's length, not when the loop woke
    assert result.unanswered and not result.unreachable


def test_the_open_model_is_cut_off_at_its_deadline_too(server: BehaviourServer) -> None:
    plan = build_plan([server.url("/hang")], rate=10, duration=1, concurrency=2, timeout=30, workers=1)
    result = run(plan)
    assert result.sent == 10 and result.unfinished == 10 and result.errors == {}
    assert result.elapsed == 1.0


def test_requests_with_a_deadline(server: BehaviourServer, engine: str) -> None:
    """-n with -d: exactly N requests, unless the deadline comes first."""
    few = run(build_plan([server.url("/")], requests=20, duration=30, concurrency=2, workers=1))
    assert (few.sent, few.completed, few.unfinished) == (20, 20, 0)
    many = run(
        build_plan([server.url("/hang")], requests=1000, duration=0.5, concurrency=2, timeout=30, workers=1)
    )
    assert (many.sent, many.unfinished) == (2, 2) and many.elapsed == 0.5


def test_requests_per_second_line_and_the_measured_window(server: BehaviourServer, engine: str) -> None:
    proc = run_cli(server.url("/"), "-c", "2", "-d", "1.5", "--workers", "1", "--json")
    doc = json.loads(proc.stdout)
    assert doc["elapsed_s"] == 1.5
    assert doc["throughput"]["rps"] == round(doc["requests"]["completed"] / 1.5, 2)
    text = run_cli(server.url("/"), "-n", "50", "--workers", "1")
    line = next(x for x in text.stdout.splitlines() if x.startswith("Requests/sec:"))
    assert float(line.split()[1]) > 0 and "Transfer/sec:" in text.stdout


def test_worker_counts_agree_and_short_runs_have_no_loader_line(server: BehaviourServer) -> None:
    proc = run_cli(server.url("/"), "-n", "3", "--workers", "8")
    assert proc.returncode == 0, proc.stderr
    assert "(closed model, 3 worker(s))" in proc.stderr and "3 worker(s)" in proc.stdout  # not 8
    assert "\nloader:" not in proc.stdout  # a sub-second run says nothing about the loader's health
    long = run_cli(server.url("/"), "-c", "2", "-d", "1.2", "--workers", "4", "--json")
    doc = json.loads(long.stdout)
    assert doc["plan"]["workers"] == 2 and "(closed model, 2 worker(s))" in long.stderr
    shown = run_cli(server.url("/"), "-c", "1", "-d", "1", "--workers", "1")
    assert "\nloader: cpu max" in shown.stdout


@pytest.mark.parametrize("name", ["report.pdf", "report"])
def test_an_unknown_save_suffix_is_refused_before_the_run(
    server: BehaviourServer, tmp_path: Path, name: str
) -> None:
    proc = run_cli(server.url("/"), "-n", "5", "--save", str(tmp_path / name))
    assert proc.returncode == 2 and "cannot tell the report format" in proc.stderr and "hint:" in proc.stderr
    assert not (tmp_path / name).exists() and server.count()["count"] == 0
    named = run_cli(
        server.url("/"), "-n", "5", "--workers", "1", "--output", "json", "--save", str(tmp_path / name)
    )
    assert named.returncode == 0 and json.loads((tmp_path / name).read_text())["requests"]["sent"] == 5
    text = run_cli(server.url("/"), "-n", "5", "--workers", "1", "--save", str(tmp_path / "r.txt"))
    assert text.returncode == 0 and "Requests/sec:" in (tmp_path / "r.txt").read_text()
