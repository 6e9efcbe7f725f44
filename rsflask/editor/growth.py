"""Confirmed subscribers over time, from the consent record, and the chart's coordinates.

Only each address's latest subscription is on record (signing up again replaces the earlier
dates), so a reader who left and came back counts from their return.
"""

import math
from bisect import bisect_right
from datetime import date, datetime, time, timedelta

WIDTH, HEIGHT = 720, 280
LEFT, RIGHT, TOP, BOTTOM = 56, 16, 16, 36


def series(rows, now: datetime) -> tuple[str, list[tuple[date, int]]]:
    """("day" | "week" | "month", [(last day of the period, confirmed subscribers at its end)]).

    `rows` are (status, signed_up_at, confirmed_at, unsubscribed_at, imported_at). Imported rows
    without a confirmation time count from their signup time.
    """
    starts, ends = [], []
    for status, signed_up_at, confirmed_at, unsubscribed_at, imported_at in rows:
        start = confirmed_at or (signed_up_at if imported_at else None)
        if start is None:
            continue  # never confirmed: unsubscribed straight from pending
        if status == "unsubscribed":
            if unsubscribed_at is None or unsubscribed_at < start:
                continue
            ends.append(unsubscribed_at)
        starts.append(start)
    if not starts:
        return "day", []
    starts.sort()
    ends.sort()
    first, today = starts[0].date(), now.date()
    span = (today - first).days
    unit = "day" if span <= 62 else "week" if span <= 2 * 365 else "month"
    points = []
    for day in period_ends(first, today, unit):
        moment = now if day >= today else datetime.combine(day, time.max)
        points.append((min(day, today), bisect_right(starts, moment) - bisect_right(ends, moment)))
    return unit, points


def period_ends(first: date, last: date, unit: str) -> list[date]:
    """The last day of every day, week (ending on Sunday) or month from `first` to `last`."""
    ends, day = [], first
    while True:
        if unit == "day":
            end = day
        elif unit == "week":
            end = day + timedelta(days=6 - day.weekday())
        else:
            following = date(day.year + day.month // 12, day.month % 12 + 1, 1)
            end = following - timedelta(days=1)
        ends.append(end)
        if end >= last:
            return ends
        day = end + timedelta(days=1)


def nice_ceiling(value: int) -> int:
    """The next 1, 2 or 5 times a power of ten at or above `value`: round gridlines."""
    if value <= 1:
        return 1
    power = 10 ** math.floor(math.log10(value))
    return next(step * power for step in (1, 2, 5, 10) if step * power >= value)


def geometry(points: list[tuple[date, int]]) -> dict:
    """Where to draw: the polyline's points, each point's position, and the gridlines."""
    if not points:
        return {}
    top = nice_ceiling(max(count for _, count in points))
    last = max(len(points) - 1, 1)

    def x(index: int) -> float:
        return round(LEFT + index * (WIDTH - LEFT - RIGHT) / last, 1)

    def y(count: float) -> float:
        return round(HEIGHT - BOTTOM - count * (HEIGHT - TOP - BOTTOM) / top, 1)

    dots = [(x(i), y(count)) for i, (_, count) in enumerate(points)]
    return {
        "width": WIDTH,
        "height": HEIGHT,
        "left": LEFT,
        "right": WIDTH - RIGHT,
        "baseline": HEIGHT - BOTTOM,
        "polyline": " ".join(f"{px},{py}" for px, py in dots),
        "dots": dots if len(points) <= 70 else [],
        "gridlines": [(y(value), value) for value in sorted({0, top // 2, top})],
    }
