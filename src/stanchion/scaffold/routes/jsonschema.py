"""IR schemas back to JSON Schema (draft 2020-12), in a request or a response view.

The request view drops ``readOnly`` members from ``required`` (clients need not send them); the response view
forbids ``writeOnly`` members (a response must never carry one). Used to check generated examples and error
bodies with a real validator before they are written into code.
"""

from __future__ import annotations

from typing import Any, Literal

from stanchion.scaffold import ir

Mode = Literal["req", "res"]


def to_json_schema(schema: ir.Schema, mode: Mode) -> dict[str, Any]:
    s = schema
    out: dict[str, Any] = {}
    if s.type is ir.SchemaType.REF:
        out["$ref"] = f"#/$defs/{s.ref}"
    elif s.type is ir.SchemaType.ANY:
        pass
    else:
        out["type"] = (
            [s.type.value, "null"] if s.nullable and s.type is not ir.SchemaType.NULL else s.type.value
        )
    if s.enum is not None:
        out["enum"] = [*s.enum, None] if s.nullable else list(s.enum)
    for attr, key in (("min_length", "minLength"), ("max_length", "maxLength"), ("pattern", "pattern"),
                      ("min_items", "minItems"), ("max_items", "maxItems"), ("multiple_of", "multipleOf"),
                      ("min_properties", "minProperties"), ("max_properties", "maxProperties"),
                      ("format", "format")):  # fmt: skip
        value = getattr(s, attr)
        if value is not None:
            out[key] = value
    if s.minimum is not None:
        out["exclusiveMinimum" if s.exclusive_minimum else "minimum"] = s.minimum
    if s.maximum is not None:
        out["exclusiveMaximum" if s.exclusive_maximum else "maximum"] = s.maximum
    if s.unique_items:
        out["uniqueItems"] = True
    if s.items is not None:
        out["items"] = to_json_schema(s.items, mode)
    if s.type is ir.SchemaType.OBJECT or s.properties:
        props: dict[str, Any] = {}
        required = []
        for name, prop in s.properties.items():
            if mode == "res" and prop.write_only:
                props[name] = False
                continue
            props[name] = to_json_schema(prop, mode)
            if name in s.required and not (mode == "req" and prop.read_only):
                required.append(name)
        if props:
            out["properties"] = props
        if required:
            out["required"] = required
        if s.additional_schema is not None:
            out["additionalProperties"] = to_json_schema(s.additional_schema, mode)
        elif not s.additional_properties:
            out["additionalProperties"] = False
    for attr, key in (("all_of", "allOf"), ("one_of", "oneOf"), ("any_of", "anyOf")):
        branches = getattr(s, attr)
        if branches:
            out[key] = [to_json_schema(b, mode) for b in branches]
    if s.nullable and s.type in (ir.SchemaType.ANY, ir.SchemaType.REF):
        return {"anyOf": [{"type": "null"}, out]}
    return out


def document_schema(schema: ir.Schema, schemas: dict[str, ir.Schema], mode: Mode) -> dict[str, Any]:
    """A self-contained JSON Schema: ``schema`` plus every named schema under ``$defs``."""
    root = to_json_schema(schema, mode)
    root["$defs"] = {name: to_json_schema(s, mode) for name, s in schemas.items()}
    root["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    return root


class Checker:
    """Validates values against IR schemas with jsonschema (formats checked), caching the validators."""

    def __init__(self, schemas: dict[str, ir.Schema]) -> None:
        from jsonschema import Draft202012Validator

        self._cls = Draft202012Validator
        self._defs = {
            mode: {n: to_json_schema(s, mode) for n, s in schemas.items()} for mode in ("req", "res")
        }
        self._format = Draft202012Validator.FORMAT_CHECKER

    def errors(self, schema: ir.Schema, value: Any, mode: Mode) -> list[str]:
        root = to_json_schema(schema, mode)
        root["$defs"] = self._defs[mode]
        validator = self._cls(root, format_checker=self._format)
        return [
            f"{'/'.join(map(str, e.absolute_path)) or '(root)'}: {e.message}"
            for e in validator.iter_errors(value)
        ][:3]

    def valid(self, schema: ir.Schema, value: Any, mode: Mode) -> bool:
        return not self.errors(schema, value, mode)
