"""References generated from code stay in step with it."""

from __future__ import annotations

from stanchion.skill.docs import forcing_questions_path, render_forcing_questions


def test_forcing_questions_reference_matches_the_grill() -> None:
    assert forcing_questions_path().read_text() == render_forcing_questions(), (
        "references/forcing_questions.md is stale: run python -m stanchion.skill.docs"
    )
