"""Migration lint: safety rules for the statements of migration files, one rule per module.

    result = lint([Path("migrations")], database_url="postgresql://app@127.0.0.1/app")

PostgreSQL migrations are parsed with PostgreSQL's own parser (pglast), SQLite and MySQL with sqlglot. Only
the up section of a dbmate-style file is linted. Rules read the statements in order and know what earlier
ones did (``facts.py``) and which transaction each runs in. With a database URL they use live facts
(``live.py``): a rewrite or long lock of an empty table is ``info``, of a small one a warning, of a large
one an error; existing indexes and constraints count, function volatility comes from ``pg_proc``, and
version-dependent rules follow the server's version. A finding is suppressed by a comment on or before its
statement, with a reason::

    -- stanchion:ignore ban-drop-column -- the column was unused since release 4.2
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

from stanchion.db.analyze.registry import rule_modules
from stanchion.db.lint.base import SUPPRESS, LintContext, LintFinding, LintRule, Stmt
from stanchion.errors import ExitCode, UsageError

if TYPE_CHECKING:
    from stanchion.db.lint.live import LiveFacts

__all__ = ["LintFinding", "LintResult", "all_rules", "lint", "lint_text"]

_UP = re.compile(r"^--\s*migrate:up\b(?P<opts>.*)$", re.MULTILINE)
_DOWN = re.compile(r"^--\s*migrate:down\b.*$", re.MULTILINE)
_FLYWAY_UNDO = re.compile(r"^U\d[\w.]*__")


@cache
def _rules() -> tuple[LintRule, ...]:
    return tuple(cast(list[LintRule], rule_modules("stanchion.db.lint.rules")))


def all_rules() -> list[LintRule]:
    return list(_rules())


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


_SYNTAX = re.compile(
    r":(?P<line>\d+):(?P<col>\d+): (?:syntax error: |cannot parse statement: )?(?P<msg>.*)$", re.DOTALL
)
_MYSQL_INDEX = re.compile(r"(?is)^\s*CREATE\s+.*?TABLE\b.*[(,]\s*(?:UNIQUE\s+)?(?:INDEX|KEY)\s+[\w\"`]+\s*\(")


def _syntax_finding(path: str, message: str, sql: str, line: int, column: int) -> LintFinding:
    match = _SYNTAX.search(message)
    if match:
        message = " ".join(match["msg"].split())
        if int(match["line"]) >= line:  # the parser's own position, when it has one inside the statement
            line, column = int(match["line"]), int(match["col"])
    note = "fix the SQL at that position; the database refuses the statement when the migration runs"
    if _MYSQL_INDEX.search(sql):
        note = (
            "INDEX name (col) inside CREATE TABLE is MySQL syntax; PostgreSQL needs a separate "
            "CREATE INDEX name ON table (col) after the table"
        )
    return LintFinding("syntax-error", "error", path, line, column, f"syntax error: {message}", None, note)


def _parse(text: str, dialect: str, source: str) -> tuple[list[Stmt], list[LintFinding]]:
    """The statements of ``text`` in order, and a syntax-error finding for each that does not parse
    (the rest are still linted)."""
    from stanchion.db.schema.load import split_statements

    if dialect == "postgresql":
        from stanchion.db.schema.load import parse_pg

        try:
            parsed = parse_pg(text, source)
        except UsageError as exc:
            return _parse_pg_each(text, source, exc)
        return [
            Stmt(node, s.sql, s.line, s.column, i, offset) for i, (s, node, offset) in enumerate(parsed)
        ], []
    import sqlglot

    out: list[Stmt] = []
    errors: list[LintFinding] = []
    for piece in split_statements(text, dialect, source):
        try:
            node = sqlglot.parse_one(piece.sql, read=dialect)
        except sqlglot.errors.ParseError as exc:
            where = exc.errors[0] if exc.errors else {}
            line = piece.line + int(where.get("line") or 1) - 1
            message = str(where.get("description") or str(exc).splitlines()[0])
            errors.append(_syntax_finding(source, message, piece.sql, line, int(where.get("col") or 1)))
            continue
        out.append(Stmt(node, piece.sql, piece.line, piece.column, len(out)))
    return out, errors


def _parse_pg_each(text: str, source: str, first: UsageError) -> tuple[list[Stmt], list[LintFinding]]:
    """Statement by statement (split by PostgreSQL's scanner), for a file with a syntax error; when even
    the scanner cannot split it (an unterminated quote), the file's one syntax error."""
    from pglast import parser

    from stanchion.db.schema.load import parse_pg

    meta_free = "\n".join("" if line.lstrip().startswith("\\") else line for line in text.split("\n"))
    out: list[Stmt] = []
    errors: list[LintFinding] = []
    try:
        pieces = list(parser.split(meta_free, with_parser=False, only_slices=True))
    except parser.ParseError:
        return [], [_syntax_finding(source, first.message, meta_free, 1, 1)]
    for piece in pieces:
        # blank what comes before the piece (keeping newlines) so positions stay those of the file
        framed = re.sub(r"[^\n]", " ", meta_free[: piece.start]) + meta_free[piece]
        try:
            found = parse_pg(framed, source)
        except UsageError as exc:
            body = meta_free[piece]
            line = (
                meta_free[: piece.start].count("\n") + body[: len(body) - len(body.lstrip())].count("\n") + 1
            )
            errors.append(_syntax_finding(source, exc.message, meta_free[piece], line, 1))
            continue
        for stmt, node, offset in found:
            out.append(Stmt(node, stmt.sql, stmt.line, stmt.column, len(out), offset))
    return out, errors


def _collect_created(ctx: LintContext) -> None:
    if ctx.dialect == "postgresql":
        from pglast import ast

        from stanchion.db.lint.facts import collect

        ctx.facts = collect([s.node for s in ctx.statements], ctx.in_transaction, _live_constraints(ctx))
        ctx.created = dict(ctx.facts.created)
        for stmt in ctx.statements:
            node: Any = stmt.node
            if isinstance(node, ast.IndexStmt) and node.relation is not None:
                cols = [str(p.name) for p in node.indexParams or () if getattr(p, "name", None)]
                ctx.indexed.setdefault(str(node.relation.relname), []).append(cols)
        for con in ctx.facts.constraints:  # a primary key or unique constraint brings its own index
            if con.kind in ("primary", "unique") and con.columns:
                ctx.indexed.setdefault(con.table, []).append(con.columns)
        return
    from sqlglot import exp

    for stmt in ctx.statements:
        node = stmt.node
        if isinstance(node, exp.Create) and str(node.args.get("kind", "")).upper() == "TABLE":
            table = node.find(exp.Table)
            if table is not None:
                ctx.created.setdefault(table.name, stmt.index)
        elif isinstance(node, exp.Create) and str(node.args.get("kind", "")).upper() == "INDEX":
            table = node.find(exp.Table)
            index = node.find(exp.Index)
            cols = [c.name for c in index.find_all(exp.Column)] if index is not None else []
            if table is not None:
                ctx.indexed.setdefault(table.name, []).append(cols)


def _live_constraints(ctx: LintContext) -> list[Any]:
    """The live database's CHECK constraints, as the facts of statement -1 (before the file); read once
    per database, copied for each file (a VALIDATE in one file does not validate for the next)."""
    from dataclasses import replace

    facts = ctx.live_facts
    if facts is None:
        return []
    if facts.checks is None:
        facts.checks = _read_live_checks(facts.schema)
    return [replace(c) for c in facts.checks]


def _read_live_checks(live: Any) -> list[Any]:
    from pglast import parser
    from pglast.parser import ParseError

    from stanchion.db.lint.facts import Constraint, not_null_column

    out = []
    for table in live.tables.values():
        for check in table.checks:
            try:
                select: Any = parser.parse_sql(f"SELECT {check.expression}")[0].stmt
                target = select.targetList[0].val
            except (ParseError, AttributeError, IndexError):
                continue
            column = not_null_column(target)
            out.append(
                Constraint(table.name, check.name, "check", -1, -1 if check.validated else None, column)
            )
    return out


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
    live: LiveFacts | None = None,
    only: list[str] | None = None,
    runner_lock_timeout_ms: int | None = None,
) -> tuple[list[LintFinding], list[dict[str, Any]]]:
    """Lint one migration's text; returns (findings, suppressed). ``runner_lock_timeout_ms`` is the
    lock_timeout Stanchion's runner will set for it (None when unknown)."""
    body, in_transaction = _up_section(text)
    statements, syntax_errors = _parse(body, dialect, path)
    ctx = LintContext(
        path, dialect, statements, in_transaction, runner_lock_timeout_ms, live, syntax_errors=syntax_errors
    )
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
        if finding.rule in size_sensitive and finding.table and live is not None:
            _size_severity(finding, live)
        kept.append(finding)
    kept.extend(problems)
    kept.sort(key=lambda f: (f.line, f.column, f.rule))
    return kept, suppressed


def _size_severity(finding: LintFinding, live: LiveFacts) -> None:
    """A rewrite or long lock of an empty live table is info, of a small one at most a warning; a large
    one keeps the rule's severity. The note says what the database told."""
    table = str(finding.table)
    size = live.size_class(table)
    if size == "unknown":
        return
    described = (
        f"table {table} is empty in the live database: harmless there"
        if size == "empty"
        else live.describe(table)
    )
    finding.note = f"{finding.note}; {described}" if finding.note else described
    if size == "empty":
        finding.severity = "info"
    elif size == "small" and finding.severity == "error":
        finding.severity = "warning"


def lint(
    paths: list[Path],
    *,
    dialect: str | None = None,
    database_url: str | None = None,
    only: list[str] | None = None,
    runner_lock_timeout: str | None = None,
) -> LintResult:
    """Lint migration files (or folders of them); with ``database_url`` the rules use live facts (table
    sizes and row estimates, indexes, constraints, function volatility, the server version).
    ``runner_lock_timeout`` is the runner's lock timeout (default: ``lock_timeout`` of the configuration)."""
    from stanchion.db.migrations.options import parse_duration_ms, settings

    configured = runner_lock_timeout if runner_lock_timeout is not None else settings().get("lock_timeout")
    lock_timeout_ms = parse_duration_ms(configured, "lock_timeout")
    files = _files(paths)
    live = None
    chosen = dialect
    if database_url:
        from stanchion.db.lint.live import live_facts

        live = live_facts(database_url)
        chosen = chosen or live.schema.dialect
    result = LintResult([str(f) for f in files], chosen or "postgresql")
    for file in files:
        text = file.read_text(encoding="utf-8")
        if chosen is None:
            from stanchion.db.schema.load import detect_dialect

            guess = detect_dialect(text)
            result.dialect = guess if guess in ("mysql", "sqlite") else "postgresql"
        findings, suppressed = lint_text(
            text,
            path=str(file),
            dialect=result.dialect,
            live=live,
            only=only,
            runner_lock_timeout_ms=lock_timeout_ms,
        )
        result.findings.extend(findings)
        result.suppressed.extend(suppressed)
    return result
