"""One regression test per defect class seen when generating large published specs, each from a small spec
written for it, on every framework, through `scaffold verify DIR --spec SPEC` (tsc / mypy strict, the server
on 127.0.0.1 in mock mode, Schemathesis with every check):

- generated code that did not compile: examples of deeply nested objects, allOf/oneOf compositions, required
  members, empty ``{}`` schemas and enums inside nested arrays checked against their own types; summaries
  with quotes, backslashes, comment closers and line breaks carried into comments and docstrings;
- validation that disagreed with the spec, both ways: formats, nullable, oneOf/anyOf with and without a
  discriminator, additionalProperties, query arrays in each style, non-JSON bodies, numeric bounds, a
  required header, each with its error responses declared so every answer is documented;
- a server that did not boot with hundreds of routes.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest
import yaml

from stanchion.scaffold.routes.generate import FRAMEWORKS, generate
from stanchion.scaffold.verify_routes import verify_routes

ROOT = Path(__file__).resolve().parents[2]
CACHE = ROOT / ".cache"

pytestmark = pytest.mark.slow

_ERRORS = {
    "400": {
        "description": "bad request",
        "content": {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}},
    }
}
_PROBLEM = {
    "type": "object",
    "required": ["type", "title", "status"],
    "properties": {
        "type": {"type": "string"},
        "title": {"type": "string"},
        "status": {"type": "integer"},
        "detail": {"type": "string"},
    },
}


def _json(schema: dict[str, Any], status: str = "200") -> dict[str, Any]:
    return {status: {"description": "ok", "content": {"application/json": {"schema": schema}}}}


COMPILE: dict[str, Any] = {
    "openapi": "3.0.3",
    "info": {"title": "compile", "version": "1"},
    "paths": {
        "/nested": {
            "get": {
                "operationId": "getNested",
                "summary": 'Nested "deep" */ objects\\ with\na line break',
                "description": '*/ closes a comment; """ closes a docstring; \\ escapes',
                "responses": {**_json({"$ref": "#/components/schemas/Deep"}), **_ERRORS},
            }
        },
        "/composed": {
            "get": {
                "operationId": "getComposed",
                "summary": "allOf of oneOf, required members from elsewhere",
                "responses": {**_json({"$ref": "#/components/schemas/Composed"}), **_ERRORS},
            }
        },
        "/anything": {
            "get": {
                "operationId": "getAnything",
                "responses": {**_json({}), **_ERRORS},
            }
        },
    },
    "components": {
        "schemas": {
            "Problem": _PROBLEM,
            "Deep": {
                "type": "object",
                "required": ["a"],
                "properties": {
                    "a": {
                        "type": "object",
                        "required": ["b"],
                        "properties": {
                            "b": {
                                "type": "array",
                                "minItems": 1,
                                "items": {
                                    "type": "object",
                                    "required": ["kinds", "free"],
                                    "properties": {
                                        "kinds": {
                                            "type": "array",
                                            "minItems": 1,
                                            "items": {"type": "string", "enum": ["x", "y"]},
                                        },
                                        "free": {},
                                        "more": {"type": "object", "additionalProperties": {}},
                                    },
                                },
                            }
                        },
                    }
                },
            },
            "Base": {"type": "object", "required": ["id"], "properties": {"id": {"type": "integer"}}},
            "Cat": {
                "type": "object",
                "required": ["kind", "meows"],
                "properties": {"kind": {"type": "string", "enum": ["cat"]}, "meows": {"type": "boolean"}},
            },
            "Dog": {
                "type": "object",
                "required": ["kind", "barks"],
                "properties": {"kind": {"type": "string", "enum": ["dog"]}, "barks": {"type": "integer"}},
            },
            "Composed": {
                "allOf": [
                    {"$ref": "#/components/schemas/Base"},
                    {"oneOf": [{"$ref": "#/components/schemas/Cat"}, {"$ref": "#/components/schemas/Dog"}]},
                ],
                "required": ["id"],
            },
        }
    },
}

VALIDATION: dict[str, Any] = {
    "openapi": "3.1.0",
    "info": {"title": "validation", "version": "1"},
    "paths": {
        "/things": {
            "get": {
                "operationId": "listThings",
                "parameters": [
                    {
                        "name": "X-Trace",
                        "in": "header",
                        "required": True,
                        "schema": {"type": "string", "format": "uuid"},
                    },
                    {
                        "name": "ids",
                        "in": "query",
                        "style": "form",
                        "explode": False,
                        "schema": {
                            "type": "array",
                            "items": {"type": "integer", "minimum": 1, "maximum": 100},
                        },
                    },
                    {
                        "name": "tags",
                        "in": "query",
                        "style": "pipeDelimited",
                        "schema": {"type": "array", "items": {"type": "string", "enum": ["a", "b"]}},
                    },
                    {"name": "since", "in": "query", "schema": {"type": "string", "format": "date-time"}},
                ],
                "responses": {
                    **_json({"type": "array", "items": {"$ref": "#/components/schemas/Thing"}}),
                    **_ERRORS,
                },
            },
            "post": {
                "operationId": "createThing",
                "requestBody": {
                    "required": True,
                    "content": {
                        "application/json": {"schema": {"$ref": "#/components/schemas/Thing"}},
                        "application/x-www-form-urlencoded": {
                            "schema": {"$ref": "#/components/schemas/Form"}
                        },
                        "text/plain": {"schema": {"type": "string", "maxLength": 20}},
                    },
                },
                "responses": {
                    **_json({"$ref": "#/components/schemas/Thing"}, "201"),
                    **_ERRORS,
                    "415": _ERRORS["400"],
                },
            },
        },
        "/shapes": {
            "post": {
                "operationId": "createShape",
                "requestBody": {
                    "required": True,
                    "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Shape"}}},
                },
                "responses": {
                    **_json({"$ref": "#/components/schemas/Shape"}, "201"),
                    **_ERRORS,
                    "415": _ERRORS["400"],
                },
            }
        },
    },
    "components": {
        "schemas": {
            "Problem": _PROBLEM,
            "Thing": {
                "type": "object",
                "additionalProperties": False,
                "required": ["name", "size"],
                "properties": {
                    "name": {"type": "string", "minLength": 1, "maxLength": 30},
                    "size": {"type": "number", "exclusiveMinimum": 0, "maximum": 10},
                    "email": {"type": "string", "format": "email"},
                    "note": {"type": ["string", "null"]},
                    "label": {"anyOf": [{"type": "string", "maxLength": 5}, {"type": "integer"}]},
                },
            },
            "Form": {
                "type": "object",
                "required": ["name"],
                "properties": {
                    "name": {"type": "string", "minLength": 1},
                    "count": {"type": "integer", "minimum": 0},
                },
            },
            "Circle": {
                "type": "object",
                "required": ["shape", "radius"],
                "additionalProperties": False,
                "properties": {"shape": {"const": "circle"}, "radius": {"type": "number", "minimum": 0}},
            },
            "Square": {
                "type": "object",
                "required": ["shape", "side"],
                "additionalProperties": False,
                "properties": {"shape": {"const": "square"}, "side": {"type": "integer", "minimum": 1}},
            },
            "Shape": {
                "oneOf": [{"$ref": "#/components/schemas/Circle"}, {"$ref": "#/components/schemas/Square"}],
                "discriminator": {
                    "propertyName": "shape",
                    "mapping": {
                        "circle": "#/components/schemas/Circle",
                        "square": "#/components/schemas/Square",
                    },
                },
            },
        }
    },
}


def _hundreds(count: int = 300) -> dict[str, Any]:
    paths = {
        f"/r{i}/{{id}}": {
            "get": {
                "operationId": f"get{i}",
                "parameters": [{"name": "id", "in": "path", "required": True, "schema": {"type": "integer"}}],
                "responses": {
                    **_json(
                        {
                            "type": "object",
                            "required": ["n"],
                            "properties": {"n": {"type": "integer", "enum": [i]}},
                        }
                    ),
                    **_ERRORS,
                },
            }
        }
        for i in range(count)
    }
    return {
        "openapi": "3.0.3",
        "info": {"title": "hundreds", "version": "1"},
        "paths": paths,
        "components": {"schemas": {"Problem": _PROBLEM}},
    }


SPECS = {"compile": COMPILE, "validation": VALIDATION, "hundreds": _hundreds()}


@pytest.mark.parametrize("framework", FRAMEWORKS)
@pytest.mark.parametrize("defect", sorted(SPECS))
def test_defect_class_stays_fixed(tmp_path: Path, framework: str, defect: str) -> None:
    if framework != "fastapi" and (shutil.which("node") is None or shutil.which("npm") is None):
        pytest.skip("node and npm are needed to verify TypeScript routes")
    spec = tmp_path / f"{defect}.yaml"
    spec.write_text(yaml.safe_dump(SPECS[defect], sort_keys=False))
    out = tmp_path / "routes"
    generate(spec, framework, out, cwd=tmp_path)
    result = verify_routes(out, spec, cache_dir=CACHE, max_examples=1 if defect == "hundreds" else 10)
    report = json.dumps(result.to_json(), indent=2)[-6000:]
    assert result.ok, report
    assert len(result.operations) == len([op for item in SPECS[defect]["paths"].values() for op in item])
    assert {o.outcome for o in result.operations} == {"passed"}, report
