"""migra's schema-diff fixtures as a conformance suite for ``stanchion db diff`` on PostgreSQL.

Per fixture (``../shared/peers/migra/<name>/``, kept outside the project): database A from ``a.sql`` (plus
``additions.sql`` for the second variant), database B from ``b.sql``; ``db diff --from A --to B --output
DIR`` (verified), ``db migrate`` of DIR on A; then the re-diff of A against B must be empty AND an
independent reading of both catalogs (plain pg_catalog queries below, not Stanchion's model or
introspection) must agree over every object kind Stanchion models. migra's ``expected.sql`` is one correct
answer, not text to match, so it is not read.

Skipped, saying so, when the fixtures are absent.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import psycopg
import pytest

from stanchion.cli.main import main
from tests.db.catalog import catalog, catalog_differences
from tests.support.servers import PostgresServer

MIGRA = Path(__file__).resolve().parents[2].parent / "shared" / "peers" / "migra"

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(
        not MIGRA.is_dir(),
        reason=f"migra's fixtures are absent ({MIGRA}); the conformance suite needs ../shared/peers/migra",
    ),
]

# The schema each fixture is about (migra's README: singleschema is about goodschema; excludeschema and
# dependencies2 change only schema2 and x); every other fixture is about public.
SCHEMA = {}

# Fixtures Stanchion does not yet get right, with what goes wrong; strict, so a fixed one must leave the list.
KNOWN: dict[str, str] = {}


@dataclass(frozen=True)
class Case:
    fixture: str
    additions: bool

    @property
    def id(self) -> str:
        return self.fixture + ("+additions" if self.additions else "")

    @property
    def schema(self) -> str:
        return SCHEMA.get(self.fixture, "public")


def _cases() -> list[Case]:
    if not MIGRA.is_dir():
        return []
    out: list[Case] = []
    for folder in sorted(p for p in MIGRA.iterdir() if (p / "a.sql").is_file()):
        out.append(Case(folder.name, False))
        extra = folder / "additions.sql"
        if extra.is_file() and extra.read_text(encoding="utf-8").strip():
            out.append(Case(folder.name, True))
    return out


CASES = _cases()
PARAMS = [
    pytest.param(
        c, id=c.id, marks=[pytest.mark.xfail(reason=KNOWN[c.id], strict=True)] if c.id in KNOWN else []
    )
    for c in CASES
]


# ---- databases -----------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def server(pg_server: PostgresServer) -> PostgresServer:
    with psycopg.connect(pg_server.url, autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_roles WHERE rolname = 'schemainspect_test_role'").fetchone()
        if not exists:  # what migra's own test creates first; privileges fixtures grant to it
            conn.execute("CREATE ROLE schemainspect_test_role")
    return pg_server


@pytest.fixture
def databases(server: PostgresServer) -> Iterator[list[str]]:
    names: list[str] = []
    yield names
    with psycopg.connect(server.url, autocommit=True) as conn:
        for name in names:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _database(server: PostgresServer, names: list[str], *scripts: Path) -> str:
    name = f"migra_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(server.url, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    names.append(name)
    url = server.url_for(name)
    with psycopg.connect(url, autocommit=True) as conn:
        for script in scripts:
            text = script.read_text(encoding="utf-8")
            if text.strip():
                conn.execute(text.encode())  # the whole file in one simple-protocol round trip
    return url


# ---- the runner ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("case", PARAMS)
def test_fixture(
    case: Case,
    server: PostgresServer,
    databases: list[str],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    folder = MIGRA / case.fixture
    a_scripts = [folder / "a.sql", *([folder / "additions.sql"] if case.additions else [])]
    a = _database(server, databases, *a_scripts)
    b = _database(server, databases, folder / "b.sql")
    out = tmp_path / "migrations"
    schema = ["--schema", case.schema]

    # --allow-data-loss as migra's --unsafe: the fixtures replace a generated column and partitioned tables
    args = ["--output", str(out), *schema, "--allow-data-loss", "--json"]
    code = main(["db", "diff", "--from", a, "--to", b, *args])
    captured = capsys.readouterr()
    plan = json.loads(captured.out) if captured.out.strip() else {}
    reason = plan.get("verification") or captured.err.strip()
    assert code == 0 and (plan["empty"] or plan["verification"]["verified"]), (
        f"db diff exited {code}: {reason}"
    )

    if not plan["empty"]:
        code = main(["db", "migrate", "--database-url", a, "--dir", str(out)])
        captured = capsys.readouterr()
        assert code == 0, f"db migrate exited {code}: {captured.err.strip()}"

    code = main(["db", "diff", "--from", a, "--to", b, *schema, "--no-verify", "--json"])
    again = json.loads(capsys.readouterr().out)
    assert code == 0 and again["empty"], [s["sql"] for s in again["up"]]

    left = catalog_differences(catalog(a, case.schema), catalog(b, case.schema))
    assert not left, "\n".join(left)
