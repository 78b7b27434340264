"""An independent reading of a PostgreSQL schema straight from pg_catalog (not through Stanchion's model or
introspection), to check what a migration left: one text row per object, by kind."""

from __future__ import annotations

import psycopg

# Each query returns text rows for one kind of object in schema %(s)s; the kinds are the ones Stanchion's
# model holds (tables and partitioning, columns, keys, checks, foreign keys, indexes, views, materialized
# views, sequences, enums, extensions). Extension-owned objects and migration history tables are left out.
_NOT_EXT = "NOT EXISTS (SELECT 1 FROM pg_depend e WHERE e.objid = {oid} AND e.deptype = 'e')"
_HISTORY = "('stanchion_migrations')"
CATALOG = {
    "table": f"""
        SELECT c.relname || ' kind=' || c.relkind::text || ' partkey=' || coalesce(pg_get_partkeydef(c.oid), '-')
               || ' bound=' || coalesce(pg_get_expr(c.relpartbound, c.oid), '-')
        FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE n.nspname = %(s)s AND c.relkind IN ('r', 'p') AND c.relname NOT IN {_HISTORY}
          AND {_NOT_EXT.format(oid="c.oid")}""",
    "column": f"""
        SELECT c.relname || '.' || a.attname || ' ' || format_type(a.atttypid, a.atttypmod)
               || ' notnull=' || a.attnotnull || ' identity=' || a.attidentity::text
               || ' generated=' || a.attgenerated::text || ' default=' || coalesce(pg_get_expr(d.adbin, d.adrelid), '-')
        FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid
        JOIN pg_namespace n ON n.oid = c.relnamespace
        LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
        WHERE n.nspname = %(s)s AND c.relkind IN ('r', 'p', 'v', 'm') AND a.attnum > 0
          AND NOT a.attisdropped AND c.relname NOT IN {_HISTORY} AND {_NOT_EXT.format(oid="c.oid")}""",
    "constraint": f"""
        SELECT c.relname || ' ' || k.conname || ' ' || pg_get_constraintdef(k.oid, true)
        FROM pg_constraint k JOIN pg_class c ON c.oid = k.conrelid
        JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE n.nspname = %(s)s AND k.contype IN ('p', 'u', 'c', 'f')
          AND c.relname NOT IN {_HISTORY} AND {_NOT_EXT.format(oid="c.oid")}""",
    "index": f"""
        SELECT pg_get_indexdef(x.indexrelid)
        FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid
        JOIN pg_class t ON t.oid = x.indrelid JOIN pg_namespace n ON n.oid = t.relnamespace
        WHERE n.nspname = %(s)s AND t.relname NOT IN {_HISTORY} AND {_NOT_EXT.format(oid="t.oid")}""",
    "view": f"""
        SELECT c.relname || ' kind=' || c.relkind::text || ' ' || pg_get_viewdef(c.oid, true)
        FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE n.nspname = %(s)s AND c.relkind IN ('v', 'm') AND {_NOT_EXT.format(oid="c.oid")}""",
    "sequence": f"""
        SELECT c.relname || ' ' || format_type(s.seqtypid, NULL) || ' start=' || s.seqstart
               || ' inc=' || s.seqincrement || ' min=' || s.seqmin || ' max=' || s.seqmax
               || ' cycle=' || s.seqcycle
        FROM pg_sequence s JOIN pg_class c ON c.oid = s.seqrelid
        JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE n.nspname = %(s)s AND {_NOT_EXT.format(oid="c.oid")}
          AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.objid = c.oid AND d.deptype = 'i')
          AND NOT EXISTS (SELECT 1 FROM pg_depend d JOIN pg_class t ON t.oid = d.refobjid
                          WHERE d.objid = c.oid AND d.deptype = 'a' AND t.relname IN {_HISTORY})""",
    "enum": f"""
        SELECT t.typname || ' ' || array_to_string(
                 ARRAY(SELECT e.enumlabel FROM pg_enum e WHERE e.enumtypid = t.oid ORDER BY e.enumsortorder),
                 ',')
        FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace
        WHERE n.nspname = %(s)s AND t.typtype = 'e' AND {_NOT_EXT.format(oid="t.oid")}""",
    "extension": """
        SELECT x.extname FROM pg_extension x JOIN pg_namespace n ON n.oid = x.extnamespace
        WHERE n.nspname = %(s)s""",
}


def catalog(url: str, schema: str) -> dict[str, set[str]]:
    """Every modelled object of ``schema`` in the database at ``url``, one text row each, by kind."""
    with psycopg.connect(url, autocommit=True) as conn:
        # names print relative to the schema compared, the same way on both sides
        conn.execute("SELECT set_config('search_path', quote_ident(%s), false)", (schema,))
        return {
            kind: {row[0] for row in conn.execute(sql, {"s": schema}).fetchall()}
            for kind, sql in CATALOG.items()
        }


def catalog_differences(a: dict[str, set[str]], b: dict[str, set[str]]) -> list[str]:
    out: list[str] = []
    for kind in CATALOG:
        out += [f"{kind} only in A: {row}" for row in sorted(a[kind] - b[kind])]
        out += [f"{kind} only in B: {row}" for row in sorted(b[kind] - a[kind])]
    return out
