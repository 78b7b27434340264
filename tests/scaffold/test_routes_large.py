"""Large real-world specs: DigitalOcean (multi-file, bundled), GitHub's REST API and Blockfrost.

What runs, exactly, for each of the four frameworks (Express, Fastify, Koa and FastAPI): the whole Blockfrost
spec (129 operations) and a subset of DigitalOcean's and GitHub's (the paths below with every component they
reach) are generated, compiled (one tsc --strict run for the TypeScript outputs, mypy --strict for FastAPI),
booted with stub handlers and run through Schemathesis (every check; examples, coverage and fuzzing phases).
The whole DigitalOcean spec (659 operations) is generated too; the whole GitHub spec (1,200+ operations)
compiles as well but takes minutes in tsc, so both are fuzzed through their subsets here.

The test security hooks grant every scope the spec uses, so the fuzzing reaches the handlers instead of
stopping at 403. Two Blockfrost operations take ``application/cbor`` bodies that the spec types as strings;
Schemathesis has no serializer for that media type, so they are left out of its run and checked directly
(a UTF-8 string body is accepted, invalid UTF-8 is a 400).
"""

from __future__ import annotations

import json
import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from stanchion.scaffold.routes.generate import generate
from tests.scaffold.test_routes_support import (
    PY_SECURITY,
    TS_SECURITY,
    blockfrost_fixed,
    mypy_strict,
    node_harness,
    request,
    schemathesis,
    server_command,
    serving,
    spec_scopes,
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
}
CASES = ["digitalocean", "github", "blockfrost"]  # blockfrost: the whole spec
CBOR = ["/tx/submit", "/utils/txs/evaluate"]
EXTRA = {
    "digitalocean": ["-H", "Authorization: Bearer admin-token"],
    "github": [],
    "blockfrost": ["-H", "project_id: test-key", *(arg for path in CBOR for arg in ("--exclude-path", path))],
}
TS = ("express", "fastify", "koa")


@pytest.fixture(scope="module")
def specs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("large")
    full = {
        "digitalocean": unpack("digitalocean/openapi.json.gz", root),
        "github": unpack("github/api.github.com.json.gz", root),
        "blockfrost": blockfrost_fixed(root),
    }
    cut = {name: subset(full[name], paths, root) for name, paths in SUBSETS.items()}
    return {"blockfrost": full["blockfrost"], **cut} | {f"{name}-full": path for name, path in full.items()}


@pytest.mark.parametrize("name", ["digitalocean", "blockfrost"])
def test_whole_spec_generates(specs: dict[str, Path], name: str, tmp_path: Path) -> None:
    result = generate(specs[f"{name}-full"], "express", tmp_path / "out")
    assert result.operations > 100
    assert len(result.added_handlers) == result.operations


@pytest.fixture(scope="module")
def compiled(specs: dict[str, Path], tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, Path]]:
    """Every framework x spec generated, with hooks granting every scope; TypeScript compiled in one tsc run."""
    harness = node_harness()
    cases = harness / "cases" / f"large-{uuid.uuid4().hex[:8]}"
    py_root = tmp_path_factory.mktemp("large-py")
    try:
        for name in CASES:
            scopes = spec_scopes(specs[name])
            for framework in TS:
                out = cases / f"{framework}-{name}"
                generate(specs[name], framework, out)
                (out / "security.ts").write_text(
                    TS_SECURITY.replace('scopes: ["pets:admin"]', f"scopes: {json.dumps(scopes)}")
                )
            pkg = py_root / f"{name}_api"
            generate(specs[name], "fastapi", pkg)
            (pkg / "security.py").write_text(
                PY_SECURITY.replace('scopes=["pets:admin"]', f"scopes={scopes!r}")
            )
        tsc(cases, harness)
        mypy_strict(py_root, [f"{n}_api" for n in CASES])
        yield cases, py_root
    finally:
        shutil.rmtree(cases, ignore_errors=True)


def _command(compiled: tuple[Path, Path], framework: str, name: str) -> tuple[list[str], Path]:
    cases, py_root = compiled
    return server_command(framework, name, py_root if framework == "fastapi" else cases), py_root


@pytest.mark.parametrize("name", CASES)
@pytest.mark.parametrize("framework", [*TS, "fastapi"])
def test_passes_schemathesis(
    compiled: tuple[Path, Path], specs: dict[str, Path], framework: str, name: str, tmp_path: Path
) -> None:
    argv, cwd = _command(compiled, framework, name)
    with serving(argv, cwd=cwd) as url:
        report = schemathesis(specs[name], url, tmp_path, examples=3, extra=EXTRA[name])
    assert "Test cases:" in report
    assert "Authentication failed" not in report  # the handlers were reached, not only the 401/403 paths


@pytest.mark.parametrize("framework", ["express", "fastapi"])
def test_string_typed_cbor_body_is_read_as_text(
    compiled: tuple[Path, Path], framework: str, tmp_path: Path
) -> None:
    argv, cwd = _command(compiled, framework, "blockfrost")
    headers = {"project_id": "test-key", "Content-Type": "application/cbor"}
    with serving(argv, cwd=cwd) as url:
        status, _, body = request(f"{url}/tx/submit", "POST", b"84a30081825820", headers)
        assert status == 200, body
        status, resp_headers, body = request(f"{url}/tx/submit", "POST", b"\xff\xfe\x00", headers)
    assert status == 400
    assert resp_headers["content-type"].startswith("application/")
    assert "UTF-8" in json.loads(body)["detail"]
