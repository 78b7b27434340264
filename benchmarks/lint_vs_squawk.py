"""`stanchion db lint` beside squawk on the same 500 PostgreSQL migration files: which statements each flags,
rule by rule, and the time each takes as a command, side by side in one run.

The files are generated from a fixed seed: 1 to 6 statements each, drawn from templates a migration folder
holds (new tables, columns with constant, volatile, user-defined and generated defaults, inline
constraints, indexes with and without CONCURRENTLY, NOT VALID constraints validated later or in the same
file, SET NOT NULL with and without a validated check first, type changes that do and do not rewrite,
REINDEX, renames, drops, BEGIN/COMMIT), about a quarter marked ``-- migrate:up transaction:false``. squawk
is told the same transaction mode (``--assume-in-transaction`` for the others).

Agreement is counted per statement: a statement is flagged by a squawk rule when squawk reports that rule
on one of its lines, and by the Stanchion rules mapped to it (``MAPPING``) likewise. Time is end to end
(start-up to exit) over all 500 files, median of N interleaved rounds.

Run: .venv/bin/python benchmarks/lint_vs_squawk.py [--count 500] [--rounds 5] [--keep DIR]
Needs: pip install '.[bench]' (squawk-cli).
"""

from __future__ import annotations

import argparse
import json
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

BIN = Path(sys.executable).parent

# squawk rule -> the Stanchion rules that flag the same danger
MAPPING: dict[str, tuple[str, ...]] = {
    "require-concurrent-index-creation": ("require-concurrent-index-creation",),
    "require-concurrent-index-deletion": ("require-concurrent-index-deletion",),
    "constraint-missing-not-valid": ("constraint-missing-not-valid",),
    "adding-foreign-key-constraint": ("constraint-missing-not-valid", "adding-column-with-constraint"),
    "adding-field-with-default": ("adding-volatile-default", "adding-stored-generated-column"),
    "adding-not-nullable-field": ("setting-not-null",),
    "adding-required-field": ("adding-required-field",),
    "adding-serial-primary-key-field": ("adding-column-with-constraint", "constraint-without-using-index"),
    "disallowed-unique-constraint": ("constraint-without-using-index", "adding-column-with-constraint"),
    "changing-column-type": ("changing-column-type",),
    "ban-drop-column": ("ban-drop-column",),
    "ban-drop-table": ("ban-drop-table",),
    "renaming-column": ("renaming-column",),
    "renaming-table": ("renaming-table",),
    "prefer-bigint-over-int": ("prefer-bigint-over-int",),
    "prefer-bigint-over-smallint": ("prefer-bigint-over-int",),
    "prefer-identity": ("prefer-identity",),
    "prefer-text-field": ("prefer-text-field",),
    "transaction-nesting": ("transaction-nesting",),
    "ban-uncommitted-transaction": ("transaction-nesting",),
    "ban-concurrent-index-creation-in-transaction": ("concurrently-in-transaction",),
    "require-lock-timeout": ("require-lock-timeout",),
    "require-concurrent-reindex": ("require-concurrent-reindex",),
    "prefer-timestamp-tz": ("prefer-timestamptz",),
}

# {t}: an existing table; {e}: one of its existing columns; {c}: a column this statement adds (fresh);
# {n}: a table this file creates
TEMPLATES = [
    "CREATE TABLE {n} (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, name text NOT NULL, created_at timestamptz NOT NULL DEFAULT now())",
    "CREATE TABLE {n} (id serial PRIMARY KEY, code varchar(20), seen timestamp, n integer)",
    "ALTER TABLE {t} ADD COLUMN {c} text",
    "ALTER TABLE {t} ADD COLUMN {c} text NOT NULL DEFAULT 'x'",
    "ALTER TABLE {t} ADD COLUMN {c} text NOT NULL",
    "ALTER TABLE {t} ADD COLUMN {c} uuid DEFAULT gen_random_uuid()",
    "ALTER TABLE {t} ADD COLUMN {c} timestamptz DEFAULT now()",
    "ALTER TABLE {t} ADD COLUMN {c} bigint DEFAULT next_ticket()",
    "ALTER TABLE {t} ADD COLUMN {c} numeric GENERATED ALWAYS AS (price * 2) STORED",
    "ALTER TABLE {t} ADD COLUMN {c} numeric NOT NULL GENERATED ALWAYS AS (price * 2) STORED",
    "ALTER TABLE {t} ADD COLUMN {c} bigint REFERENCES account (id)",
    "ALTER TABLE {t} ADD COLUMN {c} text UNIQUE",
    "ALTER TABLE {t} ADD COLUMN {c} bigserial PRIMARY KEY",
    "CREATE INDEX {t}_{e}_idx ON {t} ({e})",
    "CREATE INDEX CONCURRENTLY {t}_{e}_idx ON {t} ({e})",
    "DROP INDEX {t}_{e}_idx",
    "DROP INDEX CONCURRENTLY {t}_{e}_idx",
    "REINDEX INDEX {t}_{e}_idx",
    "REINDEX INDEX CONCURRENTLY {t}_{e}_idx",
    "ALTER TABLE {t} ADD CONSTRAINT {t}_{e}_fk FOREIGN KEY ({e}) REFERENCES account (id)",
    "ALTER TABLE {t} ADD CONSTRAINT {t}_{e}_fk FOREIGN KEY ({e}) REFERENCES account (id) NOT VALID",
    "ALTER TABLE {t} ADD CONSTRAINT {t}_{e}_positive CHECK ({e} > 0)",
    "ALTER TABLE {t} VALIDATE CONSTRAINT {t}_{e}_fk",
    "ALTER TABLE {t} ALTER COLUMN {e} SET NOT NULL",
    "ALTER TABLE {t} ADD CONSTRAINT {t}_{e}_key UNIQUE ({e})",
    "ALTER TABLE {t} ADD CONSTRAINT {t}_{e}_key UNIQUE USING INDEX {t}_{e}_idx",
    "ALTER TABLE {t} ALTER COLUMN {e} TYPE bigint",
    "ALTER TABLE {t} ALTER COLUMN {e} TYPE text",
    "ALTER TABLE {t} RENAME COLUMN {e} TO {e}_old",
    "ALTER TABLE {t} RENAME TO {t}_old",
    "ALTER TABLE {t} DROP COLUMN {e}",
    "DROP TABLE {t}",
    "UPDATE {t} SET {e} = 0 WHERE {e} IS NULL",
]
# statements that only mean something together (the cross-statement cases)
GROUPS = [
    (
        "ALTER TABLE {t} ADD CONSTRAINT {t}_{e}_nn CHECK ({e} IS NOT NULL) NOT VALID",
        "ALTER TABLE {t} VALIDATE CONSTRAINT {t}_{e}_nn",
        "ALTER TABLE {t} ALTER COLUMN {e} SET NOT NULL",
    ),
    (
        "ALTER TABLE {t} ADD CONSTRAINT {t}_{e}_fk FOREIGN KEY ({e}) REFERENCES account (id) NOT VALID",
        "ALTER TABLE {t} VALIDATE CONSTRAINT {t}_{e}_fk",
    ),
    ("ALTER TABLE {t} ADD COLUMN {c} varchar(20)", "ALTER TABLE {t} ALTER COLUMN {c} TYPE varchar(80)"),
    ("ALTER TABLE {t} ADD COLUMN {c} varchar(80)", "ALTER TABLE {t} ALTER COLUMN {c} TYPE varchar(20)"),
    ("ALTER TABLE {t} ADD COLUMN {c} timestamptz", "ALTER TABLE {t} ALTER COLUMN {c} TYPE timestamp"),
    (
        "CREATE TABLE {n} (id bigint PRIMARY KEY, owner_id bigint, label text)",
        "CREATE INDEX {n}_label_idx ON {n} (label)",
        "ALTER TABLE {n} ADD COLUMN token uuid DEFAULT gen_random_uuid()",
        "ALTER TABLE {n} ADD CONSTRAINT {n}_owner_fk FOREIGN KEY (owner_id) REFERENCES account (id)",
    ),
    ("SET lock_timeout = '2s'",),
    ("SET lock_timeout = '2s'", "SET statement_timeout = '60s'"),
    ("BEGIN",),
    ("COMMIT",),
]


def corpus(folder: Path, count: int, seed: int = 17) -> dict[Path, bool]:
    """Write ``count`` migration files; returns each file's transaction mode."""
    rng = random.Random(seed)
    folder.mkdir(parents=True, exist_ok=True)
    modes: dict[Path, bool] = {}
    for i in range(1, count + 1):
        table = f"t{rng.randrange(40)}"
        statements: list[str] = []
        for k in range(rng.randint(1, 6)):
            chosen = rng.choice(GROUPS) if rng.random() < 0.25 else (rng.choice(TEMPLATES),)
            fill = {
                "t": table,
                "e": rng.choice(["email", "total", "status", "owner_id"]),
                "c": f"col_{i}_{k}",
            }
            fill["n"] = f"{table}_new{k}"
            statements += [s.format(**fill) for s in chosen]
        if rng.random() < 0.1:
            statements = ["BEGIN", *statements, "COMMIT"]  # a wrapper some tools write
        in_transaction = rng.random() >= 0.25
        header = "-- migrate:up" + ("" if in_transaction else " transaction:false")
        path = folder / f"{i:05d}_m{i}.sql"
        path.write_text(header + "\n" + "\n".join(s + ";" for s in statements) + "\n")
        modes[path] = in_transaction
    return modes


def statement_lines(path: Path) -> list[tuple[int, int]]:
    """(first, last) 1-based line of each statement of the file."""
    from pglast import parser

    text = path.read_text()
    out = []
    for piece in parser.split(text, with_parser=False, only_slices=True):
        chunk = text[piece]
        lead = len(chunk) - len(chunk.lstrip())
        start = text[: piece.start + lead].count("\n") + 1
        end = text[: piece.stop].count("\n") + 1
        # a statement's leading comment lines (the header) belong to no statement
        skip = sum(1 for line in chunk.lstrip().split("\n") if line.strip().startswith("--"))
        out.append((start + skip, end))
    return out


def statement_of(spans: list[tuple[int, int]], line: int) -> int | None:
    return next((i for i, (first, last) in enumerate(spans) if first <= line <= last), None)


def run_squawk(files: dict[Path, bool]) -> tuple[list[dict[str, object]], float]:
    started = time.perf_counter()
    found: list[dict[str, object]] = []
    for in_transaction in (True, False):
        group = [str(p) for p, mode in files.items() if mode == in_transaction]
        if not group:
            continue
        args = [str(BIN / "squawk"), "--reporter", "json", "--pg-version", "15"]
        args += ["--assume-in-transaction"] if in_transaction else ["--no-assume-in-transaction"]
        done = subprocess.run(args + group, capture_output=True, text=True, check=False)
        found += json.loads(done.stdout or "[]")
    return found, time.perf_counter() - started


def run_stanchion(folder: Path) -> tuple[list[dict[str, object]], float]:
    started = time.perf_counter()
    args = [str(BIN / "stanchion"), "db", "lint", str(folder), "--dialect", "postgresql", "--format", "json"]
    done = subprocess.run(args, capture_output=True, text=True, check=False)
    elapsed = time.perf_counter() - started
    return list(json.loads(done.stdout)["findings"]), elapsed


def agreement(
    files: dict[Path, bool], squawk: list[dict[str, object]], ours: list[dict[str, object]]
) -> list[str]:
    spans = {str(p): statement_lines(p) for p in files}
    squawk_hits: dict[str, set[tuple[str, int]]] = {}
    for f in squawk:
        index = statement_of(spans[str(f["file"])], int(str(f["line"])) + 1)  # squawk's lines are 0-based
        if index is not None:
            squawk_hits.setdefault(str(f["rule_name"]), set()).add((str(f["file"]), index))
    our_hits: dict[str, set[tuple[str, int]]] = {}
    for f in ours:
        index = statement_of(spans[str(f["path"])], int(str(f["line"])))
        if index is not None:
            our_hits.setdefault(str(f["rule"]), set()).add((str(f["path"]), index))
    rows = [
        "| squawk rule | Stanchion rule(s) | squawk flags | Stanchion too | squawk only |",
        "|---|---|---:|---:|---:|",
    ]
    for rule in sorted(squawk_hits):
        mapped = MAPPING.get(rule, ())
        theirs = squawk_hits[rule]
        mine: set[tuple[str, int]] = set().union(*(our_hits.get(r, set()) for r in mapped))
        names = ", ".join(f"`{r}`" for r in mapped) or "(none)"
        rows.append(f"| `{rule}` | {names} | {len(theirs)} | {len(theirs & mine)} | {len(theirs - mine)} |")
    rows += ["", "| Stanchion rule | Stanchion flags | squawk too | Stanchion only |", "|---|---:|---:|---:|"]
    for rule in sorted(our_hits):
        counterparts = [s for s, ours in MAPPING.items() if rule in ours]
        theirs = set().union(*(squawk_hits.get(s, set()) for s in counterparts))
        mine = our_hits[rule]
        rows.append(f"| `{rule}` | {len(mine)} | {len(mine & theirs)} | {len(mine - theirs)} |")
    return rows


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--count", type=int, default=500)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--keep", type=Path, default=None, help="Write the corpus here and keep it.")
    args = parser.parse_args()
    if shutil.which("squawk", path=str(BIN)) is None:
        print("squawk is not installed: pip install '.[bench]'", file=sys.stderr)
        return 3
    root = args.keep or Path(tempfile.mkdtemp(prefix="lint-bench-"))
    try:
        folder = root / "migrations"
        files = corpus(folder, args.count)
        squawk_times, our_times = [], []
        squawk: list[dict[str, object]] = []
        ours: list[dict[str, object]] = []
        for _ in range(args.rounds):
            squawk, elapsed = run_squawk(files)
            squawk_times.append(elapsed)
            ours, elapsed = run_stanchion(folder)
            our_times.append(elapsed)
        version = subprocess.run(
            [str(BIN / "squawk"), "--version"], capture_output=True, text=True
        ).stdout.strip()
        print(f"{args.count} files, {version}, median of {args.rounds} rounds\n")
        print("| command | median s | stanchion / squawk |\n|---|---:|---:|")
        ours_s, theirs_s = statistics.median(our_times), statistics.median(squawk_times)
        print(f"| stanchion db lint | {ours_s:.3f} | {ours_s / theirs_s:.2f} |")
        print(f"| squawk | {theirs_s:.3f} | 1.00 |\n")
        print("\n".join(agreement(files, squawk, ours)))
        counts = Counter(str(f["rule_name"]) for f in squawk)
        unmapped = sorted(r for r in counts if r not in MAPPING)
        print(f"\nsquawk rules with no Stanchion counterpart: {', '.join(unmapped) or 'none'}")
    finally:
        if args.keep is None:
            shutil.rmtree(root, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
