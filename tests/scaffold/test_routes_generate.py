"""Regeneration safety, --check drift detection, bad input and the seed-compatible command forms."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from stanchion.cli.scaffold_routes import command
from stanchion.errors import CheckFailed, UsageError
from stanchion.scaffold.routes.common import path_pattern, stub_response
from stanchion.scaffold.routes.examples import Examples
from stanchion.scaffold.routes.generate import MANIFEST, generate
from stanchion.scaffold.spec.loader import LoadedSpec
from stanchion.scaffold.spec.normalize import to_api
from tests.scaffold.test_routes_support import DATA

HARD = DATA / "hard" / "hard.yaml"


def _copy_hard(tmp_path: Path) -> Path:
    for name in ("hard.yaml", "common.yaml"):
        shutil.copy(DATA / "hard" / name, tmp_path / name)
    return tmp_path / "hard.yaml"


@pytest.mark.parametrize("framework", ["express", "fastapi"])
def test_regeneration_keeps_edits_adds_operations_and_reports_signature_changes(
    tmp_path: Path, framework: str
) -> None:
    spec = _copy_hard(tmp_path)
    out = tmp_path / "out"
    first = generate(spec, framework, out)
    ext = "ts" if framework == "express" else "py"
    handler = out / "handlers" / (f"getPet.{ext}" if ext == "ts" else "get_pet.py")
    assert handler in [out / h for h in first.added_handlers]
    edited = handler.read_text() + ("\n// my edit\n" if ext == "ts" else "\n# my edit\n")
    handler.write_text(edited)
    security = out / f"security.{ext}"
    security.write_text(security.read_text() + ("\n// configured\n" if ext == "ts" else "\n# configured\n"))

    again = generate(spec, framework, out)
    assert handler.read_text() == edited and security.read_text().rstrip().endswith("configured")
    assert not again.written and not again.added_handlers and not again.changed_signatures

    doc = yaml.safe_load(spec.read_text())
    doc["paths"]["/pets/{petId}"]["get"]["parameters"] = [
        {"name": "verbose", "in": "query", "schema": {"type": "boolean"}}
    ]
    doc["paths"]["/toys"] = {
        "get": {
            "operationId": "listToys",
            "security": [],
            "responses": {
                "200": {
                    "description": "ok",
                    "content": {
                        "application/json": {"schema": {"type": "array", "items": {"type": "string"}}}
                    },
                }
            },
        }
    }
    spec.write_text(yaml.safe_dump(doc, sort_keys=False))
    with pytest.raises(CheckFailed) as drift:
        generate(spec, framework, out, check=True)
    assert (drift.value.exit_code == 1 and "listToys" not in str(drift.value)) or "drifted" in str(
        drift.value
    )

    third = generate(spec, framework, out)
    assert handler.read_text() == edited
    new_handler = "handlers/listToys.ts" if ext == "ts" else "handlers/list_toys.py"
    assert third.added_handlers == [new_handler] and (out / new_handler).is_file()
    assert any(c.startswith("getPet ") for c in third.changed_signatures)
    generate(spec, framework, out, check=True)  # in sync again: no error


def test_check_detects_hand_edits_and_regeneration_refuses_to_overwrite_them(tmp_path: Path) -> None:
    out = tmp_path / "out"
    generate(HARD, "koa", out)
    types = out / "generated" / "types.ts"
    types.write_text(types.read_text() + "\nexport type Mine = string;\n")
    with pytest.raises(CheckFailed, match=r"outdated generated/types\.ts"):
        generate(HARD, "koa", out, check=True)
    with pytest.raises(UsageError, match=r"edited by hand: generated/types\.ts"):
        generate(HARD, "koa", out)
    (out / "handlers" / "getPet.ts").unlink()
    types.unlink()
    with pytest.raises(CheckFailed, match="missing"):
        generate(HARD, "koa", out, check=True)
    generate(HARD, "koa", out)
    generate(HARD, "koa", out, check=True)


def test_invalid_spec_names_the_json_pointer(tmp_path: Path) -> None:
    spec = tmp_path / "bad.yaml"
    spec.write_text(
        HARD.read_text().replace("minimum: 1, maximum: 1000000}", "minimum: one, maximum: 1000000}", 1)
    )
    shutil.copy(DATA / "hard" / "common.yaml", tmp_path / "common.yaml")
    with pytest.raises(UsageError) as err:
        generate(spec, "express", tmp_path / "out")
    assert "at /paths/~1pets~1{petId}/parameters/0" in err.value.message
    assert not (tmp_path / "out").exists()  # nothing half-done


def test_a_real_world_invalid_spec_is_refused_with_its_pointer(tmp_path: Path) -> None:
    with pytest.raises(UsageError) as err:
        generate(DATA / "blockfrost" / "openapi.yaml", "fastify", tmp_path / "out")
    assert (
        "at /components/schemas/dreps: the value is not valid under any of the schemas listed in the 'oneOf' keyword"
        in err.value.message
    )
    assert "(and 5 more: /components/schemas/" in err.value.message and len(err.value.message) < 400


def test_unresolvable_ref_names_the_ref_and_where(tmp_path: Path) -> None:
    spec = tmp_path / "spec.yaml"
    spec.write_text(HARD.read_text().replace("./common.yaml#/Owner", "./missing.yaml#/Owner"))
    with pytest.raises(UsageError) as err:
        generate(spec, "express", tmp_path / "out")
    assert "unresolvable $ref './missing.yaml#/Owner'" in err.value.message
    assert (
        "/paths/~1owners~1{ownerId}/get/responses/200/content/application~1json/schema" in err.value.message
    )
    inner = tmp_path / "inner.yaml"
    inner.write_text(
        HARD.read_text().replace(
            "'#/components/schemas/Cat'\n        - $ref", "'#/components/schemas/Kat'\n        - $ref"
        )
    )
    shutil.copy(DATA / "hard" / "common.yaml", tmp_path / "common.yaml")
    with pytest.raises(UsageError, match="Kat"):
        generate(inner, "express", tmp_path / "out2")


def test_unsupported_construct_is_named_with_what_to_do(tmp_path: Path) -> None:
    spec = tmp_path / "spec.yaml"
    doc = yaml.safe_load((DATA / "oai-examples" / "petstore.yaml").read_text())
    doc["components"]["schemas"]["Pet"]["properties"]["tag"] = {"not": {"type": "integer"}}
    spec.write_text(yaml.safe_dump(doc))
    with pytest.raises(UsageError) as err:
        generate(spec, "fastapi", tmp_path / "out")
    assert "unsupported construct 'not' at /components/schemas/Pet/properties/tag/not" in err.value.message
    assert err.value.hint and "enum" in err.value.hint


def test_non_empty_output_owned_by_something_else_is_refused(tmp_path: Path) -> None:
    out = tmp_path / "src"
    out.mkdir()
    (out / "index.ts").write_text("export const mine = 1;\n")
    with pytest.raises(UsageError, match="not empty and was not generated"):
        generate(HARD, "express", out)
    assert sorted(p.name for p in out.iterdir()) == ["index.ts"]
    other = tmp_path / "other"
    generate(HARD, "express", other)
    with pytest.raises(UsageError, match="generated for express, not fastify"):
        generate(HARD, "fastify", other)


def test_seed_compatible_forms(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    shutil.copy(DATA / "oai-examples" / "petstore.yaml", "openapi.yaml")
    Path("openapi.json").write_text(json.dumps(yaml.safe_load(Path("openapi.yaml").read_text())))
    shutil.copy(DATA / "oai-examples" / "petstore-expanded.yaml", "spec.yaml")
    runner = CliRunner()
    forms = [
        ["openapi.yaml", "--framework", "express", "--output", "src/routes/"],
        ["openapi.json", "--framework", "fastify", "--output", "src/"],
        ["spec.yaml", "--types-only", "--output", "src/types/"],
    ]
    for i, argv in enumerate(forms):  # each form as run in its own project
        project = tmp_path / f"project{i}"
        project.mkdir()
        for name in ("openapi.yaml", "openapi.json", "spec.yaml"):
            shutil.copy(tmp_path / name, project / name)
        monkeypatch.chdir(project)
        result = runner.invoke(command, argv, catch_exceptions=False)
        assert result.exit_code == 0, result.output
    assert (tmp_path / "project0/src/routes/generated/express.ts").is_file()
    assert (tmp_path / "project0/src/routes/handlers/listPets.ts").is_file()
    assert (tmp_path / "project1/src/generated/fastify.ts").is_file()
    types = tmp_path / "project2/src/types/types.ts"
    assert types.is_file() and not (tmp_path / "project2/src/types/generated").exists()
    assert "export type NewPet" in types.read_text()
    monkeypatch.chdir(tmp_path / "project0")
    result = runner.invoke(
        command, ["openapi.yaml", "--framework", "express", "--output", "src/routes/", "--check", "--json"]
    )
    assert result.exit_code == 0 and json.loads(result.stdout)["checked"] is True
    missing = runner.invoke(command, ["openapi.yaml", "--output", "x/"])
    assert missing.exit_code != 0
    manifest = json.loads(Path("src/routes", MANIFEST).read_text())
    assert manifest["framework"] == "express" and "listPets" in manifest["handlers"]


def test_python_types_only(tmp_path: Path) -> None:
    out = tmp_path / "types_pkg"
    generate(HARD, "fastapi", out, types_only=True)
    assert sorted(p.name for p in out.iterdir()) == [MANIFEST, "__init__.py", "checks.py", "models.py"]
    assert "PetInput" in (out / "models.py").read_text()


def test_literal_path_characters_match_raw_or_percent_encoded() -> None:
    pattern, names = path_pattern("/<upload_url>/{id}/a b")
    assert names == ["id"]
    match = re.compile(pattern)
    for url in ("/%3Cupload_url%3E/5/a%20b", "/%3cupload_url%3e/5/a b", "/<upload_url>/5/a%20b"):
        assert match.match(url), url
    assert not match.match("/upload_url/5/a b")
    assert not match.match("/%3Cupload_url%3E/5/x/a%20b")


@pytest.mark.parametrize(
    ("declared", "answered"),
    [
        (["400", "201", "default"], 201),
        (["400", "default"], 200),
        (["400", "401", "403", "404", "500"], 404),  # Callfire's DELETEs declare no success
        (["422", "500", "409"], 409),
        (["410"], 410),  # nothing better is declared
    ],
)
def test_a_stub_answers_the_least_misleading_declared_status(declared: list[str], answered: int) -> None:
    """A new handler stub answers the first declared success; with none, a status about the resource (404,
    409, ...) rather than one calling a valid request wrong (400) or reporting a fault (500)."""
    responses = {code: {"description": code} for code in declared}
    doc = {
        "openapi": "3.0.3",
        "info": {"title": "t", "version": "1"},
        "paths": {
            "/things/{id}": {
                "delete": {
                    "operationId": "drop",
                    "responses": responses,
                    "parameters": [
                        {"name": "id", "in": "path", "required": True, "schema": {"type": "string"}}
                    ],
                }
            }
        },
    }
    api = to_api(LoadedSpec(path=Path("t.yaml"), document=doc, version="3.0")).api
    assert stub_response(api.operations[0], Examples(api.schemas)).status == answered


def test_fastapi_output_of_a_spec_with_forms_warns_about_python_multipart(tmp_path: Path) -> None:
    warned = generate(HARD, "fastapi", tmp_path / "py").warnings
    assert any("python-multipart" in w and "multipart/form-data" in w for w in warned), warned
    assert not any("python-multipart" in w for w in generate(HARD, "express", tmp_path / "ts").warnings)


UNDOCUMENTED = """
openapi: 3.0.3
info: {title: t, version: "1"}
paths:
  /items:
    get:
      operationId: listItems
      parameters: [{name: limit, in: query, schema: {type: integer}}]
      responses: {"200": {description: ok}}
    post:
      operationId: createItem
      requestBody: {content: {application/json: {schema: {type: object}}}}
      responses: {"201": {description: made}, "400": {description: bad}}
  /secret:
    get:
      operationId: getSecret
      security: [{key: []}]
      responses: {"200": {description: ok}}
  /health:
    get:
      operationId: health
      responses: {"200": {description: ok}}
components:
  securitySchemes:
    key: {type: apiKey, in: header, name: X-Key}
"""


@pytest.mark.parametrize("framework", ["express", "fastapi"])
def test_generation_names_the_operations_that_may_answer_an_undocumented_status(
    tmp_path: Path, framework: str
) -> None:
    spec = tmp_path / "undocumented.yaml"
    spec.write_text(UNDOCUMENTED)
    warnings = generate(spec, framework, tmp_path / "out").warnings
    undocumented = [w for w in warnings if "does not list" in w]
    assert len(undocumented) == 1, warnings
    assert "listItems (400)" in undocumented[0] and "getSecret (401)" in undocumented[0]
    assert "createItem" not in undocumented[0] and "health" not in undocumented[0]  # 400 declared; no input
