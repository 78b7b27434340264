"""Run one load in this process and print its peak RSS (used by test_memory.py).

Usage: ``python -m tests.load.memory_probe URL RATE SECONDS`` (the open model at RATE requests a second),
or ``python -m tests.load.memory_probe URL closed:CONNECTIONS SECONDS`` (the closed model); one JSON line.
"""

from __future__ import annotations

import json
import resource
import sys

from stanchion.load import build_plan, run


def main() -> None:
    url, load, seconds = sys.argv[1], sys.argv[2], float(sys.argv[3])
    if load.startswith("closed:"):
        plan = build_plan([url], concurrency=int(load.split(":")[1]), duration=seconds, workers=1)
    else:
        plan = build_plan([url], rate=float(load), duration=seconds, concurrency=20, workers=1)
    result = run(plan)
    peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # kilobytes on Linux
    doc = {
        "peak_kb": peak_kb,
        "sent": result.sent,
        "completed": result.completed,
        "seconds": len(result.timeline),
        "engine": result.engine,
    }
    print(json.dumps(doc))


if __name__ == "__main__":
    main()
