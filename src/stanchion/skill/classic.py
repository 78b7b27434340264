"""The classic script names, translated into ``stanchion`` command lines.

Agents and people have command lines written against ``api_scaffolder.py``, ``database_migration_tool.py``,
``api_load_tester.py``, ``backend_decision_engine.py`` and ``performance_analyzer.py``. The scripts in the skill
folder are thin: they call :func:`translate` and run the result through the ``stanchion`` CLI, so the
classic flags keep working while the behaviour (and its fixes) is Stanchion's.

Every mapping is a pure function from the classic argv to a ``stanchion`` argv; a form whose feature is not
available raises UsageError naming the feature.
"""

from __future__ import annotations

import importlib.util
from collections.abc import Callable, Sequence
from pathlib import Path

from stanchion.errors import UsageError

SPEC_SUFFIXES = (".yaml", ".yml", ".json")


def _require(module: str, feature: str) -> None:
    if importlib.util.find_spec(module) is None:
        raise UsageError(f"{feature} is not available in this Stanchion version", "upgrade stanchion")


def _pop_flag(args: list[str], *names: str) -> bool:
    found = False
    for name in names:
        while name in args:
            args.remove(name)
            found = True
    return found


def _pop_value(args: list[str], *names: str) -> str | None:
    for name in names:
        for index, item in enumerate(args):
            if item == name:
                if index + 1 >= len(args):
                    raise UsageError(f"{name} needs a value")
                value = args[index + 1]
                del args[index : index + 2]
                return value
            if item.startswith(name + "="):
                del args[index]
                return item.split("=", 1)[1]
    return None


def api_scaffolder(argv: Sequence[str], interactive: bool = False) -> list[str]:
    """``NAME --type rest --stack S [--auth]`` creates a project; ``SPEC.yaml --framework F --output DIR`` and
    ``SPEC.yaml --types-only --output DIR`` generate code from an OpenAPI spec."""
    args = list(argv)
    _require("stanchion.cli.scaffold", "scaffolding (stanchion scaffold)")
    first = next((a for a in args if not a.startswith("-")), None)
    if first is not None and first.lower().endswith(SPEC_SUFFIXES):
        _require("stanchion.cli.scaffold_routes", "code from an OpenAPI spec (stanchion scaffold routes)")
        if "--types-only" in args and "--framework" not in args:
            args += ["--framework", "express"]
        return ["scaffold", "routes", *args]
    return ["scaffold", "new", *args]


def database_migration_tool(argv: Sequence[str], interactive: bool = False) -> list[str]:
    """Sub-command forms (``create NAME``, ``migrate``, ``rollback --steps 2``, ``status``) and flag forms
    (``--connection URL --analyze``, ``schema.sql --analyze``, ``old.sql --compare new.sql --output DIR``,
    ``--suggest-indexes``, ``--connection URL --migrate FILE --dry-run``, ``DIR --create NAME``, ``DIR --up``,
    ``DIR --down``)."""
    args = list(argv)
    _require("stanchion.cli.db", "migrations (stanchion db)")
    # The classic tool never asked before rolling back; on a terminal Stanchion still asks.
    yes = [] if interactive else ["--yes"]
    if args and args[0] in ("create", "migrate", "rollback", "status", "redo", "repair", "apply"):
        confirm = yes if args[0] in ("rollback", "redo", "repair") and "--yes" not in args else []
        return _with_connection(["db", *args, *confirm])
    connection = _pop_value(args, "--connection", "--database-url")
    verbose = _pop_flag(args, "--verbose", "-v")
    url = ["--database-url", connection] if connection else []
    del verbose  # Stanchion reports each migration it applies; --verbose has nothing more to add
    if _pop_flag(args, "--analyze"):
        return ["db", "analyze", *args, *url]
    compare = _pop_value(args, "--compare")
    if compare is not None:
        output_dir = _pop_value(args, "--output")
        positional = [a for a in args if not a.startswith("-")]
        if len(positional) != 1:
            raise UsageError("--compare needs exactly one old schema: OLD.sql --compare NEW.sql")
        args.remove(positional[0])
        extra = ["--output", output_dir] if output_dir else []
        return ["db", "diff", "--from", positional[0], "--to", compare, *extra, *args]
    if _pop_flag(args, "--suggest-indexes"):
        return ["db", "suggest-indexes", *args, *url]
    migrate_file = _pop_value(args, "--migrate")
    if migrate_file is not None:
        return ["db", "apply", migrate_file, *args, *url]
    create = _pop_value(args, "--create")
    folder = next((a for a in args if not a.startswith("-")), None)
    folder_args: list[str] = []
    if folder is not None and (Path(folder).is_dir() or create is not None):
        args.remove(folder)
        folder_args = ["--dir", folder]
    if create is not None:
        return ["db", "create", create, *folder_args, *args]
    if _pop_flag(args, "--up"):
        return ["db", "migrate", *folder_args, *args, *url]
    if _pop_flag(args, "--down"):
        return ["db", "rollback", *yes, *folder_args, *args, *url]
    if _pop_flag(args, "--status"):
        return ["db", "status", *folder_args, *args, *url]
    raise UsageError(
        "database_migration_tool.py: no action given",
        "use create NAME, migrate, rollback, status, or --analyze/--compare/--suggest-indexes/--migrate/--up/--down",
    )


def _with_connection(args: list[str]) -> list[str]:
    connection = _pop_value(args, "--connection")
    return [*args, "--database-url", connection] if connection else args


def api_load_tester(argv: Sequence[str], interactive: bool = False) -> list[str]:
    """Every classic form is a ``stanchion load`` form (``--users``, ``--requests``, ``--compare``, ...)."""
    _require("stanchion.cli.load", "load testing (stanchion load)")
    return ["load", *argv]


def backend_decision_engine(argv: Sequence[str], interactive: bool = False) -> list[str]:
    """``--team-size 8 --qps-p99 50 ...`` is a ``stanchion decide`` form; ``--grill`` starts the grill."""
    _require("stanchion.cli.decide", "the decision engine (stanchion decide)")
    args = list(argv)
    if _pop_flag(args, "--grill"):
        return ["decide", "grill", *args]
    return ["decide", *args]


def performance_analyzer(argv: Sequence[str], interactive: bool = False) -> list[str]:
    """``--connection URL`` analyses a live database (slow queries, N+1 suspects, missing indexes);
    ``URL ...`` load-tests an endpoint; ``RESULT.json --baseline OLD.json`` is not a classic form."""
    args = list(argv)
    connection = _pop_value(args, "--connection", "--database-url")
    if connection is not None or any(a.lower().endswith(".sql") for a in args):
        _require("stanchion.cli.db", "database analysis (stanchion db analyze)")
        return ["db", "analyze", *args, *(["--database-url", connection] if connection else [])]
    if any(a.startswith(("http://", "https://")) for a in args):
        return api_load_tester(args, interactive)
    raise UsageError(
        "performance_analyzer.py: nothing to analyse",
        "give --connection URL (database analysis) or an http(s) URL (load test)",
    )


SCRIPTS: dict[str, Callable[[Sequence[str], bool], list[str]]] = {
    "api_scaffolder.py": api_scaffolder,
    "database_migration_tool.py": database_migration_tool,
    "api_load_tester.py": api_load_tester,
    "backend_decision_engine.py": backend_decision_engine,
    "performance_analyzer.py": performance_analyzer,
}


def translate(script: str, argv: Sequence[str], interactive: bool = False) -> list[str]:
    """The ``stanchion`` argv for the classic ``script`` called with ``argv``; ``interactive`` when a person
    is at the terminal (then confirmations are asked rather than assumed, as the classic tools did)."""
    name = Path(script).name
    if name not in SCRIPTS:
        raise UsageError(f"unknown classic script {name}", f"known: {', '.join(SCRIPTS)}")
    return SCRIPTS[name](argv, interactive)
