"""Every classic command line runs through its script in the skill folder, against real targets.

Databases: SQLite in a temp folder and the suite's PostgreSQL. HTTP: a keep-alive server on 127.0.0.1 that
answers 200 on most paths, 400 on /bad, and 429 on /limited once more than 50 requests arrived.
Durations in the classic forms are shortened (``--duration 30`` runs as ``--duration 2``) to keep the suite
inside CI's time; the command-line shapes are exactly the classic ones.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from stanchion.errors import UsageError
from stanchion.skill.classic import translate
from stanchion.skill.install import packaged_skill_dir

SCRIPTS = packaged_skill_dir() / "scripts"
PETSTORE = Path(__file__).resolve().parents[1] / "data" / "skill" / "petstore.yaml"


def shim(
    script: str, *args: str, cwd: Path, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(SCRIPTS / script), *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, "CI": "1", **(env or {})},
    )


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True
    limited = 0
    lock = threading.Lock()

    def _answer(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        if length:
            self.rfile.read(length)
        status = 200
        if self.path.startswith("/bad"):
            status = 400
        elif self.path.startswith("/limited"):
            with _Handler.lock:
                _Handler.limited += 1
                status = 429 if _Handler.limited > 50 else 200
        body = b'{"ok":true}'
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_GET = do_POST = _answer

    def log_message(self, format: str, *args: object) -> None:
        return None


@pytest.fixture(scope="module")
def base_url() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


# -- translation (pure) ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("script", "argv", "expected"),
    [
        ("database_migration_tool.py", ["create", "add_users_table"], ["db", "create", "add_users_table"]),
        (
            "database_migration_tool.py",
            ["rollback", "--steps", "2"],
            ["db", "rollback", "--steps", "2", "--yes"],
        ),
        (
            "database_migration_tool.py",
            ["--connection", "sqlite:///x.db", "--analyze"],
            ["db", "analyze", "--database-url", "sqlite:///x.db"],
        ),
        (
            "database_migration_tool.py",
            ["old.sql", "--compare", "new.sql", "--output", "m/"],
            ["db", "diff", "--from", "old.sql", "--to", "new.sql", "--output", "m/"],
        ),
        (
            "database_migration_tool.py",
            ["--connection", "U", "--migrate", "f.sql", "--dry-run"],
            ["db", "apply", "f.sql", "--dry-run", "--database-url", "U"],
        ),
        (
            "database_migration_tool.py",
            ["./migrations", "--create", "init"],
            ["db", "create", "init", "--dir", "./migrations"],
        ),
        ("backend_decision_engine.py", ["--team-size", "8"], ["decide", "--team-size", "8"]),
        (
            "api_load_tester.py",
            ["http://127.0.0.1:1/", "--users", "10"],
            ["load", "http://127.0.0.1:1/", "--users", "10"],
        ),
    ],
)
def test_translation(script: str, argv: list[str], expected: list[str]) -> None:
    assert translate(script, argv) == expected


def test_rollback_asks_on_a_terminal() -> None:
    assert translate("database_migration_tool.py", ["rollback"], interactive=True) == ["db", "rollback"]


def test_no_action_is_a_clear_error() -> None:
    with pytest.raises(UsageError, match="no action given"):
        translate("database_migration_tool.py", ["--verbose"])


# -- database_migration_tool.py ----------------------------------------------------------------------


def _fill(migration: Path, up: str, down: str) -> None:
    migration.write_text(f"-- migrate:up\n{up}\n\n-- migrate:down\n{down}\n")


def test_migration_forms_on_sqlite(tmp_path: Path) -> None:
    env = {"DATABASE_URL": f"sqlite:///{tmp_path / 'app.db'}"}
    first = shim("database_migration_tool.py", "create", "add_users_table", cwd=tmp_path, env=env)
    assert first.returncode == 0, first.stderr
    (users,) = sorted((tmp_path / "migrations").glob("*_add_users_table.sql"))
    _fill(users, "CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT NOT NULL);", "DROP TABLE users;")
    second = shim("database_migration_tool.py", "create", "add_orders", cwd=tmp_path, env=env)
    assert second.returncode == 0, second.stderr
    (orders,) = sorted((tmp_path / "migrations").glob("*_add_orders.sql"))
    _fill(orders, "CREATE TABLE orders (id INTEGER PRIMARY KEY, user_id INTEGER);", "DROP TABLE orders;")

    migrate = shim("database_migration_tool.py", "migrate", cwd=tmp_path, env=env)
    assert migrate.returncode == 0, migrate.stderr
    status = shim("database_migration_tool.py", "status", cwd=tmp_path, env=env)
    assert status.returncode == 0, status.stderr
    rollback = shim("database_migration_tool.py", "rollback", "--steps", "2", cwd=tmp_path, env=env)
    assert rollback.returncode == 0, rollback.stderr
    pending = json.loads(shim("database_migration_tool.py", "status", "--json", cwd=tmp_path, env=env).stdout)
    assert "pending" in json.dumps(pending)


def test_folder_forms_on_sqlite(tmp_path: Path) -> None:
    env = {"DATABASE_URL": f"sqlite:///{tmp_path / 'app.db'}"}
    (tmp_path / "migrations").mkdir()
    create = shim("database_migration_tool.py", "./migrations", "--create", "init", cwd=tmp_path, env=env)
    assert create.returncode == 0, create.stderr
    (init,) = (tmp_path / "migrations").glob("*_init.sql")
    _fill(init, "CREATE TABLE t (id INTEGER PRIMARY KEY);", "DROP TABLE t;")
    up = shim("database_migration_tool.py", "./migrations", "--up", "--verbose", cwd=tmp_path, env=env)
    assert up.returncode == 0, up.stderr
    down = shim("database_migration_tool.py", "./migrations", "--down", cwd=tmp_path, env=env)
    assert down.returncode == 0, down.stderr


@pytest.mark.postgres
def test_migrate_file_dry_run_on_postgres(tmp_path: Path, pg_url: str) -> None:
    migration = tmp_path / "20240101000000_widgets.sql"
    _fill(migration, "CREATE TABLE widgets (id bigint PRIMARY KEY);", "DROP TABLE widgets;")
    proc = shim(
        "database_migration_tool.py",
        "--connection",
        pg_url,
        "--migrate",
        str(migration),
        "--dry-run",
        cwd=tmp_path,
    )
    assert proc.returncode == 0, proc.stderr
    assert "CREATE TABLE widgets" in proc.stdout + proc.stderr
    import psycopg

    with psycopg.connect(pg_url) as conn:
        assert conn.execute("SELECT to_regclass('widgets')").fetchone() == (None,)


@pytest.mark.postgres
def test_analysis_forms(tmp_path: Path, pg_url: str) -> None:
    import psycopg

    schema = (
        "CREATE TABLE customers (id bigint PRIMARY KEY, email text NOT NULL);\n"
        "CREATE TABLE orders (id bigint PRIMARY KEY, customer_id bigint REFERENCES customers(id), total int);\n"
    )
    with psycopg.connect(pg_url, autocommit=True) as conn:
        conn.execute(schema)
    (tmp_path / "schema.sql").write_text(schema)
    (tmp_path / "new.sql").write_text(
        schema + "CREATE INDEX orders_customer_id_idx ON orders (customer_id);\n"
    )
    live = shim("database_migration_tool.py", "--connection", pg_url, "--analyze", cwd=tmp_path)
    assert live.returncode in (0, 1), live.stderr
    assert "orders" in live.stdout
    from_file = shim(
        "database_migration_tool.py",
        "schema.sql",
        "--analyze",
        cwd=tmp_path,
        env={"STANCHION_SCRATCH_URL": pg_url},
    )
    assert from_file.returncode in (0, 1), from_file.stderr
    diff = shim(
        "database_migration_tool.py",
        "schema.sql",
        "--compare",
        "new.sql",
        "--output",
        "migrations/",
        cwd=tmp_path,
        env={"STANCHION_SCRATCH_URL": pg_url},
    )
    assert diff.returncode == 0, diff.stderr
    assert any("orders_customer_id_idx" in p.read_text() for p in (tmp_path / "migrations").glob("*.sql"))
    suggest = shim(
        "database_migration_tool.py",
        "schema.sql",
        "--suggest-indexes",
        cwd=tmp_path,
        env={"STANCHION_SCRATCH_URL": pg_url},
    )
    assert suggest.returncode in (0, 1), suggest.stderr


# -- api_load_tester.py ------------------------------------------------------------------------------


def test_load_forms(tmp_path: Path, base_url: str) -> None:
    ok = f"{base_url}/health"
    forms = [
        [ok, "--users", "10", "--requests", "100"],
        [ok, "--concurrency", "50", "--duration", "2"],
        [
            ok,
            "--method",
            "POST",
            "--header",
            "Authorization: Bearer t",
            "--body",
            '{"a":1}',
            "--requests",
            "50",
        ],
        [ok, f"{base_url}/other", "--compare", "--requests", "100", "--metrics", "error_rate,requests"],
        [ok, "--users", "100", "--requests", "1000", "--output", "html", "--save", "report.html"],
        [f"{base_url}/bad", "--expect-status", "400", "--requests", "50"],
        [f"{base_url}/limited", "--concurrency", "200", "--duration", "2", "--expect-rate-limit"],
    ]
    for form in forms:
        proc = shim("api_load_tester.py", *form, cwd=tmp_path)
        assert proc.returncode == 0, f"{form}: {proc.stderr[-2000:]}"
    html = (tmp_path / "report.html").read_text()
    assert html.lstrip().lower().startswith("<!doctype html")
    saved = shim(
        "api_load_tester.py",
        ok,
        "--requests",
        "200",
        "--output",
        "json",
        "--save",
        "baseline.json",
        cwd=tmp_path,
    )
    assert saved.returncode == 0, saved.stderr
    compared = shim(
        "api_load_tester.py",
        ok,
        "--requests",
        "200",
        "--compare",
        "baseline.json",
        "--metrics",  # counts, not latency: the same on a loaded machine (no timing in tests)
        "error_rate,requests",
        cwd=tmp_path,
    )
    assert compared.returncode == 0, compared.stderr


# -- backend_decision_engine.py ----------------------------------------------------------------------


def test_decision_form(tmp_path: Path) -> None:
    proc = shim(
        "backend_decision_engine.py",
        "--team-size",
        "8",
        "--qps-p99",
        "50",
        "--read-write-ratio",
        "20",
        "--tenancy",
        "shared-multi-tenant",
        "--data-sensitivity",
        "pii",
        "--pattern",
        "modular-monolith",
        "--language-preference",
        "typescript",
        "--json",
        cwd=tmp_path,
    )
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["recommendation"]["id"] == "node-express"


def test_decision_refuses_missing_inputs(tmp_path: Path) -> None:
    proc = shim("backend_decision_engine.py", "--team-size", "8", cwd=tmp_path)
    assert proc.returncode == 2
    assert "read" in proc.stderr.lower()


# -- performance_analyzer.py -------------------------------------------------------------------------


def test_performance_analyzer_load_form(tmp_path: Path, base_url: str) -> None:
    proc = shim("performance_analyzer.py", f"{base_url}/health", "--requests", "100", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr


def test_performance_analyzer_without_target_is_a_clear_error(tmp_path: Path) -> None:
    proc = shim("performance_analyzer.py", cwd=tmp_path)
    assert proc.returncode == 2
    assert proc.stderr.startswith("error: performance_analyzer.py: nothing to analyse")


# -- api_scaffolder.py -------------------------------------------------------------------------------


def test_scaffolder_forms(tmp_path: Path) -> None:
    import shutil

    new = shim(
        "api_scaffolder.py",
        "my-api",
        "--type",
        "rest",
        "--stack",
        "express-typescript",
        "--auth",
        cwd=tmp_path,
    )
    assert new.returncode == 0, new.stderr
    assert (tmp_path / "my-api" / "package.json").is_file()
    assert (tmp_path / "my-api" / "src" / "services" / "auth.service.ts").is_file()

    shutil.copy(PETSTORE, tmp_path / "openapi.yaml")
    shutil.copy(PETSTORE, tmp_path / "spec.yaml")
    routes = shim(
        "api_scaffolder.py", "openapi.yaml", "--framework", "express", "--output", "src/routes/", cwd=tmp_path
    )
    assert routes.returncode == 0, routes.stderr
    assert list((tmp_path / "src" / "routes").rglob("*.ts"))
    types = shim("api_scaffolder.py", "spec.yaml", "--types-only", "--output", "src/types/", cwd=tmp_path)
    assert types.returncode == 0, types.stderr
    generated = [p.name for p in (tmp_path / "src" / "types").rglob("*.ts")]
    assert generated and not any("handler" in name for name in generated)


def test_script_without_stanchion_says_so(tmp_path: Path) -> None:
    """Run with a bare interpreter (isolated mode: no site-packages, so no stanchion): exit 3, one line + hint."""
    proc = subprocess.run(
        [sys.executable, "-I", "-S", str(SCRIPTS / "api_load_tester.py"), "http://127.0.0.1:1/"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 3
    assert proc.stderr.startswith("error: stanchion is not installed for ")
    assert "hint: pip install stanchion" in proc.stderr
