"""IR schemas -> TypeScript types, zod validators and coercion shapes.

Every named schema gets a response view (``Pet``) and, when it or anything it reaches has ``readOnly`` or
``writeOnly`` members, a request view (``PetInput``): readOnly members are optional in requests, writeOnly
members are absent from responses (and refused there by the validator). Composition keeps JSON Schema's
meaning: ``oneOf`` is exactly one branch (or the discriminator's branch), ``anyOf`` at least one, ``allOf``
every branch; ``nullable`` is ``| null`` and optional is ``?``, never confused.
"""

from __future__ import annotations

import json
from typing import Any

from stanchion.scaffold import ir
from stanchion.scaffold.routes.formats import FORMAT_PATTERNS
from stanchion.scaffold.routes.jsonschema import Mode
from stanchion.scaffold.routes.naming import Namer


def _refs(s: ir.Schema) -> set[str]:
    found: set[str] = set()
    stack = [s]
    while stack:
        cur = stack.pop()
        if cur.ref:
            found.add(cur.ref)
        stack.extend(cur.properties.values())
        stack.extend(cur.all_of + cur.one_of + cur.any_of)
        stack.extend(x for x in (cur.items, cur.additional_schema) if x is not None)
    return found


def _own_modes(s: ir.Schema) -> bool:
    stack = [s]
    while stack:
        cur = stack.pop()
        if cur.read_only or cur.write_only:
            return True
        if cur.type is ir.SchemaType.STRING and cur.format == "binary":
            return True  # a request takes bytes (an uploaded file), a response a string
        stack.extend(cur.properties.values())
        stack.extend(cur.all_of + cur.one_of + cur.any_of)
        stack.extend(x for x in (cur.items, cur.additional_schema) if x is not None)
    return False


def mode_sensitive(schemas: dict[str, ir.Schema]) -> set[str]:
    """Named schemas whose request and response views differ (directly or through references)."""
    refs = {name: _refs(s) for name, s in schemas.items()}
    sensitive = {name for name, s in schemas.items() if _own_modes(s)}
    changed = True
    while changed:
        changed = False
        for name, targets in refs.items():
            if name not in sensitive and targets & sensitive:
                sensitive.add(name)
                changed = True
    return sensitive


def coercion_shape(
    s: ir.Schema, schemas: dict[str, ir.Schema], formats: tuple[str, ...], depth: int = 0
) -> dict[str, Any]:
    """The shape the generated runtimes coerce raw strings (path, query, header, form fields) by: the kind
    of value, array items and object members, and the ``formats`` a runtime needs to see. One definition
    for both outputs, rendered as a JSON literal (valid TypeScript and Python alike)."""
    if s.type is ir.SchemaType.REF and s.ref in schemas and depth < 4:
        return coercion_shape(schemas[s.ref], schemas, formats, depth + 1)
    if s.type is ir.SchemaType.ANY:
        for branch in (*s.all_of, *s.one_of, *s.any_of):
            return coercion_shape(branch, schemas, formats, depth + 1)
    if s.type is ir.SchemaType.ARRAY and s.items is not None:
        return {"t": "array", "items": coercion_shape(s.items, schemas, formats, depth + 1)}
    if s.type is ir.SchemaType.OBJECT:
        props = {k: coercion_shape(p, schemas, formats, depth + 1) for k, p in s.properties.items()}
        return {"t": "object", "props": props}
    kind = s.type.value if s.type.value in ("string", "integer", "number", "boolean", "null") else "any"
    wanted = s.format in formats and (kind, s.format) in (
        ("integer", "int32"),
        ("integer", "int64"),
        ("string", "binary"),
    )
    return {"t": kind, "f": s.format} if wanted else {"t": kind}


def lit(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False)


class TsSchemas:
    def __init__(self, schemas: dict[str, ir.Schema]) -> None:
        self.schemas = schemas
        self.sensitive = mode_sensitive(schemas)
        namer = Namer("pascal")
        self.type_names = {name: namer(name) for name in schemas}
        self.input_names = {
            name: namer(f"{name}Input", key=f"{name}\0req") for name in schemas if name in self.sensitive
        }

    # -- names ----------------------------------------------------------------------------------------
    def type_name(self, name: str, mode: Mode) -> str:
        if mode == "req" and name in self.input_names:
            return self.input_names[name]
        return self.type_names[name]

    def views(self) -> list[tuple[str, str, Mode]]:
        """(schema name, TS name, mode) for every type/validator to emit."""
        out: list[tuple[str, str, Mode]] = [(n, self.type_names[n], "res") for n in self.schemas]
        out += [(n, self.input_names[n], "req") for n in self.schemas if n in self.input_names]
        return out

    # -- TypeScript types -----------------------------------------------------------------------------
    def ts(self, s: ir.Schema, mode: Mode) -> str:
        core = self._ts_core(s, mode)
        if s.nullable and s.type is not ir.SchemaType.NULL:
            return f"({core}) | null"
        return core

    def _ts_core(self, s: ir.Schema, mode: Mode) -> str:
        parts: list[str] = []
        base = self._ts_base(s, mode)
        if base is not None:
            parts.append(base)
        if s.all_of:
            parts.extend(f"({self.ts(b, mode)})" for b in s.all_of)
        if s.one_of or s.any_of:
            parts.append("(" + " | ".join(f"({self.ts(b, mode)})" for b in s.one_of or s.any_of) + ")")
        if not parts:
            return "unknown"
        return " & ".join(parts)

    def _ts_base(self, s: ir.Schema, mode: Mode) -> str | None:
        t = s.type
        if t is ir.SchemaType.REF:
            assert s.ref is not None
            return self.type_name(s.ref, mode)
        if s.enum:
            return " | ".join(lit(v) for v in s.enum)
        if t is ir.SchemaType.STRING:
            return "string | Uint8Array" if s.format == "binary" and mode == "req" else "string"
        if t in (ir.SchemaType.INTEGER, ir.SchemaType.NUMBER):
            return "number"
        if t is ir.SchemaType.BOOLEAN:
            return "boolean"
        if t is ir.SchemaType.NULL:
            return "null"
        if t is ir.SchemaType.ARRAY:
            assert s.items is not None
            return f"Array<{self.ts(s.items, mode)}>"
        if t is ir.SchemaType.OBJECT:
            members = []
            for name, prop in s.properties.items():
                if mode == "res" and prop.write_only:
                    continue
                optional = name not in s.required or (mode == "req" and prop.read_only)
                members.append(f"{lit(name)}{'?' if optional else ''}: {self.ts(prop, mode)};")
            if s.additional_schema is not None:
                value = self.ts(s.additional_schema, mode) if not members else "unknown"
                members.append(f"[key: string]: {value};")
            elif s.additional_properties:
                members.append("[key: string]: unknown;")
            return "{ " + " ".join(members) + " }"
        return None

    # -- zod validators -------------------------------------------------------------------------------
    def zod(self, s: ir.Schema, mode: Mode) -> str:
        core = self._zod_core(s, mode)
        if s.nullable and s.type is not ir.SchemaType.NULL:
            return f"{core}.nullable()"
        return core

    def _zod_core(self, s: ir.Schema, mode: Mode) -> str:
        checks: list[str] = []
        base = self._zod_base(s, mode)
        if s.all_of:
            checks.append(f"v.allOf([{', '.join(self.zod(b, mode) for b in s.all_of)}])")
        branches = s.one_of or s.any_of
        if branches and s.discriminator is not None and s.discriminator.decisive:
            checks.append(self._discriminated(s, mode))
        elif branches:
            kind = "oneOf" if s.one_of else "anyOf"
            checks.append(f"v.{kind}([{', '.join(self.zod(b, mode) for b in branches)}])")
        if base is None and not checks:
            return "z.unknown()"
        if base is None:
            expr = checks[0]
            rest = checks[1:]
        else:
            expr, rest = base, checks
        for check in rest:
            expr = f"{expr}.and({check})"
        return expr

    def _discriminated(self, s: ir.Schema, mode: Mode) -> str:
        assert s.discriminator is not None
        mapping: dict[str, str] = {}
        branches = s.one_of or s.any_of
        names = {b.ref for b in branches if b.ref}
        for value, target in s.discriminator.mapping.items():
            mapping[value] = target
        for name in names:
            if name is not None and name not in mapping.values():
                mapping[name] = name
        entries = ", ".join(
            f"{lit(value)}: {self.zod(ir.Schema(type=ir.SchemaType.REF, ref=target), mode)}"
            for value, target in mapping.items()
            if target in self.schemas
        )
        return f"v.discriminated({lit(s.discriminator.property_name)}, {{ {entries} }})"

    def _zod_base(self, s: ir.Schema, mode: Mode) -> str | None:
        t = s.type
        if t is ir.SchemaType.REF:
            assert s.ref is not None
            return f"z.lazy(() => {self.type_name(s.ref, mode)}Schema)"
        if s.enum:
            return f"v.literal([{', '.join(lit(v) for v in s.enum)}])"
        if t is ir.SchemaType.STRING:
            if s.format == "binary" and mode == "req":
                return "v.binary"
            expr = "z.string()"
            if s.min_length is not None or s.max_length is not None:
                expr += (
                    f".refine(v.len({_n(s.min_length)}, {_n(s.max_length)}), {lit('length out of range')})"
                )
            if s.pattern:
                expr += f".refine(v.pattern({lit(s.pattern)}), {lit('does not match ' + s.pattern)})"
            if s.format in FORMAT_PATTERNS:
                check = f"v.pattern({lit(FORMAT_PATTERNS[s.format])})"
                expr += f".refine({check}, {lit('not a valid ' + s.format)})"
            elif s.format:
                expr += f".refine(v.format({lit(s.format)}), {lit('not a valid ' + s.format)})"
            return expr
        if t in (ir.SchemaType.INTEGER, ir.SchemaType.NUMBER):
            expr = "z.number()" + (".int()" if t is ir.SchemaType.INTEGER else "")
            lo, hi = s.minimum, s.maximum
            if t is ir.SchemaType.INTEGER and s.format in ("int32", "int64"):
                bits = 31 if s.format == "int32" else 63
                lo = max(lo, -(2**bits)) if lo is not None else -(2**bits)
                hi = min(hi, 2**bits - 1) if hi is not None else 2**bits - 1
            if lo is not None:
                expr += f".{'gt' if s.exclusive_minimum else 'gte'}({_num(lo)})"
            if hi is not None:
                expr += f".{'lt' if s.exclusive_maximum else 'lte'}({_num(hi)})"
            if s.multiple_of:
                expr += f".refine(v.multipleOf({_num(s.multiple_of)}), {lit('not a multiple of ' + str(s.multiple_of))})"
            return expr
        if t is ir.SchemaType.BOOLEAN:
            return "z.boolean()"
        if t is ir.SchemaType.NULL:
            return "z.null()"
        if t is ir.SchemaType.ARRAY:
            assert s.items is not None
            expr = f"z.array({self.zod(s.items, mode)})"
            if s.min_items is not None:
                expr += f".min({s.min_items})"
            if s.max_items is not None:
                expr += f".max({s.max_items})"
            if s.unique_items:
                expr += f".refine(v.unique, {lit('items are not unique')})"
            return expr
        if t is ir.SchemaType.OBJECT:
            members = []
            for name, prop in s.properties.items():
                if mode == "res" and prop.write_only:
                    members.append(
                        f"{lit(name)}: z.undefined({{ message: 'writeOnly: never in a response' }})"
                    )
                    continue
                optional = name not in s.required or (mode == "req" and prop.read_only)
                member = self.zod(prop, mode) + (".optional()" if optional else "")
                if not optional and self._admits_undefined(prop):  # z.unknown() alone lets it go missing
                    member += '.refine((x) => x !== undefined, { message: "Required" })'
                members.append(f"{lit(name)}: {member}")
            expr = "z.object({ " + ", ".join(members) + " })"
            if s.additional_schema is not None:
                expr += f".catchall({self.zod(s.additional_schema, mode)})"
            elif s.additional_properties:
                expr += ".passthrough()"
            else:
                expr += ".strict()"
            if s.min_properties is not None or s.max_properties is not None:
                expr += f".refine(v.propertyCount({_n(s.min_properties)}, {_n(s.max_properties)}), {lit('wrong number of members')})"
            return expr
        return None

    def _admits_undefined(self, s: ir.Schema) -> bool:
        """Whether the validator of ``s`` may pass a missing value: an untyped schema (``{}``, a member only
        listed in ``required``, bare composition), directly or through references."""
        seen: set[str] = set()
        while s.type is ir.SchemaType.REF and s.ref in self.schemas and s.ref not in seen:
            seen.add(s.ref)
            s = self.schemas[s.ref]
        return s.type is ir.SchemaType.ANY and not s.enum

    # -- coercion shapes (how a string from a URL or a form becomes a typed value) ---------------------
    def shape(self, s: ir.Schema) -> str:
        return json.dumps(coercion_shape(s, self.schemas, ("int32", "int64", "binary")), ensure_ascii=False)


def _n(value: int | None) -> str:
    return "null" if value is None else str(value)


def _num(value: float) -> str:
    return str(int(value)) if float(value).is_integer() and abs(value) < 2**53 else repr(float(value))
