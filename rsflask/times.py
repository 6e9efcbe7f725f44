"""Stored times (naive UTC) and the publication's time zone, both ways, up to the calendar's ends.

Python's calendar runs from the year 1 to 9999: a time within a day of either end, moved to or
from UTC, can fall off it (OverflowError). Typed or imported times that would are refused with a
message; stored ones that would are shown in UTC instead.
"""

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from flask import current_app


class OffTheCalendar(ValueError):
    """A time with no UTC equivalent between the years 1 and 9999."""


def publication_zone() -> ZoneInfo:
    return ZoneInfo(current_app.config["TIMEZONE"])


def local_time(value: datetime | None) -> datetime | None:
    """A stored naive-UTC time in the publication's time zone, or in UTC where that has no day."""
    if value is None:
        return None
    utc = value.replace(tzinfo=UTC)
    try:
        return utc.astimezone(publication_zone())
    except OverflowError:
        return utc


def naive_utc(value: datetime) -> datetime:
    """A time with a zone or offset as stored: naive UTC."""
    try:
        return value.astimezone(UTC).replace(tzinfo=None)
    except OverflowError as error:
        written = value.replace(tzinfo=None).isoformat(" ", "minutes")
        zone = getattr(value.tzinfo, "key", None) or value.tzname()
        edge = "before the year 1" if value.year == 1 else "after the year 9999"
        raise OffTheCalendar(f"{written} in {zone} is {edge} in UTC") from error


def utc_from_local(value: datetime | None) -> datetime | None:
    """A naive time in the publication's time zone (as typed) as stored: naive UTC."""
    if value is None:
        return None
    return naive_utc(value.replace(tzinfo=publication_zone()))
