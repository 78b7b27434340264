"""Read an OpenAPI document, resolve every ``$ref`` (local and external) and bundle it into one document.

External references are resolved with ``referencing`` (the resolver jsonschema and openapi-spec-validator
use): each file is a resource, and a reference is looked up relative to the file it appears in. The bundle
keeps the root's own ``#/...`` references, hoists every externally referenced *schema* into
``components/schemas`` (one entry per target, so a schema used by a hundred operations is written once and
recursive schemas stay finite), and inlines every other external target (parameters, responses, path items,
headers, examples).
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urldefrag, urljoin, urlparse

import yaml
from referencing import Registry, Resource
from referencing.exceptions import PointerToNowhere, Unresolvable

from stanchion.errors import UsageError

#: keys whose value is a schema, and keys whose value is a map or list of schemas
_SCHEMA_KEYS = {
    "schema",
    "items",
    "additionalProperties",
    "not",
    "contains",
    "propertyNames",
    "if",
    "then",
    "else",
}
_SCHEMA_MAP_KEYS = {"properties", "patternProperties", "$defs", "definitions", "dependentSchemas"}
_SCHEMA_LIST_KEYS = {"allOf", "oneOf", "anyOf", "prefixItems"}


@dataclass
class LoadedSpec:
    """A bundled OpenAPI document: self-contained, only local references left."""

    path: Path
    document: dict[str, Any]
    version: str  # "3.0" or "3.1"
    files: list[Path] = field(default_factory=list)

    @property
    def digest(self) -> str:
        """A stable hash of the bundled document (what drift detection compares)."""
        text = json.dumps(self.document, sort_keys=True, separators=(",", ":"), default=str)
        return hashlib.sha256(text.encode()).hexdigest()[:16]


def read_document(path: Path) -> Any:
    """Parse one YAML or JSON file; a parse error is a UsageError naming the file and line."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise UsageError(
            f"{path}: no such file", "pass the path of an OpenAPI document (YAML or JSON)"
        ) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise UsageError(f"{path}: cannot read: {exc}") from None
    try:
        if path.suffix.lower() == ".json":
            return json.loads(text)
        return yaml.load(text, Loader=_Loader)
    except json.JSONDecodeError as exc:
        raise UsageError(f"{path}:{exc.lineno}: not valid JSON: {exc.msg}") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f":{mark.line + 1}" if mark is not None else ""
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise UsageError(f"{path}{where}: not valid YAML: {problem}") from None


_Base: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _Loader(_Base):  # type: ignore[misc]
    """SafeLoader that keeps dates and times as strings (JSON has no date type; specs mean strings)."""


for _first, _resolvers in list(_Loader.yaml_implicit_resolvers.items()):
    _Loader.yaml_implicit_resolvers[_first] = [
        (tag, regexp) for tag, regexp in _resolvers if tag != "tag:yaml.org,2002:timestamp"
    ]


def load_spec(path: str | Path) -> LoadedSpec:
    """Load, resolve and bundle the OpenAPI document at ``path`` (validation is separate: see validate)."""
    source = Path(path).resolve()
    root = read_document(source)
    if not isinstance(root, dict):
        raise UsageError(f"{source}: not an OpenAPI document (the top level is not a mapping)")
    version = str(root.get("openapi", ""))
    if not version:
        hint = "Swagger 2.0 is not supported; convert it to OpenAPI 3 first" if "swagger" in root else None
        raise UsageError(f"{source}: no 'openapi' version field at /openapi", hint or "add 'openapi: 3.1.0'")
    if not re.match(r"^3\.[01]\.\d+", version):
        raise UsageError(
            f"{source}: OpenAPI {version} is not supported (at /openapi)",
            "use an OpenAPI 3.0.x or 3.1.x document",
        )
    bundler = _Bundler(source, root)
    document = bundler.bundle()
    return LoadedSpec(path=source, document=document, version=version[:3], files=sorted(bundler.files))


class _Bundler:
    def __init__(self, source: Path, root: dict[str, Any]) -> None:
        self.root_uri = source.as_uri()
        self.root = root
        self.files: set[Path] = {source}
        self.registry: Registry[Any] = Registry(retrieve=self._retrieve).with_resource(  # type: ignore[call-arg]
            self.root_uri, Resource.opaque(root)
        )
        self.hoisted: dict[str, str] = {}  # absolute target URI -> components/schemas name
        self.new_schemas: dict[str, Any] = {}
        self.inlining: list[str] = []
        self.cache: dict[str, Resource[Any]] = {}

    def _retrieve(self, uri: str) -> Resource[Any]:
        parsed = urlparse(uri)
        if parsed.scheme != "file":
            raise UsageError(
                f"$ref to {uri}: only local files are resolved",
                "download the referenced document next to the spec and refer to it by relative path",
            )
        if uri in self.cache:
            return self.cache[uri]
        path = Path(unquote(parsed.path))
        if not path.is_file():
            raise Unresolvable(ref=uri)
        self.files.add(path)
        resource: Resource[Any] = Resource.opaque(read_document(path))
        self.cache[uri] = resource
        return resource

    def bundle(self) -> dict[str, Any]:
        out = self._walk(self.root, self.root_uri, "#", in_schema=False)
        if self.new_schemas:
            components = out.setdefault("components", {})
            schemas = components.setdefault("schemas", {})
            schemas.update(self.new_schemas)
        assert isinstance(out, dict)
        return out

    def _walk(self, node: Any, base: str, where: str, *, in_schema: bool) -> Any:
        if isinstance(node, list):
            return [self._walk(v, base, f"{where}/{i}", in_schema=in_schema) for i, v in enumerate(node)]
        if not isinstance(node, dict):
            return node
        ref = node.get("$ref")
        if isinstance(ref, str):
            return self._reference(ref, base, where, in_schema=in_schema)
        result: dict[str, Any] = {}
        for key, value in node.items():
            pointer = f"{where}/{_escape(str(key))}"
            if (key in ("example", "examples") and in_schema) or key == "example" or key == "value":
                # literal data; a whole example given as an external $ref (a common bundler idiom) is inlined
                external = (
                    isinstance(value, dict)
                    and set(value) == {"$ref"}
                    and not str(value["$ref"]).startswith("#")
                )
                result[key] = (
                    self._reference(value["$ref"], base, pointer, in_schema=False) if external else value
                )
            elif key in _SCHEMA_KEYS:
                result[key] = self._walk(value, base, pointer, in_schema=True)
            elif key in _SCHEMA_LIST_KEYS and isinstance(value, list):
                result[key] = [
                    self._walk(v, base, f"{pointer}/{i}", in_schema=True) for i, v in enumerate(value)
                ]
            elif key in _SCHEMA_MAP_KEYS and isinstance(value, dict) and (in_schema or key != "properties"):
                map_base = base
                if isinstance(value.get("$ref"), str):  # the whole map given by reference
                    map_base, value = self._lookup(value["$ref"], base, pointer)
                result[key] = {
                    k: self._walk(v, map_base, f"{pointer}/{_escape(str(k))}", in_schema=True)
                    for k, v in value.items()
                }
            elif key == "schemas" and where.endswith("/components") and isinstance(value, dict):
                result[key] = {
                    k: self._walk(v, base, f"{pointer}/{_escape(str(k))}", in_schema=True)
                    for k, v in value.items()
                }
            else:
                result[key] = self._walk(
                    value, base, pointer, in_schema=in_schema and key not in ("discriminator",)
                )
        return result

    def _reference(self, ref: str, base: str, where: str, *, in_schema: bool) -> Any:
        target = urljoin(base, ref)
        document_uri, fragment = urldefrag(target)
        if document_uri == self.root_uri and base == self.root_uri:
            return {"$ref": f"#{fragment}"}
        if document_uri == self.root_uri:
            return {"$ref": f"#{fragment}"}  # an external file pointing back into the root
        if in_schema and target in self.hoisted:
            return {"$ref": f"#/components/schemas/{self.hoisted[target]}"}
        _, contents = self._lookup(ref, base, where)
        if in_schema:
            name = self._schema_name(document_uri, fragment)
            self.hoisted[target] = name
            self.new_schemas[name] = self._walk(contents, document_uri, target, in_schema=True)
            return {"$ref": f"#/components/schemas/{name}"}
        if target in self.inlining:
            raise UsageError(
                f"$ref cycle through {_short(target)} at {where}",
                "only schemas may refer to themselves; break the cycle in parameters/responses/paths",
            )
        self.inlining.append(target)
        try:
            return self._walk(contents, document_uri, where, in_schema=False)
        finally:
            self.inlining.pop()

    def _lookup(self, ref: str, base: str, where: str) -> tuple[str, Any]:
        """The target of ``ref`` seen from ``base``: (the URI of its document, its contents)."""
        document_uri = urldefrag(urljoin(base, ref))[0]
        fragment = urldefrag(urljoin(base, ref))[1]
        try:
            resolved = self.registry.resolver(base_uri=base).lookup(ref)
        except UsageError:
            raise
        except (Unresolvable, PointerToNowhere) as exc:
            inside = f" (in {_short(base)})" if base != self.root_uri else ""
            raise UsageError(
                f"unresolvable $ref {ref!r} at {where}{inside}",
                f"check that {_short(document_uri)} exists and has #{fragment}"
                if fragment
                else f"check that {_short(document_uri)} exists",
            ) from exc
        return document_uri, resolved.contents

    def _schema_name(self, document_uri: str, fragment: str) -> str:
        tail = fragment.rstrip("/").rsplit("/", 1)[-1] if fragment.strip("/") else ""
        stem = Path(unquote(urlparse(document_uri).path)).stem
        raw = tail or stem
        name = re.sub(r"[^A-Za-z0-9_.-]", "_", raw) or "Schema"
        existing = set(self.new_schemas) | set(self.hoisted.values())
        existing |= set(((self.root.get("components") or {}).get("schemas") or {}).keys())
        candidate, n = name, 2
        while candidate in existing:
            candidate = f"{name}_{n}"
            n += 1
        return candidate


def _escape(token: str) -> str:
    return token.replace("~", "~0").replace("/", "~1")


def _short(uri: str) -> str:
    parsed = urlparse(uri)
    if parsed.scheme == "file":
        path = Path(unquote(parsed.path))
        try:
            return str(path.relative_to(Path.cwd()))
        except ValueError:
            return str(path)
    return uri
