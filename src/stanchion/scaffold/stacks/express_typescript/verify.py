"""Verification stages for an Express + TypeScript project (see :mod:`stanchion.scaffold.verify`)."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

from stanchion.errors import EnvironmentProblem
from stanchion.scaffold.verify import (
    ADMIN_EMAIL,
    ADMIN_PASSWORD,
    Runner,
    Service,
    check_health,
    check_shutdown,
    free_port,
    last_lines,
    lock_hash,
    login,
    run,
    run_schemathesis,
    start_service,
    workdir,
)
from stanchion.scaffold.verify_routes import project_schemathesis_config


def _tools() -> tuple[str, str]:
    npm, node = shutil.which("npm"), shutil.which("node")
    if not npm or not node:
        raise EnvironmentProblem(
            "node and npm are needed to verify an express-typescript project",
            "install Node.js 20 (it includes npm), e.g. apt-get install nodejs npm",
        )
    return npm, node


def install(project: Path, npm: str, cache_dir: Path | None) -> str:
    """``npm ci``; with a cache, once per lockfile hash, linked in as ``node_modules``."""
    env = {
        **os.environ,
        "npm_config_audit": "false",
        "npm_config_fund": "false",
        "npm_config_update_notifier": "false",
    }
    modules = project / "node_modules"
    if cache_dir is None or (modules.exists() and not modules.is_symlink()):
        run([npm, "ci"], project, env, timeout=900)
        return "npm ci"
    key = lock_hash(project / "package-lock.json")
    shared = cache_dir / f"npm-{key}"
    note = f"reused {shared}"
    if not (shared / "node_modules").is_dir():
        staging = cache_dir / f".npm-{key}-{os.getpid()}"
        shutil.rmtree(staging, ignore_errors=True)
        staging.mkdir(parents=True)
        for name in ("package.json", "package-lock.json"):
            shutil.copyfile(project / name, staging / name)
        run([npm, "ci"], staging, env, timeout=900)
        try:
            staging.rename(shared)
        except OSError:  # another run filled the cache first
            shutil.rmtree(staging, ignore_errors=True)
        note = f"npm ci into {shared}"
    if modules.is_symlink():
        modules.unlink()
    modules.symlink_to(shared / "node_modules", target_is_directory=True)
    return note


def verify_express(project: Path, runner: Runner, cache_dir: Path | None, max_examples: int) -> None:
    npm, node = _tools()
    bin_dir = project / "node_modules" / ".bin"
    auth = (project / "src" / "routes" / "auth.routes.ts").is_file()
    has_db = (project / "src" / "db" / "client.ts").is_file()
    env = {**os.environ, "NODE_ENV": "test", "CI": "1", "NO_COLOR": "1", "FORCE_COLOR": "0"}
    runner.stage("install", lambda: install(project, npm, cache_dir))
    runner.stage(
        "lint", lambda: run([str(bin_dir / "eslint"), "."], project, env).stdout.strip() or "eslint: clean"
    )
    runner.stage(
        "typecheck", lambda: _ran(run([str(bin_dir / "tsc"), "--noEmit"], project, env), "tsc: clean")
    )
    runner.stage("tests", lambda: last_lines(run([str(bin_dir / "vitest"), "run"], project, env).stdout))
    build = [str(bin_dir / "tsc"), "-p", "tsconfig.build.json"]
    runner.stage("build", lambda: _ran(run(build, project, env), "dist/ built"))
    with workdir() as work:
        port = free_port()
        service_env = {
            **os.environ,
            "NODE_ENV": "development",
            "HOST": "127.0.0.1",
            "PORT": str(port),
            "LOG_LEVEL": "warn",
            # routes generated from a spec whose handlers are not written answer its examples (mock mode)
            "STANCHION_MOCK": "1",
            # Schemathesis sends thousands of requests: limits stay on, set out of its way.
            "RATE_LIMIT_MAX": "1000000",
            "AUTH_RATE_LIMIT_MAX": "1000000",
            "JWT_SECRET": "verify-" + "x" * 40,
            "BCRYPT_COST": "10",
            "DATABASE_URL": f"pglite:{work / 'pgdata'}",
            "ADMIN_EMAIL": ADMIN_EMAIL,
            "ADMIN_PASSWORD": ADMIN_PASSWORD,
        }
        service: list[Service] = []

        def boot() -> str:
            if has_db:
                run([node, "dist/db/seed.js"], project, service_env, timeout=120)
            service.append(
                start_service([node, "dist/server.js"], project, service_env, port, work / "service.log")
            )
            return f"listening on 127.0.0.1:{port}" + (" (PGlite, seeded)" if has_db else "")

        try:
            runner.stage("boot", boot)
            runner.stage("health", lambda: check_health(service[0]))
            token: list[str | None] = [None]

            def fuzz() -> str:
                if auth:
                    token[0] = login(service[0].base_url)
                return run_schemathesis(
                    service[0].base_url,
                    token[0],
                    max_examples,
                    work,
                    outcomes=runner.result.operations,
                    config=project_schemathesis_config(project),
                )

            runner.stage("schemathesis", fuzz)
            runner.stage("shutdown", lambda: check_shutdown(service[0]))
        finally:
            for svc in service:
                svc.stop(grace=2)


def _ran(_proc: subprocess.CompletedProcess[str], note: str) -> str:
    return note
