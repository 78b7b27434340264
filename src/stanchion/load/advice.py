"""Short recommendations drawn from a finished run: what to look at next, in the order that matters."""

from __future__ import annotations

from collections import Counter
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from stanchion.load.result import LoadResult

STATUS_CAUSES = {
    404: "check the path",
    410: "check the path",
    401: 'check the credentials (-H "Authorization: ...")',
    403: 'check the credentials (-H "Authorization: ...") and what they may access',
    405: "check the method (-m)",
    400: "check the body (-b/--data) and its Content-Type",
    415: 'check the body\'s Content-Type (-H "Content-Type: ...")',
    422: "check the body (-b/--data)",
    429: "the server rate-limits from the first request; --expect-rate-limit makes that the test",
}


def _hosts(result: LoadResult) -> str:
    """Every target's host:port, once each."""
    places = (f"[{t.host}]:{t.port}" if ":" in t.host else f"{t.host}:{t.port}" for t in result.plan.targets)
    return ", ".join(dict.fromkeys(places))


def unreachable_cause(result: LoadResult) -> str:
    """Why not one connection could be opened, naming the host and port."""
    where = _hosts(result)
    errors = result.transport_errors
    if errors.get("refused"):
        return f"Nothing is listening on {where} (connection refused): start the server, or check the URL's port."
    if errors.get("dns"):
        names = ", ".join(dict.fromkeys(t.host for t in result.plan.targets))
        return f"The name {names} does not resolve (DNS): check the host in the URL."
    if errors.get("tls"):
        return (
            f"The TLS handshake with {where} failed: for a self-signed certificate on a test server add "
            "--insecure; for a plain HTTP server use http://."
        )
    if errors.get("timeout"):
        return (
            f"No connection to {where} could be opened within --timeout {result.plan.timeout:g}s: check that "
            "the host is reachable (address, firewall)."
        )
    if not errors:
        return f"No connection to {where} was opened before the run ended: check that the host is reachable."
    kinds = ", ".join(sorted(errors))
    return (
        f"No connection to {where} could be opened ({kinds}): check the URL and that the server is running."
    )


def unanswered_cause(result: LoadResult) -> str:
    """Why no request got a 2xx/3xx answer: the status every answer carried, or what happened instead."""
    plan = result.plan
    paths = ", ".join(dict.fromkeys(t.path for t in plan.targets))
    if result.status:
        code, count = Counter(result.status).most_common(1)[0]
        every = "Every answer was" if count == result.completed else "No answer was 2xx/3xx; most were"
        advice = STATUS_CAUSES.get(code)
        if advice is None:
            advice = "look at the server's logs" if code >= 500 else "check the request"
        if code in (404, 410):
            advice += f" ({paths})"
        return f"{every} {code}: {advice}. If {code} is what this test expects, pass --expect-status {code}."
    errors = result.transport_errors
    if errors:
        kinds = ", ".join(f"{kind} {n:,}" for kind, n in errors.most_common())
        return f"No request got an answer ({kinds}): see the error categories above."
    return (
        "No request was answered before the run ended (all unfinished): the server is too slow for this "
        "run's length; lengthen -d."
    )


def recommend(result: LoadResult) -> list[str]:
    tips: list[str] = []
    plan = result.plan
    errors = result.errors
    if result.unreachable:
        return [unreachable_cause(result)]  # nothing was tested: nothing else to say
    if result.unanswered:  # nothing worked: the cause is the one thing to say
        return ["No request got a 2xx/3xx answer. " + unanswered_cause(result)]
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
