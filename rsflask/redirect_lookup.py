"""Stored redirects answering readers: only where the site has nothing, so live pages never pay.

When the site's answer to a GET is 404 or 410 (no route, no article, a removed one), the path is
looked up in the redirects table; a match answers instead, its query string dropped. An archive
page of an old listing (/category/x/page/3/) answers like the listing (/category/x/): page
numbers do not carry over between two sites. WordPress's /?p=123 is asked for by the front page
(reader.index), the one live page that reads it; /index.php?p=123, its other spelling, here.

The answer is marked public and kept by the page cache like a page (page_cache.py), which counts
each hit it serves; here the misses are counted. A count is a write of its own, outside the
request's session and past the generation (generation.py): following a redirect changes nothing
readers see, so it must not empty the page cache. Browsers are told to ask again each time
(no-cache), so that a corrected target is followed at once and every visit is counted.
"""

import logging

from flask import Flask, Response, redirect, request, url_for
from sqlalchemy import Update, select, update
from sqlalchemy.engine import Engine

from rsflask import redirect_paths
from rsflask.db import db, utcnow
from rsflask.errors import DATABASE_UNAVAILABLE
from rsflask.models import Article, Page, Redirect, published
from rsflask.pages import page_url, visible_pages

# Set on the WSGI environ of a request a stored redirect answered: the page cache keeps the
# answer and counts the hits it serves under this redirect's id.
REDIRECT_ID = "rsflask.redirect_id"

log = logging.getLogger(__name__)


def answer_from_redirects(response: Response) -> Response:
    """The stored redirect for a path the site has nothing at, else the site's own answer."""
    if response.status_code not in (404, 410) or request.method not in ("GET", "HEAD"):
        return response
    key = redirect_paths.request_key(request.path)
    try:
        if key == "/index.php" and (post_id := redirect_paths.old_post_id(request.args)):
            return answer(f"/?p={post_id}") or response
        return answer(key, redirect_paths.archive_key(key)) or response
    except DATABASE_UNAVAILABLE:
        db.session.rollback()
        return response


def old_post_redirect() -> Response | None:
    """The stored redirect for WordPress's /?p=123 or /?page_id=123, if there is one."""
    post_id = redirect_paths.old_post_id(request.args)
    return answer(f"/?p={post_id}") if post_id else None


def answer(key: str, listing_key: str | None = None) -> Response | None:
    """The redirect stored for `key` (or, failing that, `listing_key`), counted; None if there
    is none, or its article or page is not one readers may see."""
    keys = [key] if listing_key is None else [key, listing_key]
    found = db.session.scalars(select(Redirect).where(Redirect.match_path.in_(keys))).all()
    stored = min(found, key=lambda each: keys.index(each.match_path), default=None)
    location = stored and location_of(stored)
    if not location:
        return None
    response = redirect(location, stored.status)
    response.cache_control.public = True
    response.cache_control.no_cache = True
    request.environ[REDIRECT_ID] = redirect_id = stored.id
    # The request has read all it needs: its transaction ends before the count commits, so
    # that nothing of it is held open across another write.
    db.session.rollback()
    count_hit(db.engine, redirect_id)
    return response


def location_of(stored: Redirect) -> str | None:
    if stored.article_id is not None:
        visible = db.session.scalar(published().where(Article.id == stored.article_id))
        return url_for("reader.article", slug=visible.slug) if visible else None
    if stored.page_id is not None:
        page = db.session.scalar(visible_pages().where(Page.id == stored.page_id))
        return page_url(page) if page else None
    if stored.target_url.startswith("/"):
        return request.script_root + stored.target_url
    return stored.target_url


def hit(redirect_id: int) -> Update:
    return (
        update(Redirect)
        .where(Redirect.id == redirect_id)
        .values(hit_count=Redirect.hit_count + 1, last_hit_at=utcnow())
    )


def count_hit(engine: Engine, redirect_id: int) -> None:
    """One more hit, committed at once on a connection of its own. A count that cannot be
    written (SQLite busy past its timeout, the server gone) is lost rather than the answer."""
    try:
        with engine.begin() as connection:
            connection.execute(hit(redirect_id))
    except DATABASE_UNAVAILABLE as error:
        log.warning("Redirect hit not counted: %s", error)


def init_app(app: Flask) -> None:
    app.after_request(answer_from_redirects)
