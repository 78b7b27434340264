"""Spec to code on large real specs: generation time per framework and strict compile time.

    .venv/bin/python -m benchmarks.routes_generation [--compile]

Generation (load, bundle, validate, normalise, emit; nothing written) is timed for every framework on each
spec of the corpus: DigitalOcean's (the multi-file spec of ../shared/datasets/openapi/ as the loader bundles
it, with the corpus's one fix; bundling the 2,850 files is timed on its own as ``bundle``), GitHub's REST API, Blockfrost, and the published specs of Asana, CallFire, Twilio and Square
(tests/data/openapi/). With ``--compile``, the Express output is compiled with ``tsc`` (strict,
noUncheckedIndexedAccess) and the FastAPI output with ``mypy --strict`` through the pinned toolchain that
``scaffold verify --spec`` installs (cached under .cache/), except GitHub's (1,223 operations: about
4 minutes and 2 GB for tsc). Times are wall-clock seconds of one run on the machine it ran on.
"""

from __future__ import annotations

import argparse
import gzip
import json
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "tests" / "data" / "openapi"
SHARED = ROOT.parent / "shared" / "datasets" / "openapi"
FRAMEWORKS = ("express", "fastify", "koa", "fastapi")


def corpus(work: Path) -> dict[str, Path]:
    specs: dict[str, Path] = {}
    for name, file in (
        ("digitalocean", "digitalocean/openapi.json.gz"),
        ("github", "github/api.github.com.json.gz"),
        ("asana", "asana/openapi.json.gz"),
        ("callfire", "callfire/openapi.json.gz"),
        ("twilio", "twilio/openapi.json.gz"),
        ("square", "square/openapi.json.gz"),
    ):
        out = work / f"{name}.json"
        with gzip.open(DATA / file, "rt") as f:
            out.write_text(f.read())
        specs[name] = out
    sys.path.insert(0, str(ROOT))
    from tests.scaffold.test_routes_support import blockfrost_fixed

    specs["blockfrost"] = blockfrost_fixed(work)
    return specs


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument(
        "--compile", action="store_true", help="also tsc (Express) and mypy --strict (FastAPI)"
    )
    parser.add_argument("--only", nargs="*", default=None, help="spec names to run")
    args = parser.parse_args()
    from stanchion.scaffold.routes.generate import build, generate
    from stanchion.scaffold.verify import run
    from stanchion.scaffold.verify_routes import TSCONFIG, node_toolchain, python_toolchain

    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        for name, spec in corpus(work).items():
            if args.only and name not in args.only:
                continue
            row: dict[str, object] = {"spec": name}
            for framework in FRAMEWORKS:
                started = time.perf_counter()
                _, operations, _, _ = build(spec, framework)
                row[framework] = round(time.perf_counter() - started, 2)
                row["operations"] = operations
            if args.compile and name != "github":
                harness, _ = node_toolchain(ROOT / ".cache", work)
                out = work / f"{name}-express"
                generate(spec, "express", out, cwd=work)
                (out / "tsconfig.json").write_text(json.dumps(TSCONFIG))
                (out / "node_modules").symlink_to(harness / "node_modules")
                started = time.perf_counter()
                run([str(harness / "node_modules" / ".bin" / "tsc"), "-p", str(out)], out, timeout=1800)
                row["tsc"] = round(time.perf_counter() - started, 1)
                venv, _ = python_toolchain(ROOT / ".cache", work)
                package = f"{name}_api"
                generate(spec, "fastapi", work / package, cwd=work)
                started = time.perf_counter()
                run([str(venv / "bin" / "mypy"), "--strict", "--no-incremental", package], work, timeout=1800)
                row["mypy"] = round(time.perf_counter() - started, 1)
            if name == "digitalocean":
                from stanchion.scaffold.spec import load_spec

                started = time.perf_counter()
                load_spec(SHARED / "digitalocean" / "specification" / "DigitalOcean-public.v2.yaml")
                row["bundle"] = round(time.perf_counter() - started, 2)
            rows.append(row)
            print(json.dumps(row), flush=True)


if __name__ == "__main__":
    main()
