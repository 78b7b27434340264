"""`stanchion scaffold new`: what it writes, the same on and off a terminal, and how it refuses bad input."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from pydantic import ValidationError

from stanchion.errors import UsageError
from stanchion.scaffold import ir
from stanchion.scaffold.new import ProjectOptions, build_api, new_project
from stanchion.scaffold.stacks import STACKS

VARIANTS = {
    "full": {"auth": True, "docker": True, "ci": True},
    "minimal": {"minimal": True},
}


def cli(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "stanchion", *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        stdin=subprocess.DEVNULL,
    )


@pytest.mark.parametrize("stack", ["express-typescript", "fastapi"])
@pytest.mark.parametrize("variant", sorted(VARIANTS))
def test_generation_is_complete(tmp_path: Path, stack: str, variant: str) -> None:
    # how fast generation is belongs in benchmarks/, not here: no test passes or fails on the machine's speed
    options = ProjectOptions(name="orders-api", stack=stack, **VARIANTS[variant])  # type: ignore[arg-type]
    result = new_project(tmp_path / "orders-api", options)
    files = set(result.files)
    assert all((result.path / name).is_file() for name in files)
    assert "README.md" in files
    lock = "package-lock.json" if stack == "express-typescript" else "requirements-lock.txt"
    assert lock in files
    full = variant == "full"
    assert ("Dockerfile" in files) is full
    assert ("docker-compose.yml" in files) is full
    assert (".github/workflows/ci.yml" in files) is full
    if stack == "express-typescript":
        assert ("src/routes/auth.routes.ts" in files) is full
        assert ("migrations/0001_init.sql" in files) is full
        assert ("src/routes/note.routes.ts" in files) is full
    else:
        assert ("app/api/auth.py" in files) is full
        assert ("alembic/versions/0001_initial.py" in files) is full
        assert ("app/api/note.py" in files) is full


def test_package_json_agrees_with_its_lockfile(tmp_path: Path) -> None:
    for variant, flags in VARIANTS.items():
        options = ProjectOptions(name=f"shop-{variant}", stack="express-typescript", **flags)  # type: ignore[arg-type]
        project = new_project(tmp_path / variant, options).path
        package = json.loads((project / "package.json").read_text())
        lock = json.loads((project / "package-lock.json").read_text())
        root = lock["packages"][""]
        assert lock["name"] == package["name"] == f"shop-{variant}"
        assert package["dependencies"] == root["dependencies"]
        assert package["devDependencies"] == root["devDependencies"]
        assert all(not v.startswith(("^", "~")) for v in package["dependencies"].values())
        assert all(url.startswith("https://registry.npmjs.org/") for url in _resolved(lock))


def _resolved(lock: dict[str, dict[str, dict[str, str]]]) -> list[str]:
    return [entry["resolved"] for entry in lock["packages"].values() if "resolved" in entry]


def test_python_lock_pins_every_package(tmp_path: Path) -> None:
    options = ProjectOptions(name="orders", stack="fastapi", auth=True)
    project = new_project(tmp_path / "orders", options).path
    pins = [
        line
        for line in (project / "requirements-lock.txt").read_text().splitlines()
        if line and not line.startswith("#")
    ]
    assert pins
    assert all("==" in line for line in pins)
    names = {line.split("==")[0].lower() for line in pins}
    assert {
        "fastapi",
        "sqlalchemy",
        "alembic",
        "pyjwt",
        "argon2-cffi",
        "limits",
        "pytest",
        "mypy",
        "ruff",
    } <= names


def test_resources_are_rendered_from_the_model(tmp_path: Path) -> None:
    options = ProjectOptions(name="orders", stack="fastapi", auth=True)
    api = build_api(options)
    note = api.resources[0]
    project = new_project(tmp_path / "orders", options).path
    routes = (project / "app/api/note.py").read_text()
    for op in note.operations:
        assert f'operation_id="{op.operation_id}"' in routes
    schemas = (project / "app/schemas/note.py").read_text()
    assert "max_length=200" in schemas
    assert 'require_roles("admin")' in routes


def test_sqlite_default_database(tmp_path: Path) -> None:
    options = ProjectOptions(name="demo", stack="fastapi", db="sqlite")
    project = new_project(tmp_path / "demo", options).path
    assert 'database_url: str = "sqlite:///./app.db"' in (project / "app/core/config.py").read_text()


# -- bad input ----------------------------------------------------------------------------------------------


def test_non_empty_folder_is_refused_without_force(tmp_path: Path) -> None:
    target = tmp_path / "taken"
    target.mkdir()
    (target / "keep.txt").write_text("mine")
    options = ProjectOptions(name="taken", stack="fastapi", minimal=True)
    with pytest.raises(UsageError, match="not empty") as info:
        new_project(target, options)
    assert info.value.hint is not None
    assert "--force" in info.value.hint
    assert sorted(p.name for p in target.iterdir()) == ["keep.txt"]
    result = new_project(target, options, force=True)
    assert (target / "keep.txt").read_text() == "mine"
    assert (result.path / "app/main.py").is_file()


@pytest.mark.parametrize("name", ["Orders", "1orders", "orders_api", "orders--api", "-x", "a" * 65, ""])
def test_invalid_project_name(tmp_path: Path, name: str) -> None:
    with pytest.raises(UsageError, match="invalid project name"):
        new_project(tmp_path / "x", ProjectOptions(name=name, stack="fastapi"))
    assert not (tmp_path / "x").exists()


def test_unknown_stack_lists_the_choices(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="unknown stack 'rails'") as info:
        new_project(tmp_path / "x", ProjectOptions(name="x", stack="rails"))
    assert info.value.hint == "choose one of: express-typescript, fastapi"


def test_conflicting_flags(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="--minimal cannot be combined with --auth"):
        new_project(tmp_path / "x", ProjectOptions(name="x", stack="fastapi", minimal=True, auth=True))
    with pytest.raises(UsageError, match="postgres only"):
        new_project(tmp_path / "x", ProjectOptions(name="x", stack="express-typescript", db="sqlite"))


def test_cli_bad_input_exit_codes_and_one_line_errors(tmp_path: Path) -> None:
    proc = cli("scaffold", "new", "x", "--stack", "rails", cwd=tmp_path)
    assert proc.returncode == 2
    assert "unknown stack 'rails'" in proc.stderr
    assert "express-typescript, fastapi" in proc.stderr
    assert "Traceback" not in proc.stderr
    proc = cli("scaffold", "new", "Bad_Name", "--stack", "fastapi", cwd=tmp_path)
    assert proc.returncode == 2
    assert "invalid project name" in proc.stderr
    proc = cli("scaffold", "new", "x", "--interactive", cwd=tmp_path)
    assert proc.returncode == 2
    assert "--interactive asks on a terminal" in proc.stderr
    proc = cli("scaffold", "new", "x", "--minimal", "--auth", cwd=tmp_path)
    assert proc.returncode == 2
    assert "--minimal cannot be combined with --auth" in proc.stderr
    (tmp_path / "busy").mkdir()
    (tmp_path / "busy" / "f").write_text("")
    proc = cli("scaffold", "new", "busy", "--stack", "fastapi", cwd=tmp_path)
    assert proc.returncode == 2
    assert "not empty" in proc.stderr
    assert list(tmp_path.iterdir()) == [tmp_path / "busy"]


def test_cli_json_document(tmp_path: Path) -> None:
    proc = cli(
        "scaffold", "new", "shop", "--stack", "express-typescript", "--minimal", "--json", cwd=tmp_path
    )
    assert proc.returncode == 0, proc.stderr
    doc = json.loads(proc.stdout)
    assert doc["path"] == str(tmp_path / "shop")
    assert doc["options"]["stack"] == "express-typescript"
    assert doc["options"]["minimal"] is True
    assert "package-lock.json" in doc["files"]


def test_help_has_examples(tmp_path: Path) -> None:
    for command in ("new", "verify"):
        proc = cli("scaffold", command, "--help", cwd=tmp_path)
        assert proc.returncode == 0
        assert "Examples:" in proc.stdout


# -- the model ----------------------------------------------------------------------------------------------


def test_model_rejects_inconsistent_input() -> None:
    string = ir.Schema(type=ir.SchemaType.STRING)
    with pytest.raises(ValidationError, match="path parameters"):
        ir.Operation(operation_id="get", method=ir.HttpMethod.GET, path="/things/{id}")
    with pytest.raises(ValidationError, match="snake_case"):
        ir.Property(name="BadName", schema=string)
    with pytest.raises(ValidationError, match="unknown security scheme"):
        ir.Api(
            title="x",
            operations=(
                ir.Operation(operation_id="a", method=ir.HttpMethod.GET, path="/a", security=("nope",)),
            ),
        )
    with pytest.raises(ValidationError, match="defined twice"):
        op = ir.Operation(operation_id="a", method=ir.HttpMethod.GET, path="/a")
        ir.Api(title="x", operations=(op, op.model_copy(update={"operation_id": "b"})))
    with pytest.raises(ValidationError, match="needs 'items'"):
        ir.Schema(type=ir.SchemaType.ARRAY)


def test_notes_model_round_trips_through_json() -> None:
    api = ir.notes_api("Orders", auth=True)
    again = ir.Api.model_validate_json(api.model_dump_json(by_alias=True))
    assert again == api
    assert api.secured
    assert [op.kind for op in api.resources[0].operations] == list(ir.OperationKind)[:5]


def test_interactive_on_a_terminal_when_flags_are_missing(tmp_path: Path) -> None:
    import pexpect

    env = {k: v for k, v in os.environ.items() if k != "CI"}
    env["NO_COLOR"] = "1"
    child = pexpect.spawn(
        sys.executable,
        ["-m", "stanchion", "scaffold", "new", "asked", "--interactive"],
        env=env,
        cwd=str(tmp_path),
        encoding="utf-8",
        timeout=30,
        dimensions=(50, 200),
    )
    for expected, answer in (
        ("Stack", "fastapi"),
        ("authentication", "y"),
        ("Dockerfile", "n"),
        ("GitHub Actions", "y"),
    ):
        child.expect(expected)
        child.sendline(answer)
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0
    project = tmp_path / "asked"
    assert (project / "app/api/auth.py").is_file()
    assert not (project / "Dockerfile").exists()
    assert (project / ".github/workflows/ci.yml").is_file()


# -- the same project on and off a terminal; the production set by default ---------------------------------

SAME_EVERYWHERE = {
    "default": [],
    "fastapi-no-docker": ["--stack", "fastapi", "--no-docker"],
    "minimal": ["--minimal"],
}


def _tree(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def _on_a_terminal(args: list[str], cwd: Path) -> tuple[int, str]:
    """Run ``stanchion ARGS`` with stdin, stdout and stderr on a pseudo-terminal (not in CI mode)."""
    import pexpect

    env = {k: v for k, v in os.environ.items() if k != "CI"}
    env["NO_COLOR"] = "1"
    child = pexpect.spawn(
        sys.executable, ["-m", "stanchion", *args], env=env, cwd=str(cwd), encoding="utf-8", timeout=60
    )
    child.expect(pexpect.EOF)
    child.close()
    return int(child.exitstatus or 0), str(child.before)


@pytest.mark.parametrize("variant", sorted(SAME_EVERYWHERE))
def test_the_same_project_on_and_off_a_terminal(tmp_path: Path, variant: str) -> None:
    args = ["scaffold", "new", "same", *SAME_EVERYWHERE[variant]]
    (tmp_path / "tty").mkdir()
    (tmp_path / "pipe").mkdir()
    status, shown = _on_a_terminal(args, tmp_path / "tty")
    assert status == 0, shown
    assert "?" not in shown  # nothing was asked
    env = {k: v for k, v in os.environ.items() if k != "CI"}
    proc = subprocess.run(
        [sys.executable, "-m", "stanchion", *args],
        capture_output=True,
        text=True,
        cwd=tmp_path / "pipe",
        stdin=subprocess.DEVNULL,
        env=env,
    )
    assert proc.returncode == 0, proc.stderr
    on_tty, off_tty = _tree(tmp_path / "tty" / "same"), _tree(tmp_path / "pipe" / "same")
    assert sorted(on_tty) == sorted(off_tty)
    assert [name for name in on_tty if on_tty[name] != off_tty[name]] == []
    full = variant != "minimal"
    assert ("docker-compose.yml" in on_tty) is (variant == "default")
    assert (".github/workflows/ci.yml" in on_tty) is full
    assert any("auth" in name for name in on_tty) is full


def test_the_default_is_the_full_production_set_on_the_default_stack(tmp_path: Path) -> None:
    from stanchion.cli.scaffold import STACK_CHOICES
    from stanchion.scaffold.new import DEFAULT_STACK

    assert STACK_CHOICES[0] == DEFAULT_STACK == "express-typescript"  # the help text names STACK_CHOICES[0]
    proc = cli("scaffold", "new", "full", "--json", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    doc = json.loads(proc.stdout)
    assert doc["options"] | {"name": None} == {
        "name": None,
        "stack": "express-typescript",
        "type": "rest",
        "auth": True,
        "docker": True,
        "ci": True,
        "minimal": False,
        "db": "postgres",
    }
    compose = (tmp_path / "full" / "docker-compose.yml").read_text()
    assert "image: postgres:" in compose
    assert "image: redis:" in compose
    assert "src/routes/auth.routes.ts" in doc["files"]
    assert ".github/workflows/ci.yml" in doc["files"]


@pytest.mark.parametrize(
    ("flags", "auth", "docker", "ci"),
    [
        (["--auth"], True, True, True),
        (["--auth", "jwt"], True, True, True),
        (["--docker", "--ci"], True, True, True),
        (["--auth", "none"], False, True, True),
        (["--no-auth"], False, True, True),
        (["--no-docker"], True, False, True),
        (["--no-ci", "--auth", "--no-docker"], True, False, False),
        (["--minimal"], False, False, False),
        (["--minimal", "--docker"], False, True, False),
    ],
)
def test_flags_remove_or_keep_parts(
    tmp_path: Path, flags: list[str], auth: bool, docker: bool, ci: bool
) -> None:
    proc = cli("scaffold", "new", "svc", "--stack", "fastapi", *flags, "--json", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    options = json.loads(proc.stdout)["options"]
    assert (options["auth"], options["docker"], options["ci"]) == (auth, docker, ci)
    project = tmp_path / "svc"
    assert (project / "app/api/auth.py").is_file() is auth
    assert (project / "Dockerfile").is_file() is docker
    assert (project / ".github/workflows/ci.yml").is_file() is ci


@pytest.mark.parametrize("where", ["./services/user-service", "services/user-service"])
def test_a_path_names_the_folder_and_its_last_part_the_project(tmp_path: Path, where: str) -> None:
    proc = cli("scaffold", "new", where, "--type", "rest", "--auth", "jwt", "--json", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    doc = json.loads(proc.stdout)
    project = tmp_path / "services" / "user-service"
    assert doc["path"] == str(project)
    assert doc["options"]["name"] == "user-service"
    assert json.loads((project / "package.json").read_text())["name"] == "user-service"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["services"]


def test_a_path_whose_last_part_is_no_name_and_a_path_with_dir(tmp_path: Path) -> None:
    proc = cli("scaffold", "new", "./services/User_Service", cwd=tmp_path)
    assert proc.returncode == 2
    assert "'User_Service' of ./services/User_Service is not a valid project name" in proc.stderr
    proc = cli("scaffold", "new", "./a/b", "--dir", "c", cwd=tmp_path)
    assert proc.returncode == 2
    assert "--dir cannot also be given" in proc.stderr
    assert list(tmp_path.iterdir()) == []


# -- generated READMEs read as prose: no words glued together at a template block's edge -------------------

_TAG = re.compile(r"{%.*?%}|{#.*?#}", re.S)
_VARIABLE = re.compile(r"{{\s*(\w+)\s*}}")


def _readme_variants() -> list[dict[str, bool]]:
    full = [
        {"auth": auth, "docker": docker, "ci": ci}
        for auth in (False, True)
        for docker in (False, True)
        for ci in (False, True)
    ]
    minimal = [
        {"minimal": True, "docker": docker, "ci": ci} for docker in (False, True) for ci in (False, True)
    ]
    return full + minimal


def _with_values(source: str, context: dict[str, Any]) -> str:
    """The template with each ``{{ name }}`` replaced by its value, set apart by spaces."""
    return _VARIABLE.sub(lambda m: f" {context[m.group(1)]} ", source)


def _a_template_word(token: str, words: set[str]) -> bool:
    """``token`` is a word of the template, or one with the punctuation that follows a block (``data.`` from
    ``data{% endif %}.``); ``dataand`` or ``drift).`src`` are neither."""
    while token and token not in words and token[-1] in ".,;:)!?":
        token = token[:-1]
    return token in words


@pytest.mark.parametrize("stack", sorted(STACKS))  # every registered stack, as stacks are added
def test_generated_readmes_have_no_glued_words(tmp_path: Path, stack: str) -> None:
    """Every word of a rendered README is a word of its template (tags and variables taken out).

    A block that ends a line (trim_blocks) or starts inside a word joins the text on both sides:
    ``data{% if auth %}\\nand`` renders ``dataand`` with auth, ``drift).{% else %}\\n`src` `` renders
    ``drift).`src`` without; neither token is in the template, so the scan names it.
    """
    from stanchion.scaffold.new import load_emitter
    from stanchion.scaffold.stacks import render_layers

    emitter: Any = load_emitter(stack)
    source = (emitter.TEMPLATES / "base" / "README.md.j2").read_text()
    problems = []
    for number, flags in enumerate(_readme_variants()):
        options = ProjectOptions(name="orders-api", stack=stack, **flags)  # type: ignore[arg-type]
        api = build_api(options)
        context = emitter.context(api, options)
        words = set(_TAG.sub(" ", _with_values(source, context)).split())
        target = tmp_path / str(number)
        render_layers(
            emitter.TEMPLATES, ["base"], context, target, filters=emitter.FILTERS, resources=api.resources
        )
        readme = (target / "README.md").read_text()
        glued = sorted({token for token in readme.split() if not _a_template_word(token, words)})
        if glued:
            problems.append(f"{flags}: {glued}")
    assert not problems, "\n".join(problems)


def test_the_readme_scan_has_teeth() -> None:
    words = {"data", "and,", "drift).", "`src`"}
    assert _a_template_word("data.", words)
    assert _a_template_word("drift).", words)
    assert not _a_template_word("dataand,", words)
    assert not _a_template_word("drift).`src`", words)


ONE_OPERATION = """openapi: 3.0.3
info: {title: one, version: '1'}
paths:
  /ping:
    get:
      operationId: ping
      responses:
        '200': {description: pong}
"""


def test_scaffold_and_skill_output_counts_in_good_grammar(tmp_path: Path) -> None:
    from stanchion.cli.scaffold import _render_new

    doc = {"options": {"stack": "fastapi", "auth": False, "docker": False, "ci": False, "minimal": True}}
    assert _render_new({**doc, "path": "/x", "files": ["a"], "seconds": 0.1}).startswith(
        "wrote 1 file to /x (fastapi, minimal)"
    )
    (tmp_path / "one.yaml").write_text(ONE_OPERATION)
    proc = cli("scaffold", "routes", "one.yaml", "--framework", "express", "--output", "out", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.startswith("1 operation from one.yaml -> ")
    assert re.search(r"wrote \d+ files\n", proc.stdout)
    proc = cli(
        "scaffold", "routes", "one.yaml", "--framework", "express", "--output", "out", "--check", cwd=tmp_path
    )
    assert "(1 operation)" in proc.stdout
    install = ("skill", "install", "--dest", "skill", "--agents-dest", "agents")
    assert cli(*install, cwd=tmp_path).returncode == 0
    (tmp_path / "skill" / "SKILL.md").write_text("edited\n")
    proc = cli(*install, cwd=tmp_path)
    assert proc.returncode == 1
    assert "1 file you changed was kept; rerun with --force" in proc.stderr
    assert " file(s)" not in proc.stderr + proc.stdout
