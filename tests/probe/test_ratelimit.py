"""The one rate-limit classification, shared by the probe's rule and ``stanchion load --expect-rate-limit``."""

from __future__ import annotations

from collections import Counter

from stanchion.load import result as load_result
from stanchion.probe import ratelimit
from stanchion.probe.ratelimit import RateLimitSeen, rate_limited


def test_classification() -> None:
    assert rate_limited(Counter({200: 5, 429: 1}))
    assert not rate_limited({200: 5, 401: 3})
    seen = RateLimitSeen()
    for _ in range(3):
        seen.add(401, None)
    assert seen.problem(3) == "no 429 within a burst of 3 requests (401: 3)"
    seen.add(429, None)
    assert seen.limited and seen.problem(4) == "429 answers carry no Retry-After header"
    seen.add(429, "60")
    assert seen.problem(5) is None


def test_load_uses_it() -> None:
    assert load_result.rate_limited is ratelimit.rate_limited
