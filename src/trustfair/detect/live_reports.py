"""Counts user reports against a live session in the busiest window around each one."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import datetime, timedelta

from trustfair.events.payload import EntityRef
from trustfair.pipeline.interfaces import Context, Signal, StoredEvent
from trustfair.pipeline.registry import register_detector
from trustfair.settings import Settings

LIVE_REPORT_BURST = "live_report_burst"


def busiest_window(reports: list[tuple[datetime, str]], around: datetime, window: timedelta) -> int:
    """The most distinct reporters in any span of length ``window`` containing ``around``.

    ``reports`` are (time, reporter). One user reporting five times is one voice, not
    a burst. Reports may arrive out of order, so the report that completes a burst is
    not always the latest one: every window through ``around`` is considered.
    """
    ordered = sorted(reports)
    in_window: Counter[str] = Counter()
    best = 0
    end = 0
    for starts_at, reporter in ordered:
        while end < len(ordered) and ordered[end][0] - starts_at <= window:
            in_window[ordered[end][1]] += 1
            end += 1
        if starts_at <= around <= starts_at + window:
            best = max(best, len(in_window))
        in_window[reporter] -= 1
        if not in_window[reporter]:
            del in_window[reporter]
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
        nearby = context.events_between(
            EntityRef("live_session", subject.id),
            "report.filed",
            since=at - self.window,
            until=at + self.window,
            up_to_seq=event.seq,
        )
        reports = busiest_window(
            [(time, payload["reporter_id"]) for time, payload in nearby], at, self.window
        )
        return [
            Signal(
                detector=self.name,
                detector_version=self.version,
                label=LIVE_REPORT_BURST,
                score=float(reports),
                evidence={
                    "session_id": subject.id,
                    "reports": reports,
                    "counted": "distinct reporters",
                    "window_minutes": int(self.window.total_seconds() // 60),
                },
            )
        ]


@register_detector("live_reports")
def make_detector(settings: Settings) -> LiveReportBurstDetector:
    return LiveReportBurstDetector(window=settings.live_report_window)
