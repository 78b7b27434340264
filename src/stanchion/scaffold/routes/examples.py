"""Schema-valid example values for stub handlers and error bodies, checked with a real validator.

The spec's own ``example`` wins when it validates; otherwise a value is built from the schema (formats,
bounds, enums, composition, discriminators) and checked again. Deterministic: the same spec gives the
same stubs, so regeneration never churns user-visible files.
"""

from __future__ import annotations

import functools
import re
from typing import Any

from stanchion.scaffold import ir
from stanchion.scaffold.routes.jsonschema import Checker, Mode

_FORMATS: dict[str, Any] = {
    "date-time": "2024-01-02T03:04:05Z",
    "date": "2024-01-02",
    "time": "03:04:05Z",
    "uuid": "3fa85f64-5717-4562-b3fc-2c963f66afa6",
    "email": "user@example.com",
    "idn-email": "user@example.com",
    "uri": "https://example.com/",
    "url": "https://example.com/",
    "uri-reference": "/example",
    "hostname": "example.com",
    "ipv4": "192.0.2.1",
    "ipv6": "2001:db8::1",
    "byte": "AA==",
    "binary": "",
    "password": "secret",
    "duration": "P1D",
}
_MISSING = object()
_DEEP = 8  # how deep optional members are filled when a shallow example fits several branches


class Examples:
    def __init__(self, schemas: dict[str, ir.Schema], *, spec_examples: bool = True) -> None:
        self.schemas = schemas
        self.checker = Checker(schemas)
        #: use the spec's own examples; off for typed-dict stubs (an example may carry members a TypedDict cannot)
        self.spec_examples = spec_examples
        #: optional members are filled down to this depth; deeper while telling oneOf branches apart
        self._optional_depth = 2

    def example(self, schema: ir.Schema, mode: Mode) -> Any:
        """A value that validates against ``schema`` in ``mode`` (best effort; check with :meth:`valid`)."""
        return self._build(schema, mode, depth=0, seen=())

    def valid(self, schema: ir.Schema, value: Any, mode: Mode) -> bool:
        return self.checker.valid(schema, value, mode)

    def _own(self, s: ir.Schema, mode: Mode) -> Any:
        if not self.spec_examples:
            return _MISSING
        if s.example is not None and self.checker.valid(s, s.example, mode):
            return s.example
        if s.default is not None and self.checker.valid(s, s.default, mode):
            return s.default
        return _MISSING

    def _build(self, s: ir.Schema, mode: Mode, depth: int, seen: tuple[str, ...]) -> Any:
        own = self._own(s, mode)
        if own is not _MISSING:
            return own
        if s.type is ir.SchemaType.REF:
            assert s.ref is not None
            target = self.schemas.get(s.ref)
            if target is None or s.ref in seen or depth > 12:
                return None if s.nullable or target is None else {}
            return self._build(target, mode, depth + 1, (*seen, s.ref))
        if s.enum:
            return s.enum[0]
        if s.one_of or s.any_of:
            branches = s.one_of or s.any_of
            disc = s.discriminator
            for branch in branches:
                # an example of one branch may fit another too (branches whose members are all optional):
                # filling optional members deeper usually pins it to one (Box's search results)
                for optional_depth in (self._optional_depth, _DEEP):
                    value = self._branch(s, branch, disc, mode, depth, seen, optional_depth)
                    if self.checker.valid(s, value, mode):
                        return value
            return self._build(branches[0], mode, depth + 1, seen)
        if s.all_of:
            flat = self._flatten(s, seen)
            if flat is not None:  # objects all the way down: one object with every branch's members
                value = self._base(flat, mode, depth, seen)
                if self.checker.valid(s, value, mode):
                    return value
            merged: Any = self._base(s, mode, depth, seen)
            for branch in s.all_of:
                merged = _merge(merged, self._build(branch, mode, depth + 1, seen))
            return merged
        return self._base(s, mode, depth, seen)

    def _branch(
        self,
        s: ir.Schema,
        branch: ir.Schema,
        disc: ir.Discriminator | None,
        mode: Mode,
        depth: int,
        seen: tuple[str, ...],
        optional_depth: int,
    ) -> Any:
        """An example of one oneOf/anyOf branch, with the members the composing schema adds and its tag."""
        saved, self._optional_depth = self._optional_depth, optional_depth
        try:
            value = self._build(branch, mode, depth + 1, seen)
            base = self._base(s, mode, depth, seen)
        finally:
            self._optional_depth = saved
        if isinstance(base, dict) and isinstance(value, dict):
            value = {**base, **value}
        if disc is not None and isinstance(value, dict):
            tag = self._tag(disc, branch)
            if tag is not None:
                value[disc.property_name] = tag
        return value

    def _flatten(self, s: ir.Schema, seen: tuple[str, ...]) -> ir.Schema | None:
        """An allOf of objects as one object schema (typed members win over bare 'required' placeholders)."""
        props: dict[str, ir.Schema] = {}
        required: list[str] = []
        for part in (*s.all_of, s.model_copy(update={"all_of": ()})):
            target = part
            if part.type is ir.SchemaType.REF:
                if part.ref is None or part.ref in seen or part.ref not in self.schemas:
                    return None
                target = self.schemas[part.ref]
            if target.all_of:
                flat = self._flatten(target, (*seen, part.ref) if part.ref else seen)
                if flat is None:
                    return None
                target = flat
            if target.one_of or target.any_of or target.type not in (ir.SchemaType.OBJECT, ir.SchemaType.ANY):
                return None
            for name, prop in target.properties.items():
                placeholder = prop.type is ir.SchemaType.ANY and not (
                    prop.all_of or prop.one_of or prop.any_of
                )
                if name not in props or not placeholder:
                    props[name] = prop
            required += [r for r in target.required if r not in required]
        return ir.Schema(
            type=ir.SchemaType.OBJECT, properties=props, required=tuple(required), additional_properties=True
        )

    def _tag(self, disc: ir.Discriminator, branch: ir.Schema) -> str | None:
        if branch.type is not ir.SchemaType.REF:
            return None
        for value, name in disc.mapping.items():
            if name == branch.ref:
                return value
        return branch.ref

    def _base(self, s: ir.Schema, mode: Mode, depth: int, seen: tuple[str, ...]) -> Any:
        t = s.type
        if t is ir.SchemaType.STRING:
            return self._string(s)
        if t in (ir.SchemaType.INTEGER, ir.SchemaType.NUMBER):
            return self._number(s)
        if t is ir.SchemaType.BOOLEAN:
            return True
        if t is ir.SchemaType.NULL:
            return None
        if t is ir.SchemaType.ARRAY:
            assert s.items is not None
            count = max(s.min_items or 0, 0 if depth > 6 else 1)
            if s.max_items is not None:
                count = min(count, s.max_items)
            if s.unique_items and count > 1:
                count = 1 if (s.min_items or 0) <= 1 else count
            return [self._build(s.items, mode, depth + 1, seen) for _ in range(count)]
        if t is ir.SchemaType.OBJECT or s.properties:
            out: dict[str, Any] = {}
            for name, prop in s.properties.items():
                if (mode == "res" and prop.write_only) or (mode == "req" and prop.read_only):
                    continue
                if name in s.required or (
                    depth < self._optional_depth and prop.type is not ir.SchemaType.REF
                ):
                    out[name] = self._build(prop, mode, depth + 1, seen)
            for i in range(len(out), s.min_properties or 0):
                extra = s.additional_schema or ir.Schema(type=ir.SchemaType.STRING)
                out[f"key{i}"] = self._build(extra, mode, depth + 1, seen)
            if not self.checker.valid(s, out, mode):  # optional members may break it: keep the required ones
                out = {k: v for k, v in out.items() if k in s.required}
            return out
        return {} if not s.nullable else None

    def _string(self, s: ir.Schema) -> str:
        if s.format in _FORMATS and not s.pattern:
            return str(_FORMATS[s.format])
        lo, hi = s.min_length or 0, s.max_length
        candidates = ["string", "example", "a", "A1", "abc", "1", "x" * max(lo, 1), "0" * max(lo, 1)]
        if s.pattern:
            candidates = [*_from_pattern(s.pattern), *candidates]
        for c in candidates:
            text = c if len(c) >= lo else c + "x" * (lo - len(c))
            if hi is not None:
                text = text[:hi]
            if not s.pattern or re.search(s.pattern, text):
                return text
        return "x" * lo

    def _number(self, s: ir.Schema) -> int | float:
        integer = s.type is ir.SchemaType.INTEGER
        step = s.multiple_of or 1
        lo = s.minimum if s.minimum is not None else (1 if s.maximum is None or s.maximum >= 1 else s.maximum)
        value: float = lo
        if s.exclusive_minimum and s.minimum is not None:
            value = lo + (1 if integer or step >= 1 else step)
        if s.multiple_of:
            value = -(-value // step) * step
        if s.maximum is not None and (value > s.maximum or (s.exclusive_maximum and value >= s.maximum)):
            value = s.maximum - (1 if s.exclusive_maximum else 0)
        if integer:
            return int(value)
        return float(value) if value != int(value) else int(value)


def _merge(left: Any, right: Any) -> Any:
    """allOf branches combined: objects member by member; a placeholder (``{}``/None) never hides a value."""
    if isinstance(left, dict) and isinstance(right, dict):
        out = dict(left)
        for key, value in right.items():
            out[key] = _merge(out[key], value) if key in out else value
        return out
    if right is None or right == {}:
        return left
    if left is None or left == {}:
        return right
    return right


@functools.cache
def _from_pattern(pattern: str) -> list[str]:
    """A string matching ``pattern``, found by a bounded, derandomised Hypothesis search.

    The first match is taken as it is (no shrinking: on long patterns such as ``^AC[0-9a-f]{32}$`` shrinking
    costs seconds per pattern), and each pattern is searched once per run: large specs repeat them."""
    import warnings

    from hypothesis import HealthCheck, Phase, find, settings
    from hypothesis import strategies as st
    from hypothesis.errors import HypothesisException

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            found = find(
                st.from_regex(pattern, fullmatch=False),
                lambda text: True,
                settings=settings(
                    max_examples=50,
                    derandomize=True,
                    database=None,
                    phases=[Phase.generate],
                    suppress_health_check=list(HealthCheck),
                ),
            )
        return [found]
    except (HypothesisException, re.error, Exception):
        return []
