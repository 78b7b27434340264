"""Validate a bundled OpenAPI document with openapi-spec-validator; report each problem by JSON pointer."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from stanchion.errors import UsageError
from stanchion.scaffold.spec.loader import LoadedSpec


@dataclass(frozen=True)
class SpecProblem:
    """One validation problem: where (a JSON pointer into the bundled document) and what."""

    pointer: str
    message: str

    def __str__(self) -> str:
        return f"{self.pointer}: {self.message}"


def pointer_of(parts: Iterable[Any]) -> str:
    """The RFC 6901 JSON pointer for a path of keys and indexes."""
    return "/" + "/".join(str(p).replace("~", "~0").replace("/", "~1") for p in parts) if parts else ""


_VALID: set[str] = set()  # digests of documents already found valid in this process (validation is costly)


def problems(spec: LoadedSpec, limit: int = 20) -> list[SpecProblem]:
    """Every problem openapi-spec-validator finds (at most ``limit``), deepest cause first."""
    if spec.digest in _VALID:
        return []
    found = _problems(spec, limit)
    if not found:
        _VALID.add(spec.digest)
    return found


def _problems(spec: LoadedSpec, limit: int) -> list[SpecProblem]:
    from jsonschema.exceptions import best_match
    from openapi_spec_validator import OpenAPIV30SpecValidator, OpenAPIV31SpecValidator
    from referencing.exceptions import Unresolvable

    cls = OpenAPIV31SpecValidator if spec.version == "3.1" else OpenAPIV30SpecValidator
    found: list[SpecProblem] = []
    try:
        errors = list(cls(spec.document, base_uri=spec.path.as_uri()).iter_errors())
    except Unresolvable as exc:
        ref = str(getattr(exc, "ref", exc))
        where = _find_ref(spec.document, ref, []) or []
        raise UsageError(
            f"unresolvable $ref {ref!r} at {pointer_of(where) or '/'}",
            "check that the JSON pointer names an existing member (names are case-sensitive)",
        ) from None
    for error in errors:
        path = list(error.absolute_path)
        cause = error
        while cause.context:
            deeper = best_match(cause.context)
            if deeper is None:
                break
            path = path + list(deeper.path)
            cause = deeper
        found.append(SpecProblem(pointer_of(path) or "/", _short_message(cause.message.splitlines()[0])))
        if len(found) >= limit:
            break
    return found


def validate(spec: LoadedSpec) -> None:
    """Raise a UsageError naming the first problem's JSON pointer (and how many more there are)."""
    found = problems(spec)
    if not found:
        return
    others = ", ".join(p.pointer for p in found[1:4]) + (", ..." if len(found) > 4 else "")
    more = f" (and {len(found) - 1} more: {others})" if len(found) > 1 else ""
    raise UsageError(
        f"{spec.path.name}: invalid OpenAPI {spec.version} document at {found[0]}{more}",
        "fix the document at that JSON pointer (every problem found is listed), then rerun",
    )


def _short_message(message: str) -> str:
    """The validator's message without the dump of the offending value (the pointer already names it)."""
    if message[:1] in "{[":
        for marker in (
            " is not valid under",
            " is not of type",
            " is not one of",
            " does not match",
            " is not valid",
        ):
            at = message.rfind(marker)
            if at > 0:
                return "the value" + message[at:]
    return message[:300]


def _find_ref(node: Any, ref: str, path: list[Any]) -> list[Any] | None:
    """Where ``ref`` is used in the document (the first place), as a path of keys."""
    if isinstance(node, dict):
        if node.get("$ref") == ref or (str(node.get("$ref", "")).endswith(ref.lstrip("#")) and ref):
            return path
        for key, value in node.items():
            found = _find_ref(value, ref, [*path, key])
            if found is not None:
                return found
    elif isinstance(node, list):
        for i, value in enumerate(node):
            found = _find_ref(value, ref, [*path, i])
            if found is not None:
                return found
    return None
