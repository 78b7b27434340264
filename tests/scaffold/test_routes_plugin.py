"""Routes from a spec plug into a `stanchion scaffold new` project with no manual wiring.

For each stack: `scaffold new --auth`, then `scaffold routes SPEC` run inside the project with neither --output
nor --framework; then, untouched, the project type-checks, its own tests pass, it boots on 127.0.0.1 and the
generated routes answer beside the project's own (which still answer), with the bearer hook verifying the
project's own access tokens. Installs come from the ``.cache/scaffold`` folders the other scaffold tests fill
(keyed by lockfile hash), so with a warm cache this file costs about a minute and a half.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from stanchion.errors import UsageError
from stanchion.scaffold.new import ProjectOptions, new_project
from stanchion.scaffold.project import MARKER, SLOTS, find_project
from stanchion.scaffold.routes.generate import generate
from stanchion.scaffold.stacks.express_typescript.verify import install as npm_install
from stanchion.scaffold.stacks.fastapi.verify import install as pip_install
from stanchion.scaffold.verify import verify_project
from tests.scaffold.test_routes_support import DATA, request, serving

ROOT = Path(__file__).resolve().parents[2]
CACHE = ROOT / ".cache" / "scaffold"
PETSTORE = DATA / "oai-examples" / "petstore-expanded.yaml"
SECRET = "plug-in-" + "x" * 40


def _secured_petstore(target: Path) -> Path:
    """The expanded Petstore with bearer security on deletePet (to prove the hook uses the project's JWTs)."""
    spec: dict[str, Any] = yaml.safe_load(PETSTORE.read_text())
    spec.setdefault("components", {})["securitySchemes"] = {"bearer": {"type": "http", "scheme": "bearer"}}
    spec["paths"]["/pets/{id}"]["delete"]["security"] = [{"bearer": []}]
    path = target / "petstore.json"
    path.write_text(json.dumps(spec))
    return path


def _cli(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "stanchion", *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        stdin=subprocess.DEVNULL,
        timeout=300,
    )


def _plug_in(project: Path, spec: Path) -> dict[str, Any]:
    proc = _cli("scaffold", "routes", str(spec), "--json", cwd=project)
    assert proc.returncode == 0, proc.stderr
    document: dict[str, Any] = json.loads(proc.stdout)
    return document


def _ok(argv: list[str], cwd: Path, env: dict[str, str] | None = None) -> str:
    proc = subprocess.run(
        argv, cwd=cwd, env=env, capture_output=True, text=True, stdin=subprocess.DEVNULL, timeout=600
    )
    assert proc.returncode == 0, f"{' '.join(argv)}: {(proc.stdout + proc.stderr)[-3000:]}"
    return proc.stdout


def _check_routes(base: str, token: str) -> None:
    status, headers, body = request(base + "/pets")
    assert status == 200, body
    pets = json.loads(body)
    assert isinstance(pets, list) and pets, pets
    assert all(isinstance(p["name"], str) and isinstance(p["id"], int) for p in pets), pets

    # A body without the required name: the 4xx the spec declares (its default Error shape) as problem details.
    status, headers, body = request(
        base + "/pets", "POST", b'{"tag": 1}', {"content-type": "application/json"}
    )
    assert status == 400, body
    problem = json.loads(body)
    assert problem["status"] == 400 and isinstance(problem["code"], int) and "name" in problem["message"]

    # The project's own routes still answer beside the generated ones, in its own problem+json format.
    status, headers, body = request(base + "/notes")
    assert status == 401, body
    assert headers["content-type"].startswith("application/problem+json")
    status, _, body = request(base + "/health")
    assert status == 200, body

    # One served document for both: the project's own operations and the spec's, merged, not replaced.
    status, _, body = request(base + "/openapi.json")
    assert status == 200, body
    served = json.loads(body)
    assert served["openapi"].startswith("3.1")
    assert {"/health", "/notes", "/pets", "/pets/{id}"} <= set(served["paths"]), sorted(served["paths"])
    assert {"get", "post"} <= set(served["paths"]["/pets"])
    assert served["paths"]["/pets/{id}"]["delete"]["security"] == [{"bearer": []}]
    assert "Pet" in served["components"]["schemas"] and "Problem" in served["components"]["schemas"]

    # The generated bearer hook verifies the project's own access tokens.
    status, _, body = request(base + "/pets/1", "DELETE")
    assert status == 401, body
    status, _, body = request(base + "/pets/1", "DELETE", headers={"authorization": "Bearer not-a-jwt"})
    assert status == 401, body
    status, _, body = request(base + "/pets/1", "DELETE", headers={"authorization": f"Bearer {token}"})
    assert status == 204, body


@pytest.mark.slow
def test_express_typescript_project_mounts_generated_routes(tmp_path: Path) -> None:
    npm, node = shutil.which("npm"), shutil.which("node")
    assert npm and node, "node and npm are needed (scripts/setup-system.sh installs them)"
    options = ProjectOptions(name="shop", stack="express-typescript", auth=True)
    project = new_project(tmp_path / "shop", options).path
    result = _plug_in(project, _secured_petstore(tmp_path))
    assert Path(result["output"]) == project / "src" / "api"
    assert result["framework"] == "express" and result["operations"] == 4
    assert "verifyAccessToken" in (project / "src" / "api" / "security.ts").read_text()

    npm_install(project, npm, CACHE)
    bin_dir = project / "node_modules" / ".bin"
    env = {**os.environ, "NODE_ENV": "test", "CI": "1", "NO_COLOR": "1", "FORCE_COLOR": "0"}
    _ok([str(bin_dir / "eslint"), "."], project, env)
    _ok([str(bin_dir / "tsc"), "--noEmit"], project, env)
    assert "passed" in _ok([str(bin_dir / "vitest"), "run"], project, env)
    _ok([str(bin_dir / "tsc"), "-p", "tsconfig.build.json"], project, env)

    service_env = {"NODE_ENV": "development", "LOG_LEVEL": "warn", "JWT_SECRET": SECRET}
    service_env["DATABASE_URL"] = "pglite:memory"
    mint = (
        'import { signAccessToken } from "./dist/services/tokens.js";'
        "console.log(signAccessToken(1, 'user', process.env.JWT_SECRET, 900));"
    )
    token = _ok([node, "--input-type=module", "-e", mint], project, {**os.environ, **service_env}).strip()
    with serving([node, "dist/server.js"], project, service_env) as base:
        _check_routes(base, token)


@pytest.mark.slow
def test_fastapi_project_mounts_generated_routes(tmp_path: Path) -> None:
    options = ProjectOptions(name="zoo", stack="fastapi", auth=True)
    project = new_project(tmp_path / "zoo", options).path
    result = _plug_in(project, _secured_petstore(tmp_path))
    assert Path(result["output"]) == project / "app" / "api_generated"
    assert result["framework"] == "fastapi" and result["operations"] == 4
    assert "from app.core.security import decode" in (project / "app/api_generated/security.py").read_text()

    # The project's own verification: ruff, mypy strict, its tests, boot, Schemathesis on its document.
    # Its served document holds the spec's operations, so verify covers the union of both.
    verified = verify_project(project, cache_dir=CACHE, max_examples=10)
    assert verified.ok, json.dumps(verified.to_json(), indent=2)
    checked = {o.operation for o in verified.operations}
    assert {"GET /health", "GET /pets", "POST /pets", "DELETE /pets/{id}"} <= checked, sorted(checked)

    _, venv = pip_install(project, CACHE)
    service_env = {
        "ENVIRONMENT": "development",
        "LOG_LEVEL": "warning",
        "JWT_SECRET": SECRET,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'zoo.db'}",
    }
    env = {k: v for k, v in os.environ.items() if k != "VIRTUAL_ENV"} | service_env
    mint = "from app.core.security import access_token; print(access_token(1, 'user'))"
    token = _ok([str(venv / "bin" / "python"), "-c", mint], project, env).strip()
    uvicorn = [str(venv / "bin" / "uvicorn"), "app.main:app", "--port", "{port}", "--no-access-log"]
    with serving(uvicorn, project, service_env) as base:
        _check_routes(base, token)


# -- finding the project, defaults and bad input (no install) ----------------------------------------------


@pytest.mark.parametrize("stack", sorted(SLOTS))
def test_scaffold_new_writes_the_marker(tmp_path: Path, stack: str) -> None:
    result = new_project(tmp_path / "svc", ProjectOptions(name="svc", stack=stack, minimal=True))
    assert MARKER in result.files
    marker = json.loads((result.path / MARKER).read_text())
    assert marker["stack"] == stack and marker["auth"] is False
    assert marker["routes"] == {"framework": SLOTS[stack].framework, "output": SLOTS[stack].output}
    nested = result.path / SLOTS[stack].output
    nested.mkdir(parents=True)
    found = find_project(nested)
    assert found is not None and found.root == result.path and found.stack == stack


def test_a_project_without_auth_keeps_the_plain_hooks(tmp_path: Path) -> None:
    project = new_project(tmp_path / "svc", ProjectOptions(name="svc", stack="fastapi", minimal=True)).path
    result = generate(PETSTORE, None, cwd=project)
    assert Path(result.output) == project / "app" / "api_generated"
    security = (project / "app" / "api_generated" / "security.py").read_text()
    assert "app.core" not in security and "return None" in security


def test_explicit_output_of_the_routes_folder_is_wired_too(tmp_path: Path) -> None:
    options = ProjectOptions(name="svc", stack="express-typescript", auth=True)
    project = new_project(tmp_path / "svc", options).path
    generate(PETSTORE, "express", project / "src" / "api", cwd=project)
    assert "verifyAccessToken" in (project / "src" / "api" / "security.ts").read_text()
    other = tmp_path / "elsewhere"
    generate(PETSTORE, "express", other, cwd=project)
    assert "verifyAccessToken" not in (other / "security.ts").read_text()
    # --check finds the same default folder and reports no drift.
    assert not generate(PETSTORE, None, check=True, cwd=project).drift


def test_another_framework_in_the_routes_folder_is_refused(tmp_path: Path) -> None:
    project = new_project(tmp_path / "svc", ProjectOptions(name="svc", stack="fastapi", minimal=True)).path
    proc = _cli("scaffold", "routes", str(PETSTORE), "--framework", "express", cwd=project)
    assert proc.returncode == 2
    lines = proc.stderr.strip().splitlines()
    assert (
        lines[0] == "error: this fastapi project mounts fastapi routes from app/api_generated/, not express"
    )
    assert lines[1].startswith("hint: omit --framework")
    with pytest.raises(UsageError, match="holds this fastapi project's fastapi routes, not koa"):
        generate(PETSTORE, "koa", project / "app" / "api_generated", cwd=project)


def test_no_output_outside_a_project_is_a_usage_error(tmp_path: Path) -> None:
    proc = _cli("scaffold", "routes", str(PETSTORE), cwd=tmp_path)
    assert proc.returncode == 2
    assert "--output is required outside a project made by 'stanchion scaffold new'" in proc.stderr
    assert "hint: pass --output DIR" in proc.stderr


def test_an_unreadable_marker_is_a_usage_error(tmp_path: Path) -> None:
    (tmp_path / MARKER).write_text("{not json")
    with pytest.raises(UsageError, match="is not readable JSON"):
        generate(PETSTORE, None, cwd=tmp_path)
    (tmp_path / MARKER).write_text('{"stack": "rails"}')
    with pytest.raises(UsageError, match="names no known stack"):
        generate(PETSTORE, None, cwd=tmp_path)
    # An explicit --output is not held up by it.
    assert generate(PETSTORE, "express", tmp_path / "routes", cwd=tmp_path).operations == 4
