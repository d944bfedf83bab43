from __future__ import annotations

from datetime import datetime, timedelta

from trustfair.detect.live_reports import busiest_window

T = datetime(2026, 3, 1, 12, 0)
M = timedelta(minutes=10)


def at(*minutes: float) -> list[tuple[datetime, str]]:
    """Reports at these minutes, each from a different user."""
    return [(T + timedelta(minutes=m), f"user{i}") for i, m in enumerate(minutes)]


def test_counts_reports_in_the_busiest_window_through_the_given_one() -> None:
    assert busiest_window(at(0, 1, 2, 3, 4), T + timedelta(minutes=4), M) == 5


def test_reports_further_apart_than_the_window_do_not_add_up() -> None:
    reports = at(0, 11, 22, 33, 44)
    assert all(busiest_window(reports, t, M) == 1 for t, _ in reports)


def test_the_window_is_inclusive_of_its_length() -> None:
    assert busiest_window(at(0, 10), T, M) == 2
    assert busiest_window(at(0, 10.01), T, M) == 1


def test_a_late_arriving_early_report_still_sees_the_later_burst() -> None:
    # The report at minute 0 arrives last, but completes a burst spanning 0–9.
    assert busiest_window(at(3, 5, 7, 9, 0), T, M) == 5


def test_a_burst_that_does_not_include_the_report_is_not_its_burst() -> None:
    reports = at(0, 20, 21, 22, 23, 24)
    assert busiest_window(reports, T, M) == 1


def test_the_same_reporter_counts_once() -> None:
    reports = [(T + timedelta(minutes=m), "same") for m in range(6)] + at(7)
    assert busiest_window(reports, T + timedelta(minutes=7), M) == 2
