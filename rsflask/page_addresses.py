"""Pages' addresses: the slugs a page may not have, and the old addresses that stay alive.

A page lives at /<slug>, beside /latest, /search and /editor. The reserved slugs are derived from
the URL map rather than listed, so that a route added later is never shadowed by a page that took
its name first. When a published page's slug or parent changes, its old path (and its children's)
answers with a 301, whether the editor or an import moved it.
"""

from flask import current_app
from werkzeug.routing import Map

from rsflask.db import db
from rsflask.models import Page, PageRedirect


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


def children(page: Page) -> list[Page]:
    if page.id is None:
        return []
    return db.session.scalars(db.select(Page).filter_by(parent_id=page.id)).all()


def paths_now(page: Page) -> dict[Page, str]:
    """The page's path and its children's, to hand to leave_redirects after a change."""
    return {each: each.path for each in [page, *children(page)]}


def leave_redirects(before: dict[Page, str]) -> None:
    """Links already shared keep working: each published page's old path answers with a 301,
    and a path in use again is no longer an old address of anything."""
    for page, old_path in before.items():
        if page.status == "published" and page.path != old_path:
            db.session.merge(PageRedirect(old_path=old_path, page_id=page.id))
    for page in before:
        reused = db.session.get(PageRedirect, page.path)
        if reused is not None:
            db.session.delete(reused)
