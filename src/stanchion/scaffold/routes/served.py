"""The spec as the generated routes serve it beside a project's own document.

A project made by ``scaffold new`` serves one ``/openapi.json`` (OpenAPI 3.1) for its own routes; the routes
generated into it carry their spec (``generated/openapi.ts`` / ``generated/openapi.json``) and a merge function
that adds the spec's operations to the project's document, so the document describes every route the
service answers. What is carried is prepared here, once, so both mergers stay small:

- OpenAPI 3.0 schemas are written as 3.1 (``nullable`` becomes a ``"null"`` type or branch, boolean
  ``exclusiveMinimum``/``exclusiveMaximum`` become numbers), since the project's document is 3.1;
- path-level parameters move into each operation (a path the project also serves keeps its own);
- each operation's security is explicit (the spec's top-level requirement, else none), so the project's
  top-level requirement, if it has one, never applies to the spec's operations;
- only ``paths``, ``components`` and ``tags`` are kept (the project says who it is and where it runs).
"""

from __future__ import annotations

import copy
from typing import Any

_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
_SCHEMA_LISTS = ("allOf", "oneOf", "anyOf")
_SCHEMA_ONE = ("items", "not", "additionalProperties", "contains", "propertyNames")


def served_document(document: dict[str, Any]) -> dict[str, Any]:
    """The part of a bundled spec that is merged into a project's document (see the module docstring)."""
    doc = copy.deepcopy(document)
    if str(doc.get("openapi", "")).startswith("3.0"):
        _upgrade(doc)
    top_security = doc.get("security", [])
    paths: dict[str, Any] = {}
    for key, item in (doc.get("paths") or {}).items():
        if not isinstance(item, dict):
            continue
        shared = item.get("parameters") or []
        out: dict[str, Any] = {}
        for method in _METHODS:
            op = item.get(method)
            if not isinstance(op, dict):
                continue
            op = dict(op)
            own = op.get("parameters") or []
            names = {(p.get("name"), p.get("in")) for p in own if isinstance(p, dict)}
            inherited = [
                p for p in shared if not (isinstance(p, dict) and (p.get("name"), p.get("in")) in names)
            ]
            if inherited or own:
                op["parameters"] = [*inherited, *own]
            op.setdefault("security", top_security)
            out[method] = op
        if out:
            paths[key] = out
    served: dict[str, Any] = {"paths": paths, "components": doc.get("components") or {}}
    if doc.get("tags"):
        served["tags"] = doc["tags"]
    return served


def _upgrade(doc: dict[str, Any]) -> None:
    """OpenAPI 3.0 schema keywords written as 3.1 (JSON Schema 2020-12), in place."""
    for schema in _schemas(doc):
        _upgrade_schema(schema)


def _schemas(doc: dict[str, Any]) -> list[dict[str, Any]]:
    """Every top-level schema object of the document (components, parameters, bodies, responses, headers)."""
    found: list[dict[str, Any]] = []

    def visit(node: Any) -> None:
        if isinstance(node, dict):
            for key, value in node.items():
                if key == "schema" and isinstance(value, dict):
                    found.append(value)
                elif key == "schemas" and isinstance(value, dict):
                    found.extend(v for v in value.values() if isinstance(v, dict))
                else:
                    visit(value)
        elif isinstance(node, list):
            for value in node:
                visit(value)

    visit({k: v for k, v in doc.items() if k in ("paths", "components")})
    return found


def _upgrade_schema(schema: dict[str, Any]) -> None:
    for key in _SCHEMA_LISTS:
        for branch in schema.get(key) or []:
            if isinstance(branch, dict):
                _upgrade_schema(branch)
    for key in _SCHEMA_ONE:
        if isinstance(schema.get(key), dict):
            _upgrade_schema(schema[key])
    for value in (schema.get("properties") or {}).values():
        if isinstance(value, dict):
            _upgrade_schema(value)
    for bound, limit in (("exclusiveMinimum", "minimum"), ("exclusiveMaximum", "maximum")):
        if isinstance(schema.get(bound), bool) and schema.pop(bound) and limit in schema:
            schema[bound] = schema.pop(limit)
    if schema.pop("nullable", False) is True:
        kind = schema.get("type")
        if isinstance(kind, str):
            schema["type"] = [kind, "null"]
            if isinstance(schema.get("enum"), list) and None not in schema["enum"]:
                schema["enum"] = [*schema["enum"], None]
        elif kind is None:
            rest = {k: schema.pop(k) for k in list(schema) if k not in ("description", "title")}
            schema["anyOf"] = [rest, {"type": "null"}] if rest else [{"type": "null"}]
