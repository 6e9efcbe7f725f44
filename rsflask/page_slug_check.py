"""Which slugs a page may not have: the first segments of the site's own addresses.

A page lives at /<slug> (or /<parent>/<slug>), beside /articles, /authors, /feeds, /editor...
The reserved words are read from the URL map, so that a view added later reserves its address
without anyone keeping a list in step with it.
"""

from flask import current_app


def reserved_first_segments() -> set[str]:
    """The fixed first path segment of every route ("articles", "authors", "sitemap.xml"...).

    A route that starts with a converter (a page's own /<slug>) reserves nothing.
    """
    segments = set()
    for rule in current_app.url_map.iter_rules():
        first = rule.rule.lstrip("/").split("/", 1)[0]
        if first and "<" not in first:
            segments.add(first)
    return segments


def page_slug_problem(slug: str) -> str | None:
    """Why a page cannot have this slug, or None when it can."""
    if slug in reserved_first_segments():
        return f"the slug {slug!r} is taken by the site's own address /{slug}; choose another"
    return None
