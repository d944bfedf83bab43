"""Counts user reports against a live session in the busiest window around each one."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from trustfair.events.payload import EntityRef
from trustfair.pipeline.interfaces import Context, Signal, StoredEvent
from trustfair.pipeline.registry import register_detector
from trustfair.settings import Settings

LIVE_REPORT_BURST = "live_report_burst"


def busiest_window(times: list[datetime], around: datetime, window: timedelta) -> int:
    """The most reports in any span of length ``window`` that contains ``around``.

    Reports may arrive out of order, so the report that completes a burst is not
    always the latest one: every window through ``around`` is considered.
    """
    ordered = sorted(times)
    best = 0
    start = 0
    for end, at_end in enumerate(ordered):
        while at_end - ordered[start] > window:
            start += 1
        if ordered[start] <= around <= at_end:
            best = max(best, end - start + 1)
    return best


@dataclass(frozen=True)
class LiveReportBurstDetector:
    window: timedelta
    name: str = "live_reports"
    version: str = "1"
    event_types: frozenset[str] = frozenset({"report.filed"})

    def detect(self, event: StoredEvent, context: Context) -> list[Signal]:
        subject = event.subject
        if subject.type != "live_session":
            return []
        at = event.occurred_at
        times = context.event_times(
            EntityRef("live_session", subject.id),
            "report.filed",
            since=at - self.window,
            until=at + self.window,
            up_to_seq=event.seq,
        )
        reports = busiest_window(times, at, self.window)
        return [
            Signal(
                detector=self.name,
                detector_version=self.version,
                label=LIVE_REPORT_BURST,
                score=float(reports),
                evidence={
                    "session_id": subject.id,
                    "reports": reports,
                    "window_minutes": int(self.window.total_seconds() // 60),
                },
            )
        ]


@register_detector("live_reports")
def make_detector(settings: Settings) -> LiveReportBurstDetector:
    return LiveReportBurstDetector(window=settings.live_report_window)
