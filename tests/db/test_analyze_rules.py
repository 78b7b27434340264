"""Every analysis rule fires on its docstring's bad example and stays quiet on its good one, on each
dialect the example is written for (real PostgreSQL, SQLite and MariaDB)."""

from __future__ import annotations

from pathlib import Path

import pytest

from stanchion.db.analyze import all_rules, analyze
from stanchion.db.analyze.registry import examples, parse_doc
from tests.support.servers import MariaDBServer, PostgresServer

CASES = [
    pytest.param(module.RULE.id, block, dialect, sql, id=f"{module.RULE.id}-{dialect}-{block}")
    for module in all_rules()
    for block in ("bad", "good")
    for dialect, sql in examples(parse_doc(module.__doc__, module.RULE.id), block).items()
]


def _scratch(dialect: str, request: pytest.FixtureRequest) -> str | None:
    if dialect == "postgresql":
        server: PostgresServer = request.getfixturevalue("pg_server")
        return server.url
    if dialect == "mysql":
        maria: MariaDBServer = request.getfixturevalue("mariadb_server")
        return maria.url
    return None


@pytest.mark.parametrize(("rule", "block", "dialect", "sql"), CASES)
def test_rule_example(
    rule: str, block: str, dialect: str, sql: str, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    schema = tmp_path / f"{block}.sql"
    schema.write_text(sql)
    result = analyze(str(schema), dialect=dialect, scratch_url=_scratch(dialect, request), only=[rule])
    hits = [f for f in result.findings if f.rule == rule]
    assert not result.skipped, result.skipped
    if block == "bad":
        assert hits, f"{rule} did not fire on its bad example"
        assert all(f.objects and f.message and f.why for f in hits)
    else:
        assert not hits, [f.message for f in hits]


def test_every_rule_has_an_example_per_dialect() -> None:
    for module in all_rules():
        doc = parse_doc(module.__doc__, module.RULE.id)
        for block in ("bad", "good"):
            assert set(examples(doc, block)) <= set(module.RULE.dialects)
        assert "postgresql" in examples(doc, "bad"), module.RULE.id
