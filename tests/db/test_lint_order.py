"""Lint rules read a migration's statements in order: what an earlier statement did, and the transaction
each statement runs in under the runner, decide what a later one means."""

from __future__ import annotations

from stanchion.db.lint import lint_text


def _rules(sql: str) -> list[tuple[str, int]]:
    findings, _ = lint_text(sql)
    return [(f.rule, f.line) for f in findings if f.rule != "require-lock-timeout"]


def test_set_not_null_after_a_validated_not_null_check_is_safe() -> None:
    sql = (
        "-- migrate:up transaction:false\n"
        "ALTER TABLE orders ADD CONSTRAINT c CHECK (customer_id IS NOT NULL) NOT VALID;\n"
        "ALTER TABLE orders VALIDATE CONSTRAINT c;\n"
        "ALTER TABLE orders ALTER COLUMN customer_id SET NOT NULL;\n"
    )
    assert _rules(sql) == []


def test_set_not_null_needs_the_check_validated_before_it() -> None:
    not_validated = (
        "ALTER TABLE orders ADD CONSTRAINT c CHECK (customer_id IS NOT NULL) NOT VALID;\n"
        "ALTER TABLE orders ALTER COLUMN customer_id SET NOT NULL;\n"
    )
    assert ("setting-not-null", 2) in _rules(not_validated)
    validated_after = (
        "-- migrate:up transaction:false\n"
        "ALTER TABLE orders ADD CONSTRAINT c CHECK (customer_id IS NOT NULL) NOT VALID;\n"
        "ALTER TABLE orders ALTER COLUMN customer_id SET NOT NULL;\n"
        "ALTER TABLE orders VALIDATE CONSTRAINT c;\n"
    )
    assert ("setting-not-null", 3) in _rules(validated_after)
    other_column = (
        "-- migrate:up transaction:false\n"
        "ALTER TABLE orders ADD CONSTRAINT c CHECK (total IS NOT NULL) NOT VALID;\n"
        "ALTER TABLE orders VALIDATE CONSTRAINT c;\n"
        "ALTER TABLE orders ALTER COLUMN customer_id SET NOT NULL;\n"
    )
    assert ("setting-not-null", 4) in _rules(other_column)


def test_validate_in_the_transaction_that_added_not_valid() -> None:
    same = (
        "ALTER TABLE orders ADD CONSTRAINT fk FOREIGN KEY (customer_id) REFERENCES customer (id) NOT VALID;\n"
        "ALTER TABLE orders VALIDATE CONSTRAINT fk;\n"
    )
    assert ("constraint-missing-not-valid", 2) in _rules(same)
    separate = "-- migrate:up transaction:false\n" + same
    assert not [r for r in _rules(separate) if r[0] == "constraint-missing-not-valid"]
    explicit_block = "-- migrate:up transaction:false\nSELECT 1;\nBEGIN;\n" + same + "COMMIT;\n"
    assert ("constraint-missing-not-valid", 5) in _rules(explicit_block)
    validated_alone = "ALTER TABLE orders VALIDATE CONSTRAINT fk_from_last_release;\n"
    assert _rules(validated_alone) == []


def test_a_table_counts_as_new_only_after_its_create() -> None:
    sql = "CREATE INDEX t_v ON t (v);\nCREATE TABLE t (id bigint PRIMARY KEY, v text);\nCREATE INDEX t_v2 ON t (v);\n"
    assert [r for r in _rules(sql) if r[0] == "require-concurrent-index-creation"] == [
        ("require-concurrent-index-creation", 1)
    ]


def test_column_type_known_from_an_earlier_statement() -> None:
    widen = "ALTER TABLE t ADD COLUMN v varchar(50);\nALTER TABLE t ALTER COLUMN v TYPE varchar(100);\n"
    assert not [r for r in _rules(widen) if r[0] == "changing-column-type"]
    narrow = "ALTER TABLE t ADD COLUMN v varchar(50);\nALTER TABLE t ALTER COLUMN v TYPE varchar(20);\n"
    findings, _ = lint_text(narrow)
    (hit,) = [f for f in findings if f.rule == "changing-column-type"]
    assert hit.line == 2 and "narrower varchar(20)" in hit.message
    to_text = "ALTER TABLE t ADD COLUMN v varchar(50);\nALTER TABLE t ALTER COLUMN v TYPE text;\n"
    assert not [r for r in _rules(to_text) if r[0] == "changing-column-type"]
    to_timestamp = "ALTER TABLE t ADD COLUMN at timestamptz;\nALTER TABLE t ALTER COLUMN at TYPE timestamp;\n"
    findings, _ = lint_text(to_timestamp)
    assert any(
        "timestamp without time zone" in f.message for f in findings if f.rule == "changing-column-type"
    )
    unknown = "ALTER TABLE t ALTER COLUMN v TYPE text;\n"
    findings, _ = lint_text(unknown)
    assert next(str(f.note) for f in findings if f.rule == "changing-column-type").startswith(
        "pass --database-url"
    )


def test_function_declared_earlier_decides_volatility() -> None:
    volatile = (
        "CREATE FUNCTION ticket() RETURNS bigint LANGUAGE sql VOLATILE AS 'SELECT 1';\n"
        "ALTER TABLE orders ADD COLUMN n bigint DEFAULT ticket();\n"
    )
    assert ("adding-volatile-default", 2) in _rules(volatile)
    stable = volatile.replace("VOLATILE", "STABLE")
    assert ("adding-volatile-default", 2) not in _rules(stable)
    declared_after = (
        "ALTER TABLE orders ADD COLUMN n bigint DEFAULT ticket();\n"
        "CREATE FUNCTION ticket() RETURNS bigint LANGUAGE sql IMMUTABLE AS 'SELECT 1';\n"
    )
    findings, _ = lint_text(declared_after)
    (hit,) = [f for f in findings if f.rule == "adding-volatile-default"]
    assert "assumed volatile" in (hit.note or "")
    builtin = "ALTER TABLE orders ADD COLUMN at timestamptz DEFAULT now() + interval '1 day';\n"
    assert not [r for r in _rules(builtin) if r[0] == "adding-volatile-default"]


def test_transaction_mode_and_explicit_blocks() -> None:
    commit_early = "ALTER TABLE orders ADD COLUMN note text;\nCOMMIT;\n"
    assert ("transaction-nesting", 2) in _rules(commit_early)
    inner_block = "SELECT 1;\nBEGIN;\nALTER TABLE orders ADD COLUMN note text;\nCOMMIT;\n"
    assert [r for r in _rules(inner_block) if r[0] == "transaction-nesting"] == [
        ("transaction-nesting", 2),
        ("transaction-nesting", 4),
    ]
    wrapped = "BEGIN;\nALTER TABLE orders ADD COLUMN note text;\nCOMMIT;\n"
    assert _rules(wrapped) == []  # the runner drops a BEGIN ... COMMIT around the whole file
    no_tx_wrapped = "-- migrate:up transaction:false\n" + wrapped
    assert ("transaction-nesting", 2) in _rules(no_tx_wrapped)
    no_tx_inner = "-- migrate:up transaction:false\nSELECT 1;\n" + wrapped
    assert ("transaction-nesting", 3) in _rules(no_tx_inner)
    concurrently_in_block = (
        "-- migrate:up transaction:false\nSELECT 1;\nBEGIN;\n"
        "CREATE INDEX CONCURRENTLY o_c ON orders (customer_id);\nCOMMIT;\n"
    )
    findings, _ = lint_text(concurrently_in_block)
    (hit,) = [f for f in findings if f.rule == "concurrently-in-transaction"]
    assert hit.line == 4 and "BEGIN ... COMMIT" in hit.message
    concurrently_wrapped = "-- migrate:up transaction:false\nBEGIN;\nCREATE INDEX CONCURRENTLY o_c ON orders (customer_id);\nCOMMIT;\n"
    assert not [r for r in _rules(concurrently_wrapped) if r[0] == "concurrently-in-transaction"]
    detach = "ALTER TABLE m DETACH PARTITION m_2020 CONCURRENTLY;\n"
    assert ("concurrently-in-transaction", 1) in _rules(detach)


def test_generated_and_identity_columns_are_not_required_fields() -> None:
    sql = (
        "ALTER TABLE t ADD COLUMN a numeric NOT NULL GENERATED ALWAYS AS (b * 2) STORED;\n"
        "ALTER TABLE t ADD COLUMN n bigint NOT NULL GENERATED BY DEFAULT AS IDENTITY;\n"
    )
    rules = _rules(sql)
    assert not [r for r in rules if r[0] == "adding-required-field"]
    assert ("adding-stored-generated-column", 1) in rules


def test_reindex_of_an_index_created_on_a_new_table_is_fine() -> None:
    sql = "CREATE TABLE t (id bigint PRIMARY KEY, v text);\nCREATE INDEX t_v ON t (v);\nREINDEX INDEX t_v;\n"
    assert not [r for r in _rules(sql) if r[0] == "require-concurrent-reindex"]
    assert ("require-concurrent-reindex", 1) in _rules("REINDEX INDEX t_v;\n")


def test_objects_created_earlier_count_as_new_and_keys_count_as_indexes() -> None:
    sql = (
        "CREATE MATERIALIZED VIEW sales AS SELECT 1 AS category;\n"
        "CREATE UNIQUE INDEX sales_category ON sales (category);\n"
        "CREATE TABLE film_actor (actor_id bigint, film_id bigint);\n"
        "ALTER TABLE film_actor ADD CONSTRAINT film_actor_pkey PRIMARY KEY (actor_id, film_id);\n"
        "ALTER TABLE film_actor ADD CONSTRAINT fa_actor FOREIGN KEY (actor_id) REFERENCES actor (id);\n"
        "ALTER TABLE film_actor ADD CONSTRAINT fa_film FOREIGN KEY (film_id) REFERENCES film (id);\n"
    )
    assert [r for r in _rules(sql) if r[0] in ("require-concurrent-index-creation", "fk-without-index")] == [
        ("fk-without-index", 6)
    ]
