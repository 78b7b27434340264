"""`stanchion scaffold verify` on real generated projects: real npm and pip installs, the projects' own
tests, the service on 127.0.0.1 and Schemathesis with every check.

Installs are cached under ``.cache/scaffold`` by lockfile hash, so the suite installs each lockfile once
per machine (four projects, four lockfiles; a warm cache makes a rerun skip every install).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from stanchion.errors import EnvironmentProblem, UsageError
from stanchion.scaffold.new import ProjectOptions, new_project
from stanchion.scaffold.verify import STAGES, VerifyResult, verify_project

ROOT = Path(__file__).resolve().parents[2]
CACHE = ROOT / ".cache" / "scaffold"
MAX_EXAMPLES = 15
VARIANTS = {
    "auth-docker-ci": {"auth": True, "docker": True, "ci": True},
    "minimal": {"minimal": True},
}

pytestmark = pytest.mark.slow


def _report(result: VerifyResult) -> str:
    return json.dumps(result.to_json(), indent=2)


def _cli(*args: str, cwd: Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "stanchion", *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        env=env,
        stdin=subprocess.DEVNULL,
        timeout=900,
    )


@pytest.mark.parametrize("variant", sorted(VARIANTS))
def test_express_typescript_project_verifies(tmp_path: Path, variant: str) -> None:
    options = ProjectOptions(name="shop", stack="express-typescript", **VARIANTS[variant])  # type: ignore[arg-type]
    project = new_project(tmp_path / "shop", options).path
    result = verify_project(project, cache_dir=CACHE, max_examples=MAX_EXAMPLES)
    assert result.ok, _report(result)
    assert [stage.name for stage in result.stages] == list(STAGES)
    fuzz = next(stage for stage in result.stages if stage.name == "schemathesis")
    assert "No issues found" in fuzz.detail
    assert (project / "node_modules").is_symlink()


def test_fastapi_full_project_verifies(tmp_path: Path) -> None:
    options = ProjectOptions(name="orders", stack="fastapi", **VARIANTS["auth-docker-ci"])  # type: ignore[arg-type]
    project = new_project(tmp_path / "orders", options).path
    result = verify_project(project, cache_dir=CACHE, max_examples=MAX_EXAMPLES)
    assert result.ok, _report(result)
    assert "No issues found" in result.stages[STAGES.index("schemathesis")].detail


def test_fastapi_minimal_project_verifies_through_the_cli(tmp_path: Path) -> None:
    proc = _cli("scaffold", "new", "tiny", "--stack", "fastapi", "--minimal", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    proc = _cli(
        "scaffold", "verify", "tiny", "--cache-dir", str(CACHE), "--max-examples", str(MAX_EXAMPLES), "--json",
        cwd=tmp_path,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stdout + proc.stderr
    doc = json.loads(proc.stdout)
    assert doc["verdict"] == "pass"
    assert [(s["name"], s["status"]) for s in doc["stages"]] == [(name, "ok") for name in STAGES]
    # every operation the served document lists, as "METHOD /path", with its outcome
    assert "GET /health" in [op["operation"] for op in doc["operations"]]
    assert {op["outcome"] for op in doc["operations"]} == {"passed"}

    # Break the service: its own tests catch it, verify says so, exits 1 and skips the rest.
    health = tmp_path / "tiny" / "app" / "api" / "health.py"
    health.write_text(health.read_text().replace('Status(status="ok")', 'Status(status="down")'))
    proc = _cli("scaffold", "verify", "tiny", "--cache-dir", str(CACHE), cwd=tmp_path)
    assert proc.returncode == 1
    assert "FAIL tests" in proc.stdout
    assert "skip schemathesis" in proc.stdout
    assert "verdict: FAIL" in proc.stdout


def test_not_a_generated_project(tmp_path: Path) -> None:
    (tmp_path / "random").mkdir()
    with pytest.raises(UsageError, match="not a project stanchion can verify"):
        verify_project(tmp_path / "random")
    proc = _cli("scaffold", "verify", "random", cwd=tmp_path)
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr


def test_missing_node_is_an_environment_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    project = new_project(
        tmp_path / "shop", ProjectOptions(name="shop", stack="express-typescript", minimal=True)
    )
    bare = tmp_path / "bin"
    bare.mkdir()
    monkeypatch.setenv("PATH", str(bare))
    with pytest.raises(EnvironmentProblem, match="node and npm"):
        verify_project(project.path)
    env = {**os.environ, "PATH": str(bare)}
    proc = _cli("scaffold", "verify", str(project.path), cwd=tmp_path, env=env)
    assert proc.returncode == 3
    assert "node and npm" in proc.stderr
    assert shutil.which("npm", path=str(bare)) is None
