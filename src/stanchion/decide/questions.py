"""The seven forcing questions: each with a recommended answer, its source, and a kill criterion.

A question collects one or more inputs (fields named as the engine's inputs). An answer of ``unknown``
to a required field trips the question's kill criterion, and so does an answer that meets its ``kill``
check (for example microservices with a team of five): the grill stops there, because a decision built
on it would not hold.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

from stanchion.decide import vocab
from stanchion.decide.inputs import FIELDS

#: answers that mean "nobody knows": they trip the kill criterion of a required field.
UNKNOWN = frozenset({"unknown", "?", "idk", "don't know", "dont know", "not sure", "tbd", "n/a"})
#: answers to the error-budget question that name nobody.
NOBODY = frozenset({"none", "nobody", "no one", "noone", "-"})


@dataclass(frozen=True)
class Field:
    """One input a question collects."""

    name: str
    prompt: str
    default: str | None = None  # the recommended value, taken when the answer is empty
    required: bool = True

    @property
    def help(self) -> str:
        return FIELDS[self.name]


Kill = Callable[[Mapping[str, object]], "str | None"]


def _never(_: Mapping[str, object]) -> str | None:
    return None


@dataclass(frozen=True)
class Question:
    number: int
    id: str
    title: str
    why: str
    recommendation: str
    source: str
    kill_criterion: str
    fields: tuple[Field, ...]
    kill: Kill = _never


def _microservices_too_early(answers: Mapping[str, object]) -> str | None:
    team = answers.get("team_size")
    pattern = answers.get("pattern")
    if pattern in ("microservices", "domain-bounded-services") and isinstance(team, int) and team < 10:
        return (
            f"{pattern} with a team of {team}: fewer engineers than it takes to own and run separate "
            "services on call. Start with a modular monolith (Fowler, MonolithFirst; Newman, Monolith to "
            "Microservices) or justify the split with a team of 10 or more"
        )
    return None


def _zero_zero(answers: Mapping[str, object]) -> str | None:
    if answers.get("rpo") == 0 and answers.get("rto") == 0:
        return (
            "RPO 0 and RTO 0: no data loss and no downtime is a wish, not a target. Pick numbers the "
            "business will pay for (synchronous replication, a hot standby, drills)"
        )
    return None


def _nobody_spends(answers: Mapping[str, object]) -> str | None:
    consumer = str(answers.get("error_budget_consumer") or "").strip().lower()
    if consumer in NOBODY:
        return (
            "no error-budget consumer: an SLO nobody spends is decoration. Name the team or release "
            "train that slows down when the budget runs out"
        )
    return None


QUESTIONS: tuple[Question, ...] = (
    Question(
        number=1,
        id="load",
        title="Read/write ratio and one-year p99 QPS",
        why="Storage, caching and the database topology follow from how many reads each write has and the "
        "request rate a year from now; without them every database choice is a guess.",
        recommendation="State both as numbers. Most SaaS CRUD backends run 10:1 to 100:1 reads per write. "
        "Estimate the one-year p99 QPS as peak-hour requests / 3600 times a burst factor of 3 to 5.",
        source="Kleppmann, Designing Data-Intensive Applications, ch. 1 'Describing Load'",
        kill_criterion="nobody can state the read/write ratio or the one-year p99 QPS: measure or model "
        "them first",
        fields=(
            Field("read_write_ratio", "Reads per write (e.g. 20, 20:1 or 95/5)"),
            Field("qps_p99", "One-year p99 requests per second"),
            Field(
                "workload",
                "What it mostly serves (" + ", ".join(vocab.WORKLOADS) + "; empty to skip)",
                required=False,
            ),
        ),
    ),
    Question(
        number=2,
        id="tenancy",
        title="Tenancy model",
        why="Whether customers share tables, get their own schema or database decides isolation, "
        "noisy-neighbour risk, migrations and the cost of every tenant.",
        recommendation="shared-multi-tenant with a tenant_id on every row and row-level security for "
        "B2B SaaS; isolated-multi-tenant only when contracts or regulation demand it; single-tenant for "
        "internal tools.",
        source="Microsoft Azure Architecture Center, 'Tenancy models for a multitenant solution'; AWS "
        "SaaS Lens, 'Silo, pool and bridge models'",
        kill_criterion="the tenancy model is unknown: decide who shares what before choosing storage",
        fields=(
            Field("tenancy", "Tenancy (" + ", ".join(vocab.TENANCIES) + ")", default="shared-multi-tenant"),
        ),
    ),
    Question(
        number=3,
        id="communication",
        title="Sync request/response, async (queue) or event-driven",
        why="The request style sets the failure modes: sync chains multiply tail latency, queues add "
        "retries and ordering, events add schemas, replay and eventual consistency.",
        recommendation="sync request/response first, a job queue for slow or retried work, event-driven "
        "only once a second team consumes the events.",
        source="Newman, Building Microservices (2nd ed.), ch. 4 'Microservice Communication Styles'; Hohpe "
        "and Woolf, Enterprise Integration Patterns",
        kill_criterion="the request style is unknown: sketch the main flows first",
        fields=(
            Field("communication", "Request style (" + ", ".join(vocab.COMMUNICATIONS) + ")", default="sync"),
        ),
    ),
    Question(
        number=4,
        id="data_sensitivity",
        title="Data sensitivity tier",
        why="The most sensitive field stored sets encryption, audit logging, retention, who must approve, "
        "and which hosting and vendors are allowed.",
        recommendation="Classify by the most sensitive field you store: anything that identifies a person "
        "is pii; health data is phi; card numbers are pci (keep them out with a tokenising processor).",
        source="NIST SP 800-122 (PII); HIPAA Security Rule, 45 CFR 164 Subpart C (PHI); PCI DSS v4.0",
        kill_criterion="nobody has classified the data: classify it before deciding where it lives",
        fields=(Field("data_sensitivity", "Most sensitive tier (" + ", ".join(vocab.SENSITIVITIES) + ")"),),
    ),
    Question(
        number=5,
        id="pattern",
        title="Monolith, modular monolith or microservices, with the team-size justification",
        why="Services pay off when teams need to deploy independently; each one needs an owner on call. "
        "Team size and language decide what the organisation can run.",
        recommendation="modular-monolith with enforced module boundaries; extract a service only with 30 "
        "or more engineers, a platform team and a hot path of 1000 QPS or more.",
        source="Fowler, 'MonolithFirst' (2015); Newman, Monolith to Microservices (2019); Skelton and Pais, "
        "Team Topologies",
        kill_criterion="microservices with fewer than 10 engineers, or a team size nobody can state",
        fields=(
            Field("team_size", "Engineers who will build and run it"),
            Field("pattern", "Pattern (" + ", ".join(vocab.PATTERNS) + ")", default="modular-monolith"),
            Field(
                "language_preference",
                "Team language (" + ", ".join(vocab.LANGUAGES) + "; empty for no preference)",
                required=False,
            ),
        ),
        kill=_microservices_too_early,
    ),
    Question(
        number=6,
        id="recovery",
        title="RPO and RTO",
        why="How much data may be lost and how long the service may be down decide backups, replication, "
        "standby capacity and what the on-call drills practise.",
        recommendation="RPO 15m and RTO 1h for a customer-facing product: point-in-time recovery plus a "
        "warm standby, proven by a quarterly restore drill.",
        source="Google SRE book, ch. 26 'Data Integrity'; AWS Well-Architected Reliability Pillar, "
        "'Disaster recovery objectives'",
        kill_criterion="no agreed RPO and RTO, or 0 and 0 (a wish, not a target)",
        fields=(
            Field("rpo", "RPO: most data you may lose (e.g. 15m)", default="15m"),
            Field("rto", "RTO: longest you may be down (e.g. 1h)", default="1h"),
        ),
        kill=_zero_zero,
    ),
    Question(
        number=7,
        id="slo",
        title="SLO and its error-budget consumer",
        why="An SLO is only useful when someone spends its error budget: a team that slows releases when "
        "the budget runs out.",
        recommendation="99.9% availability (43m 12s of error budget per 30 days), spent by the team that "
        "ships the releases, under a written error-budget policy.",
        source="Google SRE workbook, ch. 2 'Implementing SLOs' and 'Example Error Budget Policy'",
        kill_criterion="no named error-budget consumer",
        fields=(
            Field("slo", "Availability SLO in percent (e.g. 99.9)", default="99.9"),
            Field("error_budget_consumer", "Who spends the error budget (a named team)"),
        ),
        kill=_nobody_spends,
    ),
)


def all_fields() -> list[Field]:
    return [field for question in QUESTIONS for field in question.fields]
