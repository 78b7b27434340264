"""Shared machinery for the spec-to-code tests: the pinned Node toolchain, servers, Schemathesis, specs.

The TypeScript outputs compile against one node_modules (src/stanchion/scaffold/routes/toolchain, the one `scaffold verify` installs: pinned typescript, zod,
express, fastify, koa, @types/*), installed with ``npm ci`` once and cached under ``.cache/`` by the hash of
its lockfile. Servers run on 127.0.0.1 on a free port and are stopped after use.
"""

from __future__ import annotations

import copy
import gzip
import hashlib
import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "tests" / "data" / "openapi"
HARNESS_SRC = ROOT / "src" / "stanchion" / "scaffold" / "routes" / "toolchain"
VENV_BIN = Path(sys.executable).parent
TS_FRAMEWORKS = ("express", "fastify", "koa")
TEST_TOKENS = {"admin-token": ["pets:admin"], "test-token": []}

TS_SECURITY = """import type { SecurityHooks } from "./generated/runtime.js";
// Test hooks: two known bearer tokens (one with the admin scope) and one API key.
export const security: SecurityHooks = {
  verifyBearer(token) {
    if (token === "admin-token") return { id: "admin", scopes: ["pets:admin"] };
    return token === "test-token" ? { id: "tester", scopes: [] } : null;
  },
  lookupApiKey(key) {
    return key === "test-key" ? { id: "key-user" } : null;
  },
};
"""

PY_SECURITY = '''"""Test hooks: two known bearer tokens (one with the admin scope) and one API key."""

from __future__ import annotations

from .generated.runtime import Principal, SecurityContext


class Security:
    async def verify_bearer(self, token: str, ctx: SecurityContext) -> Principal | None:
        if token == "admin-token":
            return Principal(id="admin", scopes=["pets:admin"])
        return Principal(id="tester") if token == "test-token" else None

    async def verify_basic(self, user: str, password: str, ctx: SecurityContext) -> Principal | None:
        return None

    async def lookup_api_key(self, key: str, ctx: SecurityContext) -> Principal | None:
        return Principal(id="key-user") if key == "test-key" else None


security = Security()
'''

TSCONFIG = {
    "compilerOptions": {
        "strict": True,
        "target": "ES2022",
        "module": "commonjs",
        "moduleResolution": "node",
        "esModuleInterop": True,
        "skipLibCheck": True,
        "outDir": "dist",
        "types": ["node"],
    },
    "exclude": ["dist"],
}


def node_harness() -> Path:
    """The pinned toolchain, installed once per lockfile under .cache/ (skips when npm is missing)."""
    if shutil.which("npm") is None or shutil.which("node") is None:
        pytest.skip("node and npm are needed to compile the TypeScript outputs")
    lock = (HARNESS_SRC / "package-lock.json").read_bytes()
    key = hashlib.sha256(lock + (HARNESS_SRC / "package.json").read_bytes()).hexdigest()[:12]
    home = ROOT / ".cache" / f"routes-harness-{key}"
    if not (home / "node_modules" / ".bin" / "tsc").exists():
        home.mkdir(parents=True, exist_ok=True)
        for name in ("package.json", "package-lock.json"):
            shutil.copy(HARNESS_SRC / name, home / name)
        subprocess.run(
            ["npm", "ci", "--no-audit", "--no-fund", "--loglevel=error"],
            cwd=home,
            check=True,
            capture_output=True,
            timeout=300,
        )
    return home


def tsc(project: Path, harness: Path) -> None:
    (project / "tsconfig.json").write_text(json.dumps(TSCONFIG))
    done = subprocess.run(
        [str(harness / "node_modules" / ".bin" / "tsc"), "-p", str(project)],
        capture_output=True,
        text=True,
        timeout=400,
    )
    assert done.returncode == 0, done.stdout[-4000:] + done.stderr[-2000:]


def server_command(framework: str, name: str, built: Path) -> list[str]:
    """How to start a generated server (``serving`` fills in the port): ``built`` is the compiled TypeScript
    cases folder, or the folder holding the ``<name>_api`` FastAPI packages."""
    if framework == "fastapi":
        argv = [str(VENV_BIN / "uvicorn"), f"{name}_api.generated.app:app", "--port", "{port}"]
        return [*argv, "--log-level", "warning"]
    return ["node", str(built / "dist" / f"{framework}-{name}" / "generated" / "server.js")]


def spec_scopes(spec: Path) -> list[str]:
    """Every OAuth scope a JSON spec's operations require (test hooks grant them all, so fuzzing reaches the
    handlers instead of stopping at 403)."""
    doc = json.loads(spec.read_text())
    found: set[str] = set()
    for item in doc["paths"].values():
        for op in item.values():
            if isinstance(op, dict):
                for requirement in op.get("security") or doc.get("security") or []:
                    for scopes in requirement.values():
                        found.update(scopes)
    return sorted(found)


def mypy_strict(root: Path, packages: list[str]) -> None:
    """mypy --strict over generated FastAPI packages under ``root``; fails the test with its output."""
    done = subprocess.run(
        [str(VENV_BIN / "mypy"), "--strict", "--no-incremental", *packages],
        cwd=root,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stdout[-4000:]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@contextmanager
def serving(command: list[str], cwd: Path, env: dict[str, str] | None = None) -> Iterator[str]:
    """Run a server on a free 127.0.0.1 port (PORT/--port) until it answers; yield its URL; stop it.

    Mock mode is on (``STANCHION_MOCK=1``: the stub handlers answer the spec's examples) unless ``env``
    says otherwise."""
    port = free_port()
    argv = [part.replace("{port}", str(port)) for part in command]
    full_env = {**os.environ, "PORT": str(port), "HOST": "127.0.0.1", "STANCHION_MOCK": "1", **(env or {})}
    log = cwd / f"server-{port}.log"
    with log.open("w") as sink:
        proc = subprocess.Popen(argv, cwd=cwd, env=full_env, stdout=sink, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                    break
            except OSError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    raise AssertionError(f"server did not start: {log.read_text()[-3000:]}") from None
                time.sleep(0.1)
        yield f"http://127.0.0.1:{port}"
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=10)


def request(
    url: str, method: str = "GET", body: bytes | None = None, headers: dict[str, str] | None = None
) -> tuple[int, dict[str, str], bytes]:
    req = urllib.request.Request(url, data=body, method=method, headers=headers or {})
    try:
        with urllib.request.urlopen(req, timeout=10) as resp:
            return resp.status, {k.lower(): v for k, v in resp.headers.items()}, resp.read()
    except urllib.error.HTTPError as err:
        return err.code, {k.lower(): v for k, v in err.headers.items()}, err.read()


def schemathesis(
    spec: Path,
    url: str,
    workdir: Path,
    *,
    examples: int,
    extra: list[str] | None = None,
    phases: str = "examples,coverage,fuzzing",
) -> str:
    """Schemathesis, every check, the examples/coverage/fuzzing phases, bounded; returns its report.

    Stateful checks (use_after_free, ensure_resource_availability) need handlers that keep state: stubs that
    answer examples cannot pass them by design, so the stateful phase is not run against stubs. Extra
    parameters (unknown headers or query members) are ignored by the generated routes, as HTTP expects.
    """
    config = workdir / "schemathesis.toml"
    config.write_text("[generation]\nallow-extra-parameters = false\n")
    argv = [
        str(VENV_BIN / "schemathesis"),
        "--config-file",
        str(config),
        "run",
        str(spec),
        "--url",
        url,
        "--checks",
        "all",
        "--phases",
        phases,
        "--max-examples",
        str(examples),
        "--seed",
        "20261122",
        "--workers",
        "1",
        "--request-timeout",
        "10",
        *(extra or []),
    ]
    done = subprocess.run(argv, cwd=workdir, capture_output=True, text=True, timeout=600)
    report = done.stdout + done.stderr
    assert done.returncode == 0, report[-6000:]
    return report


# -- specs ----------------------------------------------------------------------------------------------


def unpack(name: str, target: Path) -> Path:
    """A gzipped corpus spec written out as JSON."""
    source = DATA / name
    out = target / source.name.removesuffix(".gz")
    with gzip.open(source, "rt") as f:
        out.write_text(f.read())
    return out


def _refs(node: Any, found: set[str]) -> None:
    if isinstance(node, dict):
        ref = node.get("$ref")
        if isinstance(ref, str) and ref.startswith("#/components/"):
            found.add(ref)
        for value in node.values():
            _refs(value, found)
    elif isinstance(node, list):
        for value in node:
            _refs(value, found)


def subset(spec: Path, paths: list[str], target: Path) -> Path:
    """The spec cut down to ``paths`` and the components they reach (for bounded runs on large specs)."""
    doc = json.loads(spec.read_text())
    out = copy.deepcopy({k: v for k, v in doc.items() if k not in ("paths", "components")})
    out["paths"] = {p: doc["paths"][p] for p in paths}
    comps = doc.get("components", {})
    keep: set[str] = set()
    todo: set[str] = set()
    _refs(out["paths"], todo)
    _refs(out.get("security", []), todo)
    while todo:
        ref = todo.pop()
        if ref in keep:
            continue
        keep.add(ref)
        _, _, section, name = ref.split("/", 3)
        node = comps.get(section, {}).get(name.replace("~1", "/").replace("~0", "~"))
        _refs(node, todo)
    pruned: dict[str, dict[str, Any]] = {}
    for ref in keep:
        _, _, section, name = ref.split("/", 3)
        key = name.replace("~1", "/").replace("~0", "~")
        pruned.setdefault(section, {})[key] = comps[section][key]
    pruned["securitySchemes"] = comps.get("securitySchemes", {})
    out["components"] = pruned
    path = target / f"{spec.stem}-subset.json"
    path.write_text(json.dumps(out))
    return path


def blockfrost_fixed(target: Path) -> Path:
    """Blockfrost's spec with its one OpenAPI 3.0 error fixed: ``{type: 'null'}`` branches become ``nullable``."""
    from stanchion.scaffold.spec.loader import read_document

    doc = read_document(DATA / "blockfrost" / "openapi.yaml")

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            for key in ("anyOf", "oneOf"):
                if isinstance(node.get(key), list) and {"type": "null"} in node[key]:
                    node[key] = [b for b in node[key] if b != {"type": "null"}]
                    node["nullable"] = True
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(doc)
    out = target / "blockfrost.json"
    out.write_text(json.dumps(doc))
    return out
