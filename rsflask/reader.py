"""What readers see: front page, articles, listings, LATEST, QIOSK, keep-reading fragments."""

import re
from datetime import datetime
from typing import NamedTuple

from flask import (
    Blueprint,
    abort,
    current_app,
    redirect,
    render_template,
    request,
    send_from_directory,
    url_for,
)
from sqlalchemy import Select, select
from sqlalchemy.orm import joinedload

from rsflask import listings
from rsflask.db import db, utcnow
from rsflask.fragments import wants_fragment
from rsflask.models import (
    Article,
    Author,
    Section,
    SlugRedirect,
    published,
)
from rsflask.pagination import page_number, paginate
from rsflask.public_pages import public_page
from rsflask.redirect_lookup import old_post_redirect
from rsflask.redirect_paths import OLD_QUERY_ARGUMENTS
from rsflask.security import embeddable
from rsflask.shared_parts import per_generation
from rsflask.teasers import teasers_of

# How many QIOSK items the stream beside pages shows.
QIOSK_ITEMS = 6

bp = Blueprint("reader", __name__)

# A variant, a photo's link preview (photos.share_name) or the site's own (site_card.py).
PHOTO_NAME = re.compile(
    r"[0-9a-f]{32}-([0-9]{1,5}\.webp|[0-9]{1,4}x[0-9]{1,4}\.jpg)|site-[0-9a-f]{16}\.jpg"
    r"|logo-[0-9a-f]{32}\.png|share-[0-9a-f]{32}\.jpg|card-[0-9a-f]{16}\.jpg"
)


@bp.app_template_global()
def section_url(slug: str, **values) -> str:
    """Where a section's listing lives: QIOSK's at /qiosk, every other's at /sections/<slug>."""
    if slug == current_app.config["QIOSK_SECTION"]:
        return url_for("reader.qiosk", **values)
    return url_for("reader.section", slug=slug, **values)


def outside_qiosk(query: Select) -> Select:
    return query.join(Article.section).where(Section.slug != current_app.config["QIOSK_SECTION"])


def in_qiosk(query: Select) -> Select:
    return query.join(Article.section).where(Section.slug == current_app.config["QIOSK_SECTION"])


class QiOSKItem(NamedTuple):
    title: str
    slug: str
    published_at: datetime


@bp.app_template_global()
@per_generation(fallback=[])
def qiosk_stream() -> list[QiOSKItem]:
    """The newest QIOSK items beside every page, read once per content generation."""
    query = in_qiosk(published()).with_only_columns(
        Article.title, Article.slug, Article.published_at
    )
    return [QiOSKItem(*row) for row in db.session.execute(query.limit(QIOSK_ITEMS))]


@bp.get("/")
@public_page(query=OLD_QUERY_ARGUMENTS)
def index():
    """The front page: the lead story, teasers, the QIOSK stream; or, for an old WordPress
    address such as /?p=123, its stored redirect."""
    if moved := old_post_redirect():
        return moved
    newest = outside_qiosk(published()).with_only_columns(Article.id).limit(13)
    ids = db.session.scalars(newest).all()
    return render_template(
        "reader/index.html",
        lead=teasers_of(ids[:1], "lead"),
        teasers=teasers_of(ids[1:]),
    )


def visible_article_or_404(slug: str) -> Article:
    """The article readers may see, a redirect from an old slug, 410 if they saw it before it
    was removed, else 404."""
    # Its bylines and notes in the same statement: two round trips less than loading them after
    # (an article has one or two bylines and seldom a note, so the rows hardly multiply).
    whole = published().where(Article.slug == slug)
    whole = whole.options(joinedload(Article.bylines), joinedload(Article.notes))
    article = db.session.execute(whole).unique().scalar_one_or_none()
    if article:
        return article
    redirect_from = db.session.get(SlugRedirect, slug)
    # Only to an article readers may see: a redirect must not reveal an unpublished slug.
    target = redirect_from.article if redirect_from else None
    if target and target.status == "published" and target.published_at <= utcnow():
        abort(redirect(url_for(request.endpoint, slug=target.slug), 301))
    # Trashed once its time had come: trashing is its last change, as a trashed article cannot
    # be saved. A trashed draft or scheduled article was never public, and its slug must not be
    # told from one never used.
    removed = db.session.scalar(
        select(Article.id).where(
            Article.slug == slug,
            Article.status == "trash",
            Article.status_before_trash == "published",
            Article.published_at <= Article.updated_at,
        )
    )
    abort(410 if removed else 404)


@bp.get("/articles/<slug:slug>")
@public_page()
def article(slug: str):
    """One article, with more from its section below, LATEST and QIOSK beside it."""
    article = visible_article_or_404(slug)
    return render_template(
        "reader/article.html",
        article=article,
        related=teasers_of(listings.related_ids(article)),
    )


@bp.get("/articles/<slug:slug>/more")
@public_page()
def keep_reading(slug: str):
    """The rest of an article's body, for a teaser's Keep reading; a browser gets the article."""
    article = visible_article_or_404(slug)
    if not wants_fragment():
        return redirect(url_for("reader.article", slug=article.slug))
    return render_template("reader/_fold.html", article=article, expanded=True)


@bp.get("/articles/<slug:slug>/less")
@public_page()
def show_less(slug: str):
    """A teaser folded back to its Keep reading control."""
    article = visible_article_or_404(slug)
    if not wants_fragment():
        return redirect(url_for("reader.article", slug=article.slug))
    return render_template("reader/_fold.html", article=article, expanded=False, folded_back=True)


def listing(
    query: Select,
    heading: str,
    kind: str,
    description: str = "",
    author: Author | None = None,
    may_be_empty: bool = False,
):
    """One page of a listing; 404 when nothing readers may see is filed there.

    A section, type, tag or author that holds only drafts, scheduled or trashed articles must not
    show its name. Past the last page is a 404 anyway, so an empty first page says it all. Only a
    listing that may be empty (a staff member's) shows an empty first page.
    """
    per_page = current_app.config["ARTICLES_PER_PAGE"]
    ids = query.with_only_columns(Article.id)
    articles = paginate(ids, per_page, shared_count=f"{request.endpoint} {request.view_args}")
    if not articles.items and not (may_be_empty and articles.page == 1):
        abort(404)
    return render_template(
        "reader/listing.html",
        articles=articles,
        teasers=teasers_of(articles.items),
        heading=heading,
        kind=kind,
        description=description,
        author=author,
    )


@bp.get("/sections/<slug:slug>")
@public_page(query=("page",))
def section(slug: str):
    """A section's articles, newest first."""
    section, articles = listings.in_section(slug)
    # QIOSK's listing lives elsewhere (section_url): its section address leads there.
    if (home := section_url(section.slug)) != url_for("reader.section", slug=section.slug):
        return redirect(home, 301)
    return listing(articles, section.name, "Section", section.description)


@bp.get("/types/<slug:slug>")
@public_page(query=("page",))
def article_type(slug: str):
    """Articles of one type (Analysis, News, Opinion...), QIOSK items included, newest first."""
    article_type, articles = listings.of_type(slug)
    return listing(articles, article_type.name, "Type")


@bp.get("/tags/<slug:slug>")
@public_page(query=("page",))
def tag(slug: str):
    """Articles with one tag, newest first."""
    tag, articles = listings.tagged(slug)
    return listing(articles, tag.name, "Tag")


@bp.get("/authors/<slug:slug>")
@public_page(query=("page",))
def author(slug: str):
    """An author's role, bio and articles, newest first."""
    author, articles = listings.by_author(slug)
    # The masthead (/authors) names and links every staff member, articles or not.
    return listing(
        articles, author.name, "Author", author.bio, author=author, may_be_empty=author.is_staff
    )


@bp.get("/qiosk")
@public_page(query=("page",))
def qiosk():
    """The QIOSK stream of short news items, in full, newest first."""
    items = paginate(
        in_qiosk(published()).with_only_columns(Article.id),
        current_app.config["ARTICLES_PER_PAGE"],
        shared_count="qiosk",
    )
    return render_template("reader/qiosk.html", items=items, shown=teasers_of(items.items, "qiosk"))


@bp.get("/latest")
@public_page(query=("page", "as_of"))
def latest():
    """The LATEST list; htmx gets the next items only, to append below those already shown."""
    as_of = as_of_time()
    query = published()
    if as_of:
        # Pages after the first count from the moment the first was shown, so none repeats.
        query = query.where(Article.published_at <= as_of)
    page, per_page = page_number(), current_app.config["LATEST_PER_PAGE"]
    # One row past the page tells whether there is a next one. Numbering the pages would count
    # every published article on each request: 16 ms at 100,000, for a list read a page at a time.
    rows = db.session.scalars(query.offset((page - 1) * per_page).limit(per_page + 1)).all()
    if page > 1 and not rows:
        abort(404)
    items, has_next = rows[:per_page], len(rows) > per_page
    as_of = as_of or (items[0].published_at if items else None)
    template = "reader/_latest_items.html" if wants_fragment() else "reader/latest.html"
    return render_template(template, items=items, page=page, has_next=has_next, as_of=as_of)


def as_of_time() -> datetime | None:
    raw = request.args.get("as_of")
    if raw is None:
        return None
    try:
        as_of = datetime.fromisoformat(raw)
    except ValueError:
        abort(404)
    if as_of.tzinfo is not None:
        abort(404)
    return as_of


@bp.get("/photos/<name>")
def photo(name: str):
    """A stored photo variant. Names are content hashes, so they may be cached for a year."""
    if not PHOTO_NAME.fullmatch(name):
        abort(404)
    photo_file = send_from_directory(
        current_app.config["PHOTO_FOLDER"], name, max_age=365 * 24 * 3600
    )
    # Link cards on other sites show the share image, and feed readers every photo.
    return embeddable(photo_file)
