"""A plain install (no extras: none of the dev tools) runs one command of every tool.

The package is built from this checkout and installed, without ``-e`` and without extras, into a fresh
virtual environment; dependencies come from pip's configured index and cache, as a user's would. The build
is kept in ``.cache/plain-install/`` by a hash of the sources, so a rerun on unchanged sources only makes the
environment. Each command runs from a folder outside the checkout, so nothing is imported from it.
"""

from __future__ import annotations

import hashlib
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.load.conftest import BehaviourServer, start_server, stop_server

ROOT = Path(__file__).resolve().parents[1]
CACHE = ROOT / ".cache" / "plain-install"

pytestmark = [pytest.mark.slow, pytest.mark.timeout(900)]

PATTERN_SPEC = """\
openapi: 3.0.3
info: {title: codes, version: "1.0"}
paths:
  /codes/{code}:
    get:
      operationId: getCode
      parameters:
        - {name: code, in: path, required: true, schema: {type: string, pattern: "^AC[0-9a-f]{8}$"}}
      responses:
        "200":
          description: the code
          content:
            application/json:
              schema:
                type: object
                required: [code]
                properties:
                  code: {type: string, pattern: "^[A-Z]{2}-[0-9]{4}$"}
"""


def _source_hash() -> str:
    digest = hashlib.sha256()
    for path in sorted([ROOT / "pyproject.toml", *(ROOT / "src").rglob("*")]):
        skipped = "__pycache__" in path.parts or ".egg-info" in str(path) or path.suffix in (".pyc", ".so")
        if path.is_file() and not skipped:
            digest.update(str(path.relative_to(ROOT)).encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()[:16]


def _wheel() -> Path:
    folder = CACHE / f"wheel-{_source_hash()}"
    found = sorted(folder.glob("stanchion-*.whl"))
    if found:
        return found[0]
    for old in CACHE.glob("wheel-*"):  # builds of other sources, and any half-made one
        shutil.rmtree(old, ignore_errors=True)
    building = folder.with_name(folder.name + ".tmp")
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--quiet",
            "--no-deps",
            "--wheel-dir",
            str(building),
            str(ROOT),
        ],
        check=True,
        timeout=600,
    )
    building.rename(folder)
    return next(folder.glob("stanchion-*.whl"))


@pytest.fixture(scope="module")
def plain(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The bin folder of a fresh environment holding Stanchion and its runtime dependencies only."""
    wheel = _wheel()
    venv = tmp_path_factory.mktemp("plain") / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=300)
    subprocess.run(
        [
            str(venv / "bin" / "python"),
            "-m",
            "pip",
            "install",
            "--quiet",
            "--disable-pip-version-check",
            str(wheel),
        ],
        check=True,
        timeout=600,
    )
    return venv / "bin"


@pytest.fixture(scope="module")
def server() -> Iterator[BehaviourServer]:
    started = start_server()
    yield started
    stop_server(started)


def test_no_dev_tool_is_installed(plain: Path) -> None:
    for module in ("pytest", "schemathesis", "fastapi", "mypy"):
        probe = subprocess.run([plain / "python", "-c", f"import {module}"], capture_output=True)
        assert probe.returncode != 0, f"{module} is installed: the environment is not a plain install"


def test_every_tool_runs_on_a_plain_install(plain: Path, server: BehaviourServer, tmp_path: Path) -> None:
    (tmp_path / "codes.yaml").write_text(PATTERN_SPEC)
    migration = "-- migrate:up\nCREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT);\n-- migrate:down\nDROP TABLE notes;\n"
    (tmp_path / "migrations").mkdir()
    (tmp_path / "migrations" / "20240101000000_notes.sql").write_text(migration)
    decide = "--team-size 8 --qps-p99 50 --read-write-ratio 20 --tenancy shared-multi-tenant --data-sensitivity pii"
    decide += " --pattern modular-monolith --language-preference typescript"
    commands = [
        "stanchion --version",
        "stanchion config",
        "stanchion scaffold routes codes.yaml --framework express --output routes/",
        "stanchion scaffold routes codes.yaml --framework fastapi --output api/",
        "stanchion scaffold new svc --stack fastapi",
        "stanchion db migrate",
        "stanchion db status",
        "stanchion db analyze --fail-on never",
        "stanchion db lint migrations --dialect sqlite",
        f"stanchion load {server.url('/')} -n 20 -c 2 --workers 1",
        f"stanchion decide {decide}",
        "stanchion skill install --dest skill --agents-dest agents",
        "python skill/scripts/backend_decision_engine.py " + decide,
    ]
    env = {
        "PATH": f"{plain}:/usr/bin:/bin",
        "HOME": str(tmp_path),
        "CI": "1",
        "DATABASE_URL": "sqlite:///app.db",
    }
    for line in commands:
        proc = subprocess.run(
            ["bash", "-c", line], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=300
        )
        assert proc.returncode == 0, (
            f"{line}: exit {proc.returncode}\n{proc.stdout[-2000:]}\n{proc.stderr[-2000:]}"
        )
        assert "ModuleNotFoundError" not in proc.stderr and "internal error" not in proc.stderr, line
    generated = "\n".join(p.read_text() for p in (tmp_path / "routes").rglob("*.ts"))
    assert re.search(r"\"[A-Z]{2}-[0-9]{4}\"", generated)  # the pattern's example (hypothesis at run time)
