"""The classic translation (pure): which ``stanchion`` command each classic command line becomes.

What the installed Stanchion can do is given by a fake :class:`Capabilities`, so both sides of a feature
that is still being built are covered: exit 2 naming it today, the right command once it lands. The forms
run for real, through the installed scripts, in tests/skill/test_classic_forms.py.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path

import pytest

from stanchion.errors import UsageError
from stanchion.skill.classic import Step, help_text, plan
from stanchion.skill.install import packaged_skill_dir


class Caps:
    def __init__(
        self,
        commands: Sequence[tuple[str, ...]] = (),
        options: Sequence[tuple[str, ...]] = (),
        stacks: Sequence[str] = ("express-typescript", "fastapi"),
        default_stack: str | None = None,
    ) -> None:
        self.commands = set(commands)
        self.options = set(options)
        self._stacks = tuple(stacks)
        self.default_stack = default_stack

    def command(self, path: Sequence[str]) -> bool:
        return tuple(path) in self.commands

    def option(self, path: Sequence[str], name: str) -> bool:
        return (*path, name) in self.options

    def default(self, path: Sequence[str], name: str) -> object:
        return self.default_stack if name == "--stack" else None

    def stacks(self) -> Sequence[str]:
        return self._stacks


def one(script: str, argv: list[str], caps: Caps | None = None, interactive: bool = False) -> list[str]:
    steps = plan(script, argv, caps or Caps(), interactive)
    assert len(steps) == 1 and steps[0].cwd is None and steps[0].write is None
    return steps[0].argv


@pytest.mark.parametrize(
    ("script", "argv", "expected"),
    [
        ("database_migration_tool.py", ["create", "add_users_table"], ["db", "create", "add_users_table"]),
        (
            "database_migration_tool.py",
            ["rollback", "--steps", "2"],
            ["db", "rollback", "--steps", "2", "--yes"],
        ),
        (
            "database_migration_tool.py",
            ["status", "--connection", "U"],
            ["db", "status", "--database-url", "U"],
        ),
        (
            "database_migration_tool.py",
            ["--connection", "sqlite:///x.db", "--analyze"],
            ["db", "analyze", "--database-url", "sqlite:///x.db"],
        ),
        (
            "database_migration_tool.py",
            ["old.sql", "--compare", "new.sql", "--output", "m/"],
            ["db", "diff", "--from", "old.sql", "--to", "new.sql", "--output", "m/"],
        ),
        (
            "database_migration_tool.py",
            ["--connection", "U", "--compare", "schema/v2.sql", "--output", "m/"],
            ["db", "diff", "--from", "U", "--to", "schema/v2.sql", "--output", "m/"],
        ),
        (
            "database_migration_tool.py",
            ["--connection", "U", "--suggest-indexes", "--output", "m/"],
            ["db", "suggest-indexes", "--output", "m/", "--database-url", "U"],
        ),
        (
            "database_migration_tool.py",
            ["--connection", "U", "--migrate", "f.sql", "--dry-run"],
            ["db", "apply", "f.sql", "--dry-run", "--database-url", "U"],
        ),
        (
            "database_migration_tool.py",
            ["./migrations", "--create", "init"],
            ["db", "create", "init", "--dir", "./migrations"],
        ),
        (
            "database_migration_tool.py",
            ["./migrations", "--down"],
            ["db", "rollback", "--yes", "--dir", "./migrations"],
        ),
        ("backend_decision_engine.py", ["--team-size", "8"], ["decide", "--team-size", "8"]),
        ("backend_decision_engine.py", ["--grill"], ["decide", "grill"]),
        (
            "api_load_tester.py",
            ["http://127.0.0.1:1/", "--users", "10"],
            ["load", "http://127.0.0.1:1/", "--users", "10"],
        ),
        (
            "api_load_tester.py",
            ["http://127.0.0.1:1/", "--concurrent", "100", "--duration", "60"],
            ["load", "http://127.0.0.1:1/", "--duration", "60", "--concurrency", "100"],
        ),
        (
            "api_load_tester.py",
            ["http://127.0.0.1:1/", "--concurrent=5"],
            ["load", "http://127.0.0.1:1/", "--concurrency", "5"],
        ),
        (
            "api_scaffolder.py",
            ["openapi.yaml", "--framework", "koa", "--output", "src/"],
            ["scaffold", "routes", "openapi.yaml", "--framework", "koa", "--output", "src/"],
        ),
        (
            "api_scaffolder.py",
            ["spec.yaml", "--types-only", "--output", "t/"],
            ["scaffold", "routes", "spec.yaml", "--types-only", "--output", "t/", "--framework", "express"],
        ),
    ],
)
def test_translation(script: str, argv: list[str], expected: list[str]) -> None:
    assert one(script, argv) == expected


def test_a_folder_path_names_the_project_after_its_last_part() -> None:
    argv = one("api_scaffolder.py", ["./services/user-service", "--type", "rest", "--auth", "jwt"])
    assert argv[:5] == ["scaffold", "new", "user-service", "--dir", "./services/user-service"]
    assert {"--auth", "--docker", "--ci"} <= set(argv) and argv[argv.index("--db") + 1] == "postgres"
    assert argv[argv.index("--stack") + 1] == "express-typescript"  # Stanchion has no default stack here


def test_stanchions_own_default_stack_is_used_when_it_has_one() -> None:
    argv = one("api_scaffolder.py", ["backend"], Caps(default_stack="fastapi"))
    assert "--stack" not in argv


def test_the_production_set_asks_for_redis_where_projects_take_it() -> None:
    plain = one("api_scaffolder.py", ["backend"])
    with_cache = one("api_scaffolder.py", ["backend"], Caps(options=[("scaffold", "new", "--cache")]))
    assert "--cache" not in plain and with_cache[with_cache.index("--cache") + 1] == "redis"


@pytest.mark.parametrize(
    ("argv", "present", "absent"),
    [
        (["x", "--minimal"], {"--minimal", "--no-docker", "--no-ci"}, {"--auth", "--docker", "--ci"}),
        (["x", "--auth", "none"], {"--no-auth", "--docker", "--ci"}, {"--auth"}),
        (["x", "--no-docker"], {"--auth", "--no-docker", "--ci"}, {"--docker", "--db"}),
        (["x", "--database", "sqlite"], {"--db"}, set()),
    ],
)
def test_optional_parts(argv: list[str], present: set[str], absent: set[str]) -> None:
    translated = set(one("api_scaffolder.py", argv))
    assert present <= translated and not absent & translated


@pytest.mark.parametrize(
    ("script", "argv", "feature"),
    [
        ("api_scaffolder.py", ["g", "--type", "graphql", "--stack", "apollo-typescript"], "GraphQL"),
        ("api_scaffolder.py", ["x", "--stack", "nestjs"], "the nestjs stack"),
        ("api_scaffolder.py", ["--from-db", "U", "--output", "src/"], "--from-db"),
        ("api_scaffolder.py", ["src/routes/", "--generate-spec"], "--generate-spec"),
        ("api_scaffolder.py", ["x", "--auth", "oauth2"], "--auth oauth2"),
        ("api_scaffolder.py", ["x", "--database", "mongodb"], "--database mongodb"),
        (
            "performance_analyzer.py",
            ["--endpoint", "/api/users", "--load-test", "1000"],
            "performance analyzer",
        ),
        ("database_migration_tool.py", ["./m", "--up", "--verbose"], "--verbose"),
    ],
)
def test_a_feature_not_built_is_named(script: str, argv: list[str], feature: str) -> None:
    with pytest.raises(UsageError, match="not built in Stanchion") as caught:
        plan(script, argv, Caps())
    assert feature in caught.value.message


@pytest.mark.parametrize(
    ("script", "argv", "caps", "expected"),
    [
        (
            "api_scaffolder.py",
            ["--from-db", "U", "--output", "src/"],
            Caps(commands=[("scaffold", "from-db")]),
            ["scaffold", "from-db", "U", "--output", "src/"],
        ),
        (
            "api_scaffolder.py",
            ["src/routes/", "--generate-spec"],
            Caps(commands=[("scaffold", "spec")]),
            ["scaffold", "spec", "src/routes/"],
        ),
        (
            "performance_analyzer.py",
            ["--endpoint", "/u", "--load-test", "1000", "--optimize", "caching"],
            Caps(commands=[("perf",)]),
            ["perf", "--endpoint", "/u", "-n", "1000", "--optimize", "caching"],
        ),
        (
            "database_migration_tool.py",
            ["./m", "--up", "--verbose"],
            Caps(options=[("db", "migrate", "--verbose")]),
            ["db", "migrate", "--dir", "./m", "--verbose"],
        ),
    ],
)
def test_a_feature_that_landed_is_used(script: str, argv: list[str], caps: Caps, expected: list[str]) -> None:
    assert one(script, argv, caps) == expected


def test_graphql_once_its_stack_exists() -> None:
    argv = one(
        "api_scaffolder.py",
        ["g", "--type", "graphql", "--stack", "apollo-typescript"],
        Caps(stacks=["apollo-typescript"]),
    )
    assert argv[:3] == ["scaffold", "new", "g"] and "graphql" in argv


def test_endpoints_make_a_project_a_spec_and_its_routes() -> None:
    steps = plan(
        "api_scaffolder.py",
        [
            "--name",
            "UserAPI",
            "--endpoints",
            "GET /users, POST /users, GET /users/:id",
            "--database",
            "postgres",
        ],
        Caps(),
    )
    new, routes = steps
    assert (
        new.argv[:3] == ["scaffold", "new", "user-api"] and new.argv[new.argv.index("--db") + 1] == "postgres"
    )
    assert routes == Step(
        ["scaffold", "routes", "openapi.json"],
        cwd="user-api",
        write=("user-api/openapi.json", routes.write[1] if routes.write else ""),
    )
    import json

    spec = json.loads(routes.write[1]) if routes.write else {}
    assert spec["paths"]["/users/{id}"]["get"]["operationId"] == "getUsersById"
    assert spec["paths"]["/users/{id}"]["get"]["parameters"][0]["name"] == "id"
    assert set(spec["paths"]["/users"]) == {"get", "post"}


def test_bad_endpoints_are_one_clear_error() -> None:
    with pytest.raises(UsageError, match="is not 'METHOD /path'"):
        plan("api_scaffolder.py", ["--name", "x", "--endpoints", "FETCH users"], Caps())


def test_rollback_asks_on_a_terminal() -> None:
    assert one("database_migration_tool.py", ["rollback"], interactive=True) == ["db", "rollback"]


def test_no_action_is_a_clear_error() -> None:
    with pytest.raises(UsageError, match="no action given"):
        plan("database_migration_tool.py", ["--verbose"], Caps())


def test_every_script_has_help() -> None:
    for script in (
        "api_scaffolder.py",
        "database_migration_tool.py",
        "api_load_tester.py",
        "backend_decision_engine.py",
        "performance_analyzer.py",
    ):
        assert help_text(script).startswith(f"usage: {script}")


SCRIPTS = packaged_skill_dir() / "scripts"


def test_script_without_any_stanchion_says_what_to_do(tmp_path: Path) -> None:
    """A bare interpreter, no install record beside the script, no stanchion on PATH: exit 3, one line and a
    hint that can work (never 'pip install stanchion', which is not where this Stanchion comes from)."""
    (tmp_path / "scripts").mkdir()
    script = tmp_path / "scripts" / "api_load_tester.py"
    script.write_bytes((SCRIPTS / "api_load_tester.py").read_bytes())
    proc = subprocess.run(
        [sys.executable, "-I", "-S", str(script), "http://127.0.0.1:1/"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
        env={"PATH": "/usr/bin:/bin"},
    )
    assert proc.returncode == 3
    lines = proc.stderr.splitlines()
    assert lines[0].startswith("error: Stanchion is not installed for ") and len(lines) == 2
    assert lines[1].startswith("hint: run 'stanchion skill install' from the environment that has Stanchion")
    assert "pip install" not in proc.stderr


def test_script_finds_stanchion_through_the_stanchion_on_path(tmp_path: Path) -> None:
    """No install record, but a `stanchion` command on PATH: the script runs on that command's interpreter."""
    (tmp_path / "bin").mkdir()
    entry = tmp_path / "bin" / "stanchion"
    entry.write_text(f"#!{sys.executable}\nimport sys\nfrom stanchion.cli.main import run\nrun()\n")
    entry.chmod(0o755)
    script = tmp_path / "api_scaffolder.py"
    script.write_bytes((SCRIPTS / "api_scaffolder.py").read_bytes())
    proc = subprocess.run(
        ["/usr/bin/python3", "-I", str(script), "--help"],
        capture_output=True,
        text=True,
        timeout=60,
        env={
            "PATH": f"{tmp_path / 'bin'}:/usr/bin:/bin",
            "PYTHONPATH": os.pathsep.join(p for p in sys.path if p),
        },
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.startswith("usage: api_scaffolder.py")
