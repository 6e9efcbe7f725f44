"""Storing page files: the page, created or updated by its slug, and a saved revision, so that
its history starts with what the file said."""

from rsflask import markup
from rsflask.article_files import ArticleFileError
from rsflask.body_photo_files import store_body_photos
from rsflask.db import db, utcnow
from rsflask.editor.revisions import record_save
from rsflask.models import Page
from rsflask.page_addresses import leave_redirects, paths_now
from rsflask.page_files import PageFile


def save_page(page_file: PageFile) -> Page:
    """Create the page, or update the one with the same slug. The caller commits.

    Raises ArticleFileError (without the file's name, which the caller adds) when the parent is
    missing or is itself under another page: pages go one level deep.
    """
    # Photos first, so that no half-filled page is flushed with them.
    body = store_body_photos(page_file.body, page_file.photo_files)
    page = db.session.scalar(db.select(Page).filter_by(slug=page_file.slug))
    parent = parent_of(page_file, page)
    # A new page has no old address.
    before = paths_now(page) if page is not None else {}
    if page is None:
        page = Page(slug=page_file.slug)
        db.session.add(page)
    page.title = page_file.title
    page.dek = page_file.dek
    markup.set_body(page, body)
    page.parent = parent
    page.page_type = page_file.page_type
    page.status = page_file.status
    page.nav_position = page_file.nav_position
    page.footer_position = page_file.footer_position
    if page_file.published:
        page.published_at = page_file.published
    elif page.status == "published" and page.published_at is None:
        page.published_at = utcnow().replace(second=0, microsecond=0)
    db.session.flush()
    leave_redirects(before)
    record_save(page)
    return page


def parent_of(page_file: PageFile, page: Page | None) -> Page | None:
    if not page_file.parent:
        return None
    parent = db.session.scalar(db.select(Page).filter_by(slug=page_file.parent))
    if parent is None:
        raise ArticleFileError(
            f"no page has the parent's slug {page_file.parent!r}: import the parent first"
        )
    if parent.parent_id is not None:
        raise ArticleFileError(
            f"the parent {parent.slug!r} is itself under {parent.parent.slug!r}: "
            "pages go one level deep, so give a top-level page as the parent"
        )
    if page is not None and page.id is not None:
        has_children = db.session.scalar(db.select(Page.id).filter_by(parent_id=page.id).limit(1))
        if has_children is not None:
            raise ArticleFileError(
                f"the page {page.slug!r} has pages under it, so it cannot go under another"
            )
    return parent
