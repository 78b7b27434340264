"""Whether a server rate-limits: the one classification of 429 answers, shared by the probe's
rate-limit rule and ``stanchion load --expect-rate-limit``."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field


def rate_limited(status: Mapping[int, int]) -> bool:
    """True when some answer was 429 Too Many Requests."""
    return bool(status.get(429))


@dataclass
class RateLimitSeen:
    status: dict[int, int] = field(default_factory=dict)
    retry_after: list[str] = field(default_factory=list)  # Retry-After values on 429 answers
    missing_retry_after: int = 0

    def add(self, status: int, retry_after: str | None) -> None:
        self.status[status] = self.status.get(status, 0) + 1
        if status == 429:
            if retry_after:
                self.retry_after.append(retry_after)
            else:
                self.missing_retry_after += 1

    @property
    def limited(self) -> bool:
        return rate_limited(self.status)

    def problem(self, burst: int) -> str | None:
        """What is wrong with the answers to a burst of ``burst`` requests, or None."""
        seen = ", ".join(f"{code}: {n}" for code, n in sorted(self.status.items()))
        if not self.limited:
            return f"no 429 within a burst of {burst} requests ({seen})"
        if self.missing_retry_after and not self.retry_after:
            return "429 answers carry no Retry-After header"
        return None
