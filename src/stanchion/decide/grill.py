"""The grill's state machine: one question at a time, answers checked as given, kill criteria enforced.

The core never prompts. The CLI asks :meth:`Grill.current` what to show, reads a line, and hands it to
:meth:`Grill.answer`, which says whether to ask again, go on, or stop. :func:`run_answers` drives the same
machine from a file (``--answers FILE``); :func:`transcript_markdown` and :func:`save_transcript` write
the dated markdown record.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any, Literal

from stanchion.decide import vocab
from stanchion.decide.inputs import FIELDS, build_inputs, clean_field
from stanchion.decide.questions import QUESTIONS, UNKNOWN, Field, Question
from stanchion.errors import StanchionError, UsageError

Status = Literal["asking", "killed", "complete"]


@dataclass(frozen=True)
class Prompt:
    question: Question
    field: Field


@dataclass(frozen=True)
class Step:
    """What happened to an answer: ``invalid`` (ask again), ``next``, ``killed`` or ``complete``."""

    kind: Literal["invalid", "next", "killed", "complete"]
    message: str = ""


@dataclass(frozen=True)
class Entry:
    field: str
    answer: str
    value: Any
    recommended: bool  # the answer was empty and the recommended value was taken


@dataclass
class Grill:
    questions: tuple[Question, ...] = QUESTIONS
    answers: dict[str, Any] = field(default_factory=dict)
    entries: dict[int, list[Entry]] = field(default_factory=dict)
    status: Status = "asking"
    kill_reason: str | None = None
    killed_at: int | None = None
    _question: int = 0
    _field: int = 0

    def current(self) -> Prompt | None:
        """What to ask next; None once the grill is complete or killed."""
        if self.status != "asking":
            return None
        question = self.questions[self._question]
        return Prompt(question, question.fields[self._field])

    def answer(self, text: str) -> Step:
        prompt = self.current()
        if prompt is None:
            raise UsageError("the grill is over; no question is waiting for an answer")
        question, spec = prompt.question, prompt.field
        raw = " ".join(text.split())
        recommended = False
        if raw.lower() in UNKNOWN:
            if spec.required:
                return self._kill(question, question.kill_criterion)
            raw = ""
        if not raw:
            if spec.default is not None:
                raw, recommended = spec.default, True
            elif spec.required:
                return Step(
                    "invalid", "an answer is needed; type 'unknown' if nobody knows (that stops the grill)"
                )
        value: Any = None
        if raw:
            try:
                value = clean_field(spec.name, raw)
            except StanchionError as exc:
                hint = f" ({exc.hint})" if exc.hint else ""
                return Step("invalid", f"{exc.message}{hint}")
            self.answers[spec.name] = value
        self.entries.setdefault(question.number, []).append(Entry(spec.name, raw, value, recommended))
        self._field += 1
        if self._field < len(question.fields):
            return Step("next")
        reason = question.kill(self.answers)
        if reason is not None:
            return self._kill(question, reason)
        self._question += 1
        self._field = 0
        if self._question == len(self.questions):
            self.status = "complete"
            return Step("complete")
        return Step("next")

    def _kill(self, question: Question, reason: str) -> Step:
        self.status = "killed"
        self.kill_reason = reason
        self.killed_at = question.number
        return Step("killed", f"kill criterion at question {question.number} ({question.title}): {reason}")

    def decision_inputs(self) -> dict[str, Any]:
        """The answers as engine inputs (only when complete)."""
        if self.status != "complete":
            raise UsageError("the grill is not complete; the engine runs only on a full set of answers")
        return dict(self.answers)

    def to_json(self) -> dict[str, Any]:
        return {
            "status": self.status,
            "killed_at_question": self.killed_at,
            "kill_reason": self.kill_reason,
            "answers": {k: v for k, v in self.answers.items()},
            "questions": [
                {
                    "number": q.number,
                    "id": q.id,
                    "title": q.title,
                    "recommendation": q.recommendation,
                    "source": q.source,
                    "kill_criterion": q.kill_criterion,
                    "answers": [
                        {"field": e.field, "answer": e.answer, "recommended": e.recommended}
                        for e in self.entries.get(q.number, [])
                    ],
                }
                for q in self.questions
            ],
        }


def run_answers(answers: Mapping[str, Any], source: str = "answers") -> Grill:
    """Run the grill on answers from a file: field names as the engine's inputs (``qps_p99``, ...)."""
    unknown = sorted(set(answers) - set(FIELDS))
    if unknown:
        raise UsageError(
            f"{source}: unknown answer key(s): {', '.join(unknown)}", f"known keys: {', '.join(FIELDS)}"
        )
    grill = Grill()
    missing = [
        f.name
        for q in grill.questions
        for f in q.fields
        if f.required and f.default is None and f.name not in answers
    ]
    if missing:
        raise UsageError(
            f"{source}: no answer for {', '.join(missing)}",
            "answer every forcing question (write 'unknown' where nobody knows; that stops the grill)",
        )
    while (prompt := grill.current()) is not None:
        value = answers.get(prompt.field.name)
        step = grill.answer("" if value is None else str(value))
        if step.kind == "invalid":
            raise UsageError(f"{source}: {prompt.field.name}: {step.message}", "fix the answer in the file")
    return grill


def grill_decision_inputs(grill: Grill) -> dict[str, Any]:
    """Engine inputs from a complete grill, validated again by :func:`build_inputs`."""
    values = grill.decision_inputs()
    build_inputs(**values)  # refuses with every missing input named, should a question set change
    return values


def _shown(name: str, value: Any) -> str:
    if value is None:
        return "(not stated)"
    if name in ("rpo", "rto") and isinstance(value, int):
        return vocab.format_duration(value)
    if name == "read_write_ratio" and isinstance(value, float):
        return f"{vocab.format_number(value)}:1"
    if isinstance(value, float):
        return vocab.format_number(value)
    return str(value)


def transcript_markdown(grill: Grill, day: date, decision_md: str | None = None) -> str:
    """The dated record: every question asked, its recommendation and source, the answers, and the outcome."""
    lines = [f"# Backend decision grill, {day.isoformat()}", ""]
    if grill.status == "complete":
        lines.append("Status: complete; the decision engine ran on these answers.")
    elif grill.status == "killed":
        lines += [
            f"Status: **stopped by a kill criterion at question {grill.killed_at}**.",
            "",
            f"> {grill.kill_reason}.",
            ">",
            "> Resolve it, then run the grill again. No decision was made.",
        ]
    else:
        lines.append("Status: interrupted before the last question. No decision was made.")
    for question in grill.questions:
        entries = grill.entries.get(question.number)
        if entries is None and question.number != grill.killed_at:
            continue
        lines += [
            "",
            f"## {question.number}. {question.title}",
            "",
            f"- Why it matters: {question.why}",
            f"- Recommended: {question.recommendation}",
            f"- Source: {question.source}",
            f"- Kill criterion: {question.kill_criterion}",
            "",
        ]
        for entry in entries or []:
            note = " (the recommended value)" if entry.recommended else ""
            lines.append(f"- **{entry.field}**: {_shown(entry.field, entry.value)}{note}")
        if question.number == grill.killed_at:
            lines.append(f"- **Killed here**: {grill.kill_reason}")
    if decision_md:
        lines += ["", decision_md.rstrip()]
    return "\n".join(lines) + "\n"


def save_transcript(folder: Path, day: date, text: str) -> Path:
    """Write ``backend-grill-YYYY-MM-DD.md`` in ``folder`` (``-2``, ``-3``... when the day already has one)."""
    folder.mkdir(parents=True, exist_ok=True)
    stem = f"backend-grill-{day.isoformat()}"
    counter = 1
    while True:
        path = folder / (f"{stem}.md" if counter == 1 else f"{stem}-{counter}.md")
        try:
            with path.open("x", encoding="utf-8") as handle:
                handle.write(text)
        except FileExistsError:
            counter += 1
            continue
        return path
