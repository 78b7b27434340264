"""Run one open-model load in this process and print its peak RSS (used by test_memory.py).

Usage: ``python -m tests.load.memory_probe URL RATE SECONDS``; prints one JSON line.
"""

from __future__ import annotations

import json
import resource
import sys

from stanchion.load import build_plan, run


def main() -> None:
    url, rate, seconds = sys.argv[1], float(sys.argv[2]), float(sys.argv[3])
    result = run(build_plan([url], rate=rate, duration=seconds, concurrency=20, workers=1))
    peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # kilobytes on Linux
    print(json.dumps({"peak_kb": peak_kb, "sent": result.sent, "completed": result.completed}))


if __name__ == "__main__":
    main()
