"""How feed readers and search engines find the articles: Atom feeds, sitemaps, robots.txt."""

from collections.abc import Iterator
from datetime import datetime, timedelta
from math import ceil
from urllib.parse import urlsplit

from flask import Blueprint, Response, abort, current_app, render_template, request, url_for
from markupsafe import Markup
from sqlalchemy import Select, func, select
from sqlalchemy.orm import selectinload

from rsflask import listings
from rsflask.db import db, utcnow
from rsflask.models import (
    Article,
    ArticleAuthor,
    ArticleType,
    Author,
    Section,
    Tag,
    published,
)
from rsflask.models.content import article_tags
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
# The sitemap protocol's limit of URLs per file; past it /sitemap.xml becomes an index of parts.
SITEMAP_LIMIT = 50_000
# Google News reads only articles of the last two days, at most 1,000 of them.
NEWS_WINDOW = timedelta(days=2)
NEWS_LIMIT = 1_000
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
        subtitle=subtitle or current_app.config["SITE_TAGLINE"],
        page_url=page_url,
        updated=max(changes, default=NEVER),
        entry_id=entry_id,
        feed_photo=feed_photo,
    )


def titled(name: str) -> str:
    return f"{name} | {current_app.config['SITE_NAME']}"


@bp.get("/feeds/all.atom")
@public_page()
def site():
    """Everything published, newest first."""
    page_url = url_for("reader.index", _external=True)
    return atom(published(), current_app.config["SITE_NAME"], page_url, may_be_empty=True)


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


def listing_pages() -> list[tuple[str, datetime]]:
    """Front page, LATEST, QIOSK and each listing with a visible article, dated by its newest."""
    visible = published().whereclause
    newest = (func.max(Article.updated_at), func.max(Article.published_at))
    everything = db.session.execute(select(*newest).where(visible)).one()
    if everything[0] is None:
        return []
    pages = [
        (url_for("reader.index", _external=True), changed_at(*everything)),
        (url_for("reader.latest", _external=True), changed_at(*everything)),
    ]
    by_type = select(ArticleType.slug, *newest).join_from(Article, ArticleType)
    groups = [
        ("reader.section", select(Section.slug, *newest).join_from(Article, Section)),
        ("reader.article_type", by_type),
        ("reader.tag", select(Tag.slug, *newest).join_from(Article, article_tags).join(Tag)),
        (
            "reader.author",
            select(Author.slug, *newest).join_from(Article, ArticleAuthor).join(Author),
        ),
    ]
    for endpoint, query in groups:
        rows = db.session.execute(query.where(visible).group_by(query.selected_columns[0]))
        for slug, updated_at, published_at in rows:
            if endpoint == "reader.section":
                url = section_url(slug, _external=True)
            else:
                url = url_for(endpoint, slug=slug, _external=True)
            pages.append((url, changed_at(updated_at, published_at)))
    return pages


def sitemap_urls(pages: list, start: int, stop: int) -> Iterator[tuple[str, datetime]]:
    """URLs start to stop of the sitemap: listing pages first, then articles, oldest first.

    Articles go by id, so that a new one joins the last part instead of shifting every part.
    Only their slugs and times are read, never their bodies.
    """
    yield from pages[start:stop]
    offset = max(0, start - len(pages))
    limit = stop - max(start, len(pages))
    if limit <= 0:
        return
    rows = db.session.execute(
        published()
        .with_only_columns(Article.slug, Article.updated_at, Article.published_at)
        .order_by(None)
        .order_by(Article.id)
        .offset(offset)
        .limit(limit)
    )
    for slug, updated_at, published_at in rows:
        yield (
            url_for("reader.article", slug=slug, _external=True),
            changed_at(updated_at, published_at),
        )


def sitemap_part_dates(pages: list) -> list[datetime]:
    """The newest change in each sitemap part, counted in the database, not read row by row."""
    newest: dict[int, datetime] = {}
    for index, (_, changed) in enumerate(pages):
        part = index // SITEMAP_LIMIT
        newest[part] = max(changed, newest.get(part, changed))
    position = func.row_number().over(order_by=Article.id) - 1 + len(pages)
    numbered = (
        published()
        .with_only_columns(
            Article.updated_at, Article.published_at, (position // SITEMAP_LIMIT).label("part")
        )
        .order_by(None)
        .subquery()
    )
    dates = func.max(numbered.c.updated_at), func.max(numbered.c.published_at)
    rows = db.session.execute(select(numbered.c.part, *dates).group_by(numbered.c.part))
    for number, updated_at, published_at in rows:
        changed = changed_at(updated_at, published_at)
        newest[number] = max(changed, newest.get(number, changed))
    return [newest[number] for number in sorted(newest)]


def sitemap_size(pages: list) -> int:
    articles = db.session.scalar(published().with_only_columns(func.count()).order_by(None))
    return len(pages) + articles


@bp.get("/sitemap.xml")
@public_page()
def sitemap():
    """Every page worth indexing; past SITEMAP_LIMIT URLs, an index of sitemap parts."""
    pages = listing_pages()
    size = sitemap_size(pages)
    if size > SITEMAP_LIMIT:
        return xml("feeds/sitemap_index.xml", parts=enumerate(sitemap_part_dates(pages), 1))
    return xml("feeds/sitemap.xml", urls=sitemap_urls(pages, 0, SITEMAP_LIMIT))


@bp.get("/sitemaps/<int:number>.xml")
@public_page()
def sitemap_part(number: int):
    """One part of a sitemap too large for one file; none while one file holds it all."""
    pages = listing_pages()
    size = sitemap_size(pages)
    if size <= SITEMAP_LIMIT or not 1 <= number <= ceil(size / SITEMAP_LIMIT):
        abort(404)
    start = (number - 1) * SITEMAP_LIMIT
    return xml("feeds/sitemap.xml", urls=sitemap_urls(pages, start, start + SITEMAP_LIMIT))


@bp.get("/sitemaps/news.xml")
@public_page()
def news_sitemap():
    """Articles of the last two days, for Google News."""
    rows = db.session.execute(
        published()
        .with_only_columns(Article.slug, Article.title, Article.published_at)
        .where(Article.published_at >= utcnow() - NEWS_WINDOW)
        .limit(NEWS_LIMIT)
    )
    return xml("feeds/news_sitemap.xml", articles=rows)


@bp.get("/robots.txt")
@public_page()
def robots():
    """Crawl everything readers see, not the editors' pages or the fragments; here are the maps."""
    return Response(render_template("feeds/robots.txt"), mimetype="text/plain")
