"""Stacks: one package per stack, each with ``templates/<layer>/`` and an ``emitter`` module.

A stack's templates are split into layers (``base``, ``db``, ``auth``, ``docker``, ``ci``, ``lock-...``); the
emitter picks the layers the options ask for and supplies the Jinja context built from the
:class:`stanchion.scaffold.ir.Api`. :func:`render_layers` does the rest, the same way for every stack:

* a file ending in ``.j2`` is rendered (strict undefined variables), anything else is copied byte for byte;
* a path part starting with ``dot-`` becomes a dot file (``dot-gitignore`` -> ``.gitignore``), so the
  templates package cleanly;
* a file whose name contains ``__resource__`` is rendered once per resource, with ``resource`` in the context;
* a later layer's file replaces an earlier layer's file at the same path.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from stanchion.scaffold.ir import Resource

if TYPE_CHECKING:
    from stanchion.scaffold.new import ProjectOptions

#: name -> stack package (the package holds ``emitter.py`` with ``emit(api, options, target)``).
STACKS: dict[str, str] = {
    "express-typescript": "stanchion.scaffold.stacks.express_typescript",
    "fastapi": "stanchion.scaffold.stacks.fastapi",
}


def lock_layer(options: ProjectOptions) -> str:
    """The layer holding the lockfile for these options (the minimal project has fewer dependencies)."""
    return "lock-minimal" if options.minimal else "lock-full"


def layers(options: ProjectOptions) -> list[str]:
    """The template layers the options ask for, in the order they are applied (later ones win)."""
    chosen = ["base"]
    if not options.minimal:
        chosen.append("db")
    if options.auth:
        chosen.append("auth")
    if options.docker:
        chosen.append("docker")
    if options.ci:
        chosen.append("ci")
    chosen.append(lock_layer(options))
    return chosen


def _out_name(part: str) -> str:
    return "." + part[4:] if part.startswith("dot-") else part


def plan_files(
    root: Path, layers: Sequence[str], resources: Sequence[Resource]
) -> dict[str, tuple[Path, Resource | None]]:
    """Output path (relative, POSIX) -> (template file, resource or None), later layers winning."""
    plan: dict[str, tuple[Path, Resource | None]] = {}
    for layer in layers:
        base = root / layer
        if not base.is_dir():
            raise FileNotFoundError(f"template layer {layer!r} is missing under {root}")
        for path in sorted(p for p in base.rglob("*") if p.is_file()):
            rel = path.relative_to(base)
            parts = [_out_name(p) for p in rel.parts]
            name = parts[-1].removesuffix(".j2")
            if "__resource__" in name:
                for res in resources:
                    out = "/".join([*parts[:-1], name.replace("__resource__", res.name)])
                    plan[out] = (path, res)
            else:
                plan["/".join([*parts[:-1], name])] = (path, None)
    return plan


def render_layers(
    root: Path,
    layers: Sequence[str],
    context: Mapping[str, Any],
    target: Path,
    *,
    filters: Mapping[str, Callable[..., Any]] | None = None,
    resources: Sequence[Resource] = (),
) -> list[str]:
    """Render ``layers`` of the template tree at ``root`` into ``target``; returns the relative paths written."""
    import jinja2

    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(root)),
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
        autoescape=False,
    )
    env.filters.update(filters or {})
    written: list[str] = []
    for out, (src, resource) in plan_files(root, layers, resources).items():
        dest = target / out
        dest.parent.mkdir(parents=True, exist_ok=True)
        if src.name.endswith(".j2"):
            template = env.get_template(src.relative_to(root).as_posix())
            ctx = dict(context, resource=resource) if resource is not None else context
            text = template.render(**ctx)
            dest.write_text(text, encoding="utf-8")
        else:
            shutil.copyfile(src, dest)
        if src.stat().st_mode & 0o111:
            dest.chmod(0o755)
        written.append(out)
    return sorted(written)
