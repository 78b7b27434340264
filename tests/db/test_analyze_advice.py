"""Advice that does not contradict itself: unused-index never suggests dropping an index that backs a key
or a foreign key, or one the statistics have not watched long enough; slow-queries follows PgHero's
thresholds. Nothing here depends on how fast a query ran: slow-queries is fed pg_stat_statements-shaped
rows, or run for real with a 0 ms threshold so that only the calls count decides."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import psycopg
import pytest

import stanchion.db as db
from stanchion.cli.main import main
from stanchion.db.analyze import analyze
from stanchion.db.analyze.base import Context, Finding, Thresholds, configured_thresholds
from stanchion.db.analyze.rules import slow_queries, unused_index
from stanchion.db.analyze.rules._statements import Statement
from stanchion.db.schema.model import ForeignKey, Index, Schema, Table
from stanchion.db.schema.source import connect, introspect_checked
from stanchion.db.url import parse_url
from stanchion.errors import ConfigError
from tests.db.sets import write


def row(queryid: int, calls: int, mean_ms: float, query: str = "SELECT * FROM t WHERE id = $1") -> Statement:
    return Statement(queryid, query, calls, calls * mean_ms, mean_ms, calls)


def test_slow_queries_follow_pghero_defaults() -> None:
    rows = [
        row(1, 100, 20.0),  # exactly at both thresholds: reported
        row(2, 99, 500.0),  # slow but rare
        row(3, 100_000, 19.9),  # frequent but fast
        row(4, 1, 600_000.0, "UPDATE orders SET total = total * 1.1"),  # a one-off bulk statement
        row(5, 5_000, 45.0),  # the most total time: first
    ]
    assert Thresholds().slow_query_mean_ms == 20.0 and Thresholds().slow_query_min_calls == 100
    assert [s.queryid for s in slow_queries.slow(rows, Thresholds())] == [5, 1]
    custom = Thresholds(slow_query_mean_ms=100.0, slow_query_min_calls=10)
    assert [s.queryid for s in slow_queries.slow(rows, custom)] == [2]
    assert [s.queryid for s in slow_queries.slow(rows, Thresholds(slow_query_limit=1))] == [5]


def test_thresholds_from_config_then_flags() -> None:
    table = {"slow_query_ms": 50, "slow_query_calls": 1000, "unused_index_min_age_days": 14}
    thresholds = configured_thresholds(
        table, "stanchion.toml", {"slow_query_ms": 5.0, "slow_query_calls": None}
    )
    assert (thresholds.slow_query_mean_ms, thresholds.slow_query_min_calls) == (5.0, 1000)
    assert thresholds.unused_index_min_age_days == 14
    with pytest.raises(ConfigError, match="unknown key 'slow_query_mss'") as caught:
        configured_thresholds({"slow_query_mss": 5}, "stanchion.toml", {})
    assert caught.value.exit_code == 2
    with pytest.raises(ConfigError, match="must be a number"):
        configured_thresholds({"slow_query_calls": "many"}, "stanchion.toml", {})


def _statements_db(pg_url: str) -> None:
    with psycopg.connect(pg_url, autocommit=True) as conn:
        conn.execute("CREATE EXTENSION IF NOT EXISTS pg_stat_statements")
        conn.execute("CREATE TABLE item (id bigint PRIMARY KEY, name text)")
        for _ in range(5):
            conn.execute("SELECT name FROM item WHERE id = 7")
        conn.execute("UPDATE item SET name = upper(name)")  # once, like a backfill


def test_slow_queries_on_a_real_server_decided_by_calls(
    pg_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    _statements_db(pg_url)
    monkeypatch.chdir(tmp_path)
    base = [
        "db",
        "analyze",
        "--database-url",
        pg_url,
        "--rule",
        "slow-queries",
        "--json",
        "--fail-on",
        "never",
    ]
    assert main([*base, "--slow-query-ms", "0", "--slow-query-calls", "5"]) == 0
    found = json.loads(capsys.readouterr().out)["findings"]
    assert [f["message"].split(": ", 1)[1] for f in found] == ["SELECT name FROM item WHERE id = $1"]
    assert "over 5 calls" in found[0]["message"]

    (tmp_path / "stanchion.toml").write_text("[db.analyze]\nslow_query_ms = 0\nslow_query_calls = 6\n")
    assert main(base) == 0
    assert json.loads(capsys.readouterr().out)["findings"] == []  # 5 calls < 6 from the config
    assert main([*base, "--slow-query-calls", "5"]) == 0  # the flag over the config's 6
    found = json.loads(capsys.readouterr().out)["findings"]
    assert [f["message"].split(": ", 1)[1] for f in found] == ["SELECT name FROM item WHERE id = $1"]
    # the one-off UPDATE is there to be found, and only a calls threshold of 1 lets it in
    everything = Thresholds(slow_query_mean_ms=0, slow_query_min_calls=1, slow_query_limit=10_000)
    messages = [f.message for f in analyze(pg_url, only=["slow-queries"], thresholds=everything).findings]
    assert any("UPDATE item SET name = upper(name)" in m for m in messages)

    (tmp_path / "stanchion.toml").write_text("[db.analyze]\nslow_query_calls = 'lots'\n")
    assert main(base) == 2
    assert "must be a number" in capsys.readouterr().err


def _table(name: str, indexes: list[Index], fks: list[ForeignKey] | None = None) -> Table:
    table = Table(name)
    table.indexes = indexes
    table.foreign_keys = fks or []
    return table


def _findings(ctx: Context) -> dict[str, Finding]:
    return {f.objects[1]: f for f in unused_index.check(ctx)}


def test_unused_index_never_advises_dropping_what_a_key_needs() -> None:
    now = datetime(2026, 1, 31, tzinfo=UTC)
    indexes = [
        Index("orders_pkey", "orders", ["id"], unique=True, constraint="orders_pkey", scans=0),
        Index(
            "orders_number_key", "orders", ["number"], unique=True, constraint="orders_number_key", scans=0
        ),
        Index("orders_ref_uidx", "orders", ["ref"], unique=True, scans=0),
        Index("orders_customer_idx", "orders", ["customer_id", "created_at"], scans=0),
        Index("orders_note_idx", "orders", ["note"], scans=0),
        Index("orders_used_idx", "orders", ["status"], scans=12),
    ]
    fk = ForeignKey("orders_customer_fk", ["customer_id"], "customer", ["id"])
    schema = Schema("postgresql", tables={"orders": _table("orders", indexes, [fk])})
    schema.stats_reset = (now - timedelta(days=30)).isoformat()
    ctx = Context(schema, None, Thresholds(), now=now, index_created={})
    found = _findings(ctx)
    assert list(found) == ["orders_note_idx"]
    assert found["orders_note_idx"].severity == "warning"
    fix = found["orders_note_idx"].fix or ""
    assert fix.startswith("DROP INDEX CONCURRENTLY") and "orders_note_idx" in fix
    assert "30.0 days" in found["orders_note_idx"].message


def test_unused_index_stats_too_young_says_the_age_and_advises_nothing() -> None:
    now = datetime(2026, 1, 31, tzinfo=UTC)
    indexes = [Index("a_old_idx", "a", ["x"], scans=0), Index("a_new_idx", "a", ["y"], scans=0)]
    schema = Schema("postgresql", tables={"a": _table("a", indexes)})

    schema.stats_reset = (now - timedelta(days=2)).isoformat()  # a young statistics window
    young = _findings(Context(schema, None, Thresholds(), now=now, index_created={}))
    assert {f.severity for f in young.values()} == {"info"}
    assert all(f.fix is None and "stats too young" in f.message for f in young.values())
    assert "statistics 2.0 days old" in young["a_old_idx"].message

    schema.stats_reset = (now - timedelta(days=90)).isoformat()  # old stats, but one index is new
    created = {"a_new_idx": now - timedelta(days=1, hours=12)}
    mixed = _findings(Context(schema, None, Thresholds(), now=now, index_created=created))
    assert (mixed["a_old_idx"].severity, mixed["a_new_idx"].severity) == ("warning", "info")
    assert mixed["a_old_idx"].fix and mixed["a_new_idx"].fix is None
    assert (
        "stats too young" in mixed["a_new_idx"].message
        and "index created 1.5 days ago" in mixed["a_new_idx"].message
    )

    schema.stats_reset = None  # nothing says how long the statistics have watched: never a drop
    unknown = _findings(Context(schema, None, Thresholds(), now=now, index_created={}))
    assert all(f.fix is None and "statistics age unknown" in f.message for f in unknown.values())


def test_index_age_comes_from_the_migration_that_created_it(pg_url: str, migrations_dir: Path) -> None:
    """On a real server: the index a Stanchion migration created is as old as that migration, while one
    made by hand is as old as the statistics."""
    write(
        migrations_dir,
        "001_tables",
        "CREATE TABLE account (id bigint PRIMARY KEY, email text, city text);\n"
        "CREATE INDEX account_city ON account (city);",
        "DROP TABLE account;",
    )
    write(
        migrations_dir,
        "002_email_index",
        'CREATE INDEX CONCURRENTLY IF NOT EXISTS "account_email" ON account (email);',
        "DROP INDEX CONCURRENTLY account_email;",
        options=" transaction:false",
    )
    db.migrate(pg_url, directory=migrations_dir)
    later = timedelta(days=29)
    with psycopg.connect(pg_url, autocommit=True) as conn:
        # the second migration ran 29 days after the first (the statistics start with the first)
        conn.execute(
            "UPDATE stanchion_migrations SET applied_at = applied_at + %s WHERE version = '002'", (later,)
        )
    with connect(parse_url(pg_url)) as conn:
        model = introspect_checked(conn, None)
        now = datetime.now(UTC) + timedelta(days=30)
        found = _findings(Context(model, conn, Thresholds(), now=now))
    assert found["account_email"].severity == "info" and found["account_email"].fix is None
    assert "stats too young" in found["account_email"].message
    assert "index created 1.0 days ago" in found["account_email"].message
    assert found["account_city"].severity == "warning"
    assert "DROP INDEX CONCURRENTLY" in (found["account_city"].fix or "")
