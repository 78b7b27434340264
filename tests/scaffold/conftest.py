"""Spec-to-code builds shared by the route tests: every TypeScript framework x spec compiled in one tsc run, and
the FastAPI packages; built once per session, used by the Schemathesis tests and the request tests."""

from __future__ import annotations

import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from stanchion.scaffold.routes.generate import generate
from tests.scaffold.test_routes_support import (
    DATA,
    PY_SECURITY,
    TS_FRAMEWORKS,
    TS_SECURITY,
    node_harness,
    tsc,
)

TS_SPECS = {
    "petstore": DATA / "oai-examples" / "petstore.yaml",
    "petstore-expanded": DATA / "oai-examples" / "petstore-expanded.yaml",
    "hard": DATA / "hard" / "hard.yaml",
    "hard31": DATA / "hard" / "hard31.yaml",
}
PY_SPECS = {name.replace("-", "_"): spec for name, spec in TS_SPECS.items()}  # package names
TS_LEAKY_HANDLER = """import type { GetPetHandler } from "../generated/types.js";

// Edited by the test: leaks the writeOnly 'secret' unless the pet id is 1.
export const getPet: GetPetHandler = async (input) => {
  const pet = { id: 1, petType: "cat" as const, name: "Tom" };
  return { status: 200, body: input.params.petId === 1 ? pet : { ...pet, secret: "hunter2" } };
};
"""
PY_LEAKY_HANDLER = '''"""Edited by the test: leaks the writeOnly 'secret' unless the pet id is 1."""

from __future__ import annotations

from ..generated.runtime import HandlerInput, Result


async def get_pet(data: HandlerInput) -> Result:
    pet = {"id": 1, "petType": "cat", "name": "Tom"}
    return Result(status=200, body=pet if data.params["petId"] == 1 else {**pet, "secret": "hunter2"})
'''


@pytest.fixture(scope="session")
def built() -> Iterator[Path]:
    """Every TypeScript framework x spec generated under the shared toolchain and compiled in one tsc run."""
    harness = node_harness()
    cases = harness / "cases" / uuid.uuid4().hex[:8]
    try:
        for framework in TS_FRAMEWORKS:
            for name, spec in TS_SPECS.items():
                out = cases / f"{framework}-{name}"
                generate(spec, framework, out)
                if name == "hard":
                    (out / "security.ts").write_text(TS_SECURITY)
                    (out / "handlers" / "getPet.ts").write_text(TS_LEAKY_HANDLER)
        tsc(cases, harness)
        yield cases
    finally:
        shutil.rmtree(cases, ignore_errors=True)


@pytest.fixture(scope="session")
def packages(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Every spec generated as a FastAPI package (``<name>_api``) under one folder."""
    root = tmp_path_factory.mktemp("fastapi")
    for name, spec in PY_SPECS.items():
        out = root / f"{name}_api"
        generate(spec, "fastapi", out)
        if name == "hard":
            (out / "security.py").write_text(PY_SECURITY)
            (out / "handlers" / "get_pet.py").write_text(PY_LEAKY_HANDLER)
    return root
