"""`stanchion scaffold verify DIR --spec SPEC` on real routes folders, for every framework: the pinned toolchain
installed for real (cached under .cache/ by lockfile hash, the same install the route tests compile with),
tsc / mypy strict, the standalone server on 127.0.0.1, Schemathesis with every check against the spec."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from stanchion.errors import UsageError
from stanchion.scaffold.routes.generate import FRAMEWORKS, generate
from stanchion.scaffold.verify_routes import ROUTES_STAGES, verify_routes

ROOT = Path(__file__).resolve().parents[2]
CACHE = ROOT / ".cache"
HARD = ROOT / "tests" / "data" / "openapi" / "hard" / "hard.yaml"
PETSTORE = ROOT / "tests" / "data" / "openapi" / "oai-examples" / "petstore-expanded.yaml"

pytestmark = pytest.mark.slow


def _need(framework: str) -> None:
    if framework != "fastapi" and (shutil.which("node") is None or shutil.which("npm") is None):
        pytest.skip("node and npm are needed to verify TypeScript routes")


def _cli(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "stanchion", *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        stdin=subprocess.DEVNULL,
        timeout=900,
    )


def _spec_operations(spec: Path) -> list[str]:
    from stanchion.scaffold.spec import load_spec
    from stanchion.scaffold.spec.normalize import to_api

    return [f"{op.method.value} {op.path}" for op in to_api(load_spec(spec)).api.operations]


@pytest.mark.parametrize("framework", FRAMEWORKS)
def test_a_routes_folder_verifies_against_its_spec(tmp_path: Path, framework: str) -> None:
    """hard.yaml (oneOf with discriminator, multipart, header parameters, bearer and API-key security): every
    stage passes and every operation of the spec is listed, passed."""
    _need(framework)
    out = tmp_path / "routes"
    generate(HARD, framework, out, cwd=tmp_path)
    result = verify_routes(out, HARD, cache_dir=CACHE, max_examples=10)
    report = json.dumps(result.to_json(), indent=2)
    assert result.ok, report
    assert [stage.name for stage in result.stages] == list(ROUTES_STAGES)
    listed = [o.operation for o in result.operations]
    assert sorted(listed) == sorted(_spec_operations(HARD)), report
    assert {o.outcome for o in result.operations} == {"passed"}, report
    assert not (out / "dist").exists() and not (out / "node_modules").exists()  # the folder is not written to


TWO_OPS = """
openapi: 3.0.3
info: {title: two, version: "1"}
paths:
  /items:
    get:
      operationId: listItems
      responses:
        "200":
          description: the items
          content:
            application/json:
              schema: {type: array, items: {$ref: "#/components/schemas/Item"}}
  /items/{id}:
    get:
      operationId: getItem
      parameters:
        - {name: id, in: path, required: true, schema: {type: integer}}
      responses:
        "200":
          description: one item
          content:
            application/json:
              schema: {$ref: "#/components/schemas/Item"}
        "404": {description: no such item}
components:
  schemas:
    Item:
      type: object
      required: [id]
      properties: {id: {type: integer}}
"""


@pytest.mark.parametrize("framework", ["express", "fastapi"])
def test_a_handler_that_breaks_its_response_schema_fails_that_operation(
    tmp_path: Path, framework: str
) -> None:
    """A handler's body that breaks the declared schema: tsc refuses it in TypeScript; in Python (where the
    body is checked at run time) the route answers an undocumented 500, which Schemathesis reports against
    that operation only, and the other passes."""
    _need(framework)
    spec = tmp_path / "two.yaml"
    spec.write_text(TWO_OPS)
    out = tmp_path / "routes"
    generate(spec, framework, out, cwd=tmp_path)
    if framework == "fastapi":
        (out / "handlers" / "get_item.py").write_text(
            "from __future__ import annotations\n\n"
            "from ..generated.runtime import HandlerInput, Result\n\n\n"
            "async def get_item(data: HandlerInput) -> Result:\n"
            '    return Result(status=200, body={"id": "seven"}, content_type="application/json")\n'
        )
    else:
        (out / "handlers" / "getItem.ts").write_text(
            'import type { GetItemHandler } from "../generated/types.js";\n\n'
            "export const getItem: GetItemHandler = async () => {\n"
            '  return { status: 200, body: { id: "seven" } };\n};\n'
        )
    result = verify_routes(out, spec, cache_dir=CACHE, max_examples=5)
    report = json.dumps(result.to_json(), indent=2)
    assert not result.ok
    if framework == "express":
        assert next(s for s in result.stages if s.name == "typecheck").status == "failed", report
        assert {o.outcome for o in result.operations} == {"not-run"}, report
        return
    outcomes = {o.operation: o.outcome for o in result.operations}
    assert outcomes == {"GET /items": "passed", "GET /items/{id}": "failed"}, report


def test_drift_from_the_spec_fails_the_sync_stage_and_skips_the_rest(tmp_path: Path) -> None:
    out = tmp_path / "routes"
    generate(PETSTORE, "fastapi", out, cwd=tmp_path)
    (out / "handlers" / "delete_pet.py").unlink()
    result = verify_routes(out, PETSTORE, cache_dir=CACHE, max_examples=5)
    assert [s.status for s in result.stages] == ["failed"] + ["skipped"] * (len(ROUTES_STAGES) - 1)
    assert "missing handler handlers/delete_pet.py" in result.stages[0].detail
    assert {o.outcome for o in result.operations} == {"not-run"}
    assert len(result.operations) == 4


def test_cli_json_lists_every_operation_with_its_outcome(tmp_path: Path) -> None:
    out = tmp_path / "routes"
    generate(PETSTORE, "fastapi", out, cwd=tmp_path)
    done = _cli(
        "scaffold", "verify", str(out), "--spec", str(PETSTORE), "--cache-dir", str(CACHE),
        "--max-examples", "5", "--json", cwd=tmp_path,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    doc = json.loads(done.stdout)
    assert doc["verdict"] == "pass" and doc["stack"] == "fastapi" and doc["spec"] == str(PETSTORE)
    assert doc["operations"] == [
        {"operation": name, "outcome": "passed", "detail": ""}
        for name in ["GET /pets", "POST /pets", "GET /pets/{id}", "DELETE /pets/{id}"]
    ]


def test_bad_input_is_one_line_and_exit_2(tmp_path: Path) -> None:
    out = tmp_path / "routes"
    generate(PETSTORE, "express", out, cwd=tmp_path)
    swagger = tmp_path / "swagger.yaml"
    swagger.write_text('swagger: "2.0"\ninfo: {title: t, version: "1"}\npaths: {}\n')
    done = _cli("scaffold", "verify", str(out), "--spec", str(swagger), cwd=tmp_path)
    assert done.returncode == 2 and "convert it to OpenAPI 3 first" in done.stderr
    assert "Traceback" not in done.stderr
    plain = tmp_path / "plain"
    plain.mkdir()
    done = _cli("scaffold", "verify", str(plain), "--spec", str(PETSTORE), cwd=tmp_path)
    assert done.returncode == 2 and "not a routes folder" in done.stderr
    done = _cli("scaffold", "verify", str(out), cwd=tmp_path)
    assert done.returncode == 2 and "--spec" in done.stderr
    types = tmp_path / "types"
    generate(PETSTORE, None, types, types_only=True, cwd=tmp_path)
    with pytest.raises(UsageError, match="types only"):
        verify_routes(types, PETSTORE)
