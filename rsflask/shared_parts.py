"""What every reader's page shows alike (the masthead's sections, the pages linked in the
navigation and the footer, QIOSK), and what every page of a listing shares (how many articles it
has), read once per content generation in each worker and reused by every page the page cache
misses: a crawler's, the long tail's, the first after a publish.

Each part is kept as plain values (names, slugs, titles, times), never as database rows, which
belong to one request's session. It is made again when the generation moves (generation.py: any
change readers could see) or when the next scheduled article goes live (that needs no write), so
a page made from it is exactly as fresh as one made without it. A part the database cannot give
(it is down) is not kept: the page gets `fallback` and the next one tries again.
"""

import time
from collections.abc import Callable
from functools import wraps
from typing import TypeVar

from flask import current_app, g, has_request_context, request
from sqlalchemy import func, select

from rsflask.db import db, utcnow
from rsflask.errors import DATABASE_UNAVAILABLE
from rsflask.models import Article
from rsflask.site_settings import current_generation

# Kept no longer than this even when nothing is scheduled (pages too, page_cache.py): pages that
# show a window of time (the news sitemap's last two days) move on by themselves.
MAX_AGE = 300

T = TypeVar("T")


def per_generation(fallback: T) -> Callable[[Callable[[], T]], Callable[[], T]]:
    """Keep what the decorated function makes for the rest of the content generation."""

    def decorate(make: Callable[[], T]) -> Callable[[], T]:
        name = f"{make.__module__}.{make.__qualname__}"

        @wraps(make)
        def kept_part() -> T:
            return kept(name, make, fallback)

        return kept_part

    return decorate


def kept(name: str, make: Callable[[], T], fallback: T) -> T:
    """What make() gives, made once per content generation under `name` in this worker. A part
    made of other parts (page_chrome.py) is not kept when one of them fell back."""
    parts = current_app.extensions.setdefault("shared_parts", {})
    try:
        generation = current_generation()
        found = parts.get(name)
        if found and found[0] == generation and time.time() < found[1]:
            return found[2]
        fallbacks_before = g.get("shared_part_fallbacks", 0)
        value = make()
        if g.get("shared_part_fallbacks", 0) == fallbacks_before:
            parts[name] = (generation, valid_until(), value)
        return value
    except DATABASE_UNAVAILABLE:
        db.session.rollback()
        g.shared_part_fallbacks = g.get("shared_part_fallbacks", 0) + 1
        return fallback


def valid_until() -> float:
    """When a part made now may be stale with no write: the next scheduled article's time. The
    page cache has found it for the request when it handled it; otherwise it is found once."""
    environ = request.environ if has_request_context() else {}
    if "rsflask.valid_until" not in environ:
        environ["rsflask.valid_until"] = next_change(db.session.scalar)
    return environ["rsflask.valid_until"]


def next_change(scalar: Callable) -> float:
    """When the next scheduled article goes live (read with `scalar`), or MAX_AGE from now,
    whichever comes first: pages and parts made now may not outlive it."""
    upcoming = scalar(
        select(func.min(Article.published_at)).where(
            Article.status == "published", Article.published_at > utcnow()
        )
    )
    latest = time.time() + MAX_AGE
    if upcoming is None:
        return latest
    return min(latest, time.time() + (upcoming - utcnow()).total_seconds())
