"""IR schemas -> Python types that pydantic v2 validates (TypedDicts, Annotated constraints, Literal enums).

Objects become ``TypedDict``s: ``NotRequired[...]`` for optional members, ``X | None`` for nullable ones, so the
two are never confused; ``extra`` follows ``additionalProperties``. Composition keeps JSON Schema's meaning
through validators (``oneOf`` exactly one branch, the discriminator's branch, ``anyOf`` at least one, ``allOf``
every branch) on top of a union or merged type that mypy understands. Named schemas referenced from object
members are quoted forward references; aliases are emitted after every TypedDict, in dependency order.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field

from stanchion.scaffold import ir
from stanchion.scaffold.routes.formats import FORMAT_PATTERNS
from stanchion.scaffold.routes.jsonschema import Mode
from stanchion.scaffold.routes.naming import Namer
from stanchion.scaffold.routes.ts_schema import coercion_shape, mode_sensitive

_RESERVED = {
    "Annotated", "Any", "Literal", "Optional", "Union", "TypeAlias", "TypedDict", "NotRequired", "Field",
    "ConfigDict", "AfterValidator", "BeforeValidator", "PlainValidator", "StringConstraints", "rt", "list", "dict", "str", "int",
    "float", "bool", "bytes", "None", "models", "adapter",
}  # fmt: skip


@dataclass
class _Def:
    name: str
    text: str
    deps: set[str] = field(default_factory=set)


class PySchemas:
    def __init__(self, schemas: dict[str, ir.Schema]) -> None:
        self.schemas = schemas
        self.sensitive = mode_sensitive(schemas)
        self.namer = Namer("pascal", reserved=set(_RESERVED))
        self.names = {n: self.namer(n) for n in schemas}
        self.input_names = {
            n: self.namer(f"{n}Input", key=f"{n}\0req") for n in schemas if n in self.sensitive
        }
        self.typed_dicts: list[_Def] = []
        self.aliases: list[_Def] = []
        self.typed_dict_names: set[str] = set()
        self._anon = 0

    def type_name(self, name: str, mode: Mode) -> str:
        if mode == "req" and name in self.input_names:
            return self.input_names[name]
        return self.names[name]

    # -- module -----------------------------------------------------------------------------------------
    def prepare(self) -> None:
        """Define every named schema (each view); inline types are hoisted as expressions need them."""
        for name, schema in self.schemas.items():
            modes: tuple[Mode, ...] = ("res", "req") if name in self.sensitive else ("res",)
            for mode in modes:
                self._named(self.type_name(name, mode), schema, mode)

    def all_names(self) -> set[str]:
        return {d.name for d in self.typed_dicts} | {d.name for d in self.aliases}

    def module(self) -> str:
        """The models module body: every TypedDict, then aliases in dependency order, then ``__all__``."""
        alias_names = {d.name for d in self.aliases}
        ordered: list[_Def] = []
        done: set[str] = set()
        visiting: set[str] = set()
        by_name = {d.name: d for d in self.aliases}

        def visit(d: _Def) -> None:
            if d.name in done or d.name in visiting:
                return
            visiting.add(d.name)
            for dep in sorted(d.deps & alias_names):
                visit(by_name[dep])
            visiting.discard(d.name)
            done.add(d.name)
            ordered.append(d)

        for d in self.aliases:
            visit(d)
        every = sorted({d.name for d in self.typed_dicts} | alias_names)
        lines = [d.text for d in self.typed_dicts] + [d.text for d in ordered]
        lines.append(f"__all__ = {json.dumps(every)}")
        return "\n".join(lines) + "\n"

    def _named(self, py_name: str, s: ir.Schema, mode: Mode) -> None:
        if self._is_object(s):
            self._typed_dict(py_name, s, mode)
        else:
            deps: set[str] = set()
            expr = self.expr(s, mode, py_name, quote=False, deps=deps)
            self.aliases.append(_Def(py_name, f"{py_name}: TypeAlias = {expr}", deps))

    def _is_object(self, s: ir.Schema) -> bool:
        """Rendered as a TypedDict: an object with members (or closed), or an allOf of objects."""
        if s.one_of or s.any_of:
            return False
        if s.all_of:
            return s.type in (ir.SchemaType.OBJECT, ir.SchemaType.ANY) and self._all_objects(s.all_of)
        closed = not s.additional_properties and s.additional_schema is None
        return s.type is ir.SchemaType.OBJECT and (bool(s.properties) or closed)

    def _all_objects(self, branches: tuple[ir.Schema, ...]) -> bool:
        for b in branches:
            target = self.schemas.get(b.ref or "") if b.type is ir.SchemaType.REF else b
            if target is None or not (
                target.type is ir.SchemaType.OBJECT or (target.all_of and self._all_objects(target.all_of))
            ):
                return False
        return True

    def _merged_members(
        self, s: ir.Schema, seen: tuple[str, ...] = ()
    ) -> tuple[dict[str, ir.Schema], set[str]]:
        props: dict[str, ir.Schema] = {}
        required: set[str] = set()
        for b in s.all_of:
            target = b
            if b.type is ir.SchemaType.REF and b.ref in self.schemas and b.ref not in seen:
                target = self.schemas[b.ref]
                seen = (*seen, b.ref)
            p, r = self._merged_members(target, seen)
            _merge_members(props, p)
            required |= r
        _merge_members(props, s.properties)
        required |= set(s.required)
        return props, required

    def _typed_dict(self, py_name: str, s: ir.Schema, mode: Mode) -> None:
        props, required = self._merged_members(s) if s.all_of else (dict(s.properties), set(s.required))
        members = []
        for key, prop in props.items():
            if mode == "res" and prop.write_only:
                members.append(
                    f"{json.dumps(key)}: NotRequired[Annotated[None, PlainValidator(rt.reject_write_only)]]"
                )
                continue
            value = self.expr(prop, mode, f"{py_name}_{key}", quote=True, deps=set())
            optional = key not in required or (mode == "req" and prop.read_only)
            members.append(f"{json.dumps(key)}: {f'NotRequired[{value}]' if optional else value}")
        extra = "allow" if s.additional_properties or s.all_of else "forbid"
        body = ", ".join(members)
        text = f"{py_name} = TypedDict({json.dumps(py_name)}, {{{body}}})\n"
        text += f'{py_name}.__pydantic_config__ = ConfigDict(extra="{extra}")  # type: ignore[attr-defined]'
        self.typed_dicts.append(_Def(py_name, text))
        self.typed_dict_names.add(py_name)

    def hoist_named(self, hint: str, s: ir.Schema, mode: Mode) -> str:
        """A module-level name for ``s`` (what a handler stub annotates its example with)."""
        name = self.namer(hint)
        self._named(name, s, mode)
        return name

    def _hoist(self, hint: str, s: ir.Schema, mode: Mode) -> str:
        self._anon += 1
        name = self.namer(f"{hint}_{self._anon}")
        self._named(name, s, mode)
        return name

    # -- expressions ------------------------------------------------------------------------------------
    def expr(self, s: ir.Schema, mode: Mode, hint: str, *, quote: bool, deps: set[str]) -> str:
        core = self._core(s, mode, hint, quote, deps)
        if s.nullable and s.type is not ir.SchemaType.NULL and core not in ("Any", "None"):
            return f"Optional[{core}]"
        return core

    def _ref(self, name: str, quote: bool, deps: set[str]) -> str:
        deps.add(name)
        return json.dumps(name) if quote else name

    def _core(self, s: ir.Schema, mode: Mode, hint: str, quote: bool, deps: set[str]) -> str:
        branches = s.one_of or s.any_of
        if branches or (s.all_of and not self._is_object(s)):
            return self._composed(s, mode, hint, quote, deps)
        if s.type is ir.SchemaType.REF:
            assert s.ref is not None
            return self._ref(self.type_name(s.ref, mode), quote, deps)
        if self._is_object(s):
            name = self._hoist(hint, s, mode)
            base = self._ref(name, quote, deps)
            if s.all_of:
                thunks = ", ".join(self._thunk(b, mode, hint, deps) for b in s.all_of)
                return f"Annotated[{base}, AfterValidator(rt.all_of({thunks}))]"
            return self._count(base, s)
        return self._base(s, mode, hint, quote, deps)

    def _thunk(self, b: ir.Schema, mode: Mode, hint: str, deps: set[str]) -> str:
        if b.type is ir.SchemaType.REF and b.ref and not b.nullable:
            target = self.type_name(b.ref, mode)
        else:
            target = self._hoist(f"{hint}_branch", b, mode)
        deps.add(target)
        return f"lambda: {target}"

    def _composed(self, s: ir.Schema, mode: Mode, hint: str, quote: bool, deps: set[str]) -> str:
        branches = s.one_of or s.any_of
        validators = []
        if branches:
            members = [self.expr(b, mode, f"{hint}_option", quote=quote, deps=deps) for b in branches]
            base = f"Union[{', '.join(members)}]" if len(members) > 1 else members[0]
            if s.discriminator is not None and s.discriminator.decisive:
                mapping = dict(s.discriminator.mapping)
                for b in branches:
                    if b.ref and b.ref not in mapping.values():
                        mapping[b.ref] = b.ref
                entries = ", ".join(
                    f"{json.dumps(k)}: lambda: {self._ref(self.type_name(v, mode), False, deps)}"
                    for k, v in mapping.items()
                    if v in self.schemas
                )
                validators.append(
                    f"AfterValidator(rt.discriminated({json.dumps(s.discriminator.property_name)}, {{{entries}}}))"
                )
            else:
                thunks = ", ".join(self._thunk(b, mode, hint, deps) for b in branches)
                validators.append(f"AfterValidator(rt.{'one_of' if s.one_of else 'any_of'}({thunks}))")
        else:
            base = "Any"
        if s.all_of:
            thunks = ", ".join(self._thunk(b, mode, hint, deps) for b in s.all_of)
            validators.append(f"AfterValidator(rt.all_of({thunks}))")
        own = s.model_copy(
            update={"one_of": (), "any_of": (), "all_of": (), "discriminator": None, "nullable": False}
        )
        if own.type not in (ir.SchemaType.ANY, ir.SchemaType.REF) or own.enum:
            thunk = self._hoist(f"{hint}_base", own, mode)
            deps.add(thunk)
            validators.append(f"AfterValidator(rt.all_of(lambda: {thunk}))")
        return f"Annotated[{base}, {', '.join(validators)}]" if validators else base

    def _count(self, expr: str, s: ir.Schema) -> str:
        if s.min_properties is None and s.max_properties is None:
            return expr
        return f"Annotated[{expr}, AfterValidator(rt.check_property_count({s.min_properties}, {s.max_properties}))]"

    def _base(self, s: ir.Schema, mode: Mode, hint: str, quote: bool, deps: set[str]) -> str:
        t = s.type
        if s.enum:
            if all(
                isinstance(v, str | bool) or (isinstance(v, int) and not isinstance(v, bool)) for v in s.enum
            ):
                return f"Literal[{', '.join(repr(v) for v in s.enum)}]"
            base = "float" if t is ir.SchemaType.NUMBER else "Any"
            return f"Annotated[{base}, AfterValidator(rt.check_enum({list(s.enum)!r}))]"
        if t is ir.SchemaType.STRING:
            if s.format == "binary" and mode == "req":
                return "Annotated[bytes | str, AfterValidator(rt.check_binary)]"
            meta = []
            if s.min_length is not None or s.max_length is not None:
                meta.append(f"StringConstraints(min_length={s.min_length}, max_length={s.max_length})")
            if s.pattern:
                meta.append(f"AfterValidator(rt.check_pattern({s.pattern!r}))")
            if s.format in ("date-time", "date", "uuid", "email", "byte"):
                meta.append(f"AfterValidator(rt.check_format({s.format!r}))")
            elif s.format in FORMAT_PATTERNS:
                meta.append(f"AfterValidator(rt.check_pattern({FORMAT_PATTERNS[s.format]!r}))")
            return f"Annotated[str, {', '.join(meta)}]" if meta else "str"
        if t in (ir.SchemaType.INTEGER, ir.SchemaType.NUMBER):
            base = "int" if t is ir.SchemaType.INTEGER else "float"
            lo, hi = s.minimum, s.maximum
            if t is ir.SchemaType.INTEGER and s.format in ("int32", "int64"):
                bits = 31 if s.format == "int32" else 63
                lo = max(lo, -(2**bits)) if lo is not None else -(2**bits)
                hi = min(hi, 2**bits - 1) if hi is not None else 2**bits - 1
            args = []
            meta = []
            if t is ir.SchemaType.INTEGER:
                low, high = _int_bounds(lo, hi, s.exclusive_minimum, s.exclusive_maximum)
                if (low is not None and low < -(2**63)) or (high is not None and high >= 2**63):
                    meta.append(f"AfterValidator(rt.check_range({low}, {high}))")
                else:
                    args += [f"ge={low}"] if low is not None else []
                    args += [f"le={high}"] if high is not None else []
            else:
                if lo is not None:
                    args.append(f"{'gt' if s.exclusive_minimum else 'ge'}={_num(lo)}")
                if hi is not None:
                    args.append(f"{'lt' if s.exclusive_maximum else 'le'}={_num(hi)}")
            meta = ([f"Field({', '.join(args)})"] if args else []) + meta
            if t is ir.SchemaType.INTEGER:
                meta.insert(0, "BeforeValidator(rt.integral)")  # JSON Schema: 3.0 is an integer
            if s.multiple_of:
                meta.append(f"AfterValidator(rt.check_multiple_of({_num(s.multiple_of)}))")
            return f"Annotated[{base}, {', '.join(meta)}]" if meta else base
        if t is ir.SchemaType.BOOLEAN:
            return "bool"
        if t is ir.SchemaType.NULL:
            return "None"
        if t is ir.SchemaType.ARRAY:
            assert s.items is not None
            inner = self.expr(s.items, mode, f"{hint}_item", quote=quote, deps=deps)
            meta = []
            if s.min_items is not None or s.max_items is not None:
                meta.append(f"Field(min_length={s.min_items}, max_length={s.max_items})")
            if s.unique_items:
                meta.append("AfterValidator(rt.check_unique)")
            return f"Annotated[list[{inner}], {', '.join(meta)}]" if meta else f"list[{inner}]"
        if t is ir.SchemaType.OBJECT:  # a map: no named members
            value = (
                self.expr(s.additional_schema, mode, f"{hint}_value", quote=quote, deps=deps)
                if s.additional_schema
                else "Any"
            )
            return self._count(f"dict[str, {value}]", s)
        return "Any"

    # -- coercion shapes --------------------------------------------------------------------------------
    def shape(self, s: ir.Schema) -> str:
        return json.dumps(coercion_shape(s, self.schemas, ("binary",)))


def _merge_members(into: dict[str, ir.Schema], members: dict[str, ir.Schema]) -> None:
    """allOf members into one object: a later definition wins, but never a bare placeholder (a name only
    listed in ``required``) over a typed member."""
    for name, member in members.items():
        placeholder = member.type is ir.SchemaType.ANY and not (
            member.enum or member.all_of or member.one_of or member.any_of
        )
        if name not in into or not placeholder:
            into[name] = member


def _int_bounds(
    lo: float | None, hi: float | None, exclusive_lo: bool, exclusive_hi: bool
) -> tuple[int | None, int | None]:
    """Integer schema bounds as inclusive Python ints (specs write them as floats, or beyond 64 bits)."""
    low = None if lo is None else math.floor(lo) + 1 if exclusive_lo else math.ceil(lo)
    high = None if hi is None else math.ceil(hi) - 1 if exclusive_hi else math.floor(hi)
    return low, high


def _num(value: float) -> str:
    if isinstance(value, int):
        return str(value)
    return str(int(value)) if float(value).is_integer() and abs(value) < 2**53 else repr(float(value))
