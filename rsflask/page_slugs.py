"""Which slugs a page may not have: the first part of the site's own addresses.

A page lives at /<slug>, beside /latest, /search and /editor. Derived from the URL map rather than
listed, so that a route added later is never shadowed by a page that took its name first.
"""

from flask import current_app
from werkzeug.routing import Map


def reserved_slugs(url_map: Map | None = None) -> set[str]:
    """The first path segment of every route whose first segment is fixed text, in `url_map` (by
    default the app's; the page routes' converter passes its own, as it may match outside one).

    Routes that begin with a variable (the pages' own /<slug>) reserve nothing; neither does "/".
    """
    reserved = set()
    for rule in (url_map or current_app.url_map).iter_rules():
        first = rule.rule.lstrip("/").split("/", 1)[0]
        if first and "<" not in first:
            reserved.add(first)
    return reserved


def reserved_message(slug: str) -> str:
    return (
        f"/{slug} is an address of the site itself, so a page cannot use it: "
        "readers would never reach the page. Choose another slug."
    )
