"""The backend decision engine and the forcing-question grill (``stanchion decide``).

The core API, also what the seed-compatible ``backend_decision_engine.py`` shim calls::

    from stanchion.decide import decide_from
    decision = decide_from({"team_size": 8, "qps_p99": 50, "read_write_ratio": 20,
                            "tenancy": "shared-multi-tenant", "data_sensitivity": "pii",
                            "pattern": "modular-monolith", "language_preference": "typescript"})
    decision.recommendation.id          # 'node-express'

    decide_from_argv(["--team-size", "8", "--qps-p99", "50", ...])   # the classic command line

Nothing here prints, prompts or exits: errors are :mod:`stanchion.errors` kinds.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

from stanchion.decide.catalog import Catalog, load_catalog
from stanchion.decide.engine import decide
from stanchion.decide.inputs import DecisionInputs, build_inputs, inputs_from_argv
from stanchion.decide.result import Decision

__all__ = [
    "Catalog",
    "Decision",
    "DecisionInputs",
    "build_inputs",
    "decide",
    "decide_from",
    "decide_from_argv",
    "inputs_from_argv",
    "load_catalog",
]


def decide_from(values: Mapping[str, object], profiles_dir: Path | str | None = None) -> Decision:
    """Validate raw inputs (seed-compatible names), load the profiles and decide."""
    inputs = build_inputs(**values)
    return decide(inputs, load_catalog(profiles_dir))


def decide_from_argv(argv: Sequence[str], profiles_dir: Path | str | None = None) -> Decision:
    """Decide from the classic ``--team-size 8 --qps-p99 50 ...`` command line."""
    return decide(inputs_from_argv(argv), load_catalog(profiles_dir))
