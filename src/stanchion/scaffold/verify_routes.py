"""``stanchion scaffold verify DIR --spec SPEC``: prove that a routes folder ``scaffold routes`` wrote honours
its spec, for any framework (Express, Fastify, Koa, FastAPI).

Stages, in order; the first failure stops the run (later stages are reported as skipped):

1. ``sync``: the folder is what ``scaffold routes SPEC`` gives today (``--check``: no drift, no missing
   handler); otherwise the run would prove an older spec.
2. ``install``: the pinned toolchain the routes need (``toolchain/``: typescript, zod, express, fastify, koa
   with ``npm ci``; fastapi, uvicorn, mypy in a venv), kept under ``<cache>/routes-harness-<hash>`` /
   ``<cache>/routes-venv-<hash>`` and reused; without a cache folder, in a throwaway folder.
3. ``typecheck``: ``tsc`` strict (``noUncheckedIndexedAccess`` too) / ``mypy --strict`` over a copy of the
   folder, handlers included. The copy's security hooks are replaced by ones that accept the one credential
   verify sends (with every scope an operation asks for); the folder itself is never written to.
4. ``boot``: the standalone server (``generated/server.ts`` / ``generated/app.py``) on a free 127.0.0.1 port,
   in mock mode (``STANCHION_MOCK=1``): handlers not yet written answer the spec's examples, so the responses
   are checked too.
5. ``schemathesis``: every check against SPEC (examples, coverage and fuzzing phases; the stateful phase
   needs handlers that keep state), authenticated through the spec's security schemes. Each operation's
   outcome is recorded; an operation of the spec that Schemathesis did not reach is ``not-run``.
6. ``shutdown``: SIGTERM, and the server exits by itself.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sys
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

from stanchion.errors import EnvironmentProblem, StanchionError, UsageError
from stanchion.output import NullProgress, Progress
from stanchion.scaffold.verify import (
    OperationOutcome,
    Runner,
    Service,
    StageFailed,
    VerifyResult,
    check_shutdown,
    free_port,
    last_lines,
    lock_hash,
    run,
    run_schemathesis,
    start_service,
    workdir,
)
from stanchion.text import counted

ROUTES_STAGES = ("sync", "install", "typecheck", "boot", "schemathesis", "shutdown")
#: the one credential verify sends and its hooks accept (a throwaway copy of the routes, never the user's)
CREDENTIAL = "stanchion-verify"
MOCK_ENV = "STANCHION_MOCK"
_TS_FRAMEWORKS = ("express", "fastify", "koa")

TSCONFIG: dict[str, Any] = {
    "compilerOptions": {
        "strict": True,
        "noUncheckedIndexedAccess": True,
        "target": "ES2022",
        "module": "commonjs",
        "moduleResolution": "node",
        "esModuleInterop": True,
        "skipLibCheck": True,
        "outDir": "dist",
        "types": ["node"],
    },
    "exclude": ["dist", "node_modules"],
}

_TS_HOOKS = f"""// Written by stanchion scaffold verify into its own copy of the routes: the credential verify sends
// is accepted with every scope the operation asks for.
import type {{ SecurityHooks }} from "./generated/runtime.js";

const CREDENTIAL = {json.dumps(CREDENTIAL)};

export const security: SecurityHooks = {{
  verifyBearer(token, ctx) {{
    return token === CREDENTIAL ? {{ id: "verify", scopes: [...ctx.scopes] }} : null;
  }},
  verifyBasic(user, password, ctx) {{
    return user === "verify" && password === CREDENTIAL ? {{ id: "verify", scopes: [...ctx.scopes] }} : null;
  }},
  lookupApiKey(key, ctx) {{
    return key === CREDENTIAL ? {{ id: "verify", scopes: [...ctx.scopes] }} : null;
  }},
}};
"""

_PY_HOOKS = f'''"""Written by stanchion scaffold verify into its own copy of the routes: the credential verify sends is
accepted with every scope the operation asks for."""

from __future__ import annotations

from .generated.runtime import Principal, SecurityContext

CREDENTIAL = {json.dumps(CREDENTIAL)}


class Security:
    async def verify_bearer(self, token: str, ctx: SecurityContext) -> Principal | None:
        return Principal(id="verify", scopes=list(ctx.scopes)) if token == CREDENTIAL else None

    async def verify_basic(self, user: str, password: str, ctx: SecurityContext) -> Principal | None:
        ok = user == "verify" and password == CREDENTIAL
        return Principal(id="verify", scopes=list(ctx.scopes)) if ok else None

    async def lookup_api_key(self, key: str, ctx: SecurityContext) -> Principal | None:
        return Principal(id="verify", scopes=list(ctx.scopes)) if key == CREDENTIAL else None


security = Security()
'''


@dataclass
class RoutesTarget:
    """A routes folder ``scaffold routes`` wrote, and the spec it is checked against."""

    path: Path
    spec: Path
    framework: str
    mock: bool = False
    document: dict[str, Any] = field(default_factory=dict)
    operations: list[str] = field(default_factory=list)  # "METHOD /path", in the spec's order


def is_routes_folder(path: Path) -> bool:
    from stanchion.scaffold.routes.generate import MANIFEST

    return (path / MANIFEST).is_file()


def read_target(path: Path, spec: Path) -> RoutesTarget:
    """The folder's framework (from its manifest) and the spec's operations; exit 2 on a types-only folder."""
    from stanchion.scaffold.routes.generate import MANIFEST

    manifest = json.loads((path / MANIFEST).read_text(encoding="utf-8"))
    framework = str(manifest.get("framework", ""))
    if manifest.get("mode") == "types" or framework not in (*_TS_FRAMEWORKS, "fastapi"):
        raise UsageError(
            f"{path} holds types only (scaffold routes --types-only): there are no routes to verify",
            "generate routes with 'stanchion scaffold routes SPEC --framework F --output DIR' and verify that",
        )
    from stanchion.scaffold.spec import load_spec
    from stanchion.scaffold.spec.normalize import to_api
    from stanchion.scaffold.spec.validate import validate

    loaded = load_spec(spec)
    validate(loaded)
    api = to_api(loaded).api
    return RoutesTarget(
        path=path,
        spec=spec,
        framework=framework,
        mock=bool(manifest.get("mock", False)),
        document=loaded.document,
        operations=[f"{op.method.value} {op.path}" for op in api.operations],
    )


def verify_routes(
    path: Path,
    spec: Path,
    *,
    cache_dir: Path | None = None,
    max_examples: int = 30,
    progress: Progress | None = None,
) -> VerifyResult:
    """Verify the routes folder at ``path`` against ``spec`` (see the module docstring for the stages)."""
    path = path.resolve()
    if max_examples < 1:
        raise UsageError("--max-examples must be at least 1")
    if not is_routes_folder(path):
        raise UsageError(
            f"{path} is not a routes folder made by 'stanchion scaffold routes' (no .stanchion-routes.json)",
            "pass the --output folder of 'stanchion scaffold routes', or a project made by 'scaffold new'",
        )
    target = read_target(path, spec.resolve())
    progress = progress or NullProgress()
    result = VerifyResult(path=path, stack=target.framework, spec=str(target.spec))
    runner = Runner(result, progress)
    with workdir() as work:
        _run_stages(target, runner, cache_dir, max_examples, work)
    _account(result, target.operations)
    return result


def _account(result: VerifyResult, operations: list[str]) -> None:
    """Every operation of the spec is listed: the ones Schemathesis did not report are ``not-run``."""
    seen = {o.operation for o in result.operations}
    fuzzed = next((s for s in result.stages if s.name == "schemathesis"), None)
    reason = "schemathesis did not run: an earlier stage failed"
    if fuzzed is not None and fuzzed.status != "skipped":
        reason = "schemathesis reported no test of this operation"
    for name in operations:
        if name not in seen:
            result.operations.append(OperationOutcome(name, "not-run", reason))
    order = {name: i for i, name in enumerate(operations)}
    result.operations.sort(key=lambda o: order.get(o.operation, len(order)))


def _run_stages(
    target: RoutesTarget, runner: Runner, cache_dir: Path | None, max_examples: int, work: Path
) -> None:
    ts = target.framework in _TS_FRAMEWORKS
    tools: dict[str, Path] = {}
    copy = work / ("routes" if ts else "verify_routes")
    runner.stage("sync", lambda: _sync(target))

    def install() -> str:
        home, note = node_toolchain(cache_dir, work) if ts else python_toolchain(cache_dir, work)
        tools["home"] = home
        return note

    runner.stage("install", install)

    def typecheck() -> str:
        _copy_routes(
            target.path, copy, _TS_HOOKS if ts else _PY_HOOKS, "security.ts" if ts else "security.py"
        )
        if ts:
            (copy / "tsconfig.json").write_text(json.dumps(TSCONFIG, indent=2))
            (copy / "node_modules").symlink_to(tools["home"] / "node_modules")
            tsc = tools["home"] / "node_modules" / ".bin" / "tsc"
            run([str(tsc), "-p", str(copy)], copy, timeout=900)
            return "tsc --strict --noUncheckedIndexedAccess: no errors"
        mypy = tools["home"] / "bin" / "mypy"
        env = {**os.environ, "MYPY_CACHE_DIR": str(work / ".mypy_cache")}
        env.pop("VIRTUAL_ENV", None)
        done = run([str(mypy), "--strict", "--no-incremental", copy.name], work, env, timeout=900)
        return "mypy --strict: " + last_lines(done.stdout, 1)

    runner.stage("typecheck", typecheck)
    service: list[Service] = []
    port = free_port()
    env = {**os.environ, "PORT": str(port), "HOST": "127.0.0.1", MOCK_ENV: "1", "NO_COLOR": "1"}
    env.pop("VIRTUAL_ENV", None)

    def boot() -> str:
        if ts:
            argv = ["node", str(copy / "dist" / "generated" / "server.js")]
        else:
            uvicorn = str(tools["home"] / "bin" / "uvicorn")
            app = f"{copy.name}.generated.app:app"
            argv = [uvicorn, app, "--host", "127.0.0.1", "--port", str(port), "--log-level", "warning"]
        service.append(start_service(argv, work, env, port, work / "service.log", probe=None))
        return f"listening on 127.0.0.1:{port} ({MOCK_ENV}=1: unwritten handlers answer the spec's examples)"

    try:
        runner.stage("boot", boot)

        def fuzz() -> str:
            spec_file = work / "spec.json"
            spec_file.write_text(json.dumps(target.document, default=str))
            return run_schemathesis(
                service[0].base_url,
                None,
                max_examples,
                work,
                schema=str(spec_file),
                config=schemathesis_config(target.document),
                phases="examples,coverage,fuzzing",
                outcomes=runner.result.operations,
                reach_handlers=True,
            )

        runner.stage("schemathesis", fuzz)
        runner.stage("shutdown", lambda: check_shutdown(service[0]))
    finally:
        for svc in service:
            svc.stop(grace=2)


def _sync(target: RoutesTarget) -> str:
    from stanchion.scaffold.routes.generate import generate

    try:
        generate(target.spec, target.framework, target.path, check=True, cwd=target.path, mock=target.mock)
    except StanchionError as exc:
        raise StageFailed(f"{exc.message}\nhint: {exc.hint}" if exc.hint else exc.message) from None
    return f"matches {target.spec.name} ({counted(len(target.operations), 'operation')})"


def _copy_routes(source: Path, copy: Path, hooks: str, hooks_name: str) -> None:
    shutil.copytree(
        source,
        copy,
        ignore=shutil.ignore_patterns("node_modules", "dist", "__pycache__", ".mypy_cache", "tsconfig.json"),
    )
    (copy / hooks_name).write_text(hooks, encoding="utf-8")


def schemathesis_config(document: dict[str, Any]) -> str:
    """Schemathesis settings: no unknown extra parameters as negative cases (the routes ignore headers and
    query members they do not know, as HTTP expects), and the verify credential for every security scheme."""
    lines = ["[generation]", "allow-extra-parameters = false", ""]
    schemes = (document.get("components") or {}).get("securitySchemes") or {}
    bearer_header = False
    for name, scheme in schemes.items():
        if not isinstance(scheme, dict):
            continue
        kind, http = scheme.get("type"), str(scheme.get("scheme", "")).lower()
        lines.append(f"[auth.openapi.{json.dumps(str(name))}]")
        if kind == "apiKey":
            lines.append(f"api_key = {json.dumps(CREDENTIAL)}")
        elif kind == "http" and http == "basic":
            lines += ['username = "verify"', f"password = {json.dumps(CREDENTIAL)}"]
        elif kind == "http":
            lines.append(f"bearer = {json.dumps(CREDENTIAL)}")
        else:  # oauth2, openIdConnect: a bearer token in Authorization
            lines.pop()
            bearer_header = True
            continue
        lines.append("")
    if bearer_header and not any(
        isinstance(s, dict) and s.get("type") == "http" and str(s.get("scheme", "")).lower() == "basic"
        for s in schemes.values()
    ):
        lines.insert(0, f"headers = {{ Authorization = {json.dumps('Bearer ' + CREDENTIAL)} }}")
    return "\n".join(lines) + "\n"


def _toolchain_file(name: str) -> Path:
    return Path(str(resources.files("stanchion.scaffold.routes").joinpath("toolchain", name)))


def node_toolchain(cache_dir: Path | None, work: Path) -> tuple[Path, str]:
    """The pinned Node toolchain for TypeScript routes, installed with ``npm ci`` once per lockfile."""
    if shutil.which("npm") is None or shutil.which("node") is None:
        raise EnvironmentProblem(
            "node and npm are needed to verify TypeScript routes", "install Node.js 20 (it includes npm)"
        )
    package, lock = _toolchain_file("package.json"), _toolchain_file("package-lock.json")
    key = hashlib.sha256(lock.read_bytes() + package.read_bytes()).hexdigest()[:12]
    home = (cache_dir or work) / f"routes-harness-{key}"
    if (home / "node_modules" / ".bin" / "tsc").exists():
        return home, f"reused {home}"
    staging = home.with_name(f"{home.name}.tmp-{os.getpid()}")
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir(parents=True)
    for source in (package, lock):
        shutil.copy(source, staging / source.name)
    run(["npm", "ci", "--no-audit", "--no-fund", "--loglevel=error"], staging, timeout=900)
    try:
        shutil.rmtree(home, ignore_errors=True)
        staging.rename(home)
    except OSError:  # installed by someone else meanwhile
        shutil.rmtree(staging, ignore_errors=True)
    return home, f"npm ci into {home}"


def python_toolchain(cache_dir: Path | None, work: Path) -> tuple[Path, str]:
    """A venv with the pinned FastAPI toolchain (fastapi, uvicorn, mypy, python-multipart), once per lockfile."""
    lock = _toolchain_file("requirements-lock.txt")
    version = f"{sys.version_info.major}.{sys.version_info.minor}"
    home = (cache_dir or work) / f"routes-venv-{lock_hash(lock, version)}"
    marker = home / ".complete"
    if marker.exists():
        return home, f"reused {home}"
    # A venv names its own path in its scripts, so it is built where it stays; the marker says it is whole.
    shutil.rmtree(home, ignore_errors=True)
    home.parent.mkdir(parents=True, exist_ok=True)
    run([sys.executable, "-m", "venv", str(home)], home.parent, timeout=300)
    run([str(home / "bin" / "pip"), "install", "--quiet", "-r", str(lock)], home.parent, timeout=900)
    marker.write_text(lock.read_text(encoding="utf-8"), encoding="utf-8")
    return home, f"pip install -r requirements-lock.txt into {home}"


def project_schemathesis_config(project: Path) -> str | None:
    """For a project with routes generated from a spec: their operations are fuzzed with the project's own
    (its served document holds both), but without the stateful checks ``use_after_free`` and
    ``ensure_resource_availability``: their handlers may still be stubs answering examples, which keep no
    state. None when the project has no generated routes."""
    from stanchion.scaffold.project import find_project
    from stanchion.scaffold.routes.generate import MANIFEST

    try:
        found = find_project(project)
    except StanchionError:
        return None
    routes = found.routes_dir if found is not None else None
    if routes is None or not (routes / MANIFEST).is_file():
        return None
    manifest = json.loads((routes / MANIFEST).read_text(encoding="utf-8"))
    ids = sorted(manifest.get("handlers", {}))
    if not ids:
        return None
    return (
        "[[operations]]\n"
        f"include-operation-id = {json.dumps(ids)}\n"
        "checks.use_after_free.enabled = false\n"
        "checks.ensure_resource_availability.enabled = false\n"
    )
