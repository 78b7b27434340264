"""A plan cut into migrations that are each atomic, so a failure anywhere leaves a recorded state.

PostgreSQL runs ``ALTER TYPE ... ADD VALUE`` inside a transaction (12+) but refuses to use the new label
before that transaction commits. So a plan that adds labels and uses them becomes two migrations: first
the labels alone (nothing destructive, nothing else), then everything else, each in its own transaction.
Each down section undoes exactly its own migration: the second returns to the schema the first left (the
old one plus the new labels), the first removes the labels. A failure in either rolls that migration
back whole, and the history says how far the database got.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from typing import Any

from stanchion.db.schema.diff import plan_steps
from stanchion.db.schema.diff.steps import Step
from stanchion.db.schema.model import Schema


@dataclass
class Part:
    up: list[Step]
    down: list[Step]
    name: str = "schema_diff"
    schema: Schema | None = field(default=None, repr=False)  # the schema its up section leaves

    def to_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "up": [s.to_json() for s in self.up],
            "down": [s.to_json() for s in self.down],
        }


def split(a: Schema, b: Schema) -> list[Part]:
    """The migrations that turn ``a`` into ``b``: one when the plan can commit once, else two."""
    up = plan_steps(a, b)
    labels = [s for s in up if s.kind == "alter type" and "ADD VALUE" in s.sql]
    if not labels:
        return [Part(up, plan_steps(b, a), schema=b)]
    middle = copy.deepcopy(a)
    for name, enum in b.enums.items():
        if (
            name in middle.enums
            and enum.labels[: len(middle.enums[name].labels)] == middle.enums[name].labels
        ):
            middle.enums[name].labels = list(enum.labels)
    first = Part(plan_steps(a, middle), plan_steps(middle, a), "schema_diff_enum_labels", middle)
    second = Part(plan_steps(middle, b), plan_steps(b, middle), "schema_diff", b)
    return [first, second]
