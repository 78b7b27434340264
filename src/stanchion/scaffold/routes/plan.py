"""What an emitter produces: generated files (rewritten every run), handler stubs and user files (kept)."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class Plan:
    #: relative path -> content; marked generated, rewritten on every run
    generated: dict[str, str] = field(default_factory=dict)
    #: operation id -> (relative path, stub content, signature hash); written only when missing
    handlers: dict[str, tuple[str, str, str]] = field(default_factory=dict)
    #: relative path -> content; written only when missing (configuration the user owns)
    user: dict[str, str] = field(default_factory=dict)
