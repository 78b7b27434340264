"""``stanchion perf`` against a real app on a real PostgreSQL: the N+1 endpoint is found with its exact
statements-per-request figure, the batched one is not; reads of a written table are no cache candidates;
``--baseline`` proves a fix and fails a regression.

Every figure asserted is a count (statements, calls, requests), never a time: pg_stat_statements counts
exactly what the app ran between two snapshots.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def app(pg_url: str) -> Iterator[str]:
    proc = subprocess.Popen(
        [sys.executable, "-m", "tests.perf.app", pg_url], cwd=ROOT, stdout=subprocess.PIPE, text=True
    )
    assert proc.stdout is not None
    line = proc.stdout.readline()
    if not line.startswith("READY"):
        proc.kill()
        raise RuntimeError(f"perf test app did not start: {line!r}")
    try:
        yield f"http://127.0.0.1:{line.split()[1]}"
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            proc.kill()


def perf(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "stanchion", "perf", *args],
        capture_output=True,
        text=True,
        timeout=180,
        cwd=ROOT,
        env=env,
    )


def by_path(doc: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {f"{e['method']} {e['path']}": e for e in doc["endpoints"]}


def test_n_plus_one_found_with_its_figure_and_batched_not(app: str, pg_url: str) -> None:
    proc = perf(
        app,
        "--endpoint",
        "/books/n-plus-one",
        "--endpoint",
        "GET /books/batched",
        "--endpoint",
        "POST /visits",
        "--database-url",
        pg_url,
        "-n",
        "60",
        "-c",
        "4",
        "--json",
    )
    assert proc.returncode == 0, proc.stderr
    doc = json.loads(proc.stdout)
    endpoints = by_path(doc)
    n1, batched, visits = (
        endpoints["GET /books/n-plus-one"],
        endpoints["GET /books/batched"],
        endpoints["POST /visits"],
    )
    for entry in (n1, batched, visits):
        assert entry["requests"] == 60 and entry["errors"] == 0
        assert set(entry["latency_ms"]) >= {"p50", "p90", "p99"}
        assert entry["db_ms_per_request"] is not None and entry["db_ms_per_request"] > 0
    assert n1["statements_per_request"] == 11.0  # the list, then one author lookup per book
    lookups = [s for s in n1["statements"] if "FROM author WHERE id = $1" in s["query"]]
    assert [s["calls_per_request"] for s in lookups] == [10.0]
    assert batched["statements_per_request"] == 2.0
    assert visits["statements_per_request"] == 2.0

    found = [(f["id"], f["endpoint"]) for f in doc["findings"]]
    assert ("n-plus-one", "GET /books/n-plus-one") in found
    assert all(f[1] != "GET /books/batched" for f in found if f[0] == "n-plus-one")
    (n_plus_one,) = [f for f in doc["findings"] if f["id"] == "n-plus-one"]
    assert "10.0 times per request" in n_plus_one["evidence"] and "ANY" in n_plus_one["fix"]
    assert n_plus_one["queryid"] == lookups[0]["queryid"]
    # the book list repeats across requests and nothing writes to book: a cache candidate;
    # the visit count is read right after each insert into visit: not one
    caches = [f for f in doc["findings"] if f["id"] == "cache-candidate"]
    assert any(f["endpoint"] == "GET /books/batched" and "book" in f["evidence"] for f in caches)
    assert not any(f["endpoint"] == "POST /visits" for f in caches)
    assert not any(f["id"] == "errors" for f in doc["findings"])


def test_optimize_caching_only_and_text_report(app: str, pg_url: str) -> None:
    proc = perf(app, "-e", "/books/n-plus-one", "--database-url", pg_url, "-n", "20", "--optimize", "caching")
    assert proc.returncode == 0, proc.stderr
    assert "GET /books/n-plus-one: 20 requests" in proc.stdout
    assert "11.00 statements" in proc.stdout
    assert "  cache-candidate  GET /books/n-plus-one" in proc.stdout
    assert "  n-plus-one  " not in proc.stdout  # --optimize caching asks for cache candidates alone


def test_without_a_database_url_latency_errors_and_what_a_url_adds(app: str) -> None:
    env = {**__import__("os").environ, "STANCHION_BASE_URL": app}
    proc = perf("--endpoint", "/health", "--endpoint", "/missing", "-n", "20", "--json", env=env)
    assert proc.returncode == 0, proc.stderr
    doc = json.loads(proc.stdout)
    endpoints = by_path(doc)
    assert (
        endpoints["GET /health"]["errors"] == 0 and endpoints["GET /health"]["statements_per_request"] is None
    )
    assert endpoints["GET /missing"]["errors"] == 20
    (error,) = doc["findings"]
    assert error["id"] == "errors" and error["endpoint"] == "GET /missing" and "20 of 20" in error["evidence"]
    assert doc["database"] is None and any("--database-url" in n for n in doc["notes"])


def test_missing_index_proven_with_hypopg(app: str, pg_url: str) -> None:
    args = (
        "-e",
        "/orders/by-customer",
        "-e",
        "/books/batched",
        "-n",
        "20",
        "--optimize",
        "indexes",
        "--json",
    )
    proc = perf(app, *args, "--database-url", pg_url)
    assert proc.returncode == 0, proc.stderr
    doc = json.loads(proc.stdout)
    (missing,) = [f for f in doc["findings"] if f["id"] == "missing-index"]  # none for the key lookups
    assert missing["endpoint"] == "GET /orders/by-customer"
    assert "orders (customer_id)" in missing["evidence"] and "HypoPG" in missing["evidence"]
    assert missing["fix"].startswith("CREATE INDEX CONCURRENTLY IF NOT EXISTS orders_customer_id_idx")
    (lookup,) = by_path(doc)["GET /orders/by-customer"]["statements"]
    assert missing["queryid"] == lookup["queryid"] and lookup["calls_per_request"] == 1.0
    assert not any(f["id"] == "cache-candidate" for f in doc["findings"])  # --optimize indexes alone

    import psycopg

    with psycopg.connect(pg_url, autocommit=True) as conn:
        conn.execute("DROP EXTENSION hypopg")
    proc = perf(app, *args, "--database-url", pg_url)
    doc = json.loads(proc.stdout)
    assert proc.returncode == 0 and not any(f["id"] == "missing-index" for f in doc["findings"])
    assert any("missing-index needs HypoPG" in n and "CREATE EXTENSION hypopg" in n for n in doc["notes"])


def test_html_report_renders_in_chromium(app: str, pg_url: str, tmp_path: Path) -> None:
    import re

    from tests.load.test_report import _chromium

    page = tmp_path / "perf.html"
    args = ("-e", "/books/n-plus-one", "-e", "/books/batched", "-e", "/health", "-n", "20")
    proc = perf(app, *args, "--database-url", pg_url, "--output", str(page))
    assert proc.returncode == 0, proc.stderr
    assert "GET /books/n-plus-one: 20 requests" in proc.stdout  # the text report still shows
    text = page.read_text()
    assert not re.search(r"(src|href)\s*=|@import|url\(", text), "the report must load nothing"
    dom = _chromium(tmp_path / "profile", "--virtual-time-budget=5000", "--dump-dom", page.as_uri())
    assert dom.returncode == 0, dom.stderr[-2000:]
    body = re.search(r"<body[^>]*>", dom.stdout)
    assert body is not None, dom.stdout[:500]
    assert 'data-bars="6"' in body.group(0), body.group(0)  # database and other, per endpoint
    assert 'data-errors=""' in body.group(0), body.group(0)
    assert 'data-endpoint="GET /books/n-plus-one"' in dom.stdout and "n-plus-one</b>" in dom.stdout
    assert '<td class="n">11.00</td>' in dom.stdout  # the table's statements per request


def test_output_must_name_a_known_format(tmp_path: Path) -> None:
    proc = perf("http://127.0.0.1:9", "-e", "/x", "--output", str(tmp_path / "perf.txt"))
    assert proc.returncode == 2 and "unknown report format" in proc.stderr
    assert not (tmp_path / "perf.txt").exists()


def _mode(app: str, mode: str) -> None:
    import urllib.request

    with urllib.request.urlopen(urllib.request.Request(f"{app}/__mode/{mode}", method="POST"), timeout=5):
        pass


def test_baseline_proves_a_fix_and_fails_a_regression(app: str, pg_url: str, tmp_path: Path) -> None:
    counts = ("--metrics", "statements_per_request,errors")  # counts: the same verdict on any machine
    common = (app, "-e", "/books", "--database-url", pg_url, "-n", "30", "-c", "3")
    before = perf(*common, "--json")
    assert before.returncode == 0, before.stderr
    saved = tmp_path / "before.json"
    saved.write_text(before.stdout)
    assert json.loads(before.stdout)["schema"] == "stanchion.perf/1"

    _mode(app, "batched")  # the fix
    fixed = perf(*common, "--baseline", str(saved), *counts)
    assert fixed.returncode == 0, fixed.stdout + fixed.stderr
    assert "GET /books against the baseline: passed" in fixed.stdout
    row = next(
        line for line in fixed.stdout.splitlines() if line.strip().startswith("statements_per_request")
    )
    assert row.split()[1:4] == ["11.0", "2.0", "-81.8%"]

    after = perf(*common, "--json")
    saved.write_text(after.stdout)
    _mode(app, "n-plus-one")  # the N+1 comes back
    regressed = perf(*common, "--baseline", str(saved), *counts, "--json")
    assert regressed.returncode == 1, regressed.stderr
    (gate,) = json.loads(regressed.stdout)["baseline"]["gates"]
    assert not gate["passed"]
    assert [r["ok"] for r in gate["rows"] if r["metric"] == "statements_per_request"] == [False]


def test_bad_baseline_files_are_exit_2(tmp_path: Path) -> None:
    (tmp_path / "load.json").write_text('{"schema": "stanchion.load/1"}')
    for name, message in (
        ("missing.json", "cannot read baseline"),
        ("load.json", "not a stanchion perf result"),
    ):
        proc = perf("http://127.0.0.1:9", "-e", "/x", "--baseline", str(tmp_path / name))
        assert proc.returncode == 2 and message in proc.stderr, proc.stderr


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--endpoint", "/x"], "no base URL"),
        (["http://127.0.0.1:9"], "no --endpoint given"),
        (["http://127.0.0.1:9", "-e", "GET POST /x"], "invalid endpoint"),
        (["http://127.0.0.1:9", "-e", "users"], "invalid endpoint path"),
        (["http://127.0.0.1:9", "-e", "/x", "--optimize", "speed"], "unknown --optimize area speed"),
        (["http://127.0.0.1:9", "-e", "/x", "-n", "5", "-d", "2s"], "-n and -d both given"),
        (["ftp://x", "-e", "/x"], "not an http(s) base URL"),
        (["http://127.0.0.1:9", "-e", "/x", "--metrics", "speed"], "unknown comparison metric 'speed'"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(args: list[str], message: str) -> None:
    env = {k: v for k, v in __import__("os").environ.items() if k != "STANCHION_BASE_URL"}
    proc = perf(*args, env=env)
    assert proc.returncode == 2, proc.stderr
    assert message in proc.stderr and "Traceback" not in proc.stderr


def test_unreachable_app_and_missing_extension_are_exit_3(pg_url: str) -> None:
    proc = perf("http://127.0.0.1:9", "-e", "/x", "-n", "5")
    assert proc.returncode == 3 and "Traceback" not in proc.stderr
    import psycopg

    with psycopg.connect(pg_url, autocommit=True) as conn:
        conn.execute("DROP EXTENSION IF EXISTS pg_stat_statements")
    proc = perf("http://127.0.0.1:9", "-e", "/x", "--database-url", pg_url)
    assert proc.returncode == 3 and "CREATE EXTENSION pg_stat_statements" in proc.stderr
