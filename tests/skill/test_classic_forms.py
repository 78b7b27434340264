"""Every line of ``../shared/classic-forms.md`` runs through the installed ``scripts/`` of ``skill install``.

The scripts run as a user runs them: ``python SCRIPT ...`` through bash, where the ``python`` first on PATH is
a bare virtual environment without Stanchion and no ``stanchion`` command is on PATH, so each script must
find Stanchion through what ``skill install`` recorded. Databases are the suite's real PostgreSQL; HTTP
targets are the load tests' behaviour server (tests/load/servers.py) on 127.0.0.1.

The table below has one entry per line of the contract (a test fails when the contract gains a line the
table lacks). Each entry runs the line, or its variants, as written, except that load lines are bounded:
``--duration 60`` and ``--duration 10`` run as ``--duration 2``, and lines without a bound get
``--requests N`` or ``--duration 2`` appended; the forms parse identically. ``api_load_tester.py URL`` runs
as written (the default run is 10 s). A form whose feature another piece of work builds (GraphQL, the
fastify/koa/nestjs stacks, --from-db, --generate-spec) must either work or exit 2
with one line naming the feature, never click's "No such option" or "Did you mean".
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import psycopg
import pytest

from stanchion.scaffold.stacks import STACKS
from tests.load.conftest import BehaviourServer, start_server, stop_server

ROOT = Path(__file__).resolve().parents[2]
CONTRACT = ROOT.parent / "shared" / "classic-forms.md"
PETSTORE = ROOT / "tests" / "data" / "skill" / "petstore.yaml"

pytestmark = [pytest.mark.postgres, pytest.mark.timeout(900)]


@dataclass
class Env:
    scripts: Path
    bare_python: Path
    server: BehaviourServer
    pg_url: str
    work: Path

    def run(self, line: str, cwd: Path | None = None, tty: bool = False) -> subprocess.CompletedProcess[str]:
        """Run ``line`` with bash; ``$S`` is the scripts folder, ``$URL`` the HTTP server, ``$DB`` the database."""
        env = {
            "PATH": f"{self.bare_python.parent}:/usr/bin:/bin",
            "HOME": str(self.work),
            "S": str(self.scripts),
            "URL": self.server.url(""),
            "DB": self.pg_url,
            "CI": "1",
            "LANG": "C.UTF-8",
        }
        command = ["bash", "-c", line]
        if tty:  # a terminal on stdin, stdout and stderr, as a person at a shell has
            command = ["script", "-qec", f"bash -c {_quote(line)}", "/dev/null"]
        return subprocess.run(
            command, cwd=cwd or self.work, env=env, capture_output=True, text=True, timeout=300
        )


def _quote(text: str) -> str:
    return "'" + text.replace("'", "'\\''") + "'"


@pytest.fixture(scope="module")
def env(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Env]:
    base = tmp_path_factory.mktemp("classic")
    bare = base / "bare"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(bare)], check=True)
    python = bare / "bin" / "python"
    assert subprocess.run([python, "-c", "import stanchion"], capture_output=True).returncode == 1
    install = subprocess.run(
        [
            sys.executable,
            "-m",
            "stanchion",
            "skill",
            "install",
            "--dest",
            str(base / "skill"),
            "--agents-dest",
            str(base / "agents"),
        ],
        capture_output=True,
        text=True,
    )
    assert install.returncode == 0, install.stderr
    server = start_server()
    try:
        yield Env(base / "skill" / "scripts", python, server, "", base)
    finally:
        stop_server(server)


@pytest.fixture
def ctx(env: Env, pg_url: str, tmp_path: Path) -> Env:
    env.server.reset()
    return Env(env.scripts, env.bare_python, env.server, pg_url, tmp_path)


def ok(proc: subprocess.CompletedProcess[str]) -> subprocess.CompletedProcess[str]:
    assert proc.returncode == 0, f"exit {proc.returncode}\n{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}"
    return proc


def not_built(proc: subprocess.CompletedProcess[str], feature: str) -> None:
    """Exit 2 and one error line naming ``feature`` (plus its hint), nothing click-shaped."""
    assert proc.returncode == 2, proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert lines[0].startswith("error: not built in Stanchion") and feature in lines[0], lines
    assert [line.split(":")[0] for line in lines] == ["error", "hint"], lines
    assert "No such option" not in proc.stderr and "Did you mean" not in proc.stderr


# -- api_scaffolder.py ----------------------------------------------------------------------------------


def production_set(project: Path, name: str, stack: str | None = None) -> None:
    marker = json.loads((project / ".stanchion.json").read_text())
    project_named(project, name)
    if stack:
        assert marker["stack"] == stack
    assert marker["auth"] is True and marker["minimal"] is False
    compose = (project / "docker-compose.yml").read_text().lower()
    assert "postgres" in compose and "redis" in compose
    assert (project / "Dockerfile").is_file()
    assert list((project / ".github" / "workflows").glob("*.yml"))


def project_named(project: Path, name: str) -> None:
    text = (
        project / ("package.json" if (project / "package.json").exists() else "pyproject.toml")
    ).read_text()
    assert name in text


def folder_forms(c: Env) -> None:
    for folder, name in (("./backend", "backend"), ("./services/user-service", "user-service")):
        ok(c.run(f"python $S/api_scaffolder.py {folder} --type rest --auth jwt"))
        production_set(c.work / folder, name)
        project_named(c.work / folder, name)
    ok(c.run("NAME=orders-api; python $S/api_scaffolder.py ./$NAME --type rest --auth jwt"))
    production_set(c.work / "orders-api", "orders-api")


def tree(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def terminal_identical(c: Env) -> None:
    line = "python $S/api_scaffolder.py my-api --type rest --stack express-typescript --auth"
    ok(c.run(line))
    production_set(c.work / "my-api", "my-api", "express-typescript")
    (c.work / "tty").mkdir()
    ok(c.run(line, cwd=c.work / "tty", tty=True))
    assert tree(c.work / "tty" / "my-api") == tree(c.work / "my-api")


def stack_forms(c: Env) -> None:
    for stack in ("fastify-typescript", "koa-typescript", "nestjs", "fastapi"):
        proc = c.run(f"python $S/api_scaffolder.py svc-{stack} --type rest --stack {stack}")
        if stack in STACKS:
            ok(proc)
            production_set(c.work / f"svc-{stack}", f"svc-{stack}", stack)
        else:
            not_built(proc, f"the {stack} stack")


def graphql_form(c: Env) -> None:
    proc = c.run("python $S/api_scaffolder.py graphql-api --type graphql --stack apollo-typescript")
    if "apollo-typescript" in STACKS:
        ok(proc)
        assert (
            json.loads((c.work / "graphql-api" / ".stanchion.json").read_text())["stack"]
            == "apollo-typescript"
        )
    else:
        not_built(proc, "GraphQL")


def optional_parts(c: Env) -> None:
    ok(c.run("python $S/api_scaffolder.py with-parts --type rest --stack fastapi --docker --ci"))
    production_set(c.work / "with-parts", "with-parts", "fastapi")
    ok(c.run("python $S/api_scaffolder.py bare-api --type rest --stack fastapi --minimal"))
    bare = c.work / "bare-api"
    assert json.loads((bare / ".stanchion.json").read_text())["minimal"] is True
    assert not (bare / "Dockerfile").exists() and not (bare / ".github").exists()


def spec_forms(c: Env) -> None:
    (c.work / "openapi.yaml").write_bytes(PETSTORE.read_bytes())
    for framework, suffix in (("express", ".ts"), ("fastify", ".ts"), ("koa", ".ts"), ("fastapi", ".py")):
        out = f"out-{framework}/src/routes/"
        ok(c.run(f"python $S/api_scaffolder.py openapi.yaml --framework {framework} --output {out}"))
        assert list((c.work / out).rglob(f"*{suffix}")), framework


def spec_in_and_out_of_a_project(c: Env) -> None:
    (c.work / "openapi.yaml").write_bytes(PETSTORE.read_bytes())
    outside = c.run("python $S/api_scaffolder.py openapi.yaml --framework express")
    assert outside.returncode == 2
    assert outside.stderr.startswith("error: ") and "--output" in outside.stderr.splitlines()[0]
    ok(c.run("python $S/api_scaffolder.py shop --type rest --stack express-typescript --auth"))
    (c.work / "shop" / "openapi.yaml").write_bytes(PETSTORE.read_bytes())
    ok(c.run("python $S/api_scaffolder.py openapi.yaml --framework express", cwd=c.work / "shop"))
    assert list((c.work / "shop" / "src" / "api" / "handlers").glob("*.ts"))


def from_db_form(c: Env) -> None:
    with psycopg.connect(c.pg_url, autocommit=True) as conn:
        conn.execute("CREATE TABLE authors (id bigint PRIMARY KEY, name text NOT NULL)")
    proc = c.run('python $S/api_scaffolder.py --from-db "$DB" --output src/routes/')
    if proc.returncode == 2:
        not_built(proc, "--from-db")
    else:
        ok(proc)
        assert list((c.work / "src" / "routes").rglob("*"))


def generate_spec_form(c: Env) -> None:
    (c.work / "openapi.yaml").write_bytes(PETSTORE.read_bytes())
    ok(c.run("python $S/api_scaffolder.py openapi.yaml --framework express --output src/routes/"))
    for line in (
        "python $S/api_scaffolder.py src/routes/ --generate-spec --output openapi-out.yaml",
        "python $S/api_scaffolder.py src/routes/ --generate-spec",
    ):
        proc = c.run(line)
        if proc.returncode == 2:
            not_built(proc, "--generate-spec")
        else:
            ok(proc)
            assert "openapi" in (
                (c.work / "openapi-out.yaml").read_text() if "--output" in line else proc.stdout
            )


def endpoints_form(c: Env) -> None:
    line = (
        'python $S/api_scaffolder.py --name UserAPI --endpoints "GET /users, POST /users, GET /users/:id" '
        "--database postgres"
    )
    ok(c.run(line))
    project = c.work / "user-api"
    production_set(project, "user-api")
    spec = json.loads((project / "openapi.json").read_text())
    assert {p: sorted(ops) for p, ops in spec["paths"].items()} == {
        "/users": ["get", "post"],
        "/users/{id}": ["get"],
    }
    handlers = sorted(p.name for p in (project / "src" / "api" / "handlers").glob("*.ts"))
    assert handlers == ["getUsers.ts", "getUsersById.ts", "postUsers.ts"]


def help_shows_forms(script: str) -> Callable[[Env], None]:
    def check(c: Env) -> None:
        proc = ok(c.run(f"python $S/{script} --help"))
        for form in contract_forms()[script]:
            for option in set(re.findall(r"(?<![\w-])--?[a-z][\w-]*", form)) - {"--help"}:
                assert option in proc.stdout, f"{script} --help does not show {option} (from {form})"

    return check


# -- database_migration_tool.py ---------------------------------------------------------------------------


def _fill(path: Path, up: str, down: str) -> None:
    path.write_text(f"-- migrate:up\n{up}\n\n-- migrate:down\n{down}\n")


def folder_create(c: Env) -> None:
    (c.work / "migrations").mkdir()
    ok(c.run('python $S/database_migration_tool.py ./migrations --create "add_users_table"'))
    assert len(list((c.work / "migrations").glob("*_add_users_table.sql"))) == 1


def _two_migrations(c: Env) -> None:
    folder = c.work / "migrations"
    folder.mkdir(exist_ok=True)
    _fill(
        folder / "20240101000000_users.sql",
        "CREATE TABLE users (id bigint PRIMARY KEY);\nCREATE INDEX users_id2 ON users (id);",
        "DROP TABLE users;",
    )
    _fill(
        folder / "20240102000000_posts.sql",
        "CREATE TABLE posts (id bigint PRIMARY KEY);",
        "DROP TABLE posts;",
    )


def _tables(c: Env) -> set[str]:
    with psycopg.connect(c.pg_url) as conn:
        rows = conn.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public'").fetchall()
    return {r[0] for r in rows}


def folder_up(c: Env) -> None:
    _two_migrations(c)
    db = 'DATABASE_URL="$DB" '
    up = ok(c.run(db + "python $S/database_migration_tool.py ./migrations --up"))
    assert {"users", "posts"} <= _tables(c)
    assert "CREATE INDEX users_id2" not in up.stdout + up.stderr  # not verbose
    ok(c.run(db + "python $S/database_migration_tool.py ./migrations --down"))
    ok(c.run(db + "python $S/database_migration_tool.py ./migrations --down"))
    verbose = ok(c.run(db + "python $S/database_migration_tool.py ./migrations --up --verbose"))
    text = verbose.stdout + verbose.stderr
    for statement in (
        "CREATE TABLE users (id bigint PRIMARY KEY)",
        "CREATE INDEX users_id2 ON users (id)",
        "CREATE TABLE posts",
    ):
        (line,) = [ln for ln in text.splitlines() if statement in ln]
        assert re.search(r"\d+(\.\d+)? ms", line), line


def folder_down(c: Env) -> None:
    _two_migrations(c)
    ok(c.run('DATABASE_URL="$DB" python $S/database_migration_tool.py ./migrations --up'))
    ok(c.run('DATABASE_URL="$DB" python $S/database_migration_tool.py ./migrations --down'))
    assert "users" in _tables(c) and "posts" not in _tables(c)


def subcommand_forms(c: Env) -> None:
    env = 'DATABASE_URL="$DB" '
    ok(c.run(env + "python $S/database_migration_tool.py create add_users_table"))
    (made,) = (c.work / "migrations").glob("*_add_users_table.sql")
    _fill(made, "CREATE TABLE users (id bigint PRIMARY KEY);", "DROP TABLE users;")
    _fill(
        c.work / "migrations" / "29990101000000_posts.sql",
        "CREATE TABLE posts (id bigint);",
        "DROP TABLE posts;",
    )
    ok(c.run(env + "python $S/database_migration_tool.py migrate"))
    assert {"users", "posts"} <= _tables(c)
    classic = ok(c.run(env + "python $S/database_migration_tool.py status --json"))
    native = ok(c.run(f"{env}{sys.executable} -m stanchion db status --json"))
    assert json.loads(classic.stdout) == json.loads(native.stdout)
    ok(c.run(env + "python $S/database_migration_tool.py rollback --steps 2"))
    assert not {"users", "posts"} & _tables(c)
    status = json.loads(ok(c.run(env + "python $S/database_migration_tool.py status --json")).stdout)
    assert "pending" in json.dumps(status)


def _schema(c: Env) -> None:
    with psycopg.connect(c.pg_url, autocommit=True) as conn:
        conn.execute(
            "CREATE TABLE customers (id bigint PRIMARY KEY, email text NOT NULL);"
            "CREATE TABLE orders (id bigint PRIMARY KEY, customer_id bigint REFERENCES customers(id), total int);"
        )


def analyze_form(c: Env) -> None:
    _schema(c)
    classic = c.run('python $S/database_migration_tool.py --connection "$DB" --analyze --json')
    native = c.run(f'{sys.executable} -m stanchion db analyze --database-url "$DB" --json')
    assert classic.returncode == native.returncode and classic.returncode in (0, 1), classic.stderr
    one, other = json.loads(classic.stdout), json.loads(native.stdout)
    moving = {"stats_age_days"}  # how old the statistics are: a clock reading, a little later the second time
    assert {k: v for k, v in one.items() if k not in moving and v != other.get(k)} == {}
    assert set(one) == set(other)
    assert "orders" in c.run('python $S/database_migration_tool.py --connection "$DB" --analyze').stdout


def compare_form(c: Env) -> None:
    _schema(c)
    (c.work / "schema").mkdir()
    (c.work / "schema" / "v2.sql").write_text(
        "CREATE TABLE customers (id bigint PRIMARY KEY, email text NOT NULL);\n"
        "CREATE TABLE orders (id bigint PRIMARY KEY, customer_id bigint REFERENCES customers(id), total int);\n"
        "CREATE INDEX orders_customer_id_idx ON orders (customer_id);\n"
    )
    line = 'STANCHION_SCRATCH_URL="$DB" python $S/database_migration_tool.py --connection "$DB" --compare schema/v2.sql --output migrations/'
    ok(c.run(line))
    (written,) = (c.work / "migrations").glob("*.sql")
    assert "orders_customer_id_idx" in written.read_text()


def suggest_form(c: Env) -> None:
    with psycopg.connect(c.pg_url, autocommit=True) as conn:
        conn.execute("CREATE EXTENSION IF NOT EXISTS pg_stat_statements")
        conn.execute("CREATE EXTENSION IF NOT EXISTS hypopg")
        conn.execute(
            "CREATE TABLE events (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, account_id int NOT NULL, kind text)"
        )
        conn.execute(
            "INSERT INTO events (account_id, kind) SELECT g % 5000, 'k' FROM generate_series(1, 200000) g"
        )
        conn.execute("ANALYZE events")
        conn.execute("SELECT pg_stat_statements_reset()")
        for account in range(30):
            conn.execute("SELECT id, kind FROM events WHERE account_id = %s", (account,)).fetchall()
    ok(
        c.run(
            'python $S/database_migration_tool.py --connection "$DB" --suggest-indexes --output migrations/'
        )
    )
    (written,) = (c.work / "migrations").glob("*.sql")
    text = written.read_text()
    assert "CREATE INDEX" in text and "account_id" in text


def migrate_file_form(c: Env) -> None:
    _fill(c.work / "FILE.sql", "CREATE TABLE widgets (id bigint PRIMARY KEY);", "DROP TABLE widgets;")
    dry = ok(c.run('python $S/database_migration_tool.py --connection "$DB" --migrate FILE.sql --dry-run'))
    assert "CREATE TABLE widgets" in dry.stdout + dry.stderr and "widgets" not in _tables(c)
    ok(c.run('python $S/database_migration_tool.py --connection "$DB" --migrate FILE.sql'))
    assert "widgets" in _tables(c)


# -- api_load_tester.py -----------------------------------------------------------------------------------


def load_default(c: Env) -> None:
    proc = ok(c.run("python $S/api_load_tester.py $URL/"))  # the default run: 10 s
    assert "Requests/sec:" in proc.stdout or "req/s" in proc.stdout
    assert int(c.server.count()["count"]) > 0  # type: ignore[call-overload]


def load_concurrent(c: Env) -> None:
    for flag in ("--concurrent", "--concurrency"):
        c.server.reset()
        ok(c.run(f"python $S/api_load_tester.py $URL/ {flag} 100 --duration 2"))  # classic: --duration 60
        assert c.server.count()["connections"] == 100


def load_requests_sec(c: Env) -> None:
    proc = c.run(
        "python $S/api_load_tester.py $URL/ --concurrent 50 --duration 2 > baseline.txt; grep 'Requests/sec' baseline.txt"
    )
    ok(proc)
    assert proc.stdout.startswith("Requests/sec:")


def load_users_requests(c: Env) -> None:
    ok(c.run("python $S/api_load_tester.py $URL/ --users 10 --requests 100"))
    count = c.server.count()
    assert count["count"] == 100 and count["connections"] == 10


def load_html(c: Env) -> None:
    proc = ok(
        c.run(
            "python $S/api_load_tester.py $URL/ --users 100 --requests 1000 --output html --save report.html"
        )
    )
    assert (c.work / "report.html").read_text().lstrip().lower().startswith("<!doctype html")
    assert "--format html" in proc.stderr  # the old spelling works, with a note


def load_json_body(c: Env) -> None:
    ok(
        c.run(
            """python $S/api_load_tester.py $URL/ --method POST --header "Authorization: Bearer T" --body '{"a": 1}' --requests 50"""
        )
    )
    assert c.server.count()["content_types"] == {"application/json": 50}


def compared(proc: subprocess.CompletedProcess[str]) -> subprocess.CompletedProcess[str]:
    """A comparison ran: exit 0, or 1 when its default latency gates call a difference a regression. Which of
    the two depends on the machine's speed, so both count; a usage, environment or internal error does not."""
    assert proc.returncode in (0, 1), f"exit {proc.returncode}\n{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}"
    return proc


def load_compare(c: Env) -> None:
    # As written, bounded with --requests; the default metrics include latency, so the verdict is left open.
    both = compared(c.run("python $S/api_load_tester.py $URL/a $URL/b --compare --requests 200"))
    assert "compare" in both.stdout
    ok(c.run("python $S/api_load_tester.py $URL/ --requests 200 --output baseline.json"))
    saved = compared(c.run("python $S/api_load_tester.py $URL/ --compare baseline.json --requests 200"))
    assert "baseline baseline.json" in saved.stdout
    # On counts alone the verdict is deterministic: the same server answers every request both times.
    ok(
        c.run(
            "python $S/api_load_tester.py $URL/ --compare baseline.json --requests 200 --metrics error_rate,requests"
        )
    )


def load_rate_limit(c: Env) -> None:
    ok(
        c.run("python $S/api_load_tester.py $URL/limit/20 --concurrency 200 --duration 2 --expect-rate-limit")
    )  # classic: 10
    never = c.run(
        "python $S/api_load_tester.py $URL/login --concurrency 200 --duration 2 --expect-rate-limit"
    )
    assert never.returncode == 1 and "no 429 seen" in never.stdout


def load_expect_status(c: Env) -> None:
    body = """--method POST --body '{"email": "not-an-email"}' --expect-status 400 --requests 50"""
    ok(c.run(f"python $S/api_load_tester.py $URL/status/400 {body}"))
    assert c.run(f"python $S/api_load_tester.py $URL/status/200 {body}").returncode == 1


# -- backend_decision_engine.py and performance_analyzer.py ------------------------------------------------

DECIDE = (
    "--team-size 8 --qps-p99 50 --read-write-ratio 20 --tenancy shared-multi-tenant --data-sensitivity pii "
    "--pattern modular-monolith --language-preference typescript"
)


def decide_form(c: Env) -> None:
    classic = ok(c.run(f"python $S/backend_decision_engine.py {DECIDE} --json"))
    native = ok(c.run(f"{sys.executable} -m stanchion decide {DECIDE} --json"))
    assert json.loads(classic.stdout) == json.loads(native.stdout)
    assert (
        ok(c.run(f"python $S/backend_decision_engine.py {DECIDE}")).stdout
        == ok(c.run(f"{sys.executable} -m stanchion decide {DECIDE}")).stdout
    )


def grill_form(c: Env) -> None:
    import pexpect

    env = {"PATH": f"{c.bare_python.parent}:/usr/bin:/bin", "HOME": str(c.work), "LANG": "C.UTF-8"}
    child = pexpect.spawn(
        "python",
        [str(c.scripts / "backend_decision_engine.py"), "--grill"],
        cwd=str(c.work),
        env=env,
        encoding="utf-8",
        timeout=60,
    )
    child.expect(r": $")  # the first forcing question, waiting for its answer
    child.sendcontrol("c")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 130


def perf_form(c: Env) -> None:
    c.server.reset()
    proc = c.run(
        "STANCHION_BASE_URL=$URL python $S/performance_analyzer.py --endpoint /api/users --load-test 1000 --optimize caching,queries"
    )
    ok(proc)
    assert "GET /api/users: 1000 requests" in proc.stdout  # --load-test N: the measured phase
    assert int(c.server.count()["count"]) > 1000  # type: ignore[call-overload]  # and a warm-up before it
    assert "--database-url" in proc.stdout  # without one: what a database URL would add
    proc = c.run(
        "python $S/performance_analyzer.py --base-url $URL --endpoint /api/users --load-test 50 --optimize queries --json"
    )
    assert json.loads(ok(proc).stdout)["endpoints"][0]["path"] == "/api/users"


FORMS: dict[str, Callable[[Env], None]] = {
    "`api_scaffolder.py ./backend --type rest --auth jwt` (also `./services/user-service`, `./$NAME`)": folder_forms,
    "`api_scaffolder.py my-api --type rest --stack express-typescript --auth`": terminal_identical,
    "`api_scaffolder.py NAME --type rest --stack fastify-typescript` / `koa-typescript` / `nestjs` / `fastapi`": stack_forms,
    "`api_scaffolder.py graphql-api --type graphql --stack apollo-typescript`": graphql_form,
    "`api_scaffolder.py NAME ... --docker --ci` / `--minimal`": optional_parts,
    "`api_scaffolder.py openapi.yaml --framework express --output src/routes/` (also `fastify`, `koa`, `fastapi`)": spec_forms,
    "`api_scaffolder.py openapi.yaml --framework express`": spec_in_and_out_of_a_project,
    "`api_scaffolder.py --from-db DB --output src/routes/`": from_db_form,
    "`api_scaffolder.py src/routes/ --generate-spec --output openapi.yaml` (and without `--output`: to stdout)": generate_spec_form,
    '`api_scaffolder.py --name UserAPI --endpoints "GET /users, POST /users, GET /users/:id" --database postgres`': endpoints_form,
    "`api_scaffolder.py --help`": help_shows_forms("api_scaffolder.py"),
    '`database_migration_tool.py ./migrations --create "add_users_table"`': folder_create,
    "`database_migration_tool.py ./migrations --up [--verbose]`": folder_up,
    "`database_migration_tool.py ./migrations --down`": folder_down,
    "`database_migration_tool.py create NAME` / `migrate` / `rollback [--steps N]` / `status`": subcommand_forms,
    "`database_migration_tool.py --connection DB --analyze`": analyze_form,
    "`database_migration_tool.py --connection DB --compare schema/v2.sql --output migrations/`": compare_form,
    "`database_migration_tool.py --connection DB --suggest-indexes --output migrations/`": suggest_form,
    "`database_migration_tool.py --connection DB --migrate FILE.sql [--dry-run]`": migrate_file_form,
    "`database_migration_tool.py --help`": help_shows_forms("database_migration_tool.py"),
    "`api_load_tester.py URL`": load_default,
    "`api_load_tester.py URL --concurrent 100 --duration 60` (also `--concurrency`)": load_concurrent,
    "`api_load_tester.py URL --concurrent 50 > baseline.txt; grep 'Requests/sec' baseline.txt`": load_requests_sec,
    "`api_load_tester.py URL --users 10 --requests 100`": load_users_requests,
    "`api_load_tester.py URL --users 100 --requests 1000 --output html --save report.html`": load_html,
    """`api_load_tester.py URL --method POST --header "Authorization: Bearer T" --body '{"a": 1}'`""": load_json_body,
    "`api_load_tester.py URL1 URL2 --compare` / `URL --compare baseline.json`": load_compare,
    "`api_load_tester.py URL/login --concurrency 200 --duration 10 --expect-rate-limit`": load_rate_limit,
    """`api_load_tester.py URL --method POST --body '{"email": "not-an-email"}' --expect-status 400`""": load_expect_status,
    "`api_load_tester.py --help`": help_shows_forms("api_load_tester.py"),
    f"`backend_decision_engine.py {DECIDE}`": decide_form,
    "`backend_decision_engine.py --grill`": grill_form,
    "`performance_analyzer.py --endpoint /api/users --load-test 1000 --optimize caching,queries`": perf_form,
    "`performance_analyzer.py --help`": help_shows_forms("performance_analyzer.py"),
}


def contract_rows() -> list[str]:
    """The first cell of every table row of the contract (header and rule rows left out)."""
    rows = []
    for line in CONTRACT.read_text().splitlines():
        if line.startswith("| `"):
            rows.append(line.split(" | ")[0][2:].strip())
    return rows


def contract_forms() -> dict[str, list[str]]:
    """script -> every backticked command line of its rows."""
    forms: dict[str, list[str]] = {}
    for row in contract_rows():
        for part in re.findall(r"`([^`]+)`", row):
            script = row.split("`")[1].split()[0]
            forms.setdefault(script, []).append(part)
    return forms


def test_the_table_covers_every_line_of_the_contract() -> None:
    assert sorted(contract_rows()) == sorted(FORMS)


@pytest.mark.parametrize("row", list(FORMS), ids=[re.sub(r"\W+", "-", k.strip("`"))[:60] for k in FORMS])
def test_classic_form(row: str, ctx: Env) -> None:
    FORMS[row](ctx)
