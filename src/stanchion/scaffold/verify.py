"""``stanchion scaffold verify``: prove a generated project works, end to end, and give one verdict.

Stages, in order; the first failure stops the run (later stages are reported as skipped):

1. ``install``: ``npm ci`` / ``pip install -r requirements-lock.txt`` into a venv. With a cache folder the
   installed tree is kept under ``<cache>/<kind>-<sha256 of the lockfile>`` and reused by every project with
   the same lockfile (``node_modules`` becomes a link to it; the venv lives there).
2. ``lint`` and ``typecheck``: ESLint and ``tsc --noEmit`` / ruff (check + format) and mypy strict.
3. ``tests``: the project's own tests (vitest / pytest).
4. ``build`` (TypeScript) or ``migrate`` (Alembic on a throwaway SQLite file).
5. ``boot``: the service on a free 127.0.0.1 port with a throwaway database (PGlite / SQLite), seeded with
   an admin user when the project has auth.
6. ``health``: ``GET /health`` and ``GET /ready`` answer 200.
7. ``schemathesis``: every check (``--checks all``, so ignored-auth and negative-data rejection too) against
   the ``/openapi.json`` the service serves, authenticated as that admin when the project has auth.
8. ``shutdown``: SIGTERM, and the service exits by itself.

The process tree of the service is always ended, whatever happens.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from stanchion.errors import EnvironmentProblem, UsageError
from stanchion.output import NullProgress, Progress

STAGES = ("install", "lint", "typecheck", "tests", "build", "boot", "health", "schemathesis", "shutdown")
ADMIN_EMAIL = "verify-admin@example.com"
ADMIN_PASSWORD = "Verify-admin-password-1"  # a throwaway account in a throwaway database
_TAIL = 2_000


@dataclass
class Stage:
    """One stage's outcome: ``ok`` (passed), ``failed`` or ``skipped``, with what it ran and saw."""

    name: str
    status: str
    seconds: float = 0.0
    detail: str = ""
    command: str = ""

    def to_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "status": self.status,
            "seconds": round(self.seconds, 2),
            "command": self.command,
            "detail": self.detail,
        }


@dataclass
class OperationOutcome:
    """What Schemathesis made of one operation (``"GET /pets/{petId}"``): ``passed``, ``failed``,
    ``errored``, ``skipped``, or ``not-run`` (listed in the spec, never reached)."""

    operation: str
    outcome: str
    detail: str = ""

    def to_json(self) -> dict[str, str]:
        return {"operation": self.operation, "outcome": self.outcome, "detail": self.detail}


@dataclass
class VerifyResult:
    path: Path
    stack: str
    stages: list[Stage] = field(default_factory=list)
    spec: str | None = None
    operations: list[OperationOutcome] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return all(stage.status == "ok" for stage in self.stages)

    @property
    def verdict(self) -> str:
        return "pass" if self.ok else "fail"

    def to_json(self) -> dict[str, Any]:
        return {
            "path": str(self.path),
            "stack": self.stack,
            "verdict": self.verdict,
            "spec": self.spec,
            "stages": [stage.to_json() for stage in self.stages],
            "operations": [outcome.to_json() for outcome in self.operations],
        }


class StageFailed(Exception):
    def __init__(self, detail: str, command: str = "") -> None:
        super().__init__(detail)
        self.detail = detail
        self.command = command


def detect_stack(path: Path) -> str:
    """Which stack generated ``path``: ``express-typescript`` or ``fastapi``."""
    if not path.is_dir():
        raise UsageError(f"{path} is not a folder", "pass the folder 'stanchion scaffold new' created")
    if (path / "package.json").is_file() and (path / "package-lock.json").is_file():
        return "express-typescript"
    if (path / "requirements-lock.txt").is_file() and (path / "app" / "main.py").is_file():
        return "fastapi"
    raise UsageError(
        f"{path} is not a project stanchion can verify",
        "expected package.json + package-lock.json (express-typescript) or requirements-lock.txt + app/main.py (fastapi)",
    )


def lock_hash(lockfile: Path, extra: str = "") -> str:
    digest = hashlib.sha256(lockfile.read_bytes())
    digest.update(extra.encode())
    return digest.hexdigest()[:16]


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _tail(text: str) -> str:
    text = text.strip()
    return text if len(text) <= _TAIL else "..." + text[-_TAIL:]


def run(
    argv: Sequence[str], cwd: Path, env: Mapping[str, str] | None = None, timeout: float = 600
) -> subprocess.CompletedProcess[str]:
    """Run a command; a non-zero exit or a timeout fails the stage with the output's tail."""
    command = " ".join(argv)
    try:
        proc = subprocess.run(
            list(argv),
            cwd=cwd,
            env=dict(env) if env is not None else None,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
    except subprocess.TimeoutExpired as exc:
        raise StageFailed(f"timed out after {timeout:.0f} s", command) from exc
    except FileNotFoundError as exc:
        raise StageFailed(f"cannot run {argv[0]}: {exc}", command) from exc
    if proc.returncode != 0:
        raise StageFailed(f"exit {proc.returncode}\n{_tail(proc.stdout + proc.stderr)}", command)
    return proc


def http_get(url: str, token: str | None = None, timeout: float = 5.0) -> tuple[int, str]:
    request = urllib.request.Request(url, headers={"Authorization": f"Bearer {token}"} if token else {})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return int(response.status), response.read().decode("utf-8", "replace")
    except urllib.error.HTTPError as exc:
        return int(exc.code), exc.read().decode("utf-8", "replace")


def http_post_json(url: str, body: dict[str, Any], timeout: float = 10.0) -> tuple[int, Any]:
    data = json.dumps(body).encode()
    request = urllib.request.Request(
        url, data=data, headers={"Content-Type": "application/json"}, method="POST"
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return int(response.status), json.loads(response.read() or b"null")
    except urllib.error.HTTPError as exc:
        return int(exc.code), exc.read().decode("utf-8", "replace")


@dataclass
class Service:
    """A running service process and where it answers."""

    process: subprocess.Popen[bytes]
    base_url: str
    log: Path

    def log_tail(self) -> str:
        try:
            return _tail(self.log.read_text(encoding="utf-8", errors="replace"))
        except OSError:
            return ""

    def stop(self, grace: float = 10.0) -> bool:
        """SIGTERM, wait up to ``grace`` seconds; True when it exited on its own. Kills it otherwise."""
        if self.process.poll() is not None:
            return self.process.returncode == 0
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=grace)
            return True
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=5)
            return False


def start_service(
    argv: Sequence[str],
    cwd: Path,
    env: Mapping[str, str],
    port: int,
    log: Path,
    probe: str | None = "/health",
) -> Service:
    """Start the service in its own process group and wait (30 s at most) until ``probe`` answers 200 (with
    no probe: until it answers HTTP at all)."""
    handle = log.open("wb")
    process = subprocess.Popen(
        list(argv), cwd=cwd, env=dict(env), stdout=handle, stderr=subprocess.STDOUT, start_new_session=True
    )
    handle.close()
    service = Service(process, f"http://127.0.0.1:{port}", log)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise StageFailed(
                f"the service exited with {process.returncode}\n{service.log_tail()}", " ".join(argv)
            )
        try:
            status, _ = http_get(service.base_url + (probe or "/"), timeout=1)
            if status == 200 or probe is None:
                return service
        except OSError:
            pass
        time.sleep(0.2)
    service.stop(grace=2)
    raise StageFailed(
        f"{probe or 'the service'} did not answer within 30 s\n{service.log_tail()}", " ".join(argv)
    )


class Runner:
    """Runs stages in order, records each, and stops at the first failure."""

    def __init__(self, result: VerifyResult, progress: Progress) -> None:
        self.result = result
        self.progress = progress
        self.failed = False

    def stage(self, name: str, body: Callable[[], str | None]) -> None:
        if self.failed:
            self.result.stages.append(Stage(name, "skipped", detail="an earlier stage failed"))
            return
        self.progress.update(f"verify: {name}")
        started = time.perf_counter()
        try:
            detail = body() or ""
            self.result.stages.append(Stage(name, "ok", time.perf_counter() - started, detail))
        except StageFailed as exc:
            self.failed = True
            self.result.stages.append(
                Stage(name, "failed", time.perf_counter() - started, exc.detail, exc.command)
            )
        self.progress.advance()


def schemathesis_command() -> list[str]:
    """The Schemathesis CLI beside this Python (it is one of Stanchion's test dependencies)."""
    beside = Path(sys.executable).parent / "schemathesis"
    found = str(beside) if beside.exists() else shutil.which("schemathesis")
    if not found:
        raise EnvironmentProblem(
            "schemathesis is not installed", "pip install 'schemathesis>=4' (it is in stanchion's dev extra)"
        )
    return [found]


def run_schemathesis(
    base_url: str,
    token: str | None,
    max_examples: int,
    workdir: Path,
    *,
    schema: str | None = None,
    config: str | None = None,
    phases: str | None = None,
    outcomes: list[OperationOutcome] | None = None,
    reach_handlers: bool = False,
) -> str:
    """Schemathesis with every check against ``schema`` (default: the served ``/openapi.json``), bounded
    and seeded; each operation's outcome (from its JUnit report) is appended to ``outcomes``. With
    ``reach_handlers``, a run whose protected operations only ever answered 401/403 fails: the credential
    never opened them, so nothing behind the security check was proved."""
    report = workdir / "schemathesis-junit.xml"
    argv = [*schemathesis_command()]
    if config is not None:
        (workdir / "schemathesis.toml").write_text(config, encoding="utf-8")
        argv += ["--config-file", str(workdir / "schemathesis.toml")]
    argv += ["run", schema or f"{base_url}/openapi.json"]
    if schema is not None:
        argv += ["--url", base_url]
    argv += [
        "--checks",
        "all",
        "--max-examples",
        str(max_examples),
        "--workers",
        "1",
        "--seed",
        "20250101",
        "--generation-database",
        "none",
        "--wait-for-schema",
        "10",
        "--no-color",
        "--request-timeout",
        "10",
        # Text fields refuse NUL by pattern (PostgreSQL cannot store it); Schemathesis's stateful phase
        # does not apply patterns to NUL and would misjudge the rejection, so NUL is not generated.
        "--generation-allow-x00",
        "false",
        "--report-junit-path",
        str(report),
    ]
    if phases:
        argv += ["--phases", phases]
    if token:
        argv += ["--header", f"Authorization: Bearer {token}"]
    shown = " ".join(a if not a.startswith("Authorization") else "Authorization: Bearer ***" for a in argv)
    try:
        proc = subprocess.run(argv, cwd=workdir, capture_output=True, text=True, timeout=1800, check=False)
    except subprocess.TimeoutExpired as exc:
        raise StageFailed("schemathesis timed out after 1800 s", shown) from exc
    if outcomes is not None:
        outcomes.extend(junit_outcomes(report))
    summary = _tail(proc.stdout)
    if proc.returncode != 0:
        raise StageFailed(summary or _tail(proc.stderr), shown)
    if reach_handlers and "Authentication failed" in proc.stdout:
        raise StageFailed(
            "only 401/403 came back from some operations: the credential never reached them\n" + summary,
            shown,
        )
    return summary.splitlines()[-1].strip("= ") if summary else ""


def junit_outcomes(report: Path) -> list[OperationOutcome]:
    """One outcome per ``<testcase>`` of a Schemathesis JUnit report (named ``"METHOD /path"``)."""
    import xml.etree.ElementTree as ElementTree

    try:
        root = ElementTree.parse(report).getroot()
    except (OSError, ElementTree.ParseError):
        return []
    found: list[OperationOutcome] = []
    for case in root.iter("testcase"):
        outcome, detail = "passed", ""
        for child, name in (("failure", "failed"), ("error", "errored"), ("skipped", "skipped")):
            element = case.find(child)
            if element is not None:
                outcome = name
                text = f"{element.get('message') or ''}\n{element.text or ''}"
                lines = [line.strip() for line in text.splitlines() if line.strip()]
                detail = " ".join(dict.fromkeys(lines[:3]))[:300]  # the check's code and title, once
                break
        found.append(OperationOutcome(case.get("name", ""), outcome, detail))
    return found


def login(base_url: str) -> str:
    status, body = http_post_json(
        f"{base_url}/auth/login", {"email": ADMIN_EMAIL, "password": ADMIN_PASSWORD}
    )
    if status != 200 or not isinstance(body, dict) or "access_token" not in body:
        raise StageFailed(f"could not log in as the seeded admin: {status} {body}")
    return str(body["access_token"])


@contextmanager
def workdir() -> Iterator[Path]:
    path = Path(tempfile.mkdtemp(prefix="stanchion-verify-"))
    try:
        yield path
    finally:
        shutil.rmtree(path, ignore_errors=True)


def check_health(service: Service) -> str:
    """``GET /health`` and ``GET /ready`` must answer 200."""
    for path in ("/health", "/ready"):
        status, body = http_get(service.base_url + path)
        if status != 200:
            raise StageFailed(f"GET {path} answered {status}: {body[:200]}")
    return "/health 200, /ready 200"


def check_shutdown(service: Service) -> str:
    """SIGTERM must end the service by itself within 10 s (graceful shutdown)."""
    if not service.stop(grace=10):
        raise StageFailed(f"the service did not exit within 10 s of SIGTERM\n{service.log_tail()}")
    return f"stopped by itself after SIGTERM (exit status {service.process.returncode})"


def last_lines(text: str, count: int = 4) -> str:
    """The last ``count`` non-empty lines, or the test runner's summary line when there is one."""
    lines = [line for line in text.strip().splitlines() if line.strip()]
    summary = [line for line in lines if re.search(r"\d+ (passed|failed)", line)]
    return summary[-1].strip("= ") if summary else "\n".join(lines[-count:])


def verify_project(
    path: Path,
    *,
    cache_dir: Path | None = None,
    max_examples: int = 30,
    progress: Progress | None = None,
) -> VerifyResult:
    """Verify the project at ``path`` (see the module docstring for the stages)."""
    path = path.resolve()
    stack = detect_stack(path)
    progress = progress or NullProgress()
    if max_examples < 1:
        raise UsageError("--max-examples must be at least 1")
    result = VerifyResult(path=path, stack=stack)
    if stack == "express-typescript":
        from stanchion.scaffold.stacks.express_typescript.verify import verify_express

        verify_express(path, Runner(result, progress), cache_dir, max_examples)
    else:
        from stanchion.scaffold.stacks.fastapi.verify import verify_fastapi

        verify_fastapi(path, Runner(result, progress), cache_dir, max_examples)
    return result
