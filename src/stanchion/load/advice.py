"""Short recommendations drawn from a finished run: what to look at next, in the order that matters."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from stanchion.load.result import LoadResult


def recommend(result: LoadResult) -> list[str]:
    tips: list[str] = []
    plan = result.plan
    errors = result.errors
    if result.health.bottleneck:
        tips.append(
            "The loader itself was saturated, so these numbers understate the server: add --workers, "
            "lower the load, or run the loader on another machine."
        )
    if errors.get("refused") or errors.get("dns"):
        tips.append(
            "Connections could not be opened: check the URL, the port and that the server is running."
        )
    if errors.get("timeout"):
        tips.append(
            f"Requests timed out after {plan.timeout:g}s: the server is overloaded or stuck; lower the load or raise --timeout."
        )
    if errors.get("tls"):
        tips.append("TLS failed: for a self-signed certificate on a test server, add --insecure.")
    if errors.get("5xx"):
        tips.append("The server answered 5xx: look at its logs at the seconds where the errors chart rises.")
    if result.status.get(429) and result.rate_limited_at:
        tips.append(
            f"Rate limiting (429) began at about {result.rate_limited_at['request_rate']:g} requests/s."
        )
    if not plan.open_model and result.completed:
        tips.append(
            "This was a closed-model run (fixed connections): latency under a fixed arrival rate, as users "
            "see it, needs the open model (-r/--rate), which corrects for coordinated omission."
        )
    if plan.open_model and result.uncorrected is not None and result.latency.get_total_count():
        corrected = result.latency.get_value_at_percentile(99)
        raw = result.uncorrected.get_value_at_percentile(99)
        if raw and corrected > 2 * raw and corrected - raw > 10_000:
            tips.append(
                "Corrected p99 is far above the uncorrected p99: requests queued behind slow ones "
                "(a stall, or too few connections for the rate); raise -c or find the stall in the timeline."
            )
    if result.completed and result.completed < 1000:
        tips.append("Fewer than 1000 responses: high percentiles (p99.9 and above) rest on very few samples.")
    return tips
