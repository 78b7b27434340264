"""A bundled OpenAPI 3.0 / 3.1 document -> :class:`stanchion.scaffold.ir.Api`.

Both versions land in one shape: 3.0 ``nullable: true`` and 3.1 ``type: [X, "null"]`` (or ``null`` in an
enum) become ``nullable``; 3.0 boolean ``exclusiveMinimum`` and 3.1 numeric ones become ``minimum`` plus a
flag; 3.1 ``const`` becomes a one-value enum; ``examples`` lists give their first value. Named schemas stay
references (``type: ref``) so recursive schemas stay finite. Constructs the emitters cannot honour are
refused by name with what to do, never silently dropped.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import PurePosixPath
from typing import Any
from urllib.parse import unquote

from pydantic import ValidationError

from stanchion.errors import UsageError
from stanchion.scaffold import ir
from stanchion.scaffold.spec.loader import LoadedSpec
from stanchion.scaffold.spec.validate import pointer_of

_METHODS = ("get", "put", "post", "delete", "options", "head", "patch")
_UNSUPPORTED = {
    "not": "express the allowed values positively (enum, oneOf) instead of 'not'",
    "if": "use oneOf with a discriminator instead of if/then/else",
    "patternProperties": "use additionalProperties with a schema instead of patternProperties",
    "prefixItems": "use an array of one item schema (or an object) instead of a tuple",
    "$dynamicRef": "use a plain $ref",
    "dependentSchemas": "move the dependent members into oneOf branches",
}
_IGNORED_HEADERS = {"accept", "content-type", "authorization"}


@dataclass
class Normalized:
    api: ir.Api
    warnings: list[str] = field(default_factory=list)
    #: operation id -> its OpenAPI operation object (examples and error shapes the emitters reuse)
    raw_operations: dict[str, dict[str, Any]] = field(default_factory=dict)


def to_api(spec: LoadedSpec) -> Normalized:
    """Normalise ``spec`` (already bundled and validated) into the IR."""
    return _Normalizer(spec).run()


class _Normalizer:
    def __init__(self, spec: LoadedSpec) -> None:
        self.doc = spec.document
        self.v31 = spec.version == "3.1"
        self.warnings: list[str] = []
        self.schemes: dict[str, ir.SecurityScheme] = {}
        self.raw: dict[str, dict[str, Any]] = {}

    def run(self) -> Normalized:
        comps = self.doc.get("components") or {}
        schemas = {
            name: self.schema(node, ["components", "schemas", name])
            for name, node in (comps.get("schemas") or {}).items()
        }
        for name, node in (comps.get("securitySchemes") or {}).items():
            self.schemes[name] = self.scheme(name, self.deref(node), ["components", "securitySchemes", name])
        ops: list[ir.Operation] = []
        ids: set[str] = set()
        for path, item in (self.doc.get("paths") or {}).items():
            item = self.deref(item)
            shared = item.get("parameters") or []
            for method in _METHODS:
                if method not in item:
                    continue
                where = ["paths", path, method]
                op = self.operation(path, method, item[method], shared, where, ids)
                ops.append(op)
            if "trace" in item:
                self.warnings.append(f"TRACE {path}: trace operations are not generated")
        info = self.doc.get("info") or {}
        try:
            api = ir.Api(
                title=str(info.get("title") or "API"),
                version=str(info.get("version") or "0.1.0"),
                description=info.get("description"),
                operations=tuple(ops),
                schemas=schemas,
                security_schemes=tuple(self.schemes.values()),
            )
        except ValidationError as exc:
            raise UsageError(f"the spec cannot be modelled: {_first(exc)}") from None
        return Normalized(api=api, warnings=self.warnings, raw_operations=self.raw)

    # -- references -------------------------------------------------------------------------------
    def deref(self, node: Any, depth: int = 0) -> Any:
        """Follow a local reference to a non-schema object (parameter, response, request body...)."""
        while isinstance(node, dict) and isinstance(node.get("$ref"), str) and depth < 32:
            node = self.pointer(node["$ref"])
            depth += 1
        return node

    def pointer(self, ref: str) -> Any:
        if not ref.startswith("#"):
            raise UsageError(f"$ref {ref!r} was not bundled", "load the document with load_spec() first")
        node: Any = self.doc
        for token in [t for t in ref[1:].split("/") if t]:
            token = token.replace("~1", "/").replace("~0", "~")
            if isinstance(node, list):
                node = node[int(token)]
            elif isinstance(node, dict) and token in node:
                node = node[token]
            else:
                raise UsageError(f"unresolvable $ref {ref!r}", "check the JSON pointer")
        return node

    # -- schemas ----------------------------------------------------------------------------------
    def schema(self, node: Any, where: list[Any], depth: int = 0) -> ir.Schema:
        if node is True or node == {}:
            return ir.Schema(type=ir.SchemaType.ANY, additional_properties=True)
        if node is False:
            raise self.unsupported("a 'false' schema", where, "remove the member or mark it readOnly")
        if not isinstance(node, dict):
            raise UsageError(f"not a schema at {pointer_of(where)}", "a schema is an object")
        ref = node.get("$ref")
        if isinstance(ref, str):
            match = re.fullmatch(r"#/components/schemas/([^/]+)", ref)
            if match:
                name = match.group(1).replace("~1", "/").replace("~0", "~")
                return ir.Schema(type=ir.SchemaType.REF, ref=name, description=node.get("description"))
            if depth > 16:
                raise self.unsupported("a recursive $ref outside components/schemas", where, "move it there")
            return self.schema(self.pointer(ref), where, depth + 1)
        for key, hint in _UNSUPPORTED.items():
            if key in node:
                raise self.unsupported(f"'{key}'", [*where, key], hint)
        kw: dict[str, Any] = {}
        types = node.get("type")
        nullable = bool(node.get("nullable"))
        if isinstance(types, list):
            nullable = nullable or "null" in types
            types = [t for t in types if t != "null"]
            if len(types) > 1:
                branches = tuple(self.schema({**node, "type": t}, where, depth) for t in types)
                return ir.Schema(type=ir.SchemaType.ANY, any_of=branches, nullable=nullable)
            types = types[0] if types else ("null" if nullable else None)
        enum = node.get("enum")
        if "const" in node:
            enum = [node["const"]]
        if enum is not None:
            if any(isinstance(v, dict | list) for v in enum):
                raise self.unsupported(
                    "an enum of objects or arrays", [*where, "enum"], "use scalar enum values"
                )
            # an enum decides on null itself: 3.1 lists it; 3.0 needs nullable: true *and* null in the enum
            nullable = (nullable if not self.v31 else True) and None in enum
            kw["enum"] = tuple(v for v in enum if v is not None)
            if types is None:
                kinds = {type(v) for v in kw["enum"]}
                types = "string" if kinds <= {str} else "number" if kinds <= {int, float} else None
        if types is None:
            if "properties" in node or "additionalProperties" in node or "required" in node:
                types = "object"
            elif "items" in node:
                types = "array"
        kind = ir.SchemaType(types) if types in {t.value for t in ir.SchemaType} else ir.SchemaType.ANY
        for src, dst in (("minLength", "min_length"), ("maxLength", "max_length"), ("pattern", "pattern"),
                         ("minItems", "min_items"), ("maxItems", "max_items"), ("multipleOf", "multiple_of"),
                         ("minProperties", "min_properties"), ("maxProperties", "max_properties"),
                         ("format", "format"), ("title", "title"), ("description", "description")):  # fmt: skip
            if node.get(src) is not None:
                kw[dst] = node[src]
        for bound, flag in (("minimum", "exclusive_minimum"), ("maximum", "exclusive_maximum")):
            value, exclusive = node.get(bound), node.get(flag.replace("_m", "M"))
            if isinstance(exclusive, bool | type(None)):
                if value is not None:
                    kw[bound] = value
                kw[flag] = bool(exclusive)
            else:  # 3.1: the bound itself
                kw[bound], kw[flag] = exclusive, True
        kw["unique_items"] = bool(node.get("uniqueItems"))
        kw["read_only"] = bool(node.get("readOnly"))
        kw["write_only"] = bool(node.get("writeOnly"))
        if "default" in node and not (node["default"] is None and not nullable):
            kw["default"] = node["default"]
        if "example" in node:
            kw["example"] = node["example"]
        elif isinstance(node.get("examples"), list) and node["examples"]:
            kw["example"] = node["examples"][0]
        if kind is ir.SchemaType.ARRAY:
            kw["items"] = self.schema(node.get("items", {}), [*where, "items"], depth)
        props = {
            str(k): self.schema(v, [*where, "properties", k], depth)
            for k, v in (node.get("properties") or {}).items()
        }
        required = tuple(str(r) for r in node.get("required") or ())
        for name in required:
            if name not in props:  # defined in an allOf branch, or nowhere: a placeholder, same access mode
                read_only, write_only = self.member_modes(node, name)
                props[name] = ir.Schema(
                    type=ir.SchemaType.ANY,
                    additional_properties=True,
                    read_only=read_only,
                    write_only=write_only,
                )
        extra = node.get("additionalProperties", True)
        if isinstance(extra, dict) and extra:
            kw["additional_schema"] = self.schema(extra, [*where, "additionalProperties"], depth)
        kw["additional_properties"] = extra is not False
        for key, dst in (("allOf", "all_of"), ("oneOf", "one_of"), ("anyOf", "any_of")):
            if node.get(key):
                kw[dst] = tuple(self.schema(b, [*where, key, i], depth) for i, b in enumerate(node[key]))
        disc = node.get("discriminator")
        if isinstance(disc, dict) and disc.get("propertyName"):
            kw["discriminator"] = self.discriminator(node, disc, where)
        try:
            return ir.Schema(type=kind, nullable=nullable, properties=props, required=required, **kw)
        except ValidationError as exc:
            raise UsageError(
                f"schema at {pointer_of(where)}: {_first(exc)}", "fix the schema there"
            ) from None

    def member_modes(self, node: dict[str, Any], name: str, depth: int = 0) -> tuple[bool, bool]:
        """(readOnly, writeOnly) of member ``name`` as an allOf branch of ``node`` defines it."""
        for branch in node.get("allOf") or ():
            branch = self.deref(branch)
            if not isinstance(branch, dict) or depth > 16:
                continue
            member = self.deref((branch.get("properties") or {}).get(name))
            if isinstance(member, dict):
                return bool(member.get("readOnly")), bool(member.get("writeOnly"))
            found = self.member_modes(branch, name, depth + 1)
            if found != (False, False):
                return found
        return False, False

    def discriminator(self, node: dict[str, Any], disc: dict[str, Any], where: list[Any]) -> ir.Discriminator:
        """The discriminator with every value a branch can carry: the ``mapping`` (its targets resolved to
        component names, also when written as the external files they were bundled from), each unmapped
        branch's own name, then the values each branch's discriminating member allows (``enum``/``const``).

        It is ``decisive`` only when every branch requires the member and pins it to values that all map to
        that branch: then the tagged branch alone decides, as oneOf/anyOf would. Otherwise (branches sharing a
        wide enum, an unpinned member) validation keeps to oneOf/anyOf, which a discriminator must not change.
        """
        prop = str(disc["propertyName"])
        components = (self.doc.get("components") or {}).get("schemas") or {}
        raw = node.get("oneOf") or node.get("anyOf") or []
        branches = [_component(b["$ref"]) if isinstance(b, dict) and isinstance(b.get("$ref"), str) else None
                    for b in raw]  # fmt: skip
        mapping: dict[str, str] = {}
        for value, target in (disc.get("mapping") or {}).items():
            name = _mapping_target(str(target), components)
            if name is None:
                self.warnings.append(
                    f"{pointer_of([*where, 'discriminator', 'mapping', value])}: {target!r} names no schema; "
                    f"'{value}' is left to the branches' own values"
                )
                continue
            mapping[str(value)] = name
        for name in branches:
            if name is not None and name not in mapping.values():
                mapping.setdefault(name, name)
        pins = {name: self.pinned(components.get(name), prop) for name in branches if name is not None}
        for name, (values, _) in pins.items():
            for value in sorted(values or ()):
                mapping.setdefault(value, name)
        decisive = None not in branches and all(
            required and values and all(mapping.get(v) == name for v in values)
            for name, (values, required) in pins.items()
        )
        return ir.Discriminator(property_name=prop, mapping=mapping, decisive=decisive)

    def pinned(self, node: Any, prop: str, depth: int = 0) -> tuple[set[str] | None, bool]:
        """The string values ``node`` allows for member ``prop`` (its enum or const, through allOf; None when
        unconstrained) and whether it requires the member."""
        node = self.deref(node)
        if not isinstance(node, dict) or depth > 16:
            return None, False
        values: set[str] | None = None
        required = prop in (node.get("required") or ())
        member = self.deref((node.get("properties") or {}).get(prop))
        if isinstance(member, dict):
            literal = member.get("enum") or ([member["const"]] if "const" in member else None)
            if literal:
                values = {v for v in literal if isinstance(v, str)}
        for branch in node.get("allOf") or ():
            more, needed = self.pinned(branch, prop, depth + 1)
            required = required or needed
            if more is not None:
                values = more if values is None else values & more
        return values, required

    def unsupported(self, what: str, where: list[Any], hint: str) -> UsageError:
        return UsageError(f"unsupported construct {what} at {pointer_of(where)}", hint)

    # -- operations -------------------------------------------------------------------------------
    def operation(
        self, path: str, method: str, node: dict[str, Any], shared: list[Any], where: list[Any], ids: set[str]
    ) -> ir.Operation:
        op_id = str(node.get("operationId") or f"{method}_{path}")
        if op_id in ids:
            raise UsageError(
                f"operationId {op_id!r} is used twice (at {pointer_of(where)})", "make it unique"
            )
        ids.add(op_id)
        self.raw[op_id] = node
        params: dict[tuple[str, str], ir.Parameter] = {}
        for source, prefix in (
            (shared, [*where[:2], "parameters"]),
            (node.get("parameters") or [], [*where, "parameters"]),
        ):
            for i, raw in enumerate(source):
                param = self.parameter(self.deref(raw), [*prefix, i])
                if param is not None:
                    key = (
                        param.location.value,
                        param.name.lower() if param.location == "header" else param.name,
                    )
                    params[key] = param
        contents: list[ir.Content] = []
        body = self.deref(node.get("requestBody")) or {}
        for ctype, media in (body.get("content") or {}).items():
            media = media or {}
            schema = (
                self.schema(media["schema"], [*where, "requestBody", "content", ctype, "schema"])
                if "schema" in media
                else None
            )
            contents.append(ir.Content(content_type=ctype, schema=schema))
        responses: list[ir.Response] = []
        for status, raw in (node.get("responses") or {}).items():
            resp = self.deref(raw) or {}
            desc = str(resp.get("description") or "")
            content = resp.get("content") or {}
            if not content:
                responses.append(ir.Response(status=str(status), description=desc, content_type=""))
            for ctype, media in content.items():
                media = media or {}
                here = [*where, "responses", status, "content", ctype, "schema"]
                schema = self.schema(media["schema"], here) if "schema" in media else None
                responses.append(
                    ir.Response(status=str(status), description=desc, schema=schema, content_type=ctype)
                )
        security_raw = node.get("security", self.doc.get("security"))
        requirements: tuple[dict[str, tuple[str, ...]], ...] | None = None
        names: tuple[str, ...] | None = None
        if security_raw:
            requirements = tuple({k: tuple(v or ()) for k, v in (req or {}).items()} for req in security_raw)
            for req in requirements:
                for name in req:
                    if name not in self.schemes:
                        raise UsageError(
                            f"security scheme {name!r} is not defined (at {pointer_of([*where, 'security'])})",
                            "add it under components/securitySchemes",
                        )
            if all(requirements):
                names = tuple(dict.fromkeys(n for req in requirements for n in req))
        try:
            return ir.Operation(
                operation_id=op_id,
                method=ir.HttpMethod(method.upper()),
                path=path,
                summary=str(node.get("summary") or ""),
                description=node.get("description"),
                tags=tuple(str(t) for t in node.get("tags") or ()),
                parameters=tuple(params.values()),
                request_body=contents[0].schema_ if contents else None,
                request_content_type=contents[0].content_type if contents else "application/json",
                request_contents=tuple(contents),
                request_body_required=bool(body.get("required")),
                responses=tuple(responses),
                security=names,
                security_requirements=requirements,
            )
        except ValidationError as exc:
            raise UsageError(
                f"operation at {pointer_of(where)}: {_first(exc)}", "fix the operation there"
            ) from None

    def parameter(self, node: dict[str, Any], where: list[Any]) -> ir.Parameter | None:
        location = str(node.get("in"))
        name = str(node.get("name"))
        if location == "header" and name.lower() == "accept":
            return self.accept(node, name)
        if location == "header" and name.lower() in _IGNORED_HEADERS:
            return None
        style, schema_node = node.get("style"), node.get("schema")
        if schema_node is None and isinstance(node.get("content"), dict) and node["content"]:
            ctype, media = next(iter(node["content"].items()))
            if "json" not in ctype:
                raise self.unsupported(
                    f"a {ctype} parameter", [*where, "content"], "use a schema with a style"
                )
            style, schema_node = "json", (media or {}).get("schema", {})
        schema = self.schema(schema_node or {}, [*where, "schema"])
        return ir.Parameter(
            name=name,
            location=ir.ParameterLocation(location),
            schema=schema,
            required=bool(node.get("required")),
            description=node.get("description"),
            style=style,
            explode=node.get("explode"),
            allow_empty=location == "query" and bool(node.get("allowEmptyValue")),
        )

    def accept(self, node: dict[str, Any], name: str) -> ir.Parameter | None:
        """An ``Accept`` header declared with an enum of media types: the operation can answer only in those,
        so a request whose Accept admits none of them (wildcards, lists and parameters honoured) is refused.
        Any other Accept declaration is ignored, as OpenAPI says of Accept headers."""
        schema = self.deref(node.get("schema")) or {}
        types = schema.get("enum") if isinstance(schema, dict) else None
        if not types or not all(
            isinstance(t, str) and re.fullmatch(r"[^/\s,;]+/[^/\s,;]+", t) for t in types
        ):
            return None
        ranges = {"*/*"} | {t.split("/")[0] + "/*" for t in types} | set(types)
        choice = "|".join(_caseless(r) for r in sorted(ranges))
        return ir.Parameter(
            name=name,
            location=ir.ParameterLocation.HEADER,
            schema=ir.Schema(
                type=ir.SchemaType.STRING,
                pattern=rf"(^|,)[ \t]*({choice})[ \t]*(;[^,]*)?(,|$)",
                description=f"must admit one of: {', '.join(types)}",
            ),
            required=bool(node.get("required")),
            description=node.get("description"),
        )

    def scheme(self, name: str, node: dict[str, Any], where: list[Any]) -> ir.SecurityScheme:
        kind = node.get("type")
        if kind == "http" and str(node.get("scheme", "")).lower() == "bearer":
            return ir.SecurityScheme(
                name=name, kind=ir.SecuritySchemeKind.HTTP_BEARER, bearer_format=node.get("bearerFormat")
            )
        if kind == "http" and str(node.get("scheme", "")).lower() == "basic":
            return ir.SecurityScheme(name=name, kind=ir.SecuritySchemeKind.HTTP_BASIC)
        if kind == "apiKey":
            return ir.SecurityScheme(
                name=name, kind=ir.SecuritySchemeKind.API_KEY,
                location=ir.ParameterLocation(node.get("in", "header")), param_name=node.get("name"),
            )  # fmt: skip
        if kind == "oauth2":
            return ir.SecurityScheme(name=name, kind=ir.SecuritySchemeKind.OAUTH2)
        if kind == "openIdConnect":
            return ir.SecurityScheme(name=name, kind=ir.SecuritySchemeKind.OPENID_CONNECT)
        raise self.unsupported(
            f"security scheme type {kind!r}" + (f" ({node.get('scheme')})" if kind == "http" else ""),
            where,
            "use http bearer/basic, apiKey, oauth2 or openIdConnect",
        )


def _caseless(text: str) -> str:
    """``text`` as a regular expression matching it in any letter case (JavaScript and Python alike)."""
    out = []
    for ch in text:
        if ch.isalpha() and ch.isascii():
            out.append(f"[{ch.lower()}{ch.upper()}]")
        else:
            out.append("\\" + ch if ch in "\\^$.|?*+()[]{}/" else ch)
    return "".join(out)


def _component(ref: str) -> str | None:
    match = re.fullmatch(r"#/components/schemas/([^/]+)", ref)
    return match.group(1).replace("~1", "/").replace("~0", "~") if match else None


def _mapping_target(target: str, components: dict[str, Any]) -> str | None:
    """The component a discriminator mapping value names: ``#/components/schemas/X``, a bare ``X``, or the
    external reference it was written as before bundling (``models/x.yml#/X``, ``X.yml``), which the
    loader hoists under its last pointer token or its file stem."""
    name = _component(target)
    if name is not None:
        return name if name in components else None
    if target in components:
        return target
    document, _, fragment = target.partition("#")
    tail = fragment.rstrip("/").rsplit("/", 1)[-1] if fragment.strip("/") else ""
    name = tail or PurePosixPath(unquote(document)).stem
    return name if name in components else None


def _first(exc: ValidationError) -> str:
    err = exc.errors()[0]
    loc = ".".join(str(p) for p in err.get("loc", ()))
    return f"{loc}: {err['msg']}" if loc else str(err["msg"])
