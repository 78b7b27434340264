"""Migration lint: safety rules for the statements of migration files, one rule per module.

    result = lint([Path("migrations")], database_url="postgresql://app@127.0.0.1/app")

PostgreSQL migrations are parsed with PostgreSQL's own parser (pglast), SQLite and MySQL with sqlglot. Only
the up section of a dbmate-style file is linted. With a database URL, rules whose danger is a rewrite or a
long lock drop to ``info`` for a table that is empty. A finding is suppressed by a comment on or before its
statement, with a reason::

    -- stanchion:ignore ban-drop-column -- the column was unused since release 4.2
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, cast

from stanchion.db.analyze.registry import rule_modules
from stanchion.db.lint.base import SUPPRESS, LintContext, LintFinding, LintRule, Stmt
from stanchion.errors import ExitCode, UsageError

__all__ = ["LintFinding", "LintResult", "all_rules", "lint", "lint_text"]

_UP = re.compile(r"^--\s*migrate:up\b(?P<opts>.*)$", re.MULTILINE)
_DOWN = re.compile(r"^--\s*migrate:down\b.*$", re.MULTILINE)
_FLYWAY_UNDO = re.compile(r"^U\d[\w.]*__")


def all_rules() -> list[LintRule]:
    return cast(list[LintRule], rule_modules("stanchion.db.lint.rules"))


@dataclass
class LintResult:
    files: list[str]
    dialect: str
    findings: list[LintFinding] = field(default_factory=list)
    suppressed: list[dict[str, Any]] = field(default_factory=list)

    @property
    def exit_code(self) -> ExitCode:
        return ExitCode.CHECK_FAILED if any(f.severity == "error" for f in self.findings) else ExitCode.OK

    def to_json(self) -> dict[str, Any]:
        counts = {s: sum(1 for f in self.findings if f.severity == s) for s in ("error", "warning", "info")}
        return {
            "dialect": self.dialect,
            "files": self.files,
            "counts": counts,
            "findings": [f.to_json() for f in self.findings],
            "suppressed": self.suppressed,
        }


def _files(paths: list[Path]) -> list[Path]:
    out: list[Path] = []
    for path in paths:
        if path.is_dir():
            # down files (golang-migrate *.down.sql, Flyway undo U<n>__*.sql) undo a release: not linted
            out += sorted(
                p
                for p in path.rglob("*.sql")
                if not p.name.endswith(".down.sql") and not _FLYWAY_UNDO.match(p.name)
            )
        elif path.is_file():
            out.append(path)
        else:
            raise UsageError(f"{path} does not exist", "pass a migration file or a folder of them")
    if not out:
        raise UsageError(f"no .sql files in {', '.join(map(str, paths))}", "pass a migration file or folder")
    return out


def _up_section(text: str) -> tuple[str, bool]:
    """The text to lint (the up section, other lines blanked so positions stay) and whether the runner
    wraps it in a transaction."""
    up = _UP.search(text)
    if up is None:
        return text, True
    down = _DOWN.search(text, up.end())
    end = down.start() if down else len(text)
    keep = text[up.end() : end]
    blank = re.sub(r"[^\n]", " ", text[: up.end()])
    return blank + keep, "transaction:false" not in up.group("opts")


def _parse(text: str, dialect: str, source: str) -> list[Stmt]:
    from stanchion.db.schema.load import split_statements

    pieces = split_statements(text, dialect, source)
    if dialect == "postgresql":
        from pglast import parser

        return [Stmt(parser.parse_sql(p.sql)[0].stmt, p.sql, p.line, p.column) for p in pieces]
    import sqlglot

    out = []
    for piece in pieces:
        try:
            node = sqlglot.parse_one(piece.sql, read=dialect)
        except sqlglot.errors.ParseError as exc:
            raise UsageError(
                f"{source}:{piece.line}:{piece.column}: cannot parse statement: {str(exc).splitlines()[0]}",
                "fix the SQL and run again",
            ) from exc
        out.append(Stmt(node, piece.sql, piece.line, piece.column))
    return out


def _collect_created(ctx: LintContext) -> None:
    if ctx.dialect == "postgresql":
        from pglast import ast

        for stmt in ctx.statements:
            node: Any = stmt.node
            if isinstance(node, ast.CreateStmt) and node.relation is not None:
                ctx.created_tables.add(str(node.relation.relname))
            elif isinstance(node, ast.IndexStmt) and node.relation is not None:
                cols = [str(p.name) for p in node.indexParams or () if getattr(p, "name", None)]
                ctx.indexed.setdefault(str(node.relation.relname), []).append(cols)
        return
    from sqlglot import exp

    for stmt in ctx.statements:
        node = stmt.node
        if isinstance(node, exp.Create) and str(node.args.get("kind", "")).upper() == "TABLE":
            table = node.find(exp.Table)
            if table is not None:
                ctx.created_tables.add(table.name)
        elif isinstance(node, exp.Create) and str(node.args.get("kind", "")).upper() == "INDEX":
            table = node.find(exp.Table)
            index = node.find(exp.Index)
            cols = [c.name for c in index.find_all(exp.Column)] if index is not None else []
            if table is not None:
                ctx.indexed.setdefault(table.name, []).append(cols)


def _suppressions(text: str, path: str) -> tuple[list[tuple[int, set[str], str]], list[LintFinding]]:
    found: list[tuple[int, set[str], str]] = []
    problems: list[LintFinding] = []
    for number, line in enumerate(text.split("\n"), start=1):
        match = SUPPRESS.search(line)
        if not match:
            continue
        ids = {i.strip() for i in match.group("ids").replace(",", " ").split() if i.strip()}
        reason = (match.group("reason") or "").strip()
        if not reason:
            problems.append(
                LintFinding(
                    "suppression-without-reason",
                    "error",
                    path,
                    number,
                    match.start() + 1,
                    f"suppression of {', '.join(sorted(ids))} gives no reason; it is not applied",
                    note="write: -- stanchion:ignore RULE -- why this is safe here",
                )
            )
            continue
        found.append((number, ids, reason))
    return found, problems


def lint_text(
    text: str,
    *,
    path: str = "<sql>",
    dialect: str = "postgresql",
    live: Any = None,
    empty_tables: set[str] | None = None,
    only: list[str] | None = None,
) -> tuple[list[LintFinding], list[dict[str, Any]]]:
    """Lint one migration's text; returns (findings, suppressed)."""
    body, in_transaction = _up_section(text)
    ctx = LintContext(path, dialect, _parse(body, dialect, path), in_transaction, live)
    _collect_created(ctx)
    findings: list[LintFinding] = []
    size_sensitive: set[str] = set()
    for module in all_rules():
        info = module.RULE
        if dialect not in info.dialects or (only and info.id not in only):
            continue
        if info.size_sensitive:
            size_sensitive.add(info.id)
        findings.extend(module.check(ctx))
    suppressions, problems = _suppressions(body, path)
    kept: list[LintFinding] = []
    suppressed: list[dict[str, Any]] = []
    ends = sorted({s.end_line for s in ctx.statements})
    for finding in findings:
        stmt_end = next((e for e in ends if e >= finding.line), finding.line)
        prev_end = max((e for e in ends if e < finding.line), default=0)
        hit = next(
            (
                s
                for s in suppressions
                if prev_end < s[0] <= stmt_end and (finding.rule in s[1] or "all" in s[1])
            ),
            None,
        )
        if hit is not None:
            suppressed.append({**finding.to_json(), "reason": hit[2]})
            continue
        if finding.rule in size_sensitive and finding.table and empty_tables is not None:
            if finding.table in empty_tables:
                finding.severity = "info"
                finding.note = f"table {finding.table} is empty in the live database: harmless there"
            elif live is not None and finding.table in live.tables:
                stats = live.tables[finding.table].stats
                finding.note = (
                    f"table {finding.table}: ~{stats.rows or 0} rows, {(stats.size_bytes or 0) // 1024} kB"
                )
        kept.append(finding)
    kept.extend(problems)
    kept.sort(key=lambda f: (f.line, f.column, f.rule))
    return kept, suppressed


def lint(
    paths: list[Path],
    *,
    dialect: str | None = None,
    database_url: str | None = None,
    only: list[str] | None = None,
) -> LintResult:
    """Lint migration files (or folders of them); with ``database_url`` severities use live table sizes."""
    files = _files(paths)
    live = None
    empty: set[str] | None = None
    chosen = dialect
    if database_url:
        from stanchion.db.lint.live import live_schema

        live, empty = live_schema(database_url)
        chosen = chosen or live.dialect
    result = LintResult([str(f) for f in files], chosen or "postgresql")
    for file in files:
        text = file.read_text(encoding="utf-8")
        if chosen is None:
            from stanchion.db.schema.load import detect_dialect

            guess = detect_dialect(text)
            result.dialect = guess if guess in ("mysql", "sqlite") else "postgresql"
        findings, suppressed = lint_text(
            text, path=str(file), dialect=result.dialect, live=live, empty_tables=empty, only=only
        )
        result.findings.extend(findings)
        result.suppressed.extend(suppressed)
    return result
