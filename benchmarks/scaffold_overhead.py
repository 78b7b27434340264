"""What the production middleware of a generated service costs: `GET /health` throughput of each generated
service beside the bare framework's hello-world, on the same machine, with the same server settings.

For each stack (express-typescript, fastapi) the script generates the `--auth --docker --ci` project, installs
it (reusing `.cache/scaffold`, keyed by lockfile hash, as the test suite does), starts it on 127.0.0.1, and
starts a hello-world app of the bare framework from the same installed packages (Express 5 / FastAPI on
uvicorn, one process, no access log). Each server is pinned to core 0 and wrk to core 1 (50 keep-alive
connections); rounds alternate generated/bare and the median round is reported. Target: ratio >= 0.7.

    .venv/bin/python benchmarks/scaffold_overhead.py --seconds 10 --rounds 3
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path

from stanchion.scaffold.new import ProjectOptions, new_project
from stanchion.scaffold.stacks.express_typescript.verify import install as npm_install
from stanchion.scaffold.stacks.fastapi.verify import install as pip_install
from stanchion.scaffold.verify import Service, free_port, run, start_service

ROOT = Path(__file__).resolve().parents[1]
CACHE = ROOT / ".cache" / "scaffold"

BARE_EXPRESS = """import express from "express";
const app = express();
app.get("/health", (_req, res) => { res.json({ status: "ok" }); });
app.listen(Number(process.env.PORT), "127.0.0.1");
"""

BARE_FASTAPI = """from fastapi import FastAPI

app = FastAPI()


@app.get("/health")
async def health() -> dict[str, str]:
    return {"status": "ok"}
"""


def pinned(core: int, argv: Sequence[str]) -> list[str]:
    return ["taskset", "-c", str(core), *argv] if shutil.which("taskset") else list(argv)


def wrk(url: str, seconds: int) -> float:
    """Requests per second that wrk (one thread on core 1, 50 connections) reached."""
    proc = subprocess.run(
        pinned(1, ["wrk", "-t1", "-c50", f"-d{seconds}s", url]), capture_output=True, text=True, check=True
    )
    if "Non-2xx" in proc.stdout:
        raise RuntimeError(f"{url} answered errors under load:\n{proc.stdout}")
    match = re.search(r"Requests/sec:\s+([\d.]+)", proc.stdout)
    if not match:
        raise RuntimeError(f"no rate in wrk output:\n{proc.stdout}")
    return float(match.group(1))


def express_servers(work: Path) -> tuple[list[str], list[str], Path, dict[str, str], dict[str, str]]:
    project = new_project(
        work / "shop",
        ProjectOptions(name="shop", stack="express-typescript", auth=True, docker=True, ci=True),
    ).path
    npm = shutil.which("npm") or "npm"
    npm_install(project, npm, CACHE)
    run([str(project / "node_modules" / ".bin" / "tsc"), "-p", "tsconfig.build.json"], project)
    (project / "bare.mjs").write_text(BARE_EXPRESS)
    node = shutil.which("node") or "node"
    env = {
        **os.environ,
        "NODE_ENV": "development",
        "LOG_LEVEL": "info",
        "DATABASE_URL": f"pglite:{work / 'pgdata'}",
        "JWT_SECRET": "bench-" + "x" * 40,
        "RATE_LIMIT_MAX": "100000000",
    }
    return [node, "dist/server.js"], [node, "bare.mjs"], project, env, dict(os.environ)


def fastapi_servers(work: Path) -> tuple[list[str], list[str], Path, dict[str, str], dict[str, str]]:
    project = new_project(
        work / "orders", ProjectOptions(name="orders", stack="fastapi", auth=True, docker=True, ci=True)
    ).path
    _, venv = pip_install(project, CACHE)
    env = {
        **os.environ,
        "ENVIRONMENT": "development",
        "LOG_LEVEL": "info",
        "DATABASE_URL": f"sqlite:///{work / 'bench.db'}",
        "JWT_SECRET": "bench-" + "x" * 40,
        "RATE_LIMIT": "100000000/minute",
    }
    run([str(venv / "bin" / "alembic"), "upgrade", "head"], project, env)
    (project / "bare.py").write_text(BARE_FASTAPI)
    uvicorn = [
        str(venv / "bin" / "uvicorn"),
        "--host",
        "127.0.0.1",
        "--no-access-log",
        "--log-level",
        "warning",
    ]
    return [*uvicorn, "app.main:app"], [*uvicorn, "bare:app"], project, env, dict(os.environ)


def measure(stack: str, seconds: int, rounds: int) -> dict[str, float]:
    with tempfile.TemporaryDirectory(prefix="stanchion-bench-") as tmp:
        work = Path(tmp)
        build = express_servers if stack == "express-typescript" else fastapi_servers
        generated, bare, project, gen_env, bare_env = build(work)
        rates: dict[str, list[float]] = {"generated": [], "bare": []}
        for _ in range(rounds):
            for label, argv, env in (("generated", generated, gen_env), ("bare", bare, bare_env)):
                port = free_port()
                if "--host" in argv:
                    argv = [*argv, "--port", str(port)]
                service: Service = start_service(
                    pinned(0, argv), project, {**env, "PORT": str(port)}, port, work / f"{label}.log"
                )
                try:
                    wrk(service.base_url + "/health", 2)  # warm-up
                    rates[label].append(wrk(service.base_url + "/health", seconds))
                finally:
                    service.stop(grace=5)
        generated_rps = statistics.median(rates["generated"])
        bare_rps = statistics.median(rates["bare"])
        return {"generated": generated_rps, "bare": bare_rps, "ratio": generated_rps / bare_rps}


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--stacks", default="express-typescript,fastapi")
    args = parser.parse_args(argv)
    if not shutil.which("wrk"):
        print("wrk is missing: apt-get install wrk (scripts/setup-system.sh installs it)", file=sys.stderr)
        return 3
    print("| stack | generated GET /health req/s | bare hello-world req/s | ratio (target >= 0.7) |")
    print("|---|---:|---:|---:|")
    worst = 1.0
    for stack in args.stacks.split(","):
        result = measure(stack, args.seconds, args.rounds)
        worst = min(worst, result["ratio"])
        print(
            f"| {stack} | {result['generated']:,.0f} | {result['bare']:,.0f} | {result['ratio']:.2f} |",
            flush=True,
        )
    return 0 if worst >= 0.7 else 1


if __name__ == "__main__":
    sys.exit(main())
