"""What readers see of pages (About, Privacy, Contact...): `/<slug>` and `/<parent>/<slug>`, and
the links to them in the masthead, the footer and the newsletter signup form.

Pages live at the top level of the site's addresses, so every other route must win over them:
Werkzeug tries static parts of a path before converters, and PageSlugConverter refuses the first
part of any other route's address, so that `GET /editor/sign-out` stays a 405 and `/static` a 404.
"""

from typing import NamedTuple

from flask import (
    Blueprint,
    Flask,
    abort,
    current_app,
    make_response,
    redirect,
    render_template,
    url_for,
)
from sqlalchemy import ColumnElement, Select, and_, or_, select
from sqlalchemy.orm import aliased, contains_eager
from werkzeug.routing import ValidationError

from rsflask.db import db
from rsflask.models import Page, PageRedirect, Revision
from rsflask.page_addresses import reserved_slugs
from rsflask.public_pages import public_page
from rsflask.shared_parts import per_generation
from rsflask.slugs import SlugConverter

bp = Blueprint("pages", __name__)


class PageSlugConverter(SlugConverter):
    """`<page_slug:name>`: a slug that is not the first part of another route's address (the
    slugs the editor refuses, page_addresses.py).

    Refused, the match ends as it would have without the page routes: a 404, or a 405 when
    another route takes the path with other methods.
    """

    def to_python(self, value: str) -> str:
        if value in reserved_slugs(self.map):
            raise ValidationError
        return value


def visible(parent) -> ColumnElement[bool]:
    """Readers may see a page that is published, and a child only while its parent (the alias
    `parent`, outer-joined) is published too: a draft parent's slug must not show in its child's
    address."""
    return and_(
        Page.status == "published",
        or_(Page.parent_id.is_(None), parent.status == "published"),
    )


def visible_pages() -> Select[tuple[Page]]:
    """Pages readers may see, each with its parent."""
    parent = aliased(Page)
    return (
        select(Page)
        .outerjoin(Page.parent.of_type(parent))
        .options(contains_eager(Page.parent.of_type(parent)))
        .where(visible(parent))
    )


def path_url(slug: str, parent_slug: str | None = None, **values) -> str:
    if parent_slug is not None:
        return url_for("pages.child_page", parent_slug=parent_slug, slug=slug, **values)
    return url_for("pages.page", slug=slug, **values)


@bp.app_template_global()
def page_url(page: "Page | PageLink", **values) -> str:
    return path_url(page.slug, page.parent_slug, **values)


def visible_page_or_404(path: str) -> Page:
    """The page readers may see at `path`, a 301 from one of its earlier paths, 410 for a page
    readers saw before it was trashed, else 404 (a draft, or a child under another parent)."""
    slug = path.rsplit("/", 1)[-1]
    page = db.session.scalar(visible_pages().where(Page.slug == slug))
    if page is not None and page.path == path:
        return page
    moved = db.session.get(PageRedirect, path)
    if moved is not None:
        target = db.session.scalar(visible_pages().where(Page.id == moved.page_id))
        if target is not None:
            # url_for drops the query string: an old link's arguments mean nothing here.
            abort(redirect(page_url(target), 301))
    trashed = db.session.scalar(select(Page).where(Page.slug == slug, Page.status == "trash"))
    if trashed is not None and trashed.path == path and trashed.published_at is not None:
        message = "This page has been removed and is no longer available."
        page = render_template("errors/error.html", code=410, title="Page removed", message=message)
        abort(make_response(page, 410))
    abort(404)


def render_page(page: Page):
    children = []
    if page.parent is None:
        children = db.session.scalars(
            visible_pages().where(Page.parent_id == page.id).order_by(Page.title, Page.id)
        ).all()
    return render_template("reader/page.html", page=page, children=children)


@bp.get("/<page_slug:slug>")
@public_page()
def page(slug: str):
    """A page of the site: About, Contact, Privacy..."""
    return render_page(visible_page_or_404(slug))


@bp.get("/<page_slug:parent_slug>/<slug:slug>")
@public_page()
def child_page(parent_slug: str, slug: str):
    """A page under another, such as /about/masthead."""
    return render_page(visible_page_or_404(f"{parent_slug}/{slug}"))


class PageLink(NamedTuple):
    """A page as a link to it needs it, outside any request's session (shared_parts.py)."""

    id: int
    slug: str
    parent_slug: str | None
    title: str
    nav_position: int | None
    footer_position: int | None


@per_generation(fallback=[])
def linked_pages() -> list[PageLink]:
    """The published pages every page may link to: those in the main navigation or the footer,
    and the privacy page. Read once per content generation; none when the database fails, so
    that the 503 page still shows."""
    query = visible_pages().where(
        or_(
            Page.nav_position.is_not(None),
            Page.footer_position.is_not(None),
            Page.slug == current_app.config["PRIVACY_PAGE_SLUG"],
        )
    )
    return [
        PageLink(
            page.id,
            page.slug,
            page.parent_slug,
            page.title,
            page.nav_position,
            page.footer_position,
        )
        for page in db.session.scalars(query)
    ]


@bp.app_template_global()
def nav_pages() -> list[PageLink]:
    """The pages in the masthead's navigation, after the sections: by position, then title."""
    placed = [page for page in linked_pages() if page.nav_position is not None]
    return sorted(placed, key=lambda page: (page.nav_position, page.title, page.id))


@bp.app_template_global()
def footer_pages() -> list[PageLink]:
    """The pages linked in the footer: by position, then title."""
    placed = [page for page in linked_pages() if page.footer_position is not None]
    return sorted(placed, key=lambda page: (page.footer_position, page.title, page.id))


@bp.app_template_global()
def privacy_page() -> PageLink | None:
    """The published privacy page (the PRIVACY_PAGE_SLUG setting), which signup forms link to."""
    slug = current_app.config["PRIVACY_PAGE_SLUG"]
    return next((page for page in linked_pages() if page.slug == slug), None)


def privacy_revision_id() -> int | None:
    """The newest saved revision of the published privacy page: what a reader signing up now was
    shown. None without such a page, or for one saved only outside the editor (an import)."""
    slug = current_app.config["PRIVACY_PAGE_SLUG"]
    page = db.session.scalar(visible_pages().where(Page.slug == slug))
    if page is None:
        return None
    return db.session.scalar(
        select(Revision.id)
        .where(Revision.page_id == page.id, Revision.kind == "save")
        .order_by(Revision.created_at.desc(), Revision.id.desc())
        .limit(1)
    )


def init_app(app: Flask) -> None:
    app.url_map.converters["page_slug"] = PageSlugConverter
    app.register_blueprint(bp)
