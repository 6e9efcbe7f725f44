"""Pages made for tests as the editor would store them: the body rendered by markup.set_body."""

from datetime import timedelta

from rsflask import markup
from rsflask.db import db, utcnow
from rsflask.models import Page, Revision
from rsflask.slugs import slugify


def make_page(title: str, body: str = "", status: str = "published", **fields) -> Page:
    """Store a page; published ones get a first publication time, as the editor gives them."""
    fields.setdefault("slug", slugify(title))
    if status == "published":
        fields.setdefault("published_at", utcnow() - timedelta(days=1))
    page = Page(title=title, status=status, **fields)
    markup.set_body(page, body or f"The text of {title}.\n\nA second paragraph.\n")
    db.session.add(page)
    db.session.commit()
    return page


def save_revision(page: Page, kind: str = "save", **fields) -> Revision:
    """A revision of the page as the editor records a save (or an autosave)."""
    copy = {
        "title": page.title,
        "dek": page.dek,
        "body_md": page.body_md,
        "slug": page.slug,
        "page_type": page.page_type,
        "page_parent_id": page.parent_id,
        "base_version": page.version,
    }
    revision = Revision(page_id=page.id, kind=kind, **(copy | fields))
    db.session.add(revision)
    db.session.commit()
    return revision
