"""How feed readers find the articles: Atom feeds of the site and of each listing.

The blueprint also serves the sitemaps and robots.txt (sitemaps.py adds their routes).
"""

from datetime import datetime
from urllib.parse import urlsplit

from flask import Blueprint, Response, abort, current_app, render_template, request, url_for
from markupsafe import Markup
from sqlalchemy import Select
from sqlalchemy.orm import selectinload

from rsflask import listings, site_settings
from rsflask.db import db
from rsflask.models import (
    Article,
    published,
)
from rsflask.photos import photo_folder
from rsflask.public_pages import public_page
from rsflask.reader import section_url
from rsflask.security import embeddable
from rsflask.stored_html import with_absolute_links
from rsflask.text import drop_control

bp = Blueprint("feeds", __name__)
# Feeds, sitemaps and robots.txt are read by other sites' readers and crawlers.
bp.after_request(embeddable)

FEED_LENGTH = 30
# Feed readers show content about as wide as a phone or a reading column.
FEED_PHOTO_WIDTH = 800
# An empty feed still needs an <updated>; a fixed one keeps its ETag stable between requests.
NEVER = datetime(1970, 1, 1)

# The feed of each listing page, for its <link rel="alternate">.
LISTING_FEEDS = {
    "reader.section": "feeds.section",
    "reader.article_type": "feeds.article_type",
    "reader.tag": "feeds.tag",
    "reader.author": "feeds.author",
}


@bp.app_template_global()
def changed_at(updated_at: datetime, published_at: datetime) -> datetime:
    """When readers last saw an article change: a scheduled one appears after its last save."""
    return max(updated_at, published_at)


def entry_id(article: Article) -> str:
    """A tag: URI (RFC 4151) that stays the same when the article's slug or title changes."""
    host = urlsplit(current_app.config["SITE_URL"]).hostname
    return f"tag:{host},{article.created_at:%Y-%m-%d}:article:{article.id}"


@bp.app_template_global()
def listing_feed_url() -> str | None:
    """The Atom feed of the listing page being rendered, if it has one."""
    endpoint = LISTING_FEEDS.get(request.endpoint or "")
    return url_for(endpoint, _external=True, **request.view_args) if endpoint else None


def xml(template: str, mimetype: str = "application/xml", **context) -> Response:
    """The template as XML, without the characters XML cannot carry, wherever they were stored."""
    return Response(drop_control(render_template(template, **context)), mimetype=mimetype)


def feed_photo(article: Article) -> dict | None:
    """The top photo's variant for feed readers, and its size in bytes if the file is at hand."""
    photo = article.photo
    if photo is None:
        return None
    width = next((w for w in photo.widths if w >= FEED_PHOTO_WIDTH), photo.widths[-1])
    name = photo.filename(width)
    try:
        length = (photo_folder() / name).stat().st_size
    except OSError:
        length = None
    return {
        "url": url_for("reader.photo", name=name, _external=True),
        "width": width,
        "height": round(photo.height * width / photo.width),
        "alt": article.photo_alt,
        "length": length,
    }


@bp.app_template_global()
def absolute_links(html: str, base: str) -> Markup:
    """Stored, sanitised HTML with its links made absolute; what is stored stays as it is."""
    # Only attribute values change, each escaped again: the HTML is as safe as markup.py made it.
    return Markup(with_absolute_links(html, base))  # noqa: S704


def atom(
    query: Select, title: str, page_url: str, subtitle: str = "", may_be_empty: bool = False
) -> Response:
    """The newest articles of `query` as an Atom feed.

    A listing with no visible article has no feed, so that no draft's tag or author is named.
    There is no Last-Modified: the feed changes when its newest article is trashed or a tag is
    renamed, and no time stored anywhere moves forward then. The ETag (conditional.py) is the body's
    hash, so If-None-Match is answered exactly.
    """
    articles = db.session.scalars(
        query.options(selectinload(Article.tags)).limit(FEED_LENGTH)
    ).all()
    if not articles and not may_be_empty:
        abort(404)
    changes = [changed_at(a.updated_at, a.published_at) for a in articles]
    return xml(
        "feeds/atom.xml",
        mimetype="application/atom+xml",
        entries=list(zip(articles, changes, strict=True)),
        title=title,
        subtitle=subtitle or site_settings.current()["tagline"],
        page_url=page_url,
        updated=max(changes, default=NEVER),
        entry_id=entry_id,
        feed_photo=feed_photo,
    )


def titled(name: str) -> str:
    return f"{name} | {site_settings.current()['name']}"


@bp.get("/feeds/all.atom")
@public_page()
def site():
    """Everything published, newest first."""
    page_url = url_for("reader.index", _external=True)
    return atom(published(), site_settings.current()["name"], page_url, may_be_empty=True)


@bp.get("/feeds/sections/<slug:slug>.atom")
@public_page()
def section(slug: str):
    """One section's articles (the QIOSK section included)."""
    section, articles = listings.in_section(slug)
    page_url = section_url(section.slug, _external=True)
    return atom(articles, titled(section.name), page_url, section.description)


@bp.get("/feeds/types/<slug:slug>.atom")
@public_page()
def article_type(slug: str):
    """Articles of one type, QIOSK items included, as on the type's page."""
    article_type, articles = listings.of_type(slug)
    page_url = url_for("reader.article_type", slug=slug, _external=True)
    return atom(articles, titled(article_type.name), page_url)


@bp.get("/feeds/tags/<slug:slug>.atom")
@public_page()
def tag(slug: str):
    """Articles with one tag."""
    tag, articles = listings.tagged(slug)
    return atom(articles, titled(tag.name), url_for("reader.tag", slug=slug, _external=True))


@bp.get("/feeds/authors/<slug:slug>.atom")
@public_page()
def author(slug: str):
    """One author's articles."""
    author, articles = listings.by_author(slug)
    page_url = url_for("reader.author", slug=slug, _external=True)
    return atom(articles, titled(author.name), page_url, author.bio)
