"""Client CPU per request: `stanchion load` beside wrk, hey, autocannon and locust (FastHttpUser).

Run: .venv/bin/python benchmarks/load_vs_peers.py [--seconds 10] [--connections 50]

Method (docs/load.md, "Performance"): one nginx worker pinned to core 0 (keepalive_requests raised,
access log off, a fixed 200 "ok" answer on 127.0.0.1), each client pinned to core 1 with 50 keep-alive
connections for the same number of seconds, one after the other. Client CPU is the user+system time of
the client process and everything it waited for (os.wait4), divided by the requests it completed.
Ratios are to wrk. A peer that is not installed is reported as missing, never guessed.

Then throughput from 1 to 2 `--workers` against nginx with two workers, unpinned (this machine has two
cores, so client and server share them: the ratio is a floor, not the scaling on a bigger box).

Peers: wrk and hey from Debian (apt-get install wrk hey), autocannon from npm (installed by this script
into .cache/bench-node when npm can reach the registry), locust from `pip install '.[bench]'`.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
NODE_DIR = ROOT / ".cache" / "bench-node"

NGINX_CONF = """
worker_processes {workers};
daemon off;
pid {dir}/nginx.pid;
error_log {dir}/error.log warn;
events {{ worker_connections 4096; }}
http {{
    access_log off;
    keepalive_requests 100000000;
    keepalive_timeout 120s;
    client_body_temp_path {dir}/body;
    proxy_temp_path {dir}/proxy;
    fastcgi_temp_path {dir}/fastcgi;
    uwsgi_temp_path {dir}/uwsgi;
    scgi_temp_path {dir}/scgi;
    server {{
        listen 127.0.0.1:{port} backlog=4096;
        location / {{ default_type text/plain; return 200 "ok\\n"; }}
    }}
}}
"""

LOCUSTFILE = """
from locust import constant, task
from locust.contrib.fasthttp import FastHttpUser

class Hammer(FastHttpUser):
    wait_time = constant(0)

    @task
    def get(self):
        self.client.get("/")
"""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Nginx:
    def __init__(self, workers: int, pin: str | None) -> None:
        self.dir = Path(tempfile.mkdtemp(prefix="stanchion-bench-nginx-"))
        self.port = free_port()
        conf = self.dir / "nginx.conf"
        conf.write_text(NGINX_CONF.format(workers=workers, dir=self.dir, port=self.port))
        argv = ["nginx", "-c", str(conf), "-p", str(self.dir)]
        if pin is not None:
            argv = ["taskset", "-c", pin, *argv]
        self.proc = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.2).close()
                return
            except OSError:
                time.sleep(0.05)
        raise RuntimeError("nginx did not start")

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/"

    def stop(self) -> None:
        self.proc.terminate()
        self.proc.wait(timeout=10)
        shutil.rmtree(self.dir, ignore_errors=True)


def measure(argv: list[str], cwd: Path | None = None) -> tuple[float, str]:
    """Run ``argv``; return (CPU seconds of it and its waited-for children, stdout+stderr)."""
    with tempfile.TemporaryFile("w+") as out:
        proc = subprocess.Popen(argv, stdout=out, stderr=subprocess.STDOUT, cwd=cwd)
        _, _, usage = os.wait4(proc.pid, 0)
        proc.returncode = 0
        out.seek(0)
        return usage.ru_utime + usage.ru_stime, out.read()


def wrk_requests(text: str) -> int:
    return int(re.search(r"(\d+) requests in", text).group(1))  # type: ignore[union-attr]


def hey_requests(text: str) -> int:
    return sum(int(n) for n in re.findall(r"\[\d{3}\]\s+(\d+) responses", text))


def autocannon_requests(text: str) -> int:
    doc = json.loads(text[text.index("{") :])
    return int(doc["requests"]["total"])


def stanchion_requests(text: str) -> int:
    doc = json.loads(text[text.index("{") :])
    return int(doc["requests"]["completed"])


def engine_requests(engine: str) -> Callable[[str], int]:
    """Completed requests of a run that must have used ``engine`` (the compiled loop or the Python one)."""

    def parse(text: str) -> int:
        doc = json.loads(text[text.index("{") :])
        if doc["loader"]["engine"] != engine:
            raise ValueError(f"ran on the {doc['loader']['engine']} loop, not the {engine} one")
        return int(doc["requests"]["completed"])

    return parse


def locust_requests(text: str) -> int:
    match = re.search(r"Aggregated\s+(\d+)\s+(\d+)", text)
    return int(match.group(1)) if match else 0


def ensure_autocannon() -> Path | None:
    binary = NODE_DIR / "node_modules" / ".bin" / "autocannon"
    if binary.exists():
        return binary
    if not shutil.which("npm"):
        return None
    NODE_DIR.mkdir(parents=True, exist_ok=True)
    if not (NODE_DIR / "package.json").exists():
        (NODE_DIR / "package.json").write_text('{"name": "bench-node", "private": true}\n')
    subprocess.run(
        ["npm", "install", "--no-audit", "--no-fund", "autocannon@7"],
        cwd=NODE_DIR,
        capture_output=True,
        timeout=300,
    )
    return binary if binary.exists() else None


def clients(url: str, seconds: int, conns: int, workdir: Path) -> dict[str, tuple[list[str], object] | str]:
    pin = ["taskset", "-c", "1"]
    found: dict[str, tuple[list[str], object] | str] = {}
    load = [
        str(BIN / "stanchion"),
        "load",
        url,
        "-c",
        str(conns),
        "-d",
        str(seconds),
        "--workers",
        "1",
        "--json",
    ]
    found["stanchion load"] = ([*pin, *load], engine_requests("compiled"))
    found["stanchion load (Python loop)"] = (
        [*pin, "env", "STANCHION_LOAD_ENGINE=python", *load],
        engine_requests("python"),
    )
    found["wrk"] = (
        ([*pin, "wrk", "-t1", f"-c{conns}", f"-d{seconds}s", url], wrk_requests)
        if shutil.which("wrk")
        else "missing (apt-get install wrk)"
    )
    found["hey"] = (
        ([*pin, "hey", "-c", str(conns), "-z", f"{seconds}s", url], hey_requests)
        if shutil.which("hey")
        else "missing (apt-get install hey; or go install github.com/rakyll/hey@latest)"
    )
    autocannon = ensure_autocannon()
    found["autocannon"] = (
        ([*pin, str(autocannon), "-c", str(conns), "-d", str(seconds), "--json", url], autocannon_requests)
        if autocannon
        else "missing (npm could not install autocannon)"
    )
    locust = BIN / "locust"
    if locust.exists():
        (workdir / "locustfile.py").write_text(LOCUSTFILE)
        found["locust (FastHttpUser)"] = (
            [*pin, str(locust), "-f", str(workdir / "locustfile.py"), "--headless", "-u", str(conns), "-r", str(conns),
             "-t", f"{seconds}s", "-H", url.rstrip("/"), "--only-summary", "--stop-timeout", "0"],
            locust_requests,
        )  # fmt: skip
    else:
        found["locust (FastHttpUser)"] = "missing (pip install '.[bench]')"
    return found


def median_run(samples: list[tuple[int, float]]) -> tuple[int, float]:
    """The run with the median CPU per request."""
    ordered = sorted(samples, key=lambda s: s[1] / max(s[0], 1))
    return ordered[len(ordered) // 2]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--connections", type=int, default=50)
    parser.add_argument("--rounds", type=int, default=3, help="interleaved rounds; the median is reported")
    parser.add_argument("--skip-scaling", action="store_true")
    args = parser.parse_args()
    if not shutil.which("nginx") or not shutil.which("taskset"):
        print("nginx or taskset missing: run scripts/setup-system.sh", file=sys.stderr)
        return 3
    runs: dict[str, list[tuple[int, float]]] = {}
    missing: dict[str, str] = {}
    workdir = Path(tempfile.mkdtemp(prefix="stanchion-bench-"))
    server = Nginx(workers=1, pin="0")
    try:
        specs = clients(server.url, args.seconds, args.connections, workdir)
        for round_no in range(args.rounds):  # interleaved rounds: a noisy neighbour hits every client alike
            for name, spec in specs.items():
                if isinstance(spec, str):
                    missing[name] = spec
                    continue
                if name in missing:
                    continue
                argv, parse = spec
                cpu, text = measure(argv, cwd=workdir)
                try:
                    requests = parse(text)  # type: ignore[operator]
                except (AttributeError, ValueError, KeyError):
                    missing[name] = f"failed: {text.strip()[-300:]}"
                    continue
                runs.setdefault(name, []).append((requests, cpu))
                print(
                    f"round {round_no + 1}: {name:<24} {requests:>10,} requests  {cpu:6.2f} s CPU  "
                    f"{cpu / max(requests, 1) * 1e6:7.2f} us/request",
                    flush=True,
                )
    finally:
        server.stop()
        shutil.rmtree(workdir, ignore_errors=True)
    rows = {name: median_run(samples) for name, samples in runs.items()}

    print(
        f"\nClient CPU per request, median of {args.rounds} rounds ({args.connections} connections, "
        f"{args.seconds} s each, nginx on core 0, client on core 1):\n"
    )
    print("| client | requests | req/s | client CPU us/request | ratio to wrk |")
    print("|---|---:|---:|---:|---:|")
    wrk = rows.get("wrk")
    wrk_cost = wrk[1] / wrk[0] if wrk and wrk[0] else None
    for name, (requests, cpu) in rows.items():
        cost = cpu / requests if requests else float("inf")
        ratio = f"{cost / wrk_cost:.2f}" if wrk_cost else "n/a"
        print(f"| {name} | {requests:,} | {requests / args.seconds:,.0f} | {cost * 1e6:.2f} | {ratio} |")
    for name, why in missing.items():
        print(f"| {name} | {why} | | | |")

    if not args.skip_scaling:
        print("\nThroughput, 1 vs 2 workers (nginx with 2 workers, all unpinned on a 2-core machine):\n")
        server = Nginx(workers=2, pin=None)
        try:
            samples: dict[int, list[float]] = {1: [], 2: []}
            for _ in range(args.rounds):
                for workers in (1, 2):
                    argv = [str(BIN / "stanchion"), "load", server.url, "-c", str(args.connections), "-d",
                            str(args.seconds), "--workers", str(workers), "--json"]  # fmt: skip
                    _, text = measure(argv)
                    samples[workers].append(stanchion_requests(text) / args.seconds)
            rps = {w: sorted(v)[len(v) // 2] for w, v in samples.items()}
            print("| workers | req/s | vs 1 worker |")
            print("|---:|---:|---:|")
            for workers, value in rps.items():
                print(f"| {workers} | {value:,.0f} | {value / rps[1]:.2f} |")
        finally:
            server.stop()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
