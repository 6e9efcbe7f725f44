"""How search engines find the articles and pages: the sitemap (an index of parts past the
protocol's limit), the news sitemap and robots.txt, served by the feeds blueprint."""

from collections.abc import Iterator
from datetime import datetime, timedelta
from math import ceil

from flask import Response, abort, render_template, url_for
from sqlalchemy import Select, func, select
from sqlalchemy.orm import aliased

from rsflask.db import db, utcnow
from rsflask.feeds import bp, changed_at, xml
from rsflask.models import (
    Article,
    ArticleAuthor,
    ArticleNote,
    ArticleType,
    Author,
    Page,
    Section,
    Tag,
    published,
)
from rsflask.models.content import article_tags
from rsflask.pages import path_url, visible
from rsflask.public_pages import public_page
from rsflask.reader import section_url

# The sitemap protocol's limit of URLs per file; past it /sitemap.xml becomes an index of parts.
SITEMAP_LIMIT = 50_000
# Google News reads only articles of the last two days, at most 1,000 of them.
NEWS_WINDOW = timedelta(days=2)
NEWS_LIMIT = 1_000


def indexed() -> Select[tuple[Article]]:
    """Published articles that search engines may list: neither hidden from them (noindex) nor
    first published elsewhere (a canonical URL), since Google asks that a sitemap name only
    canonical addresses."""
    return published().where(Article.noindex.is_(False), Article.canonical_url == "")


def listing_pages() -> list[tuple[str, datetime]]:
    """Front page, LATEST, the masthead and each listing with a visible article, dated by its
    newest."""
    visible = published().whereclause
    newest = (func.max(Article.updated_at), func.max(Article.published_at))
    everything = db.session.execute(select(*newest).where(visible)).one()
    if everything[0] is None:
        return []
    pages = [
        (url_for("reader.index", _external=True), changed_at(*everything)),
        (url_for("reader.latest", _external=True), changed_at(*everything)),
        # Nothing dates an author's row: the masthead is dated like the site's newest change.
        (url_for("reader.authors", _external=True), changed_at(*everything)),
    ]
    corrected = select(func.max(ArticleNote.noted_at)).join(ArticleNote.article)
    newest_correction = db.session.scalar(
        corrected.where(visible, ArticleNote.kind == "correction")
    )
    if newest_correction is not None:
        pages.append((url_for("reader.corrections", _external=True), newest_correction))
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
    # A staff member's page is there before their first article (the masthead links it).
    bylined = select(ArticleAuthor.author_id).join_from(ArticleAuthor, Article).where(visible)
    staff_only = select(Author.slug).where(Author.is_staff, Author.id.not_in(bylined))
    for slug in db.session.scalars(staff_only):
        url = url_for("reader.author", slug=slug, _external=True)
        pages.append((url, changed_at(*everything)))
    return pages


def site_pages() -> list[tuple[str, datetime]]:
    """The published pages of the site (About, Contact...), each dated by its last change."""
    parent = aliased(Page)
    rows = db.session.execute(
        select(Page.slug, parent.slug, Page.updated_at, Page.published_at)
        .outerjoin(Page.parent.of_type(parent))
        .where(visible(parent))
        .order_by(Page.id)
    )
    return [
        (
            path_url(slug, parent_slug, _external=True),
            changed_at(updated_at, published_at or updated_at),
        )
        for slug, parent_slug, updated_at, published_at in rows
    ]


def fixed_pages() -> list[tuple[str, datetime]]:
    """What the sitemap lists before the articles: listings, then the site's pages. Few, so they
    are read whole; each is listed once, in the first part or parts."""
    return listing_pages() + site_pages()


def sitemap_urls(pages: list, start: int, stop: int) -> Iterator[tuple[str, datetime]]:
    """URLs start to stop of the sitemap: listing and site pages first, then articles, oldest
    first.

    Articles go by id, so that a new one joins the last part instead of shifting every part.
    Only their slugs and times are read, never their bodies.
    """
    yield from pages[start:stop]
    offset = max(0, start - len(pages))
    limit = stop - max(start, len(pages))
    if limit <= 0:
        return
    rows = db.session.execute(
        indexed()
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
        indexed()
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
    articles = db.session.scalar(indexed().with_only_columns(func.count()).order_by(None))
    return len(pages) + articles


@bp.get("/sitemap.xml")
@public_page()
def sitemap():
    """Every page worth indexing; past SITEMAP_LIMIT URLs, an index of sitemap parts."""
    pages = fixed_pages()
    size = sitemap_size(pages)
    if size > SITEMAP_LIMIT:
        return xml("feeds/sitemap_index.xml", parts=enumerate(sitemap_part_dates(pages), 1))
    return xml("feeds/sitemap.xml", urls=sitemap_urls(pages, 0, SITEMAP_LIMIT))


@bp.get("/sitemaps/<int:number>.xml")
@public_page()
def sitemap_part(number: int):
    """One part of a sitemap too large for one file; none while one file holds it all."""
    pages = fixed_pages()
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
        indexed()
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
