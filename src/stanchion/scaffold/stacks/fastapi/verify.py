"""Verification stages for a FastAPI project (see :mod:`stanchion.scaffold.verify`)."""

from __future__ import annotations

import os
import shutil
import sys
from collections.abc import Callable
from pathlib import Path

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


def _base_python() -> str:
    """A Python to build venvs with: the interpreter Stanchion runs on (3.11+)."""
    return sys.executable


def install(project: Path, cache_dir: Path | None) -> tuple[str, Path]:
    """A venv with requirements-lock.txt installed: ``.venv`` in the project, or shared by lockfile hash."""
    lock = project / "requirements-lock.txt"
    version = f"{sys.version_info.major}.{sys.version_info.minor}"
    if cache_dir is None:
        venv = project / ".venv"
        if not (venv / "bin" / "python").exists():
            run([_base_python(), "-m", "venv", str(venv)], project, timeout=300)
        run([str(venv / "bin" / "pip"), "install", "--quiet", "-r", str(lock)], project, timeout=900)
        return "pip install -r requirements-lock.txt into .venv", venv
    venv = cache_dir / f"venv-{lock_hash(lock, version)}"
    marker = venv / ".complete"
    if marker.exists():
        return f"reused {venv}", venv
    # A venv names its own path in its scripts, so it is built where it stays; the marker says it is whole.
    shutil.rmtree(venv, ignore_errors=True)
    cache_dir.mkdir(parents=True, exist_ok=True)
    run([_base_python(), "-m", "venv", str(venv)], project, timeout=300)
    run([str(venv / "bin" / "pip"), "install", "--quiet", "-r", str(lock)], project, timeout=900)
    marker.write_text(lock.read_text(encoding="utf-8"), encoding="utf-8")
    return f"pip install -r requirements-lock.txt into {venv}", venv


def verify_fastapi(project: Path, runner: Runner, cache_dir: Path | None, max_examples: int) -> None:
    auth = (project / "app" / "api" / "auth.py").is_file()
    has_db = (project / "alembic.ini").is_file()
    venvs: list[Path] = []

    def do_install() -> str:
        note, venv = install(project, cache_dir)
        venvs.append(venv)
        return note

    def tool(name: str) -> str:
        return str(venvs[0] / "bin" / name)

    env = {**os.environ, "NO_COLOR": "1"}
    env.pop("VIRTUAL_ENV", None)
    runner.stage("install", do_install)
    runner.stage("lint", lambda: _lint(project, tool, env))
    runner.stage("typecheck", lambda: last_lines(run([tool("mypy")], project, env).stdout, 1))
    runner.stage(
        "tests",
        lambda: last_lines(run([tool("pytest"), "-p", "no:cacheprovider"], project, env).stdout, 1),
    )
    with workdir() as work:
        port = free_port()
        service_env = {
            **env,
            "ENVIRONMENT": "development",
            "LOG_LEVEL": "warning",
            # routes generated from a spec whose handlers are not written answer its examples (mock mode)
            "STANCHION_MOCK": "1",
            "DATABASE_URL": f"sqlite:///{work / 'verify.db'}",
            # Schemathesis sends thousands of requests: limits stay on, set out of its way.
            "RATE_LIMIT": "1000000/minute",
            "AUTH_RATE_LIMIT": "1000000/minute",
            "JWT_SECRET": "verify-" + "x" * 40,
            "PASSWORD_HASH_TIME_COST": "1",
            "ADMIN_EMAIL": ADMIN_EMAIL,
            "ADMIN_PASSWORD": ADMIN_PASSWORD,
        }

        def migrate() -> str:
            if not has_db:
                return "no database in this project"
            run([tool("alembic"), "upgrade", "head"], project, service_env, timeout=120)
            run([tool("python"), "-m", "app.seed"], project, service_env, timeout=120)
            return "alembic upgrade head + seed on a throwaway SQLite file"

        runner.stage("build", migrate)
        service: list[Service] = []

        def boot() -> str:
            argv = [
                tool("uvicorn"),
                "app.main:app",
                "--host",
                "127.0.0.1",
                "--port",
                str(port),
                "--no-access-log",
            ]
            service.append(start_service(argv, project, service_env, port, work / "service.log"))
            return f"listening on 127.0.0.1:{port}"

        try:
            runner.stage("boot", boot)
            runner.stage("health", lambda: check_health(service[0]))

            def fuzz() -> str:
                token = login(service[0].base_url) if auth else None
                return run_schemathesis(
                    service[0].base_url,
                    token,
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


def _lint(project: Path, tool: Callable[[str], str], env: dict[str, str]) -> str:
    run([tool("ruff"), "check", "."], project, env)
    run([tool("ruff"), "format", "--check", "."], project, env)
    return "ruff check + ruff format --check: clean"
