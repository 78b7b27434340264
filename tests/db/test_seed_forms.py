"""Seed-compatible forms through the core API (the skill's script shims call these):
``create "add_users_table"``, ``migrate``, ``rollback --steps 2``, ``status``,
``--connection URL --migrate FILE --dry-run``."""

from __future__ import annotations

from pathlib import Path

import pytest

import stanchion.db as db


def test_seed_forms(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("DATABASE_URL", raising=False)
    first = db.create("add_users_table").files[0]
    second = db.create("add_posts_table").files[0]
    assert first.parent == Path("migrations") and first.name.endswith("_add_users_table.sql")
    first.write_text("-- migrate:up\nCREATE TABLE users (id integer);\n-- migrate:down\nDROP TABLE users;\n")
    second.write_text("-- migrate:up\nCREATE TABLE posts (id integer);\n-- migrate:down\nDROP TABLE posts;\n")

    assert len(db.migrate().steps) == 2  # default database: sqlite:///stanchion.db in the working folder
    assert (tmp_path / "stanchion.db").exists()
    assert [e.state for e in db.status().entries] == ["applied", "applied"]
    assert [s.direction for s in db.rollback(steps=2).steps] == ["down", "down"]
    assert [e.state for e in db.status().entries] == ["pending", "pending"]

    other = f"sqlite:///{tmp_path / 'other.db'}"  # --connection URL --migrate FILE --dry-run
    plan = db.apply(first, database_url=other, dry_run=True)
    assert plan.dry_run and plan.steps[0].statements == ["CREATE TABLE users (id integer)"]
    assert db.status(other).history_table is False
