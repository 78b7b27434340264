"""What every framework's emitter shares: stub responses, declared error responses, path patterns."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from stanchion.scaffold import ir
from stanchion.scaffold.routes.examples import Examples

#: error kind -> (default status, declared statuses to look for in order)
#: (default-declared statuses are tried after the candidates, then the fallbacks: a spec that declares no 400
#: but a 404 gets 404 for a malformed path, one that declares 403 but no 401 gets 403 for missing credentials)
ERROR_KINDS: dict[str, tuple[int, tuple[str, ...]]] = {
    "validation": (400, ("400", "422", "4XX")),
    "media": (415, ("415", "400", "422", "4XX")),
    "unauthorized": (401, ("401", "4XX")),
    "forbidden": (403, ("403", "4XX")),
    "notfound": (404, ("404", "4XX")),
    "method": (405, ("405", "4XX")),
    "server": (500, ("500", "5XX")),
}
_FALLBACKS: dict[str, tuple[str, ...]] = {
    "validation": ("404",),
    "media": ("404",),
    "unauthorized": ("403",),
    "forbidden": ("401",),
}
_PROBLEM_KEYS = {"type": "about:blank", "title": "Invalid request", "status": 400, "detail": "detail"}


@dataclass
class ErrorSpec:
    status: int
    content_type: str
    template: Any


@dataclass
class Stub:
    status: int
    content_type: str | None
    body: Any
    has_body: bool


def success_status(status: str) -> int:
    if status.isdigit():
        return int(status)
    if status.upper().endswith("XX"):
        return int(status[0]) * 100
    return 200


# When an operation declares no success, the stub answers with a declared status that speaks of the resource
# (404 first), never one that calls a valid request wrong (400, 422) or reports a fault it does not have (5xx).
_STUB_PREFERENCE = ("2", "DEFAULT", "3", "404", "409", "403", "429", "401")


def _stub_rank(status: str) -> int:
    code = status.upper()
    for rank, prefix in enumerate(_STUB_PREFERENCE):
        if code.startswith(prefix):
            return rank
    return len(_STUB_PREFERENCE)


def stub_response(op: ir.Operation, examples: Examples) -> Stub:
    """The response a new handler stub returns: the first declared success (else the least misleading declared
    status, see ``_STUB_PREFERENCE``), with a schema-valid example."""
    ordered = sorted(op.responses, key=lambda r: _stub_rank(r.status))
    if not ordered:
        return Stub(status=204, content_type=None, body=None, has_body=False)
    chosen = ordered[0]
    status = success_status(chosen.status)
    if chosen.status == "default":
        status = 200
    if not chosen.content_type:
        return Stub(status=status, content_type=None, body=None, has_body=False)
    body: Any = ""
    if chosen.schema_ is not None:
        body = examples.example(chosen.schema_, "res")
    elif "json" in chosen.content_type:
        body = {}
    return Stub(status=status, content_type=chosen.content_type, body=body, has_body=True)


def undocumented_errors(op: ir.Operation) -> list[int]:
    """The statuses the runtime itself may answer for ``op`` (a malformed request, an unsupported body type,
    missing credentials or scope) for which the operation declares nothing that fits (the status, a range,
    ``default`` or the fallbacks ``error_specs`` uses): unavoidable undocumented answers."""
    declared = {r.status.upper() for r in op.responses}
    kinds = []
    if op.parameters or op.request_contents:
        kinds.append("validation")
    if op.request_contents:
        kinds.append("media")
    secured = op.security_requirements is not None and all(op.security_requirements)
    if secured:
        kinds.append("unauthorized")
        if any(scopes for req in op.security_requirements or [] for scopes in req.values()):
            kinds.append("forbidden")
    found = []
    for kind in kinds:
        default, candidates = ERROR_KINDS[kind]
        if "DEFAULT" in declared or declared & {*candidates, *_FALLBACKS.get(kind, ())}:
            continue
        found.append(default)
    return found


def mock_responses(op: ir.Operation, examples: Examples) -> list[Stub]:
    """What the operation answers in mock mode: the stub's response first (what a request gets unless it
    asks with ``Prefer: code=NNN``), then one schema-valid example per other documented status (``4XX`` as
    400, ``default`` as 500 when those are not declared themselves)."""
    first = stub_response(op, examples)
    out = [first]
    seen = {first.status}
    for r in sorted(op.responses, key=lambda r: (not r.status.isdigit(), r.status.upper() == "DEFAULT")):
        code = success_status(r.status) if r.status.upper() != "DEFAULT" else 500
        if code in seen:
            continue
        seen.add(code)
        if not r.content_type:
            out.append(Stub(status=code, content_type=None, body=None, has_body=False))
            continue
        body: Any = ""
        if r.schema_ is not None:
            body = examples.example(r.schema_, "res")
        elif "json" in r.content_type:
            body = {}
        out.append(Stub(status=code, content_type=r.content_type, body=body, has_body=True))
    return out


def response_for(op: ir.Operation, stub: Stub) -> ir.Response | None:
    """The declared response a stub's example answers (its status, else the range or default it falls in)."""
    code = str(stub.status)
    for key in (code, f"{code[0]}XX", "DEFAULT"):
        for r in op.responses:
            if r.status.upper() == key and r.content_type == stub.content_type:
                return r
    return None


def one_line(text: str, limit: int = 90) -> str:
    """A summary made safe for a one-line comment or docstring: whitespace (newlines too) collapsed, no
    backslashes or double quotes (a docstring's delimiters), at most ``limit`` characters."""
    flat = " ".join(text.split()).replace("\\", "/").replace('"', "'")
    return flat if len(flat) <= limit else flat[: limit - 3].rstrip() + "..."


def error_specs(op: ir.Operation, examples: Examples) -> dict[str, ErrorSpec]:
    """For each error the pipeline can raise, the response the spec declares for it (if any)."""
    out: dict[str, ErrorSpec] = {}
    by_status: dict[str, ir.Response] = {}
    for r in op.responses:
        by_status.setdefault(r.status.upper(), r)
    for kind, (default, candidates) in ERROR_KINDS.items():
        declared = next((by_status[c] for c in candidates if c in by_status), None)
        if declared is None and "DEFAULT" in by_status:
            declared = by_status["DEFAULT"]
        if declared is None:
            declared = next((by_status[c] for c in _FALLBACKS.get(kind, ()) if c in by_status), None)
        if declared is None:
            continue
        status = int(declared.status) if declared.status.isdigit() else default
        template: Any = None
        if declared.schema_ is not None:
            template = _problem_like(declared.schema_, examples, status)
        out[kind] = ErrorSpec(status=status, content_type=declared.content_type, template=template)
    return out


def _problem_like(schema: ir.Schema, examples: Examples, status: int) -> Any:
    """An example of the declared error schema carrying as many problem+json members as it allows."""
    body = examples.example(schema, "res")
    if not isinstance(body, dict):
        return body
    for key, value in {**_PROBLEM_KEYS, "status": status, "message": "detail"}.items():
        trial = {**body, key: value}
        if examples.valid(schema, trial, "res"):
            body = trial
    return body


def route_path(path: str) -> str:
    """The URL path an operation serves: its path key without a fragment or query. Specs converted from
    AWS's models (``/#Action=CreateUser``) and Box's (``/files/{file_id}#add_shared_link``) give several
    operations one method and URL that way; the routers tell them apart by their parameters and bodies."""
    return re.split(r"[#?]", path, maxsplit=1)[0] or "/"


def path_pattern(path: str) -> tuple[str, list[str]]:
    """An anchored regular expression for an OpenAPI path template, and its parameter names in order."""
    names: list[str] = []
    pattern = ""
    for part in re.split(r"(\{[^}]+\})", path):
        if part.startswith("{") and part.endswith("}"):
            names.append(part[1:-1])
            pattern += "([^/]+)"
        else:
            pattern += "".join(_literal(ch) for ch in part)
    return f"^{pattern}$", names


_PATH_SAFE = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._~!$&'()*+,;=:@/")


def _literal(ch: str) -> str:
    """One literal path character as a pattern: as written, or percent-encoded when clients must encode it
    (``/<upload_url>`` arrives as ``/%3Cupload_url%3E``); hex digits in either case."""
    if ch in _PATH_SAFE:
        return re.escape(ch)
    encoded = "".join(f"%{byte:02X}" for byte in ch.encode())
    caseless = re.sub(r"[A-F]", lambda m: f"[{m.group().lower()}{m.group()}]", encoded)
    return f"(?:{re.escape(ch)}|{caseless})"


def route_order(op: ir.Operation) -> tuple[int, int, str, int, int]:
    """Literal segments before templated ones, so ``/pets/mine`` wins over ``/pets/{id}``. Operations that
    share a URL are tried in this order (see :func:`route_path`): those whose path key names a variant
    (``#add_shared_link``) before the plain one, the most required parameters and bodies first."""
    path = route_path(op.path)
    segments = path.split("/")
    templated = sum(1 for s in segments if "{" in s)
    required = sum(1 for p in op.parameters if p.required) + (1 if op.request_body_required else 0)
    return (templated, -len(segments), path, 0 if path != op.path else 1, -required)
