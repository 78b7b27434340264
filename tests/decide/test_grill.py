"""The grill: seven forcing questions, kill criteria, the dated markdown record, through a real terminal."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from datetime import date
from pathlib import Path

import pexpect
import pytest

from stanchion.decide.grill import Grill, run_answers, save_transcript, transcript_markdown
from stanchion.decide.questions import QUESTIONS
from stanchion.errors import UsageError

ANSWERS = {
    "read_write_ratio": "20:1",
    "qps_p99": 50,
    "tenancy": "shared-multi-tenant",
    "communication": "sync",
    "data_sensitivity": "pii",
    "team_size": 8,
    "pattern": "modular-monolith",
    "language_preference": "typescript",
    "rpo": "15m",
    "rto": "1h",
    "slo": 99.9,
    "error_budget_consumer": "checkout-team",
}


def spawn_grill(tmp_path: Path, *args: str) -> pexpect.spawn:
    env = {k: v for k, v in os.environ.items() if k != "CI"}
    env["NO_COLOR"] = "1"
    child = pexpect.spawn(
        sys.executable,
        ["-m", "stanchion", "decide", "grill", "--out", str(tmp_path), *args],
        env=env,
        cwd=str(tmp_path),
        encoding="utf-8",
        timeout=30,
        dimensions=(50, 200),
        # a terminal's Ctrl-C, whatever this run inherited: a shell starts background jobs with SIGINT
        # ignored, and Python then leaves it ignored (as it should), so the grill would never see it
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )
    return child


def converse(child: pexpect.spawn, script: list[tuple[str, str]]) -> None:
    for expected, answer in script:
        child.expect(expected)
        child.sendline(answer)


def saved_files(folder: Path, before: date) -> list[Path]:
    days = {before.isoformat(), date.today().isoformat()}
    return sorted(p for p in folder.glob("backend-grill-*.md") if p.name[14:24] in days)


def test_questions_are_seven_with_recommendations_sources_and_kill_criteria() -> None:
    assert [q.number for q in QUESTIONS] == list(range(1, 8))
    for question in QUESTIONS:
        assert question.recommendation and question.source and question.kill_criterion and question.fields
    sources = " ".join(q.source for q in QUESTIONS)
    assert "Designing Data-Intensive Applications" in sources and "SRE workbook" in sources


def test_state_machine_complete_run() -> None:
    grill = run_answers(ANSWERS)
    assert grill.status == "complete" and grill.kill_reason is None
    assert grill.decision_inputs()["rpo"] == 900
    assert grill.current() is None


def test_state_machine_reasks_invalid_and_takes_recommended_on_enter() -> None:
    grill = Grill()
    assert grill.answer("lots").kind == "invalid"
    assert grill.answer("").kind == "invalid"  # no recommended value for the ratio: an answer is needed
    assert grill.answer("20").kind == "next"
    assert grill.answer("50").kind == "next"
    assert grill.answer("").kind == "next"  # workload is optional
    assert grill.answer("").kind == "next"  # tenancy: the recommended shared-multi-tenant
    assert grill.answers["tenancy"] == "shared-multi-tenant"
    assert grill.entries[2][0].recommended


def test_unknown_trips_the_kill_criterion() -> None:
    grill = Grill()
    step = grill.answer("unknown")
    assert step.kind == "killed" and grill.status == "killed" and grill.killed_at == 1
    assert "measure or model them first" in step.message
    with pytest.raises(UsageError):
        grill.answer("20")


@pytest.mark.parametrize(
    ("change", "question", "fragment"),
    [
        ({"team_size": 5, "pattern": "microservices"}, 5, "microservices with a team of 5"),
        ({"rpo": "0", "rto": "0"}, 6, "a wish, not a target"),
        ({"error_budget_consumer": "nobody"}, 7, "an SLO nobody spends is decoration"),
        ({"data_sensitivity": "unknown"}, 4, "classify it before deciding"),
    ],
)
def test_answers_file_kill_criteria(change: dict[str, object], question: int, fragment: str) -> None:
    grill = run_answers({**ANSWERS, **change})
    assert grill.status == "killed" and grill.killed_at == question
    assert fragment in (grill.kill_reason or "")
    markdown = transcript_markdown(grill, date(2026, 1, 2))
    assert "stopped by a kill criterion at question" in markdown and "No decision was made" in markdown
    assert f"## {question + 1}." not in markdown  # nothing after the kill is recorded as answered


def test_answers_file_problems_are_usage_errors() -> None:
    incomplete = {k: v for k, v in ANSWERS.items() if k not in ("qps_p99", "error_budget_consumer")}
    with pytest.raises(UsageError, match="no answer for qps_p99, error_budget_consumer"):
        run_answers(incomplete, "a.yaml")
    with pytest.raises(UsageError, match=r"a\.yaml: tenancy: --tenancy: unknown value"):
        run_answers({**ANSWERS, "tenancy": "all"}, "a.yaml")
    with pytest.raises(UsageError, match="unknown answer key"):
        run_answers({**ANSWERS, "colour": "blue"}, "a.yaml")


def test_save_transcript_is_dated_and_never_overwrites(tmp_path: Path) -> None:
    day = date(2026, 3, 4)
    first = save_transcript(tmp_path / "d", day, "one")
    second = save_transcript(tmp_path / "d", day, "two")
    assert (first.name, second.name) == ("backend-grill-2026-03-04.md", "backend-grill-2026-03-04-2.md")
    assert first.read_text() == "one" and second.read_text() == "two"


def test_grill_through_a_terminal_runs_the_engine_and_saves_the_record(tmp_path: Path) -> None:
    before = date.today()
    child = spawn_grill(tmp_path)
    child.expect("Question 1 of 7: Read/write ratio and one-year p99 QPS")
    child.expect("Recommended: ")
    child.expect("Source: Kleppmann, Designing Data-Intensive Applications")
    converse(
        child,
        [
            ("Reads per write", "20:1"),
            ("One-year p99 requests per second", "50"),
            ("mostly serves", ""),
            (r"Question 2 of 7.*\[shared-multi-tenant\]: ", ""),  # Enter takes the recommendation
            (r"Question 3 of 7.*Request style", "async"),
            (r"Question 4 of 7.*Most sensitive tier", "secret-ish"),
            ("unknown value 'secret-ish'.*Most sensitive tier", "pii"),  # asked again, not repeated
            (r"Question 5 of 7.*Engineers", "8"),
            (r"Pattern .*\[modular-monolith\]: ", ""),
            ("Team language", "typescript"),
            (r"Question 6 of 7.*RPO", ""),
            ("RTO", "30m"),
            (r"Question 7 of 7.*Availability SLO", "99.95"),
            ("Who spends the error budget", "checkout-team"),
        ],
    )
    child.expect(r"Recommended profile: node-express \(score 100/100\)")
    child.expect("Approval: NOT APPROVED")
    child.expect(r"saved to (\S+\.md)")
    saved = Path(child.match.group(1))
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0
    assert saved_files(tmp_path, before) == [saved]
    text = saved.read_text()
    assert text.startswith(f"# Backend decision grill, {saved.name[14:24]}")
    assert "Status: complete" in text
    assert "- **tenancy**: shared-multi-tenant (the recommended value)" in text
    assert "- **rto**: 30m" in text and "- **error_budget_consumer**: checkout-team" in text
    assert "## Decision: node-express (score 100/100)" in text
    assert "Question 4 of 7" not in text and text.count("## 4. Data sensitivity tier") == 1


def test_grill_kill_criterion_through_a_terminal(tmp_path: Path) -> None:
    before = date.today()
    child = spawn_grill(tmp_path)
    converse(
        child,
        [
            ("Reads per write", "10"),
            ("One-year p99", "20"),
            ("mostly serves", "internal"),
            ("Tenancy", "single-tenant"),
            ("Request style", "sync"),
            ("Most sensitive tier", "internal"),
            ("Engineers", "5"),
            ("Pattern", "microservices"),
            ("Team language", "go"),
        ],
    )
    child.expect("STOPPED at question 5: microservices with a team of 5")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 1
    [saved] = saved_files(tmp_path, before)
    text = saved.read_text()
    assert "stopped by a kill criterion at question 5" in text
    assert "- **Killed here**: microservices with a team of 5" in text
    assert "- **pattern**: microservices" in text
    assert "## 6." not in text and "## Decision" not in text


def test_grill_with_answers_file_and_json(tmp_path: Path) -> None:
    answers = tmp_path / "answers.yaml"
    answers.write_text("".join(f"{k.replace('_', '-')}: {v}\n" for k, v in ANSWERS.items()))
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "stanchion",
            "--json",
            "decide",
            "grill",
            "--answers",
            str(answers),
            "--out",
            str(tmp_path),
        ],
        capture_output=True,
        text=True,
        stdin=subprocess.DEVNULL,
    )
    assert proc.returncode == 0, proc.stderr
    document = json.loads(proc.stdout)
    assert document["status"] == "complete"
    assert document["decision"]["recommendation"]["id"] == "node-express"
    assert Path(document["file"]).is_file()
    assert [q["number"] for q in document["questions"]] == list(range(1, 8))


def test_grill_without_a_terminal_or_answers_is_refused(tmp_path: Path) -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "stanchion", "decide", "grill", "--out", str(tmp_path)],
        capture_output=True,
        text=True,
        stdin=subprocess.DEVNULL,
    )
    assert proc.returncode == 2
    assert proc.stderr.splitlines()[0] == "error: the grill asks its questions on a terminal"
    assert list(tmp_path.iterdir()) == []


def test_grill_interrupted_saves_nothing(tmp_path: Path) -> None:
    child = spawn_grill(tmp_path)
    converse(child, [("Reads per write", "20"), ("One-year p99", "50")])
    child.expect("mostly serves")
    child.sendintr()
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 130
    assert list(tmp_path.glob("backend-grill-*.md")) == []
