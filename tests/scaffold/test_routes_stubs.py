"""Handlers not written yet, on all four frameworks' servers: 501 problem details by default; in mock mode
(``STANCHION_MOCK=1`` at run time, or ``scaffold routes --mock``) a schema-valid example of the documented
response the request asks for (``Prefer: code=NNN``, as Prism reads it), else the operation's success."""

from __future__ import annotations

import json
import shutil
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from stanchion.scaffold.routes.generate import generate
from tests.scaffold.conftest import TS_SPECS
from tests.scaffold.test_routes_support import (
    TS_FRAMEWORKS,
    node_harness,
    request,
    server_command,
    serving,
    tsc,
)

pytestmark = pytest.mark.slow
FRAMEWORKS = [*TS_FRAMEWORKS, "fastapi"]


def _name(framework: str) -> str:
    return "petstore_expanded" if framework == "fastapi" else "petstore-expanded"  # FastAPI: a package name


@contextmanager
def _start(framework: str, built: Path, packages: Path, cwd: Path, mock: str) -> Iterator[str]:
    """The petstore-expanded server with its stub handlers; ``mock`` is STANCHION_MOCK ("" for unset)."""
    root = packages if framework == "fastapi" else built
    argv = server_command(framework, _name(framework), root)
    with serving(argv, cwd=packages if framework == "fastapi" else cwd, env={"STANCHION_MOCK": mock}) as url:
        yield url


@pytest.mark.parametrize("framework", FRAMEWORKS)
def test_an_unwritten_handler_answers_501_problem_details(
    framework: str, built: Path, packages: Path, tmp_path: Path
) -> None:
    with _start(framework, built, packages, tmp_path, mock="") as url:
        status, headers, body = request(f"{url}/pets/1")
        assert status == 501, body
        assert headers["content-type"].startswith("application/problem+json")
        doc = json.loads(body)
        assert doc["status"] == 501 and doc["title"] == "Not Implemented"
        assert "no implementation" in doc["detail"]
        # validation still runs before the handler: a bad id is the declared error, not a 501
        assert request(f"{url}/pets/abc")[0] != 501


@pytest.mark.parametrize("framework", FRAMEWORKS)
def test_mock_mode_answers_every_documented_response(
    framework: str, built: Path, packages: Path, tmp_path: Path
) -> None:
    with _start(framework, built, packages, tmp_path, mock="1") as url:
        status, headers, body = request(f"{url}/pets/1")
        assert status == 200 and headers["content-type"].startswith("application/json")
        pet = json.loads(body)
        assert isinstance(pet["id"], int) and isinstance(pet["name"], str)
        # the spec's `default` response (Error: code and message, both required) when asked for
        status, _, body = request(f"{url}/pets/1", headers={"Prefer": "code=500"})
        assert status == 500, body
        error = json.loads(body)
        assert isinstance(error["code"], int) and isinstance(error["message"], str)
        assert request(f"{url}/pets/1", "DELETE")[0] == 204
        # a status the operation does not document is not invented: the first example answers
        assert request(f"{url}/pets/1", headers={"Prefer": "code=418"})[0] == 200
    with _start(framework, built, packages, tmp_path, mock="0") as url:
        assert request(f"{url}/pets/1")[0] == 501


@pytest.fixture(scope="module")
def mock_built(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, Path]]:
    """petstore-expanded generated with --mock for every framework (the TypeScript ones compiled)."""
    harness = node_harness()
    cases = harness / "cases" / f"mock-{uuid.uuid4().hex[:8]}"
    packages = tmp_path_factory.mktemp("mock-fastapi")
    try:
        for framework in TS_FRAMEWORKS:
            generate(
                TS_SPECS["petstore-expanded"], framework, cases / f"{framework}-petstore-expanded", mock=True
            )
        generate(TS_SPECS["petstore-expanded"], "fastapi", packages / "petstore_expanded_api", mock=True)
        tsc(cases, harness)
        yield cases, packages
    finally:
        shutil.rmtree(cases, ignore_errors=True)


@pytest.mark.parametrize("framework", FRAMEWORKS)
def test_generated_with_mock_answers_examples_until_switched_off(
    framework: str, mock_built: tuple[Path, Path], tmp_path: Path
) -> None:
    cases, packages = mock_built
    root = packages if framework == "fastapi" else cases
    argv = server_command(framework, _name(framework), root)
    cwd = packages if framework == "fastapi" else tmp_path
    with serving(argv, cwd=cwd, env={"STANCHION_MOCK": ""}) as url:
        assert request(f"{url}/pets/1")[0] == 200
    with serving(argv, cwd=cwd, env={"STANCHION_MOCK": "0"}) as url:
        assert request(f"{url}/pets/1")[0] == 501
