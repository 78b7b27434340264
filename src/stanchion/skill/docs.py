"""Skill references generated from the code they describe, so they cannot drift from it.

``references/forcing_questions.md`` is rendered from :data:`stanchion.decide.questions.QUESTIONS`; a test
fails when the packaged file differs from :func:`render_forcing_questions`. Regenerate with
``python -m stanchion.skill.docs``.
"""

from __future__ import annotations

from pathlib import Path

from stanchion.skill.install import packaged_skill_dir

_HEADER = """\
# Forcing questions

Seven questions to answer before a backend decision is locked. Each comes with the answer to start from, its
source, and a kill criterion: when it fires, stop and get the answer first, because a decision built on the
gap would not hold. `stanchion decide grill` asks them one at a time and saves the answers to a dated markdown
record; `stanchion decide` scores the built-in profiles on the same inputs. Back to [SKILL.md](../SKILL.md).

The first, second, fourth and seventh questions are the four assumptions every recommendation states:
read/write ratio with the one-year p99 QPS, the tenancy model, the data-sensitivity tier, and an SLO with a
named error-budget consumer.

## Run it without prompts

Answers as YAML keyed by the engine's input names; the same kill criteria apply:

```sh
cat > answers.yaml <<'YAML'
read_write_ratio: "20:1"
qps_p99: 50
workload: saas
tenancy: shared-multi-tenant
communication: sync
data_sensitivity: pii
team_size: 8
pattern: modular-monolith
language_preference: typescript
rpo: 15m
rto: 1h
slo: 99.9
error_budget_consumer: checkout-team
YAML
stanchion decide grill --answers answers.yaml --out decisions
ls decisions/backend-grill-*.md
```

The same decision from flags (exit 2, naming every missing input, when a required one is absent):

```sh
stanchion decide --team-size 8 --qps-p99 50 --read-write-ratio 20 --tenancy shared-multi-tenant \\
  --data-sensitivity pii --pattern modular-monolith --language-preference typescript --rpo 15m --rto 1h --slo 99.9
```
"""


def render_forcing_questions() -> str:
    """The forcing-questions reference, from the grill's own question data."""
    from stanchion.decide.questions import QUESTIONS

    parts = [_HEADER]
    for question in QUESTIONS:
        parts.append(f"\n## {question.number}. {question.title}\n")
        parts.append(f"\n{question.why}\n")
        parts.append(f"\n- **Start from:** {question.recommendation}")
        parts.append(f"\n- **Source:** {question.source}")
        parts.append(f"\n- **Kill criterion:** {question.kill_criterion}")
        inputs = ", ".join(
            f"`{f.name}`"
            + ("" if f.required else " (optional)")
            + (f" (default `{f.default}`)" if f.default else "")
            for f in question.fields
        )
        parts.append(f"\n- **Inputs:** {inputs}\n")
    return "".join(parts)


def forcing_questions_path() -> Path:
    return packaged_skill_dir() / "references" / "forcing_questions.md"


if __name__ == "__main__":
    forcing_questions_path().write_text(render_forcing_questions())
