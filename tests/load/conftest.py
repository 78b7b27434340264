"""Fixtures for the load tests: the behaviour test server (tests/load/servers.py) as a real subprocess."""

from __future__ import annotations

import importlib
import json
import subprocess
import sys
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@dataclass
class BehaviourServer:
    proc: subprocess.Popen[str]
    port: int
    scheme: str = "http"

    def url(self, path: str = "/") -> str:
        return f"{self.scheme}://127.0.0.1:{self.port}{path}"

    def count(self) -> dict[str, object]:
        with urllib.request.urlopen(f"http://127.0.0.1:{self.port}/__count", timeout=5) as resp:
            data: dict[str, object] = json.loads(resp.read())
        return data

    def reset(self) -> None:
        with urllib.request.urlopen(f"http://127.0.0.1:{self.port}/__reset", timeout=5) as resp:
            resp.read()


def start_server(*extra: str) -> BehaviourServer:
    proc = subprocess.Popen(
        [sys.executable, "-m", "tests.load.servers", "--lifetime", "900", *extra],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert proc.stdout is not None
    line = proc.stdout.readline()
    if not line.startswith("READY"):
        proc.kill()
        raise RuntimeError(f"test server did not start: {line!r}")
    return BehaviourServer(proc, int(line.split()[1]), "https" if extra else "http")


def stop_server(server: BehaviourServer) -> None:
    server.proc.terminate()
    try:
        server.proc.wait(timeout=5)
    except subprocess.TimeoutExpired:
        server.proc.kill()


@pytest.fixture(params=["compiled", "python"])
def engine(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """A closed-model test runs on both per-request loops: the compiled one (built by the install; this
    fails when it was not, since the benchmark numbers depend on it) and the pure-Python one it falls back
    to (``STANCHION_LOAD_ENGINE=python``, also inherited by ``run_cli``'s processes)."""
    name: str = request.param
    if name == "python":
        monkeypatch.setenv("STANCHION_LOAD_ENGINE", "python")
    else:
        monkeypatch.delenv("STANCHION_LOAD_ENGINE", raising=False)
        importlib.import_module("stanchion.load.engine._hotloop")
    return name


@pytest.fixture(scope="session")
def http_server() -> Iterator[BehaviourServer]:
    server = start_server()
    try:
        yield server
    finally:
        stop_server(server)


@pytest.fixture
def server(http_server: BehaviourServer) -> BehaviourServer:
    """The shared test server with its request count zeroed."""
    http_server.reset()
    return http_server


@pytest.fixture(scope="session")
def tls_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[BehaviourServer]:
    """The same server behind TLS with a self-signed certificate (openssl from the base system)."""
    folder = tmp_path_factory.mktemp("tls")
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(
        [
            "openssl",
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-days",
            "2",
            "-subj",
            "/CN=127.0.0.1",
            "-keyout",
            str(key),
            "-out",
            str(cert),
        ],
        check=True,
        capture_output=True,
    )
    server = start_server("--tls", str(cert), str(key))
    try:
        yield server
    finally:
        stop_server(server)


def run_cli(*args: str, timeout: float = 120, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    """``stanchion load ...`` as a user runs it: a real process, real exit code."""
    return subprocess.run(
        [sys.executable, "-m", "stanchion", "load", *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        cwd=cwd or ROOT,
        env=None,
    )
