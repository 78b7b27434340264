"""Diff of real sample schemas: Pagila against a modified copy (PostgreSQL) and a SQLite pair through the
CLI, each verified by applying the plan and diffing again to empty."""

from __future__ import annotations

import json
from pathlib import Path

import psycopg
import pytest

from stanchion.cli.main import main
from stanchion.db.schema.source import diff
from tests.support.servers import PostgresServer

PAGILA = Path(__file__).resolve().parents[1] / "data" / "schemas" / "pagila" / "pagila-schema.sql"


def _modified_pagila() -> str:
    text = PAGILA.read_text(encoding="utf-8")
    edits = [
        # a new column with a default, on a table a view reads
        (
            "    last_name text NOT NULL,\n    email text,",
            "    last_name text NOT NULL,\n    email text,\n    nickname varchar(30) DEFAULT 'none',",
        ),
        # a wider index
        (
            "CREATE INDEX idx_title ON public.film USING btree (title);",
            "CREATE INDEX idx_title ON public.film USING btree (title, release_year);",
        ),
        # a dropped index
        ("CREATE INDEX idx_actor_last_name ON public.actor USING btree (last_name);", ""),
        # a new table with identity, check and foreign key
        (
            "CREATE INDEX idx_fk_city_id ON public.address USING btree (city_id);",
            "CREATE INDEX idx_fk_city_id ON public.address USING btree (city_id);\n"
            "CREATE TABLE public.award (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, "
            "actor_id integer NOT NULL REFERENCES public.actor (actor_id), name text NOT NULL CHECK (length(name) > 1));\n"
            "CREATE INDEX award_actor_id_idx ON public.award (actor_id);",
        ),
    ]
    for old, new in edits:
        assert old in text, old
        text = text.replace(old, new, 1)
    return text


def test_pagila_against_modified_copy(tmp_path: Path, pg_server: PostgresServer) -> None:
    modified = tmp_path / "pagila-modified.sql"
    modified.write_text(_modified_pagila(), encoding="utf-8")
    result = diff(str(PAGILA), str(modified), scratch_url=pg_server.url)
    kinds = {(s.kind, s.object) for s in result.up}
    assert ("add column", "nickname") in kinds
    assert ("create table", "award") in kinds
    assert ("drop index", "idx_actor_last_name") in kinds
    assert ("create index", "idx_title") in kinds
    assert ("add foreign key", "award_actor_id_fkey") in kinds
    assert result.verification is not None and result.verification.verified, result.verification
    assert "data loss" in {h for s in result.down for h in s.hazards}


def test_database_url_against_file_writes_migration(
    tmp_path: Path, pg_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with psycopg.connect(pg_url, autocommit=True) as conn:
        conn.execute("CREATE TABLE account (id bigint PRIMARY KEY, email text, age integer)")
        conn.execute("CREATE VIEW adults AS SELECT id, email FROM account WHERE age >= 18")
    wanted = tmp_path / "schema.sql"
    wanted.write_text(
        "CREATE TABLE account (id bigint PRIMARY KEY, email text NOT NULL UNIQUE, age bigint);\n"
        "CREATE VIEW adults AS SELECT id, email FROM account WHERE age >= 21;\n"
    )
    code = main(
        ["db", "diff", "--from", pg_url, "--to", str(wanted), "--output", str(tmp_path / "mig"), "--json"]
    )
    document = json.loads(capsys.readouterr().out)
    assert code == 0, document
    assert document["verification"]["verified"] is True
    assert "table rewrite" in document["hazards"]
    written = Path(document["files"][0]).read_text()
    assert written.startswith("-- migrate:up\n") and "-- migrate:down" in written
    assert "ALTER TABLE public.account ALTER COLUMN age TYPE bigint" in written


def test_sqlite_cli_pair_and_identical(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    old, new = tmp_path / "old.sql", tmp_path / "new.sql"
    old.write_text("CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT);\nCREATE INDEX t_name ON t (name);\n")
    new.write_text("CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT NOT NULL, note TEXT);\n")
    assert main(["db", "diff", "--from", str(old), "--to", str(new), "--dialect", "sqlite"]) == 0
    out = capsys.readouterr().out
    assert "-- verified:" in out and "_stanchion_new_t" in out and "hazard: table rewrite" in out
    assert "CREATE INDEX t_name" not in out.split("-- down")[0]
    assert main(["db", "diff", "--from", str(old), "--to", str(old), "--dialect", "sqlite"]) == 0
    assert "same schema" in capsys.readouterr().out


def test_enums_sequences_and_materialized_views(
    tmp_path: Path, pg_server: PostgresServer, capsys: pytest.CaptureFixture[str]
) -> None:
    old, new = tmp_path / "old.sql", tmp_path / "new.sql"
    old.write_text(
        "CREATE TYPE mood AS ENUM ('sad', 'ok');\n"
        "CREATE TABLE person (id serial PRIMARY KEY, name text, current_mood mood DEFAULT 'ok');\n"
        "CREATE TABLE gone (id bigserial PRIMARY KEY);\n"
        "CREATE SEQUENCE invoice_no START 1000;\n"
        "CREATE MATERIALIZED VIEW person_names AS SELECT name FROM person;\n"
    )
    new.write_text(
        "CREATE TYPE mood AS ENUM ('sad', 'ok', 'happy');\n"
        "CREATE TYPE size AS ENUM ('s', 'm');\n"
        "CREATE SEQUENCE invoice_no START 1000;\n"
        "CREATE TABLE person (id serial PRIMARY KEY, name text NOT NULL, current_mood mood DEFAULT 'happy',"
        " shirt size, seq_no bigint DEFAULT nextval('invoice_no'));\n"
        "CREATE TABLE item (id bigserial PRIMARY KEY, owner int REFERENCES person (id));\n"
        "CREATE MATERIALIZED VIEW person_names AS SELECT name, shirt FROM person;\n"
    )
    out_dir = tmp_path / "mig"
    code = main(
        [
            "db",
            "diff",
            "--from",
            str(old),
            "--to",
            str(new),
            "--scratch-url",
            pg_server.url,
            "--output",
            str(out_dir),
        ]
    )
    text = capsys.readouterr().out
    assert code == 0, text
    assert "ALTER TYPE public.mood ADD VALUE 'happy'" in text
    assert "ALTER TYPE public.mood RENAME TO mood__stanchion_old" in text.split("-- down")[1]
    assert "-- verified:" in text
    # the new label commits in a migration of its own before the second one uses it; both are atomic
    first, second = (p.read_text() for p in sorted(out_dir.glob("*.sql")))
    assert "transaction:false" not in first + second
    assert first.startswith("-- migrate:up\nALTER TYPE public.mood ADD VALUE 'happy';\n\n-- migrate:down\n")
    assert "'happy'" in second and "ADD VALUE" not in second
