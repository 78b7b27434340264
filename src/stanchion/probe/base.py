"""What a probe rule sees: a budgeted client bound to the base URL, the operations of the OpenAPI document
(when one is given), and the two identities (``--token`` and ``--token-b``). A rule module defines ``RULE``
(id, severity, fix) and ``check(ctx)``, which yields findings; its docstring is its documentation (what,
why, ``Bad::`` and ``Good::``), parsed like the db rules' (``stanchion.db.analyze.registry``)."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, Literal, Protocol

from stanchion.probe.client import Answer, ProbeClient

Severity = Literal["high", "medium", "low"]
SEVERITIES: tuple[Severity, ...] = ("low", "medium", "high")
PENALTY: dict[str, int] = {"high": 25, "medium": 10, "low": 5}  # score points a finding costs

AUTH_PATH = re.compile(r"login|signin|sign-in|token|auth|session|password", re.IGNORECASE)


def rank(severity: str) -> int:
    return [str(s) for s in SEVERITIES].index(severity)


@dataclass(frozen=True)
class ProbeRuleInfo:
    id: str
    severity: Severity
    fix: str


@dataclass
class ProbeFinding:
    id: str
    severity: Severity
    endpoint: str
    evidence: str
    fix: str

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "severity": self.severity,
            "endpoint": self.endpoint,
            "evidence": self.evidence,
            "fix": self.fix,
        }


@dataclass
class Operation:
    method: str  # upper case
    path: str  # the spec's template, e.g. /items/{id}
    secured: bool
    body_schema: dict[str, Any] | None = None
    path_params: list[str] = field(default_factory=list)

    @property
    def endpoint(self) -> str:
        return f"{self.method} {self.path}"

    def concrete(self, value: str = "1") -> str:
        """The path with every path parameter given ``value``."""
        return re.sub(r"\{[^}]+\}", value, self.path)


@dataclass
class ProbeContext:
    client: ProbeClient
    operations: list[Operation] = field(default_factory=list)
    token: str | None = None
    token_b: str | None = None
    burst: int = 30  # requests the rate-limit rule may send to one auth path
    notes: list[str] = field(default_factory=list)  # what a rule could not check, and why

    def finding(self, info: ProbeRuleInfo, endpoint: str, evidence: str) -> ProbeFinding:
        return ProbeFinding(info.id, info.severity, endpoint, evidence, info.fix)

    def auth(self, token: str | None) -> dict[str, str]:
        return {"Authorization": f"Bearer {token}"} if token else {}

    def get(self, path: str, headers: dict[str, str] | None = None) -> Answer:
        return self.client.request("GET", path, headers)

    def sample_paths(self) -> list[str]:
        """Paths to read: the base path and every GET operation's concrete path (parameters set to 1)."""
        paths = ["/"] + [op.concrete() for op in self.operations if op.method == "GET"]
        return list(dict.fromkeys(paths))

    def body_operations(self) -> list[Operation]:
        return [op for op in self.operations if op.method in ("POST", "PUT", "PATCH")]


class ProbeRule(Protocol):
    RULE: ProbeRuleInfo
    __doc__: str | None

    def check(self, ctx: ProbeContext) -> Iterable[ProbeFinding]: ...
