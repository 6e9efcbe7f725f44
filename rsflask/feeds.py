"""How feed readers and search engines find the articles: Atom feeds, sitemaps, robots.txt."""

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from math import ceil
from urllib.parse import urlsplit

from flask import Blueprint, Response, abort, current_app, render_template, request, url_for
from sqlalchemy import Select, func, select
from sqlalchemy.orm import selectinload

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
from rsflask.reader import outside_qiosk

bp = Blueprint("feeds", __name__)

FEED_LENGTH = 30
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


def changed_at(updated_at: datetime, published_at: datetime) -> datetime:
    """When readers last saw an article change: a scheduled one appears after its last save."""
    return max(updated_at, published_at)


def section_url(section: Section) -> str:
    if section.slug == current_app.config["QIOSK_SECTION"]:
        return url_for("reader.qiosk", _external=True)
    return url_for("reader.section", slug=section.slug, _external=True)


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
    return Response(render_template(template, **context), mimetype=mimetype)


def atom(query: Select, title: str, page_url: str, subtitle: str = "") -> Response:
    """The newest articles of `query` as an Atom feed, dated by its newest change."""
    articles = db.session.scalars(
        query.options(selectinload(Article.tags)).limit(FEED_LENGTH)
    ).all()
    changes = [changed_at(a.updated_at, a.published_at) for a in articles]
    updated = max(changes, default=NEVER)
    response = xml(
        "feeds/atom.xml",
        mimetype="application/atom+xml",
        entries=list(zip(articles, changes, strict=True)),
        title=title,
        subtitle=subtitle or current_app.config["SITE_TAGLINE"],
        page_url=page_url,
        updated=updated,
        entry_id=entry_id,
        section_url=section_url,
    )
    if articles:
        # With Last-Modified, make_conditional (caching.py) also answers If-Modified-Since.
        response.last_modified = updated.replace(tzinfo=UTC)
    return response


def titled(name: str) -> str:
    return f"{name} | {current_app.config['SITE_NAME']}"


@bp.get("/feeds/all.atom")
def site():
    """Everything published, newest first."""
    return atom(
        published(), current_app.config["SITE_NAME"], url_for("reader.index", _external=True)
    )


@bp.get("/feeds/sections/<slug:slug>.atom")
def section(slug: str):
    """One section's articles (the QIOSK section included)."""
    section = db.first_or_404(select(Section).filter_by(slug=slug))
    query = published().where(Article.section_id == section.id)
    return atom(query, titled(section.name), section_url(section), section.description)


@bp.get("/feeds/types/<slug:slug>.atom")
def article_type(slug: str):
    """Articles of one type, outside QIOSK as on the type's page."""
    article_type = db.first_or_404(select(ArticleType).filter_by(slug=slug))
    query = outside_qiosk(published()).where(Article.type_id == article_type.id)
    page_url = url_for("reader.article_type", slug=slug, _external=True)
    return atom(query, titled(article_type.name), page_url)


@bp.get("/feeds/tags/<slug:slug>.atom")
def tag(slug: str):
    """Articles with one tag."""
    tag = db.first_or_404(select(Tag).filter_by(slug=slug))
    query = published().join(article_tags).where(article_tags.c.tag_id == tag.id)
    return atom(query, titled(tag.name), url_for("reader.tag", slug=slug, _external=True))


@bp.get("/feeds/authors/<slug:slug>.atom")
def author(slug: str):
    """One author's articles."""
    author = db.first_or_404(select(Author).filter_by(slug=slug))
    query = published().join(ArticleAuthor).where(ArticleAuthor.author_id == author.id)
    page_url = url_for("reader.author", slug=slug, _external=True)
    return atom(query, titled(author.name), page_url, author.bio)


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
    qiosk = current_app.config["QIOSK_SECTION"]
    by_type = select(ArticleType.slug, *newest).join_from(Article, ArticleType)
    groups = [
        ("reader.section", select(Section.slug, *newest).join_from(Article, Section)),
        # Type pages leave QIOSK items out, so a type with only those has no page worth listing.
        ("reader.article_type", outside_qiosk(by_type)),
        ("reader.tag", select(Tag.slug, *newest).join_from(Article, article_tags).join(Tag)),
        (
            "reader.author",
            select(Author.slug, *newest).join_from(Article, ArticleAuthor).join(Author),
        ),
    ]
    for endpoint, query in groups:
        rows = db.session.execute(query.where(visible).group_by(query.selected_columns[0]))
        for slug, updated_at, published_at in rows:
            if endpoint == "reader.section" and slug == qiosk:
                url = url_for("reader.qiosk", _external=True)
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


def sitemap_size(pages: list) -> int:
    articles = db.session.scalar(published().with_only_columns(func.count()).order_by(None))
    return len(pages) + articles


@bp.get("/sitemap.xml")
def sitemap():
    """Every page worth indexing; past SITEMAP_LIMIT URLs, an index of sitemap parts."""
    pages = listing_pages()
    size = sitemap_size(pages)
    if size > SITEMAP_LIMIT:
        return xml("feeds/sitemap_index.xml", parts=range(1, ceil(size / SITEMAP_LIMIT) + 1))
    return xml("feeds/sitemap.xml", urls=sitemap_urls(pages, 0, SITEMAP_LIMIT))


@bp.get("/sitemaps/<int:number>.xml")
def sitemap_part(number: int):
    """One part of a sitemap too large for one file; none while one file holds it all."""
    pages = listing_pages()
    size = sitemap_size(pages)
    if size <= SITEMAP_LIMIT or not 1 <= number <= ceil(size / SITEMAP_LIMIT):
        abort(404)
    start = (number - 1) * SITEMAP_LIMIT
    return xml("feeds/sitemap.xml", urls=sitemap_urls(pages, start, start + SITEMAP_LIMIT))


@bp.get("/sitemaps/news.xml")
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
def robots():
    """Crawl everything readers see, not the editors' pages or the fragments; here are the maps."""
    return Response(render_template("feeds/robots.txt"), mimetype="text/plain")
