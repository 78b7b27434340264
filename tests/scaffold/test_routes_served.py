"""The spec as generated routes carry it into a project's document: 3.0 schemas as 3.1, explicit security,
and the merge (FastAPI's merge_openapi; the TypeScript one is the same algorithm, proved by the plugin test)."""

from __future__ import annotations

import importlib
import json
import sys
from pathlib import Path
from typing import Any

from openapi_spec_validator import validate

from stanchion.scaffold.routes.generate import generate
from stanchion.scaffold.routes.served import served_document

SPEC_30 = {
    "openapi": "3.0.3",
    "info": {"title": "t", "version": "1"},
    "security": [{"key": []}],
    "paths": {
        "/pets/{id}": {
            "parameters": [{"name": "id", "in": "path", "required": True, "schema": {"type": "integer"}}],
            "get": {
                "operationId": "getPet",
                "responses": {
                    "200": {
                        "description": "a pet",
                        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Pet"}}},
                    }
                },
            },
            "delete": {
                "operationId": "deletePet",
                "security": [],
                "responses": {"204": {"description": "gone"}},
            },
        }
    },
    "components": {
        "securitySchemes": {"key": {"type": "apiKey", "in": "header", "name": "X-Key"}},
        "schemas": {
            "Pet": {
                "type": "object",
                "properties": {
                    "tag": {"type": "string", "nullable": True, "enum": ["a", "b"]},
                    "owner": {"allOf": [{"$ref": "#/components/schemas/Owner"}], "nullable": True},
                    "age": {"type": "integer", "minimum": 0, "exclusiveMinimum": True},
                },
            },
            "Owner": {"type": "object", "properties": {"name": {"type": "string"}}},
        },
    },
}


def test_a_3_0_spec_is_carried_as_3_1_with_explicit_security() -> None:
    served = served_document(SPEC_30)
    pet = served["components"]["schemas"]["Pet"]["properties"]
    assert pet["tag"] == {"type": ["string", "null"], "enum": ["a", "b", None]}
    assert pet["owner"] == {"anyOf": [{"allOf": [{"$ref": "#/components/schemas/Owner"}]}, {"type": "null"}]}
    assert pet["age"] == {"type": "integer", "exclusiveMinimum": 0}
    ops = served["paths"]["/pets/{id}"]
    assert ops["get"]["security"] == [{"key": []}] and ops["delete"]["security"] == []
    assert ops["get"]["parameters"][0]["name"] == "id" and "parameters" not in served["paths"]["/pets/{id}"]
    assert SPEC_30["components"]["schemas"]["Pet"]["properties"]["tag"]["nullable"] is True  # not mutated


def test_merge_adds_the_spec_and_renames_colliding_components(tmp_path: Path) -> None:
    spec = tmp_path / "spec.json"
    spec.write_text(json.dumps(SPEC_30))
    generate(spec, "fastapi", tmp_path / "merged_api", cwd=tmp_path)
    sys.path.insert(0, str(tmp_path))
    try:
        module = importlib.import_module("merged_api.generated.openapi")
    finally:
        sys.path.remove(str(tmp_path))
    base: dict[str, Any] = {
        "openapi": "3.1.0",
        "info": {"title": "project", "version": "1"},
        "paths": {"/health": {"get": {"responses": {"200": {"description": "ok"}}}}},
        "components": {
            "schemas": {"Owner": {"type": "string"}},
            "securitySchemes": {"key": {"type": "http", "scheme": "bearer"}},
        },
    }
    merged = module.merge_openapi(base)
    validate(merged)
    assert set(merged["paths"]) == {"/health", "/pets/{id}"}
    assert merged["components"]["schemas"]["Owner"] == {"type": "string"}  # the project's own, kept
    assert merged["components"]["schemas"]["OwnerSpec"]["properties"]["name"] == {"type": "string"}
    owner = merged["components"]["schemas"]["Pet"]["properties"]["owner"]["anyOf"][0]["allOf"][0]
    assert owner == {"$ref": "#/components/schemas/OwnerSpec"}
    assert merged["paths"]["/pets/{id}"]["get"]["security"] == [{"keySpec": []}]
    assert merged["components"]["securitySchemes"]["keySpec"]["type"] == "apiKey"
    assert base["paths"].keys() == {"/health"}  # the project's document is not mutated
