"""The command: the seed-compatible forms parse and run, bad input is one line plus a hint (exit 2), and
Ctrl-C stops cleanly with a report of what ran (exit 130)."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time

import pytest

from tests.load.conftest import ROOT, BehaviourServer, run_cli


def test_help_has_examples() -> None:
    proc = run_cli("--help")
    assert proc.returncode == 0
    assert "Examples:" in proc.stdout and "--expect-rate-limit" in proc.stdout and "--users" in proc.stdout


@pytest.mark.parametrize(
    "form",
    [
        ["--users", "10", "--requests", "100"],
        ["--concurrency", "5", "--duration", "1"],
        ["--concurrent", "3", "--duration", "1"],
        ["--method", "POST", "--header", "Authorization: Bearer t", "--body", '{"a":1}', "-n", "20"],
        ["-c", "4", "-n", "30", "--timeout", "2s", "--warmup", "0"],
    ],
)
def test_seed_compatible_forms(server: BehaviourServer, form: list[str]) -> None:
    proc = run_cli(server.url("/"), *form, "--workers", "1", "--json")
    assert proc.returncode == 0, proc.stderr
    doc = json.loads(proc.stdout)
    requests = doc["requests"]
    assert requests["errors"] == 0 and requests["sent"] == requests["completed"] + requests["unfinished"]
    # a request cut off at the deadline may or may not have reached the server; an answered one did
    arrived = int(server.count()["count"])  # type: ignore[call-overload]
    assert requests["completed"] <= arrived <= requests["sent"]
    if "--requests" in form or "-n" in form:
        assert requests["unfinished"] == 0 and arrived == requests["sent"]


def test_headers_and_data_files(server: BehaviourServer, tmp_path: object) -> None:
    from pathlib import Path

    folder = Path(str(tmp_path))
    (folder / "headers.txt").write_text("# auth\nAuthorization: Bearer t\nX-Trace: 1\n")
    (folder / "body.json").write_text('{"a": 1}')
    proc = run_cli(
        server.url("/"), "-m", "PUT", "--headers", str(folder / "headers.txt"), "--data", str(folder / "body.json"),
        "-n", "10", "--workers", "1",
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    assert "PUT http://127.0.0.1" in proc.stdout
    assert ", compiled loop" in proc.stdout  # the text report says which per-request loop ran


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        ([], "no URL given"),
        (["http://127.0.0.1:9/", "--threshold", "p99 under 3"], "invalid threshold"),
        (["http://127.0.0.1:9/", "--compare"], "--compare needs two URLs"),
        (["http://127.0.0.1:9/", "--compare", "missing.json"], "cannot read baseline"),
        (["http://127.0.0.1:9/", "-r", "10", "-n", "5"], "--requests is for the closed model"),
        (["not-a-url", "-n", "1"], "not an http(s) URL"),
        (["http://127.0.0.1:9/", "--data", "/nonexistent/body"], "cannot read data file"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(args: list[str], fragment: str) -> None:
    proc = run_cli(*args)
    assert proc.returncode == 2, proc.stderr
    assert fragment in proc.stderr and "hint:" in proc.stderr
    assert "Traceback" not in proc.stderr


@pytest.mark.parametrize("workers", ["1", "2"])
def test_ctrl_c_stops_cleanly_and_reports(server: BehaviourServer, workers: str) -> None:
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "stanchion",
            "load",
            server.url("/delay/5"),
            "-c",
            "4",
            "-d",
            "60",
            "--workers",
            workers,
        ],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    # press Ctrl-C once the load is under way (the server has seen requests), not after a guessed sleep
    deadline = time.monotonic() + 60
    while int(server.count()["count"]) == 0:  # type: ignore[call-overload]
        assert proc.poll() is None and time.monotonic() < deadline, proc.communicate()
        time.sleep(0.05)
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=30)
    assert proc.returncode == 130, err
    assert "interrupted: partial results" in out
    assert "Traceback" not in err
    sent = int(out.split("requests ")[1].split(" sent")[0].replace(",", ""))
    assert sent > 0


def test_live_progress_line_on_a_terminal(server: BehaviourServer) -> None:
    import os

    import pexpect

    env = {k: v for k, v in os.environ.items() if k != "CI"}
    child = pexpect.spawn(
        sys.executable,
        ["-m", "stanchion", "load", server.url("/"), "-r", "200", "-d", "3", "--workers", "1"],
        cwd=str(ROOT),
        env=env,
        encoding="utf-8",
        timeout=30,
    )
    child.expect(r"\r\s+\d+s\s+[\d,]+ req/s\s+p99\s+[\d.]+ ms\s+errors 0")  # redrawn in place each second
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0


def test_credentials_in_the_url_are_sent_and_never_shown(server: BehaviourServer, tmp_path: object) -> None:
    from pathlib import Path

    from stanchion.load.plan import build_plan

    url = f"http://bob:s3cret@127.0.0.1:{server.port}/"
    plan = build_plan([url], requests=1)
    assert b"Authorization: Basic Ym9iOnMzY3JldA==\r\n" in plan.request_bytes(plan.targets[0])
    report = Path(str(tmp_path)) / "r.html"
    proc = run_cli(url, "-n", "5", "--workers", "1", "--save", str(report))
    assert proc.returncode == 0, proc.stderr
    for text in (proc.stdout, proc.stderr, report.read_text()):
        assert "s3cret" not in text
    assert "bob:***@" in proc.stdout


def test_output_is_a_path_and_format_the_format(server: BehaviourServer, tmp_path: object) -> None:
    from pathlib import Path

    folder = Path(str(tmp_path))
    new = run_cli(
        server.url("/"), "-n", "5", "--workers", "1", "--format", "json", "--output", "r.txt", cwd=folder
    )
    assert new.returncode == 0, new.stderr
    assert json.loads((folder / "r.txt").read_text())["schema"] == "stanchion.load/1"
    assert "old spelling" not in new.stderr
    old = run_cli(
        server.url("/"), "-n", "5", "--workers", "1", "--output", "html", "--save", "r.html", cwd=folder
    )
    assert old.returncode == 0, old.stderr
    assert "warning: --output html is the old spelling of --format html" in old.stderr
    assert (folder / "r.html").read_text().lstrip().lower().startswith("<!doctype html")
