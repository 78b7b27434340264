"""The classic script names, translated into ``stanchion`` command lines.

Agents and people have command lines written against ``api_scaffolder.py``, ``database_migration_tool.py``,
``api_load_tester.py``, ``backend_decision_engine.py`` and ``performance_analyzer.py`` (the contract is
``../shared/classic-forms.md``; docs/skill.md lists what each form runs). The scripts in the skill folder are
thin: they call :func:`plan` and run the steps through the ``stanchion`` CLI, so the classic flags keep
working while the behaviour (and its fixes) is Stanchion's.

Every mapping is a pure function from the classic argv to :class:`Step` s (almost always one ``stanchion``
argv). What this Stanchion can do is asked of a :class:`Capabilities` (the CLI answers from its own
commands), so a form whose feature is not built fails with exit 2 and one line naming the feature, and
works as soon as the feature lands.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Protocol

from stanchion import __version__
from stanchion.errors import UsageError
from stanchion.skill.classic_help import HELP

SPEC_SUFFIXES = (".yaml", ".yml", ".json")
#: The stack a classic ``api_scaffolder.py NAME`` gets when neither it nor ``scaffold new`` names one.
CLASSIC_STACK = "express-typescript"
HTTP_METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS")


class Capabilities(Protocol):
    """What the installed Stanchion offers: commands (by path, ``("scaffold", "from-db")``) and options."""

    def command(self, path: Sequence[str]) -> bool: ...

    def option(self, path: Sequence[str], name: str) -> bool: ...

    def default(self, path: Sequence[str], name: str) -> object: ...

    def stacks(self) -> Sequence[str]: ...


@dataclass(frozen=True)
class Step:
    """One thing to do: write ``write`` (path, text) if given, then run ``argv`` in ``cwd``."""

    argv: list[str]
    cwd: str | None = None
    write: tuple[str, str] | None = None


def missing(feature: str) -> UsageError:
    """The one-line error of a classic form whose feature this Stanchion does not have yet (exit 2)."""
    return UsageError(
        f"not built in Stanchion {__version__} yet: {feature}",
        "the form is part of the classic contract and runs once the feature lands; see --help for the forms "
        "that run today",
    )


def help_requested(argv: Sequence[str]) -> bool:
    for item in argv:
        if item == "--":
            return False
        if item in ("-h", "--help"):
            return True
    return False


def help_text(script: str) -> str:
    return HELP[Path(script).name]


# -- argv helpers ---------------------------------------------------------------------------------------


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


def _positionals(args: Sequence[str], value_options: Sequence[str]) -> list[str]:
    """The arguments that are neither options nor the values of ``value_options``."""
    found, skip = [], False
    for item in args:
        if skip:
            skip = False
        elif item.startswith("-"):
            skip = item in value_options
        else:
            found.append(item)
    return found


# -- api_scaffolder.py ----------------------------------------------------------------------------------

SCAFFOLD_VALUES = ("--type", "--stack", "--framework", "--output", "--database", "--db", "--dir", "--name")
AUTH_ON, AUTH_OFF = ("jwt", "true", "yes"), ("none", "false", "no")
AUTH_OTHER = ("oauth", "oauth2", "api-key", "apikey", "session", "basic", "key", "saml")


def _project_name(text: str) -> str:
    """``UserAPI`` -> ``user-api``, ``user_service`` -> ``user-service``: the name ``scaffold new`` takes."""
    spaced = re.sub(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])", "-", text)
    return re.sub(r"[-_\s]+", "-", spaced).strip("-").lower()


def _auth(args: list[str]) -> bool | None:
    """``--auth``, ``--auth jwt`` -> True; ``--auth none``, ``--no-auth`` -> False; absent -> None."""
    if _pop_flag(args, "--no-auth"):
        return False
    for index, item in enumerate(args):
        value: str | None = None
        if item.startswith("--auth="):
            value = item.split("=", 1)[1]
            del args[index]
        elif item == "--auth":
            following = args[index + 1] if index + 1 < len(args) else ""
            known = following.lower() in AUTH_ON + AUTH_OFF + AUTH_OTHER
            value = following if known else "jwt"
            del args[index : index + (2 if known else 1)]
        else:
            continue
        if value.lower() in AUTH_OTHER:
            raise missing(f"--auth {value} (projects come with JWT access and refresh tokens: --auth jwt)")
        return value.lower() not in AUTH_OFF
    return None


def _new_project(args: list[str], path: str, caps: Capabilities) -> list[str]:
    """``scaffold new`` with the classic defaults spelt out: the full production set (auth, Docker Compose
    with PostgreSQL and Redis, CI) unless ``--minimal``/``--no-*`` say otherwise, so the project is the
    same on and off a terminal (nothing is left for a prompt to ask)."""
    new = ("scaffold", "new")
    name = _project_name(PurePosixPath(path).name or path)
    out = ["scaffold", "new", name]
    if path.rstrip("/") != name:
        out += ["--dir", path]
    project_type = _pop_value(args, "--type") or "rest"
    stack = _pop_value(args, "--stack")
    stacks = caps.stacks()
    if project_type == "graphql" or stack == "apollo-typescript":
        if "apollo-typescript" not in stacks:
            raise missing("GraphQL projects (--type graphql --stack apollo-typescript)")
        stack = stack or "apollo-typescript"
    elif project_type != "rest":
        raise UsageError(f"unknown project type {project_type!r}", "use --type rest or --type graphql")
    if stack is None and caps.default(new, "--stack") is None:
        stack = CLASSIC_STACK
    if stack is not None and stack not in stacks:
        raise missing(f"the {stack} stack")
    out += ["--type", project_type, *(["--stack", stack] if stack else [])]
    database = _pop_value(args, "--database", "--db")
    if database is not None:
        database = {"postgresql": "postgres", "pg": "postgres", "sqlite3": "sqlite"}.get(database, database)
        if database not in ("postgres", "sqlite", "pglite"):
            raise missing(f"--database {database} (projects run on PostgreSQL or SQLite)")
    minimal = _pop_flag(args, "--minimal")
    auth = _auth(args)
    docker = False if _pop_flag(args, "--no-docker") else (True if _pop_flag(args, "--docker") else None)
    ci = False if _pop_flag(args, "--no-ci") else (True if _pop_flag(args, "--ci") else None)
    if minimal:
        out.append("--minimal")
    else:
        out.append("--no-auth" if auth is False else "--auth")
        if database is None and docker is not False:
            database = "postgres"  # the production set: Docker Compose with PostgreSQL
        if caps.option(new, "--cache") and "--cache" not in args and docker is not False:
            out += ["--cache", "redis"]
    out.append("--docker" if docker or (docker is None and not minimal) else "--no-docker")
    out.append("--ci" if ci or (ci is None and not minimal) else "--no-ci")
    if database is not None:
        out += ["--db", database]
    return [*out, *args]


def _spec_from_endpoints(title: str, endpoints: str) -> str:
    """An OpenAPI 3.0 document for ``"GET /users, POST /users, GET /users/:id"``."""
    paths: dict[str, dict[str, object]] = {}
    for item in (part.strip() for part in endpoints.split(",")):
        method, _, raw = item.partition(" ")
        method, raw = method.upper(), raw.strip()
        if method not in HTTP_METHODS or not raw.startswith("/"):
            raise UsageError(
                f"--endpoints: {item!r} is not 'METHOD /path'",
                'for example --endpoints "GET /users, POST /users, GET /users/:id"',
            )
        path = re.sub(r":(\w+)", r"{\1}", raw)
        words = [w for w in re.split(r"[^A-Za-z0-9]+", re.sub(r"\{(\w+)\}", r"by_\1", path)) if w]
        operation: dict[str, object] = {
            "operationId": method.lower() + "".join(w[:1].upper() + w[1:] for w in words),
            "responses": {
                "201" if method == "POST" else "200": {
                    "description": "OK",
                    "content": {"application/json": {"schema": {"type": "object"}}},
                }
            },
        }
        params = re.findall(r"\{(\w+)\}", path)
        if params:
            operation["parameters"] = [
                {"name": p, "in": "path", "required": True, "schema": {"type": "string"}} for p in params
            ]
        if method in ("POST", "PUT", "PATCH"):
            operation["requestBody"] = {
                "required": True,
                "content": {"application/json": {"schema": {"type": "object"}}},
            }
        if method.lower() in paths.setdefault(path, {}):
            raise UsageError(f"--endpoints: {method} {raw} is given twice", "name each endpoint once")
        paths[path][method.lower()] = operation
    document = {"openapi": "3.0.3", "info": {"title": title, "version": "1.0.0"}, "paths": paths}
    return json.dumps(document, indent=2) + "\n"


def api_scaffolder(argv: Sequence[str], interactive: bool, caps: Capabilities) -> list[Step]:
    args = list(argv)
    from_db = _pop_value(args, "--from-db")
    if from_db is not None:
        if not caps.command(("scaffold", "from-db")):
            raise missing("an API from a live database (api_scaffolder.py --from-db)")
        return [Step(["scaffold", "from-db", from_db, *args])]
    if _pop_flag(args, "--generate-spec"):
        if not caps.command(("scaffold", "spec")):
            raise missing("a spec from existing routes (api_scaffolder.py --generate-spec)")
        return [Step(["scaffold", "spec", *args])]
    name = _pop_value(args, "--name")
    endpoints = _pop_value(args, "--endpoints")
    first = next(iter(_positionals(args, SCAFFOLD_VALUES)), None)
    if endpoints is not None:
        target = name or first
        if target is None:
            raise UsageError(
                "--endpoints needs a project: --name NAME",
                'api_scaffolder.py --name UserAPI --endpoints "GET /users"',
            )
        if target == first:
            args.remove(first)
        json_flag = ["--json"] if _pop_flag(args, "--json") else []
        new = _new_project(args, target if target == first else _project_name(target), caps)
        folder = new[new.index("--dir") + 1] if "--dir" in new else new[2]
        spec = _spec_from_endpoints(target, endpoints)
        return [
            Step([*new, "-q"]),
            Step(
                ["scaffold", "routes", "openapi.json", *json_flag],
                cwd=folder,
                write=(f"{folder}/openapi.json", spec),
            ),
        ]
    if name is not None:
        return [Step(_new_project(args, _project_name(name), caps))]
    if first is None:
        raise UsageError(
            "api_scaffolder.py: nothing to scaffold",
            "give a project folder (./backend --type rest), an OpenAPI spec (openapi.yaml --framework express), "
            "or see --help",
        )
    args.remove(first)
    if first.lower().endswith(SPEC_SUFFIXES):
        if "--types-only" in args and "--framework" not in args:
            args += ["--framework", "express"]
        return [Step(["scaffold", "routes", first, *args])]
    return [Step(_new_project(args, first, caps))]


# -- database_migration_tool.py -------------------------------------------------------------------------

SUBCOMMANDS = ("create", "migrate", "rollback", "status", "redo", "repair", "apply")


def database_migration_tool(argv: Sequence[str], interactive: bool, caps: Capabilities) -> list[Step]:
    args = list(argv)
    # The classic tool never asked before rolling back; on a terminal Stanchion still asks.
    yes = [] if interactive else ["--yes"]
    connection = _pop_value(args, "--connection", "--database-url")
    url = ["--database-url", connection] if connection else []
    if args and args[0] in SUBCOMMANDS:
        confirm = yes if args[0] in ("rollback", "redo", "repair") and "--yes" not in args else []
        return [Step(["db", *args, *confirm, *url])]
    verbose = _pop_flag(args, "--verbose", "-v")
    if _pop_flag(args, "--analyze"):
        return [Step(["db", "analyze", *args, *url])]
    compare = _pop_value(args, "--compare")
    if compare is not None:
        old = _positionals(args, ("--output", "--dialect", "--scratch-url", "--schema"))
        if connection is None and len(old) != 1:
            raise UsageError(
                "--compare needs the schema you have",
                "--connection DB --compare NEW.sql (the live database), or OLD.sql --compare NEW.sql",
            )
        if connection is None:
            args.remove(old[0])
        return [Step(["db", "diff", "--from", connection or old[0], "--to", compare, *args])]
    if _pop_flag(args, "--suggest-indexes"):
        return [Step(["db", "suggest-indexes", *args, *url])]
    migrate_file = _pop_value(args, "--migrate")
    if migrate_file is not None:
        return [Step(["db", "apply", migrate_file, *args, *url])]
    create = _pop_value(args, "--create")
    folder = next(iter(_positionals(args, ())), None)
    folder_args: list[str] = []
    if folder is not None:
        args.remove(folder)
        folder_args = ["--dir", folder]
    if create is not None:
        return [Step(["db", "create", create, *folder_args, *args])]
    for flag, command, extra in (
        ("--up", "migrate", []),
        ("--down", "rollback", yes),
        ("--status", "status", []),
    ):
        if _pop_flag(args, flag):
            if verbose:
                if not caps.option(("db", command), "--verbose"):
                    raise missing(f"--verbose for {flag} (each statement and its time)")
                args.append("--verbose")
            return [Step(["db", command, *extra, *folder_args, *args, *url])]
    raise UsageError(
        "database_migration_tool.py: no action given",
        "use create NAME, migrate, rollback, status, or --analyze/--compare/--suggest-indexes/--migrate/--up/--down",
    )


# -- the others -----------------------------------------------------------------------------------------


def api_load_tester(argv: Sequence[str], interactive: bool, caps: Capabilities) -> list[Step]:
    """Every classic form is a ``stanchion load`` form; ``--concurrent`` is the classic ``--concurrency``."""
    args = list(argv)
    while (concurrent := _pop_value(args, "--concurrent")) is not None:
        args += ["--concurrency", concurrent]
    return [Step(["load", *args])]


def backend_decision_engine(argv: Sequence[str], interactive: bool, caps: Capabilities) -> list[Step]:
    args = list(argv)
    if _pop_flag(args, "--grill"):
        return [Step(["decide", "grill", *args])]
    return [Step(["decide", *args])]


def performance_analyzer(argv: Sequence[str], interactive: bool, caps: Capabilities) -> list[Step]:
    """``--endpoint PATH --load-test N --optimize ...`` is ``stanchion perf``; the older ``--connection URL``
    (database analysis) and ``URL ...`` (a load test) forms keep working."""
    args = list(argv)
    endpoint = _pop_value(args, "--endpoint")
    if endpoint is not None:
        if not caps.command(("perf",)):
            raise missing("the performance analyzer (performance_analyzer.py --endpoint ... --load-test N)")
        base = _pop_value(args, "--base-url")
        requests = _pop_value(args, "--load-test")
        connection = _pop_value(args, "--connection")
        return [
            Step(
                [
                    "perf",
                    *([base] if base else []),
                    "--endpoint",
                    endpoint,
                    *(["-n", requests] if requests else []),
                    *(["--database-url", connection] if connection else []),
                    *args,
                ]
            )
        ]
    connection = _pop_value(args, "--connection", "--database-url")
    if connection is not None or any(a.lower().endswith(".sql") for a in args):
        return [Step(["db", "analyze", *args, *(["--database-url", connection] if connection else [])])]
    if any(a.startswith(("http://", "https://")) for a in args):
        return api_load_tester(args, interactive, caps)
    raise UsageError(
        "performance_analyzer.py: nothing to analyse",
        "give --endpoint PATH --load-test N, --connection URL (database analysis) or an http(s) URL (load test)",
    )


SCRIPTS: dict[str, Callable[[Sequence[str], bool, Capabilities], list[Step]]] = {
    "api_scaffolder.py": api_scaffolder,
    "database_migration_tool.py": database_migration_tool,
    "api_load_tester.py": api_load_tester,
    "backend_decision_engine.py": backend_decision_engine,
    "performance_analyzer.py": performance_analyzer,
}


def plan(script: str, argv: Sequence[str], caps: Capabilities, interactive: bool = False) -> list[Step]:
    """The steps for the classic ``script`` called with ``argv``; ``interactive`` when a person is at the
    terminal (then confirmations are asked rather than assumed, as the classic tools did)."""
    name = Path(script).name
    if name not in SCRIPTS:
        raise UsageError(f"unknown classic script {name}", f"known: {', '.join(SCRIPTS)}")
    return SCRIPTS[name](argv, interactive, caps)
