"""Acceptance 5: the HTML report renders in headless Chromium with its charts and no script errors (the
screenshot is kept under test-artifacts/); the JSON document is versioned and documented; the
--hdr-log file reads back with HdrHistogram's own log reader."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from stanchion.load import build_plan, run
from stanchion.load.report import render
from tests.load.conftest import ROOT, BehaviourServer, run_cli

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="module")
def html_report(http_server: BehaviourServer, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A real open-model run against two URLs, one of them failing, saved as HTML by the command."""
    http_server.reset()
    path = tmp_path_factory.mktemp("report") / "report.html"
    proc = run_cli(
        http_server.url("/"), http_server.url("/status/503"),
        "-r", "400", "-d", "3", "-c", "8", "--output", "html", "--save", str(path),
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    return path


def _chromium(user_dir: Path, *args: str) -> subprocess.CompletedProcess[str]:
    if not Path(CHROMIUM).exists():
        pytest.fail("chromium is missing: run scripts/setup-system.sh (make test does)")
    return subprocess.run(
        [CHROMIUM, *FLAGS, f"--user-data-dir={user_dir}", "--enable-logging=stderr", "--v=0", *args],
        capture_output=True,
        text=True,
        timeout=90,
    )


def test_html_report_renders_in_chromium(html_report: Path, tmp_path: Path) -> None:
    text = html_report.read_text()
    assert not re.search(r"(src|href)\s*=|@import|url\(", text), "the report must load nothing"  # no CDN
    dom = _chromium(tmp_path / "profile", "--virtual-time-budget=5000", "--dump-dom", html_report.as_uri())
    assert dom.returncode == 0, dom.stderr[-2000:]
    body = re.search(r"<body[^>]*>", dom.stdout)
    assert body is not None, dom.stdout[:500]
    assert 'data-charts="4"' in body.group(0), body.group(0)  # all four charts drawn
    assert 'data-errors=""' in body.group(0), body.group(0)  # no script error on the page
    console_errors = [
        line
        for line in dom.stderr.splitlines()
        if "CONSOLE" in line and ("Uncaught" in line or "Error" in line)
    ]
    assert console_errors == []
    for chart in ("chart-distribution", "chart-throughput", "chart-latency", "chart-errors"):
        section = dom.stdout.split(f'id="{chart}"', 1)[1].split("</section>", 1)[0]
        assert "<path" in section, chart  # a drawn line, not the "no data" note
    assert 'data-series="5xx"' in dom.stdout  # the failing URL shows up in errors over time
    artifacts = ROOT / "test-artifacts"
    artifacts.mkdir(exist_ok=True)
    shot = artifacts / "load-report.png"
    shot.unlink(missing_ok=True)
    taken = _chromium(
        tmp_path / "profile2", "--window-size=1200,2400", f"--screenshot={shot}", html_report.as_uri()
    )
    assert taken.returncode == 0 and shot.stat().st_size > 10_000, taken.stderr[-2000:]


def test_json_document_is_versioned_and_documented(server: BehaviourServer) -> None:
    result = run(build_plan([server.url("/")], requests=50, concurrency=5, workers=1))
    doc = json.loads(render(result, "json"))
    assert doc["schema"] == "stanchion.load/1"
    docs = (ROOT / "docs" / "load.md").read_text()
    for key in doc:
        assert f"`{key}`" in docs, f"top-level key {key!r} is not documented in docs/load.md"
    for key in doc["timeline"][0]:
        assert f"`{key}`" in docs, f"timeline key {key!r} is not documented in docs/load.md"
    assert set(doc["latency_us"]["percentiles"]) == {"p50", "p75", "p90", "p95", "p99", "p99.9", "p99.99"}


def test_hdr_log_reads_back(server: BehaviourServer, tmp_path: Path) -> None:
    from hdrh.histogram import HdrHistogram
    from hdrh.log import HistogramLogReader

    log = tmp_path / "run.hlog"
    proc = run_cli(server.url("/"), "-r", "300", "-d", "2", "--hdr-log", str(log), "--json")
    assert proc.returncode == 0, proc.stderr
    doc = json.loads(proc.stdout)
    reader = HistogramLogReader(str(log), HdrHistogram(1, 3_600_000_000, 3))
    total = 0
    intervals = 0
    while (hist := reader.get_next_interval_histogram()) is not None:
        total += hist.get_total_count()
        intervals += 1
    assert intervals >= 2
    assert total == doc["requests"]["completed"] == doc["latency_us"]["count"]


def test_html_report_of_a_run_without_answers_renders(tmp_path: Path) -> None:
    from tests.support.servers import free_port

    result = run(build_plan([f"http://127.0.0.1:{free_port()}/"], requests=20, concurrency=2, workers=1))
    page = tmp_path / "refused.html"
    page.write_text(render(result, "html"))
    dom = _chromium(tmp_path / "profile", "--virtual-time-budget=5000", "--dump-dom", page.as_uri())
    body = re.search(r"<body[^>]*>", dom.stdout)
    assert body is not None and 'data-charts="4"' in body.group(0) and 'data-errors=""' in body.group(0)
    assert "no responses" in dom.stdout and 'data-series="refused"' in dom.stdout


def test_html_report_shows_requests_cut_off_at_the_deadline(server: BehaviourServer, tmp_path: Path) -> None:
    plan = build_plan([server.url("/hang")], concurrency=2, duration=0.5, timeout=30, workers=1)
    page = tmp_path / "cut.html"
    page.write_text(render(run(plan), "html"))
    dom = _chromium(tmp_path / "profile", "--virtual-time-budget=5000", "--dump-dom", page.as_uri())
    body = re.search(r"<body[^>]*>", dom.stdout)
    assert body is not None and 'data-errors=""' in body.group(0), dom.stdout[:500]
    assert "unfinished (cut off)" in dom.stdout
