"""The load engine: one process's share of a load test, on the compiled loop or the Python one."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from stanchion.load.plan import Plan
    from stanchion.load.stats import Sample


def run_slice(
    plan: Plan,
    emit: Callable[[Sample], None],
    should_stop: Callable[[], bool] = lambda: False,
    worker: int = 0,
) -> bool:
    """Run one slice to the end; True when it was interrupted. The closed model over plain HTTP runs on the
    compiled loop when it was built (:mod:`.fast`); everything else on the uvloop engine (:mod:`.core`),
    which is only imported then."""
    from stanchion.load.engine import fast

    where = fast.addresses(plan)
    if where is not None:
        return fast.run(plan, where, emit, should_stop, worker)
    from stanchion.load.engine.core import Engine, run_engine

    return run_engine(Engine(plan, emit, should_stop, worker))
