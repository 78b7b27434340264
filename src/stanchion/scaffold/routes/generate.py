"""Spec to code, end to end: load, validate, normalise, emit, then write (or ``--check`` for drift).

Regeneration safety: the output folder holds a manifest (``.stanchion-routes.json``) naming the generator,
the framework and a hash of every generated file. Generated files are rewritten on each run, but one that
was edited by hand since is refused (the edit would be lost). Handler files and ``security.ts`` belong to
the user: written once, never overwritten; when an operation's signature changes its handler is kept and
reported. A folder with files but no manifest belongs to something else and is refused.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from stanchion import __version__
from stanchion.errors import CheckFailed, UsageError
from stanchion.paths import check_output_path
from stanchion.scaffold.project import Project, find_project
from stanchion.scaffold.routes.plan import Plan

FRAMEWORKS = ("express", "fastify", "koa", "fastapi")
MANIFEST = ".stanchion-routes.json"
_FORMS = frozenset(("application/x-www-form-urlencoded", "multipart/form-data"))


@dataclass
class RoutesResult:
    spec: str
    framework: str
    output: str
    operations: int
    written: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    kept: list[str] = field(default_factory=list)
    added_handlers: list[str] = field(default_factory=list)
    changed_signatures: list[str] = field(default_factory=list)
    drift: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    checked: bool = False

    def to_json(self) -> dict[str, Any]:
        return {k: v for k, v in self.__dict__.items()}


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def build(
    spec_path: str | Path, framework: str, types_only: bool = False, mock: bool = False
) -> tuple[Plan, int, list[str], str]:
    """Load, validate and normalise the spec, then run the framework's emitter."""
    from stanchion.scaffold.spec import load_spec
    from stanchion.scaffold.spec.normalize import to_api
    from stanchion.scaffold.spec.validate import validate

    if framework not in FRAMEWORKS:
        raise UsageError(f"unknown framework {framework!r}", f"choose one of: {', '.join(FRAMEWORKS)}")
    spec = load_spec(spec_path)
    validate(spec)
    normalized = to_api(spec)
    api = normalized.api
    if framework == "fastapi":
        from stanchion.scaffold.routes.py_emit import emit as emit_python

        plan = emit_python(api, types_only, spec.path.name, mock)
        forms = sorted({c.content_type for op in api.operations for c in op.request_contents} & _FORMS)
        if forms and not types_only:
            normalized.warnings.append(
                f"{' and '.join(forms)} bodies: FastAPI reads them with python-multipart; add it to the "
                "project's dependencies (pip install python-multipart), or they are answered with a 500"
            )
    else:
        from stanchion.scaffold.routes.ts_emit import emit as emit_typescript

        plan = emit_typescript(api, framework, types_only, spec.path.name, mock)
    if not types_only:
        _add_served_document(plan, framework, spec.document)
        _warn_undocumented(api, normalized.warnings)
    return plan, len(api.operations), normalized.warnings, spec.digest


def _warn_undocumented(api: Any, warnings: list[str]) -> None:
    """One warning naming the operations that may answer a status they do not document."""
    from stanchion.scaffold.routes.common import undocumented_errors

    found = [(op.operation_id, undocumented_errors(op)) for op in api.operations]
    named = [f"{op_id} ({', '.join(map(str, codes))})" for op_id, codes in found if codes]
    if not named:
        return
    shown = ", ".join(named[:10]) + (f" and {len(named) - 10} more" if len(named) > 10 else "")
    warnings.append(
        f"{len(named)} operation{'s' if len(named) > 1 else ''} may answer a status the spec does not list for "
        f"them (the routes refuse a malformed request with 400, an undeclared body type with 415, missing "
        f"credentials with 401, a missing scope with 403): {shown}; declare those responses (or a 4XX or "
        "default) to document them"
    )


def _add_served_document(plan: Plan, framework: str, document: dict[str, Any]) -> None:
    """The spec as the routes serve it, and the merge that adds it to a project's own document."""
    from importlib import resources

    from stanchion.scaffold.routes.served import served_document

    text = json.dumps(served_document(document), ensure_ascii=False, sort_keys=True, default=str)
    templates = resources.files("stanchion.scaffold.routes").joinpath("templates")
    if framework == "fastapi":
        plan.generated["generated/openapi.json"] = text + "\n"
        plan.generated["generated/openapi.py"] = templates.joinpath("py", "openapi.py.tmpl").read_text(
            "utf-8"
        )
        return
    mark = "// Generated by stanchion scaffold routes. Do not edit: regenerate from the spec instead."
    plan.generated["generated/openapi-document.ts"] = (
        f"{mark}\n// The spec as these routes serve it (3.1 schemas, explicit security per operation).\n"
        f"export const specDocument: Record<string, unknown> = JSON.parse({json.dumps(text)}) as Record<string, unknown>;\n"
    )
    plan.generated["generated/openapi.ts"] = templates.joinpath("ts", "openapi.ts").read_text("utf-8")


def resolve_target(
    framework: str | None, output: str | Path | None, types_only: bool, cwd: Path
) -> tuple[str, Path, Project | None]:
    """The framework and output folder, defaulted from the project ``scaffold new`` made around ``cwd``.

    Also returns that project when the output is its conventional routes folder (the app mounts it, and the
    security hooks are wired to the project's own JWTs).
    """
    try:
        project = find_project(cwd)
    except UsageError:
        if output is None:
            raise
        project = None  # a broken marker does not stand in the way of an explicit --output
    if output is None:
        if project is None or types_only:
            where = (
                "with --types-only" if types_only else "outside a project made by 'stanchion scaffold new'"
            )
            raise UsageError(
                f"--output is required {where}",
                "pass --output DIR, or run inside a 'stanchion scaffold new' project (it has .stanchion.json) "
                "to write its routes folder",
            )
        slot = project.slot
        if framework is not None and framework != slot.framework:
            raise UsageError(
                f"this {project.stack} project mounts {slot.framework} routes from {slot.output}/, not {framework}",
                f"omit --framework, or pass --output to write {framework} routes elsewhere",
            )
        return slot.framework, project.routes_dir, project
    if framework is None and not types_only:
        raise UsageError(
            "--framework is required (unless --types-only)", f"choose one of: {', '.join(FRAMEWORKS)}"
        )
    out = Path(output)
    if project is not None and not types_only and out.resolve() == project.routes_dir:
        if framework != project.slot.framework:
            raise UsageError(
                f"{project.slot.output}/ holds this {project.stack} project's {project.slot.framework} routes, "
                f"not {framework}",
                f"use --framework {project.slot.framework}, or another --output folder",
            )
        return project.slot.framework, out, project
    return framework or "express", out, None


def generate(
    spec_path: str | Path,
    framework: str | None,
    output: str | Path | None = None,
    *,
    types_only: bool = False,
    check: bool = False,
    cwd: Path | None = None,
    mock: bool = False,
) -> RoutesResult:
    """Generate (or with ``check``, compare) the routes for ``framework`` into ``output``.

    Inside a project ``scaffold new`` made (found from ``cwd``, default the working folder), ``framework`` and
    ``output`` default to the project's conventional routes folder, which its app mounts on its own.
    With ``mock``, handlers not written yet answer the spec's examples unless ``STANCHION_MOCK=0`` (without
    it they answer 501 unless ``STANCHION_MOCK=1``).
    """
    framework, out, project = resolve_target(framework, output, types_only, cwd or Path.cwd())
    if not check:
        check_output_path(out, folder=True, label="--output")
    if out.exists() and not out.is_dir():
        raise UsageError(f"{out} exists and is not a folder", "pass a folder for --output")
    manifest = _read_manifest(out)
    if manifest is None and out.is_dir() and any(out.iterdir()) and not check:
        raise UsageError(
            f"{out} is not empty and was not generated by stanchion scaffold routes (no {MANIFEST})",
            "choose an empty or new folder for --output",
        )
    mode = "types" if types_only else framework
    if manifest is not None and manifest.get("mode", manifest.get("framework")) != mode:
        raise UsageError(
            f"{out} holds routes generated for {manifest.get('mode')}, not {mode}",
            "use another --output folder for another framework",
        )
    plan, count, warnings, digest = build(spec_path, framework, types_only, mock)
    if project is not None and project.auth:
        _wire_project_security(plan, framework)
    result = RoutesResult(
        spec=str(spec_path),
        framework=framework,
        output=str(out),
        operations=count,
        warnings=warnings,
        checked=check,
    )
    previous: dict[str, str] = (manifest or {}).get("generated", {})
    old_signatures: dict[str, str] = (manifest or {}).get("signatures", {})
    if check:
        _check(out, plan, previous, result)
        if result.drift:
            raise CheckFailed(
                f"{out} has drifted from {Path(spec_path).name}: {'; '.join(result.drift[:5])}"
                + (f" (and {len(result.drift) - 5} more)" if len(result.drift) > 5 else ""),
                f"run 'stanchion scaffold routes {spec_path} --framework {framework} --output {out}' and commit",
            )
        return result
    edited = [
        rel
        for rel, recorded in previous.items()
        if (out / rel).is_file() and _digest((out / rel).read_text()) != recorded
    ]
    if edited:
        raise UsageError(
            f"generated file{'s' if len(edited) > 1 else ''} edited by hand: {', '.join(sorted(edited)[:5])}",
            "move the change into handlers/ or security (files you own), then delete the edited file and rerun",
        )
    out.mkdir(parents=True, exist_ok=True)
    for rel, content in plan.generated.items():
        target = out / rel
        if target.is_file() and target.read_text() == content:
            result.unchanged.append(rel)
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(content)
        result.written.append(rel)
    signatures: dict[str, str] = {}
    for op_id, (rel, content, signature) in plan.handlers.items():
        signatures[op_id] = signature
        target = out / rel
        if target.exists():
            result.kept.append(rel)
            if op_id in old_signatures and old_signatures[op_id] != signature:
                result.changed_signatures.append(f"{op_id} ({rel})")
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(content)
        result.added_handlers.append(rel)
    for rel, content in plan.user.items():
        target = out / rel
        if target.exists():
            result.kept.append(rel)
        else:
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(content)
            result.written.append(rel)
    for rel in previous:
        if rel not in plan.generated and (out / rel).is_file():
            (out / rel).unlink()  # a generated file the spec no longer needs (it was unedited: checked above)
    document = {
        "generator": f"stanchion scaffold routes {__version__}",
        "mode": mode,
        "framework": framework,
        "mock": mock,
        "spec_digest": digest,
        "generated": {rel: _digest(content) for rel, content in sorted(plan.generated.items())},
        "signatures": dict(sorted(signatures.items())),
        "handlers": {op_id: rel for op_id, (rel, _, _) in sorted(plan.handlers.items())},
    }
    (out / MANIFEST).write_text(json.dumps(document, indent=2) + "\n")
    return result


def _wire_project_security(plan: Plan, framework: str) -> None:
    """Security hooks that verify the project's own access tokens (written once, like the plain hooks)."""
    from importlib import resources

    templates = resources.files("stanchion.scaffold.routes").joinpath("templates")
    if framework == "fastapi":
        plan.user["security.py"] = templates.joinpath("py", "security_project.py.tmpl").read_text("utf-8")
    else:
        plan.user["security.ts"] = templates.joinpath("ts", "security-project.ts").read_text("utf-8")


def _check(out: Path, plan: Plan, previous: dict[str, str], result: RoutesResult) -> None:
    if not (out / MANIFEST).is_file():
        result.drift.append(f"{out} was never generated")
        return
    for rel, content in plan.generated.items():
        target = out / rel
        if not target.is_file():
            result.drift.append(f"missing {rel}")
        elif target.read_text() != content:
            result.drift.append(f"outdated {rel}")
    for rel in previous:
        if rel not in plan.generated and (out / rel).is_file():
            result.drift.append(f"stale {rel}")
    for _op_id, (rel, _, _) in plan.handlers.items():
        if not (out / rel).exists():
            result.drift.append(f"missing handler {rel}")


def _read_manifest(out: Path) -> dict[str, Any] | None:
    path = out / MANIFEST
    if not path.is_file():
        return None
    try:
        data = json.loads(path.read_text())
    except (OSError, json.JSONDecodeError):
        raise UsageError(
            f"{path} is not readable JSON", f"delete {path} and the generated/ folder, then rerun"
        ) from None
    if not isinstance(data, dict) or not str(data.get("generator", "")).startswith(
        "stanchion scaffold routes"
    ):
        raise UsageError(
            f"{path} was not written by stanchion scaffold routes", "choose another --output folder"
        )
    return data
