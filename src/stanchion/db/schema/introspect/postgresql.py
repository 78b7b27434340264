"""PostgreSQL catalog reader: nine queries (eight bulk catalog reads), whatever the number of tables.

It sets the session's ``search_path`` to the schema it reads, so that names print unqualified.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from stanchion.db.schema.model import (
    Check,
    Column,
    Enum,
    Exclusion,
    Extension,
    ForeignKey,
    Index,
    PrimaryKey,
    Schema,
    Sequence,
    Table,
    TableStats,
    Unique,
    View,
)

if TYPE_CHECKING:
    from sqlalchemy.engine import Connection

_ACTIONS = {"a": "NO ACTION", "r": "RESTRICT", "c": "CASCADE", "n": "SET NULL", "d": "SET DEFAULT"}

TABLES = """
SELECT c.oid, c.relname, c.relkind, c.relispartition, c.reltuples::bigint AS reltuples,
       pg_total_relation_size(c.oid) AS size, s.seq_scan, s.seq_tup_read, s.idx_scan,
       ARRAY(SELECT p.relname FROM pg_inherits i JOIN pg_class p ON p.oid = i.inhparent
             WHERE i.inhrelid = c.oid ORDER BY i.inhseqno)::text[] AS parents,
       pg_get_expr(c.relpartbound, c.oid) AS bound,
       CASE WHEN c.relkind = 'p' THEN pg_get_partkeydef(c.oid) END AS partkey
FROM pg_class c
JOIN pg_namespace n ON n.oid = c.relnamespace
LEFT JOIN pg_stat_user_tables s ON s.relid = c.oid
WHERE n.nspname = :schema AND c.relkind IN ('r', 'p')
  AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.objid = c.oid AND d.deptype = 'e')
ORDER BY c.relname
"""

COLUMNS = """
SELECT c.relname, a.attname, format_type(a.atttypid, a.atttypmod) AS type, a.attnotnull, a.attislocal,
       pg_get_expr(d.adbin, d.adrelid) AS dflt, a.attidentity, a.attgenerated
FROM pg_attribute a
JOIN pg_class c ON c.oid = a.attrelid
JOIN pg_namespace n ON n.oid = c.relnamespace
LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
WHERE n.nspname = :schema AND c.relkind IN ('r', 'p') AND a.attnum > 0 AND NOT a.attisdropped
ORDER BY c.relname, a.attnum
"""

CONSTRAINTS = """
SELECT c.relname, k.conname, k.contype, k.convalidated,
       ARRAY(SELECT a.attname FROM unnest(k.conkey) WITH ORDINALITY u(n, o)
             JOIN pg_attribute a ON a.attrelid = k.conrelid AND a.attnum = u.n ORDER BY u.o)::text[] AS cols,
       f.relname AS ref_table,
       ARRAY(SELECT a.attname FROM unnest(k.confkey) WITH ORDINALITY u(n, o)
             JOIN pg_attribute a ON a.attrelid = k.confrelid AND a.attnum = u.n ORDER BY u.o)::text[] AS ref_cols,
       k.confdeltype, k.confupdtype, pg_get_constraintdef(k.oid, true) AS def, k.condeferrable, k.condeferred
FROM pg_constraint k
JOIN pg_class c ON c.oid = k.conrelid
JOIN pg_namespace n ON n.oid = c.relnamespace
LEFT JOIN pg_class f ON f.oid = k.confrelid
WHERE n.nspname = :schema AND k.contype IN ('p', 'u', 'c', 'f', 'x') AND k.conparentid = 0
  AND (k.contype <> 'c' OR k.conislocal)
ORDER BY c.relname, k.conname
"""

INDEXES = """
SELECT t.relname AS table_name, ic.relname AS index_name, am.amname, x.indisunique, x.indisvalid,
       x.indnkeyatts, x.indnatts,
       ARRAY(SELECT pg_get_indexdef(x.indexrelid, k, true) FROM generate_series(1, x.indnatts) k
             ORDER BY k)::text[] AS keys,
       pg_get_expr(x.indpred, x.indrelid, true) AS pred, pg_get_indexdef(x.indexrelid) AS def,
       con.conname, s.idx_scan, pg_relation_size(ic.oid) AS size
FROM pg_index x
JOIN pg_class ic ON ic.oid = x.indexrelid
JOIN pg_class t ON t.oid = x.indrelid
JOIN pg_namespace n ON n.oid = t.relnamespace
JOIN pg_am am ON am.oid = ic.relam
LEFT JOIN pg_constraint con ON con.conindid = x.indexrelid AND con.conrelid = x.indrelid
     AND con.contype IN ('p', 'u', 'x')
LEFT JOIN pg_stat_user_indexes s ON s.indexrelid = x.indexrelid
WHERE n.nspname = :schema AND t.relkind IN ('r', 'p', 'm') AND NOT ic.relispartition
ORDER BY t.relname, ic.relname
"""

VIEWS = """
SELECT c.relname, c.relkind, pg_get_viewdef(c.oid, true) AS def,
       ARRAY(SELECT DISTINCT r.relname FROM pg_rewrite w JOIN pg_depend d ON d.objid = w.oid
             JOIN pg_class r ON r.oid = d.refobjid
             WHERE w.ev_class = c.oid AND d.refobjid <> c.oid AND r.relkind IN ('r', 'p', 'v', 'm')
             ORDER BY r.relname)::text[] AS deps
FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE n.nspname = :schema AND c.relkind IN ('v', 'm')
  AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.objid = c.oid AND d.deptype = 'e')
ORDER BY c.relname
"""

SEQUENCES = """
SELECT c.relname, format_type(s.seqtypid, NULL) AS type, s.seqstart, s.seqincrement, s.seqmin, s.seqmax,
       CASE WHEN has_sequence_privilege(c.oid, 'SELECT') THEN pg_sequence_last_value(c.oid) END AS last_value,
       (SELECT t.relname || '.' || a.attname FROM pg_depend d
          JOIN pg_class t ON t.oid = d.refobjid
          JOIN pg_attribute a ON a.attrelid = d.refobjid AND a.attnum = d.refobjsubid
         WHERE d.objid = c.oid AND d.classid = 'pg_class'::regclass AND d.deptype IN ('a', 'i')
         LIMIT 1) AS owned_by,
       EXISTS (SELECT 1 FROM pg_depend d WHERE d.objid = c.oid AND d.classid = 'pg_class'::regclass
               AND d.deptype = 'i') AS identity
FROM pg_sequence s JOIN pg_class c ON c.oid = s.seqrelid JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE n.nspname = :schema
  AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.objid = c.oid AND d.deptype = 'e')
ORDER BY c.relname
"""

ENUMS = """
SELECT t.typname, ARRAY(SELECT e.enumlabel FROM pg_enum e WHERE e.enumtypid = t.oid
                        ORDER BY e.enumsortorder)::text[] AS labels
FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace
WHERE n.nspname = :schema AND t.typtype = 'e'
  AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.objid = t.oid AND d.deptype = 'e')
ORDER BY t.typname
"""

SERVER = """
SELECT current_setting('server_version') AS version,
       ARRAY(SELECT extname || ' ' || extnamespace::regnamespace::text || ' ' || extversion
             FROM pg_extension ORDER BY extname)::text[] AS extensions,
       (SELECT stats_reset FROM pg_stat_database WHERE datname = current_database()) AS stats_reset,
       (SELECT min(backend_start) FROM pg_stat_activity WHERE backend_type = 'postmaster'
        OR backend_type = 'checkpointer') AS started,
       (SELECT count(*) FROM pg_proc p WHERE p.pronamespace = to_regnamespace(:schema)
          AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.objid = p.oid AND d.deptype = 'e')) AS functions,
       (SELECT count(*) FROM pg_trigger g JOIN pg_class c ON c.oid = g.tgrelid
         WHERE c.relnamespace = to_regnamespace(:schema) AND NOT g.tgisinternal) AS triggers,
       (SELECT count(*) FROM pg_policy y JOIN pg_class c ON c.oid = y.polrelid
         WHERE c.relnamespace = to_regnamespace(:schema)) AS policies,
       (SELECT count(*) FROM pg_class c WHERE c.relnamespace = to_regnamespace(:schema)
          AND (c.relrowsecurity OR c.relacl IS NOT NULL)) AS "row security and grants",
       (SELECT count(*) FROM pg_type t WHERE t.typnamespace = to_regnamespace(:schema)
          AND t.typtype IN ('d', 'c') AND (t.typtype = 'd' OR t.typrelid IN
              (SELECT oid FROM pg_class WHERE relkind = 'c'))) AS "domains and composite types"
"""


def _rows(conn: Connection, sql: str, schema: str) -> list[Any]:
    from sqlalchemy import text

    return list(conn.execute(text(sql), {"schema": schema}))


def introspect(conn: Connection, schema: str = "public", *, qualified: bool = False) -> Schema:
    """The model of ``schema``; statistics (rows, scans, sizes) come along for analyze and lint.

    Names print unqualified relative to the schema being read, so two databases compare alike; with
    ``qualified`` (what the diff reads) every name in a type, default, check or view body carries its schema
    instead, so the statements built from them run the same under any ``search_path``."""
    from sqlalchemy import text

    path = "pg_catalog" if qualified else schema
    conn.execute(text("SELECT set_config('search_path', quote_ident(:path), false)"), {"path": path})
    result = Schema(dialect="postgresql", name=schema)
    for r in _rows(conn, TABLES, schema):
        result.tables[r.relname] = Table(
            name=r.relname,
            stats=TableStats(
                rows=max(int(r.reltuples), 0),
                size_bytes=r.size,
                seq_scan=r.seq_scan,
                seq_tup_read=r.seq_tup_read,
                idx_scan=r.idx_scan,
            ),
            partition_of=r.parents[0] if r.relispartition and r.parents else None,
            inherits=[] if r.relispartition else list(r.parents or []),
            partition_bound=r.bound if r.relispartition else None,
            partition_key=r.partkey,
        )
    for r in _rows(conn, COLUMNS, schema):
        table = result.tables.get(r.relname)
        if table is None:
            continue
        identity = {"a": "always", "d": "by default"}.get(r.attidentity or "")
        generated = r.dflt if r.attgenerated == "s" else None
        table.columns.append(
            Column(
                name=r.attname,
                type=r.type,
                nullable=not r.attnotnull,
                default=None if generated else r.dflt,
                identity=identity,
                generated=generated,
                local=bool(r.attislocal),
            )
        )
    for r in _rows(conn, CONSTRAINTS, schema):
        table = result.tables.get(r.relname)
        if table is None:
            continue
        cols = list(r.cols or [])
        deferrable = None
        if r.condeferrable:
            deferrable = "DEFERRABLE INITIALLY " + ("DEFERRED" if r.condeferred else "IMMEDIATE")
        if r.contype == "p":
            table.primary_key = PrimaryKey(r.conname, cols, deferrable)
        elif r.contype == "u":
            table.uniques.append(Unique(r.conname, cols, deferrable))
        elif r.contype == "x":
            table.exclusions.append(Exclusion(r.conname, r._mapping["def"]))
        elif r.contype == "c":
            definition: str = r._mapping["def"]
            body = definition[len("CHECK ") :] if definition.startswith("CHECK ") else definition
            body = body.removesuffix(" NOT VALID")
            table.checks.append(Check(r.conname, body, bool(r.convalidated)))
        elif r.contype == "f":
            table.foreign_keys.append(
                ForeignKey(
                    name=r.conname,
                    columns=cols,
                    ref_table=r.ref_table,
                    ref_columns=list(r.ref_cols or []),
                    on_delete=_ACTIONS.get(r.confdeltype, "NO ACTION"),
                    on_update=_ACTIONS.get(r.confupdtype, "NO ACTION"),
                    validated=bool(r.convalidated),
                    deferrable=deferrable,
                )
            )
    view_indexes: dict[str, list[Index]] = {}
    for r in _rows(conn, INDEXES, schema):
        table = result.tables.get(r.table_name)
        holder = table.indexes if table is not None else view_indexes.setdefault(r.table_name, [])
        keys = list(r.keys or [])
        holder.append(
            Index(
                name=r.index_name,
                table=r.table_name,
                columns=[_unquote(k) for k in keys[: r.indnkeyatts]],
                include=[_unquote(k) for k in keys[r.indnkeyatts :]],
                unique=bool(r.indisunique),
                method=r.amname,
                where=r.pred,
                valid=bool(r.indisvalid),
                constraint=r.conname,
                definition=r._mapping["def"],
                scans=r.idx_scan,
                size_bytes=r.size,
            )
        )
    for r in _rows(conn, VIEWS, schema):
        result.views[r.relname] = View(
            name=r.relname,
            definition=r._mapping["def"].strip(),
            depends_on=list(r.deps or []),
            materialized=r.relkind == "m",
            indexes=view_indexes.get(r.relname, []),
        )
    for r in _rows(conn, SEQUENCES, schema):
        result.sequences[r.relname] = Sequence(
            name=r.relname,
            type=r.type,
            start=int(r.seqstart),
            increment=int(r.seqincrement),
            min_value=int(r.seqmin),
            max_value=int(r.seqmax),
            last_value=None if r.last_value is None else int(r.last_value),
            owned_by=r.owned_by,
            identity=bool(r.identity),
        )
    for r in _rows(conn, ENUMS, schema):
        result.enums[r.typname] = Enum(r.typname, list(r.labels or []))
    server = _rows(conn, SERVER, schema)[0]
    result.server_version = server.version
    for line in server.extensions or []:
        ext_name, ext_schema, version = line.split(" ", 2)
        result.extensions[ext_name] = Extension(ext_name, _unquote(ext_schema), version)
    for kind in (
        "functions",
        "triggers",
        "policies",
        "row security and grants",
        "domains and composite types",
    ):
        count = int(server._mapping[kind] or 0)
        if count:
            result.not_modelled[kind] = count
    reset = server.stats_reset or server.started
    result.stats_reset = reset.isoformat() if reset is not None else None
    result.catalog_queries = 9
    return result


def _unquote(key: str) -> str:
    if len(key) > 1 and key.startswith('"') and key.endswith('"'):
        return key[1:-1].replace('""', '"')
    return key
