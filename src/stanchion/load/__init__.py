"""The load tester's core: ``build_plan(...)`` then ``run(plan) -> LoadResult``; reports render the result.

Heavy modules (uvloop, httptools, hdrh) load only when a run starts; importing this package is cheap.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from stanchion.load.plan import Plan, build_plan

if TYPE_CHECKING:
    from stanchion.load.result import LoadResult


def run(plan: Plan, **kwargs: Any) -> LoadResult:
    """Run ``plan`` (see :func:`stanchion.load.runner.run`)."""
    from stanchion.load.runner import run as _run

    return _run(plan, **kwargs)


__all__ = ["Plan", "build_plan", "run"]
