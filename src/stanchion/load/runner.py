"""Run a plan: in this process for one worker, else in ``--workers`` processes whose samples are merged.

Each worker process runs :func:`stanchion.load.engine.run_slice` on its slice of the plan and sends a
sample per second over a queue; the parent merges them exactly (HdrHistogram encode/decode) in a
:class:`~stanchion.load.result.Collector`. Ctrl-C: the caller's ``should_stop`` turns true, every worker
stops sending, and the result reports what ran (``interrupted``).
"""

from __future__ import annotations

import queue as queue_module
import signal
import time
from collections.abc import Callable
from typing import Any

from stanchion.errors import EnvironmentProblem
from stanchion.load.plan import Plan
from stanchion.load.result import Collector, LoadResult, SecondRow

START_TIMEOUT = 60.0


def run(
    plan: Plan,
    on_second: Callable[[SecondRow], None] | None = None,
    should_stop: Callable[[], bool] | None = None,
) -> LoadResult:
    """Run ``plan`` to the end (or until ``should_stop()``) and return the merged result."""
    stop = should_stop or (lambda: False)
    slices = plan.split(plan.workers)
    collector = Collector(plan, len(slices), on_second)
    if len(slices) == 1:
        from stanchion.load.engine import run_slice

        interrupted = run_slice(slices[0], collector.add, stop, 0)
    else:
        interrupted = _run_processes(slices, collector, stop)
    return collector.result(interrupted)


def _worker(plan: Plan, index: int, out: Any, stop: Any, go: Any) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent decides when to stop
    try:
        from stanchion.load.engine import run_slice

        out.put(("ready", index, None))
        go.wait()
        interrupted = run_slice(plan, lambda s: out.put(("sample", index, s)), stop.is_set, index)
        out.put(("done", index, interrupted))
    except BaseException as exc:  # reported to the parent, which raises it as one line
        out.put(("error", index, f"{type(exc).__name__}: {exc}"))


def _run_processes(slices: list[Plan], collector: Collector, should_stop: Callable[[], bool]) -> bool:
    import multiprocessing

    ctx = multiprocessing.get_context("spawn")
    out = ctx.Queue()
    stop = ctx.Event()
    go = ctx.Event()
    procs = [
        ctx.Process(target=_worker, args=(s, i, out, stop, go), daemon=True) for i, s in enumerate(slices)
    ]
    for proc in procs:
        proc.start()
    ready: set[int] = set()
    done: set[int] = set()
    interrupted = False
    failure: str | None = None
    started = time.monotonic()
    try:
        while len(done) < len(procs):
            if should_stop() and not stop.is_set():
                stop.set()
                interrupted = True
            try:
                kind, index, payload = out.get(timeout=0.1)
            except queue_module.Empty:
                if any(not p.is_alive() and i not in done for i, p in enumerate(procs)):
                    failure = failure or "a load worker process exited unexpectedly"
                    break
                if len(ready) < len(procs) and time.monotonic() - started > START_TIMEOUT:
                    failure = "load worker processes did not start"
                    break
                continue
            if kind == "ready":
                ready.add(index)
                if len(ready) == len(procs):
                    go.set()
            elif kind == "sample":
                collector.add(payload)
            elif kind == "done":
                done.add(index)
                interrupted = interrupted or bool(payload)
            else:
                failure = str(payload)
                done.add(index)
                stop.set()
    finally:
        stop.set()
        go.set()
        for proc in procs:
            proc.join(timeout=5)
            if proc.is_alive():
                proc.terminate()
                proc.join(timeout=2)
    if failure is not None:
        raise EnvironmentProblem(
            f"load worker failed: {failure}", "rerun with --workers 1 --debug to see the cause"
        )
    return interrupted
