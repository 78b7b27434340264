"""``--hdr-log``: the run's one-second histograms as an HdrHistogram interval log (format 1.2).

Readable by HdrHistogram's own tools (HistogramLogProcessor, HdrHistogramVisualizer) and by
``hdrh.log.HistogramLogReader``. Values are microseconds; the interval max column is in milliseconds.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

from hdrh.histogram import HdrHistogram
from hdrh.log import HistogramLogWriter

if TYPE_CHECKING:
    from stanchion.load.result import LoadResult


def write_hdr_log(result: LoadResult, path: str) -> int:
    """Write the interval log; returns how many intervals it holds."""
    with open(path, "w", encoding="utf-8") as handle:
        writer = HistogramLogWriter(handle)
        writer.output_log_format_version()
        writer.output_comment(
            f"[StartTime: {result.started_at:.3f} (seconds since epoch), "
            f"{time.strftime('%Y-%m-%dT%H:%M:%SZ', time.gmtime(result.started_at))}]"
        )
        writer.output_comment(
            f"[stanchion load: {', '.join(t.shown for t in result.plan.targets)}; values in us]"
        )
        writer.output_legend()
        for start, length, encoded in result.interval_histograms:
            hist = HdrHistogram.decode(encoded)
            hist.set_start_time_stamp(int(start * 1000))
            hist.set_end_time_stamp(int((start + length) * 1000))
            writer.output_interval_histogram(hist, max_value_unit_ratio=1000.0)
    return len(result.interval_histograms)
