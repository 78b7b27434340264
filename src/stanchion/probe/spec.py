"""The operations the probe learns from an OpenAPI document (a file, or a URL on the probed origin)."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import yaml

from stanchion.errors import UsageError
from stanchion.probe.base import Operation
from stanchion.probe.client import ProbeClient

_METHODS = ("get", "post", "put", "patch", "delete")


def load_operations(source: str, client: ProbeClient) -> list[Operation]:
    """Every operation of the document at ``source``; a URL must be on the probed origin (the budget
    counts its request)."""
    from stanchion.scaffold.spec.loader import load_spec

    if source.startswith(("http://", "https://")):
        parts = urlsplit(source)
        if f"{parts.scheme}://{parts.netloc}" != client.origin:
            raise UsageError(
                f"--spec {source}: not on the probed origin {client.origin}",
                "download the document and pass its file, or serve it from the probed API",
            )
        answer = client.request("GET", parts.path + (f"?{parts.query}" if parts.query else ""))
        if answer.status != 200:
            raise UsageError(f"--spec {source}: answered {answer.status or 'nothing'}", "check the URL")
        try:
            document = json.loads(answer.body)
        except ValueError:
            document = yaml.safe_load(answer.text)
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / "openapi.json"
            path.write_text(json.dumps(document), encoding="utf-8")
            return operations(load_spec(path).document)
    return operations(load_spec(source).document)


def _resolve(document: dict[str, Any], node: Any) -> Any:
    while isinstance(node, dict) and isinstance(node.get("$ref"), str) and node["$ref"].startswith("#/"):
        target: Any = document
        for part in node["$ref"][2:].split("/"):
            target = target.get(part.replace("~1", "/").replace("~0", "~"), {})
        node = target
    return node


def operations(document: dict[str, Any]) -> list[Operation]:
    global_security = document.get("security") or []
    found: list[Operation] = []
    for path, item in (document.get("paths") or {}).items():
        if not isinstance(item, dict):
            continue
        for method in _METHODS:
            op = item.get(method)
            if not isinstance(op, dict):
                continue
            security = op.get("security", global_security) or []
            secured = any(bool(requirement) for requirement in security)  # {} means "anonymous allowed"
            if any(requirement == {} for requirement in security):
                secured = False
            body = _resolve(document, op.get("requestBody"))
            schema = None
            if isinstance(body, dict):
                media = (body.get("content") or {}).get("application/json") or {}
                schema = _resolve(document, media.get("schema")) if media else None
            params = [
                _resolve(document, p) for p in (item.get("parameters") or []) + (op.get("parameters") or [])
            ]
            names = [str(p["name"]) for p in params if isinstance(p, dict) and p.get("in") == "path"]
            found.append(Operation(method.upper(), str(path), secured, schema, names))
    return found


def example_body(schema: dict[str, Any] | None) -> dict[str, Any]:
    """A small valid-looking object for ``schema``: each required property from its example, default or
    type."""
    if not isinstance(schema, dict):
        return {}
    body: dict[str, Any] = {}
    properties = schema.get("properties") or {}
    for name in schema.get("required") or list(properties):
        prop = properties.get(name) or {}
        if "example" in prop:
            body[name] = prop["example"]
        elif "default" in prop:
            body[name] = prop["default"]
        elif prop.get("enum"):
            body[name] = prop["enum"][0]
        else:
            kind = prop.get("type")
            kind = kind[0] if isinstance(kind, list) else kind
            body[name] = {"integer": 1, "number": 1.5, "boolean": True, "array": [], "object": {}}.get(
                str(kind), f"probe-{name}"
            )
    return body
