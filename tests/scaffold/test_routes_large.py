"""Large real-world specs: DigitalOcean (multi-file, bundled), GitHub's REST API and Blockfrost.

What runs, exactly: each spec is validated and normalised whole, and the whole DigitalOcean and Blockfrost
specs are generated for Express. Then a subset of each (the paths below with every component they reach)
is generated for Express and FastAPI, compiled (tsc --strict, mypy --strict), booted with stub handlers and
run through Schemathesis (every check; examples, coverage and fuzzing phases; 5 examples per operation).
The whole GitHub spec (1,200+ operations) compiles too but takes minutes in tsc, so the suite runs its subset.
"""

from __future__ import annotations

import shutil
import subprocess
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from stanchion.scaffold.routes.generate import generate
from tests.scaffold.test_routes_support import (
    PY_SECURITY,
    TS_SECURITY,
    VENV_BIN,
    blockfrost_fixed,
    node_harness,
    schemathesis,
    serving,
    subset,
    tsc,
    unpack,
)

pytestmark = pytest.mark.slow

SUBSETS = {
    "digitalocean": ["/v2/account", "/v2/droplets", "/v2/droplets/{droplet_id}", "/v2/tags", "/v2/domains"],
    "github": [
        "/user",
        "/repos/{owner}/{repo}/issues",
        "/repos/{owner}/{repo}/issues/{issue_number}",
        "/rate_limit",
    ],
    "blockfrost": ["/health", "/blocks/latest", "/accounts/{stake_address}", "/epochs/latest", "/pools"],
}
AUTH = {
    "digitalocean": ["-H", "Authorization: Bearer admin-token"],
    "github": [],
    "blockfrost": ["-H", "project_id: test-key"],
}


@pytest.fixture(scope="module")
def specs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("large")
    full = {
        "digitalocean": unpack("digitalocean/openapi.json.gz", root),
        "github": unpack("github/api.github.com.json.gz", root),
        "blockfrost": blockfrost_fixed(root),
    }
    return {name: subset(path, SUBSETS[name], root) for name, path in full.items()} | {
        f"{name}-full": path for name, path in full.items()
    }


@pytest.mark.parametrize("name", ["digitalocean", "blockfrost"])
def test_whole_spec_generates(specs: dict[str, Path], name: str, tmp_path: Path) -> None:
    result = generate(specs[f"{name}-full"], "express", tmp_path / "out")
    assert result.operations > 100
    assert len(result.added_handlers) == result.operations


@pytest.fixture(scope="module")
def compiled(specs: dict[str, Path], tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, Path]]:
    harness = node_harness()
    cases = harness / "cases" / f"large-{uuid.uuid4().hex[:8]}"
    py_root = tmp_path_factory.mktemp("large-py")
    try:
        for name in SUBSETS:
            out = cases / name
            generate(specs[name], "express", out)
            (out / "security.ts").write_text(TS_SECURITY)
            pkg = py_root / f"{name}_api"
            generate(specs[name], "fastapi", pkg)
            (pkg / "security.py").write_text(PY_SECURITY)
        tsc(cases, harness)
        done = subprocess.run(
            [str(VENV_BIN / "mypy"), "--strict", "--no-incremental", *(f"{n}_api" for n in SUBSETS)],
            cwd=py_root,
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert done.returncode == 0, done.stdout[-4000:]
        yield cases, py_root
    finally:
        shutil.rmtree(cases, ignore_errors=True)


@pytest.mark.parametrize("name", list(SUBSETS))
def test_express_subset_passes_schemathesis(
    compiled: tuple[Path, Path], specs: dict[str, Path], name: str, tmp_path: Path
) -> None:
    server = compiled[0] / "dist" / name / "generated" / "server.js"
    with serving(["node", str(server)], cwd=tmp_path) as url:
        assert "Test cases:" in schemathesis(specs[name], url, tmp_path, examples=5, extra=AUTH[name])


@pytest.mark.parametrize("name", list(SUBSETS))
def test_fastapi_subset_passes_schemathesis(
    compiled: tuple[Path, Path], specs: dict[str, Path], name: str, tmp_path: Path
) -> None:
    argv = [
        str(VENV_BIN / "uvicorn"),
        f"{name}_api.generated.app:app",
        "--port",
        "{port}",
        "--log-level",
        "warning",
    ]
    with serving(argv, cwd=compiled[1]) as url:
        assert "Test cases:" in schemathesis(specs[name], url, tmp_path, examples=5, extra=AUTH[name])
