"""Identifiers for generated code: schema and operation names made safe and unique for TS and Python."""

from __future__ import annotations

import keyword
import re

_TS_RESERVED = {
    "break", "case", "catch", "class", "const", "continue", "debugger", "default", "delete", "do", "else",
    "enum", "export", "extends", "false", "finally", "for", "function", "if", "import", "in", "instanceof",
    "new", "null", "return", "super", "switch", "this", "throw", "true", "try", "typeof", "var", "void",
    "while", "with", "let", "static", "yield", "await", "implements", "interface", "package", "private",
    "protected", "public", "any", "boolean", "number", "string", "symbol", "unknown", "never", "object",
    "type", "Record", "Array", "Promise", "Error", "Date", "Buffer", "z",
}  # fmt: skip


def words(text: str) -> list[str]:
    parts = re.split(r"[^A-Za-z0-9]+", re.sub(r"([a-z0-9])([A-Z])", r"\1 \2", text))
    return [p for p in parts if p]


def pascal(text: str) -> str:
    name = "".join(w[:1].upper() + w[1:] for w in words(text)) or "X"
    return f"T{name}" if name[0].isdigit() else name


def camel(text: str) -> str:
    name = pascal(text)
    name = name[:1].lower() + name[1:]
    return f"{name}_" if name in _TS_RESERVED else name


def snake(text: str) -> str:
    name = "_".join(w.lower() for w in words(text)) or "x"
    if name[0].isdigit():
        name = f"op_{name}"
    return f"{name}_" if keyword.iskeyword(name) else name


class Namer:
    """Gives each source name one identifier, unique within its namespace."""

    def __init__(self, style: str, reserved: set[str] | None = None) -> None:
        self._fn = {"pascal": pascal, "camel": camel, "snake": snake}[style]
        self._taken: set[str] = set(reserved or ())
        self._given: dict[str, str] = {}

    def __call__(self, source: str, key: str | None = None) -> str:
        """The identifier for ``source``; ``key`` (default: the source) tells apart sources spelt alike."""
        key = source if key is None else key
        if key in self._given:
            return self._given[key]
        base = self._fn(source)
        name, n = base, 2
        while name in self._taken or name in _TS_RESERVED:
            name = f"{base}{n}"
            n += 1
        self._taken.add(name)
        self._given[key] = name
        return name
