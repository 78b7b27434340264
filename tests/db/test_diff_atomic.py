"""A diff is never half-applied: its migrations are each atomic, and a failure at any statement leaves the
database in a state its history records (nothing of the failed migration, all of the earlier ones), with
its rows; the verification that fails writes no file."""

from __future__ import annotations

import json
import re
import uuid
from pathlib import Path

import psycopg
import pytest

from stanchion.cli.main import main
from tests.db.catalog import catalog, catalog_differences
from tests.support.servers import PostgresServer

pytestmark = pytest.mark.postgres

A = """
CREATE TYPE mood AS ENUM ('sad', 'ok');
CREATE TABLE person (id bigint PRIMARY KEY, name text, current mood DEFAULT 'ok', age integer);
CREATE TABLE gone (id bigint PRIMARY KEY, person_id bigint REFERENCES person (id));
CREATE INDEX person_name ON person (name);
CREATE VIEW adults AS SELECT id, name FROM person WHERE age >= 18;
INSERT INTO person VALUES (1, 'ann', 'sad', 30), (2, 'bob', 'ok', 12);
"""
B = """
CREATE TYPE mood AS ENUM ('sad', 'ok', 'happy');
CREATE TABLE person (id bigint PRIMARY KEY, name text NOT NULL, current mood DEFAULT 'happy', age bigint,
    CONSTRAINT person_age CHECK (age >= 0));
CREATE TABLE pet (id bigint PRIMARY KEY, owner bigint NOT NULL REFERENCES person (id), name text);
CREATE INDEX person_name ON person (name, age);
CREATE VIEW adults AS SELECT id, name, current FROM person WHERE age >= 18;
"""
INJECTED = "DO $$ BEGIN RAISE EXCEPTION 'injected failure'; END $$"


def _database(server: PostgresServer, sql: str = "", template: str | None = None) -> str:
    name = f"atomic_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(server.url, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"' + (f' TEMPLATE "{template}"' if template else ""))
    url = server.url_for(name)
    if sql:
        with psycopg.connect(url, autocommit=True) as conn:
            conn.execute(sql.encode())
    return url


def _applied(url: str) -> list[str]:
    with psycopg.connect(url, autocommit=True) as conn:
        exists = conn.execute("SELECT to_regclass('stanchion_migrations')").fetchone()
        if exists is None or exists[0] is None:
            return []
        rows = conn.execute("SELECT name FROM stanchion_migrations WHERE status = 'applied' ORDER BY version")
        return [r[0] for r in rows.fetchall()]


def _rows(url: str) -> list[tuple[object, ...]]:
    with psycopg.connect(url, autocommit=True) as conn:
        return conn.execute("SELECT id, name, current::text FROM person ORDER BY id").fetchall()


def _with_failure(original: Path, target: Path, position: int) -> None:
    """``original``'s migration with the injected failure before up statement ``position`` (0-based)."""
    text = original.read_text()
    up, down = text.split("\n\n-- migrate:down", 1)
    statements = up.removeprefix("-- migrate:up\n").split(";\n")
    statements.insert(position, INJECTED)
    target.write_text("-- migrate:up\n" + ";\n".join(statements) + "\n\n-- migrate:down" + down)


def test_failure_at_every_statement_leaves_a_recorded_state(
    pg_server: PostgresServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    base = _database(pg_server, A)
    want = _database(pg_server, B)
    folder = tmp_path / "plan"
    assert main(["db", "diff", "--from", base, "--to", want, "--output", str(folder), "--json"]) == 0
    plan = json.loads(capsys.readouterr().out)
    files = sorted(folder.glob("*.sql"))
    assert len(plan["migrations"]) == len(files) == 2  # the new label commits before its first use
    assert [s["kind"] for s in plan["migrations"][0]["up"]] == ["alter type"]

    # the states the history can record: nothing applied, the first migration, both
    after_first = _database(pg_server, template=base.rsplit("/", 1)[1])
    first_only = tmp_path / "first"
    first_only.mkdir()
    (first_only / files[0].name).write_text(files[0].read_text())
    assert main(["db", "migrate", "--database-url", after_first, "--dir", str(first_only)]) == 0
    states = {0: catalog(base, "public"), 1: catalog(after_first, "public")}
    rows = _rows(base)

    positions = [(i, p) for i, m in enumerate(plan["migrations"]) for p in range(len(m["up"]))]
    assert len(positions) >= 10
    for index, position in positions:
        db = _database(pg_server, template=base.rsplit("/", 1)[1])
        broken = tmp_path / f"broken_{index}_{position}"
        broken.mkdir()
        for number, file in enumerate(files):
            if number == index:
                _with_failure(file, broken / file.name, position)
            else:
                (broken / file.name).write_text(file.read_text())
        capsys.readouterr()
        assert main(["db", "migrate", "--database-url", db, "--dir", str(broken)]) == 1
        assert "injected failure" in capsys.readouterr().err
        left = catalog_differences(catalog(db, "public"), states[index])
        assert not left, f"failure before statement {position + 1} of migration {index + 1}: {left}"
        assert _applied(db) == [re.sub(r"^\d+_|\.sql$", "", f.name) for f in files[:index]]
        assert [r[:2] for r in _rows(db)] == [r[:2] for r in rows]

        # the fixed migrations then finish the job from the recorded state
        assert main(["db", "migrate", "--database-url", db, "--dir", str(folder)]) == 0
        assert not catalog_differences(catalog(db, "public"), catalog(want, "public"))


def test_plan_that_fails_verification_writes_nothing(
    pg_server: PostgresServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # bob's NULL name makes SET NOT NULL fail on the clone: exit 1, the reason, no file
    base = _database(pg_server, "CREATE TABLE person (id bigint PRIMARY KEY, name text);")
    with psycopg.connect(base, autocommit=True) as conn:
        conn.execute("INSERT INTO person VALUES (1, NULL)")
    want = _database(pg_server, "CREATE TABLE person (id bigint PRIMARY KEY, name text NOT NULL);")
    folder = tmp_path / "plan"
    code = main(["db", "diff", "--from", base, "--to", want, "--output", str(folder)])
    out = capsys.readouterr().out
    assert code == 1
    assert "NOT verified" in out and 'column "name" of relation "person" contains null values' in out
    assert "no migration written" in out
    assert not list(folder.glob("*.sql")) if folder.exists() else True


def test_plans_are_byte_identical_under_any_hash_seed(pg_server: PostgresServer) -> None:
    import os
    import subprocess
    import sys

    base, want = _database(pg_server, A), _database(pg_server, B)
    outputs = set()
    for seed in ("0", "1", "12345"):
        proc = subprocess.run(
            [
                sys.executable,
                "-m",
                "stanchion",
                "db",
                "diff",
                "--from",
                base,
                "--to",
                want,
                "--no-verify",
                "--json",
            ],
            capture_output=True,
            text=True,
            env={**os.environ, "PYTHONHASHSEED": seed},
            check=False,
            timeout=120,
        )
        assert proc.returncode == 0, proc.stderr
        document = json.loads(proc.stdout)
        outputs.add(json.dumps([document["up"], document["down"], document["migrations"]]))
    assert len(outputs) == 1
    down = [s["sql"] for s in json.loads(outputs.pop())[1]]
    # dependents first: the view and pet's foreign key go before what they read
    assert down.index("DROP VIEW public.adults") < down.index("DROP TABLE public.pet")
    fk = "ALTER TABLE public.pet DROP CONSTRAINT pet_owner_fkey"
    assert down.index(fk) < down.index("DROP TABLE public.pet")
