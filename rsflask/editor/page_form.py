"""The page form and the rows behind it: a page or an autosave as the form shows it, a posted form
copied into the page (slug, parent and old addresses checked) or into an autosave, and a new draft
with a placeholder slug until it has a title."""

from sqlalchemy import func
from wtforms.fields.choices import SelectChoice

from rsflask import markup
from rsflask.db import db, utcnow
from rsflask.editor.forms import PageAutosaveForm, PageForm
from rsflask.models import Page, PageRedirect, Revision
from rsflask.models.pages import PAGE_TYPES
from rsflask.page_slugs import reserved_message, reserved_slugs
from rsflask.slugs import slugify

NOUN = "page"
# A new page's slug until the editor gives it a title; never shown in the form.
PLACEHOLDER_SLUG = "untitled-page"
LABELS = {
    "title": "Title",
    "slug": "Slug",
    "dek": "Dek",
    "parent": "Parent page",
    "page_type": "Page type",
    "body": "Body",
}


def is_placeholder(slug: str) -> bool:
    return slug == PLACEHOLDER_SLUG or slug.startswith(PLACEHOLDER_SLUG + "-")


def new_draft(created_by_id: int) -> Page:
    slug, number = PLACEHOLDER_SLUG, 1
    while db.session.scalar(db.select(Page.id).filter_by(slug=slug)) is not None:
        number += 1
        slug = f"{PLACEHOLDER_SLUG}-{number}"
    return Page(slug=slug, title="Untitled page", status="draft", created_by_id=created_by_id)


def fill_choices(form: PageForm, page: Page) -> None:
    """Top-level pages but this one: pages go one level deep."""
    tops = db.session.scalars(
        db.select(Page)
        .where(Page.parent_id.is_(None), Page.id != page.id)
        .order_by(Page.title, Page.id)
    )
    form.parent.choices = [SelectChoice("", "None: a top-level page")] + [
        SelectChoice(str(top.id), top.title + (" (in the trash)" if top.status == "trash" else ""))
        for top in tops
    ]
    if titles_under(page):
        form.parent.description = "Pages are under this one, so it stays at the top level."


def titles_under(page: Page) -> list[str]:
    """The titles of the pages under `page`."""
    return db.session.scalars(
        db.select(Page.title).filter_by(parent_id=page.id).order_by(Page.title)
    ).all()


def parent_value(parent_id: int | None) -> str:
    return "" if parent_id is None else str(parent_id)


def fields_of(page: Page) -> dict:
    """The page as its form shows it (but the menu checkboxes, which autosave does not keep)."""
    return {
        "title": page.title,
        "slug": "" if is_placeholder(page.slug) else page.slug,
        "dek": page.dek,
        "parent": parent_value(page.parent_id),
        "page_type": page.page_type,
        "body": page.body_md,
    }


def fields_of_revision(revision: Revision, page: Page) -> dict:
    """A revision or autosave as the form would show it."""
    fields = fields_of(page) | {
        "title": revision.title,
        "dek": revision.dek,
        "body": revision.body_md,
    }
    # An autosave posted without the rest of the form keeps the text alone, as for articles.
    if revision.slug is not None:
        fields |= {
            "slug": "" if is_placeholder(revision.slug) else revision.slug,
            "parent": parent_value(revision.page_parent_id),
            "page_type": revision.page_type or page.page_type,
        }
    return fields


def same_fields(one: dict, other: dict) -> bool:
    return one == other


def shown(fields: dict) -> dict[str, str]:
    """Form fields as text a person reads: the parent's title for its id."""
    parent = db.session.get(Page, int(fields["parent"])) if fields["parent"] else None
    return fields | {
        "parent": parent.title if parent else "",
        "page_type": PAGE_TYPES.get(fields["page_type"], fields["page_type"]),
    }


def revision_columns(page: Page) -> dict:
    """What a saved revision keeps beyond the title, dek and body."""
    return {"slug": page.slug, "page_parent_id": page.parent_id, "page_type": page.page_type}


def apply_form(form: PageForm, page: Page) -> bool:
    """Copy the form into the page; False (with messages on the form) if it can't be saved."""
    slug = form.slug.data.strip() if form.slug.data else slugify(form.title.data, "page")
    slug_error = refused_slug(slug, page)
    if slug_error:
        form.slug.errors.append(slug_error)
    parent, parent_error = chosen_parent(form.parent.data, page)
    if parent_error:
        form.parent.errors.append(parent_error)
    if slug_error or parent_error:
        return False
    try:
        markup.set_body(page, form.body.data or "")
    except markup.TooComplex as error:
        form.body.errors.append(str(error))
        return False
    # Its own path and those of the pages under it, which change with its slug.
    before = {each: each.path for each in [page, *children(page)]}
    page.slug = slug
    page.parent = parent
    page.title = form.title.data.strip()
    page.dek = (form.dek.data or "").strip()
    page.page_type = form.page_type.data
    page.nav_position = menu_position(form.in_nav.data, page.nav_position, Page.nav_position)
    page.footer_position = menu_position(
        form.in_footer.data, page.footer_position, Page.footer_position
    )
    leave_redirects(before)
    if form.publish.data:
        page.status = "published"
        page.published_at = page.published_at or utcnow().replace(microsecond=0)
    return True


def refused_slug(slug: str, page: Page) -> str:
    """Why `slug` cannot be the page's, or "".

    A child page is refused a reserved slug too: it reaches the top level if its parent goes.
    """
    if slug in reserved_slugs():
        return reserved_message(slug)
    other = db.session.scalar(db.select(Page).filter_by(slug=slug))
    if other is not None and other is not page:
        return f"Another page (“{other.title}”) uses this address. Choose another slug."
    return ""


def chosen_parent(value: str | None, page: Page) -> tuple[Page | None, str]:
    """The parent the form names, or why it cannot be the page's parent."""
    value = (value or "").strip()
    if not value:
        return None, ""
    parent = None
    if value.isascii() and value.isdigit() and len(value) < 10:
        parent = db.session.get(Page, int(value))
    if parent is None:
        return None, "That page does not exist (any more). Choose one from the list."
    if parent.id == page.id:
        return None, "A page cannot be under itself. Choose another page, or none."
    if parent.parent is not None:
        return None, (
            f"“{parent.title}” is itself under “{parent.parent.title}”, and pages go one level "
            "deep. Choose a top-level page."
        )
    titles = titles_under(page)
    if titles:
        listed = ", ".join(f"“{title}”" for title in titles)
        return None, (
            f"Pages go one level deep, and this page has pages under it ({listed}): it stays at "
            "the top level until they are moved."
        )
    return parent, ""


def children(page: Page) -> list[Page]:
    if page.id is None:
        return []
    return db.session.scalars(db.select(Page).filter_by(parent_id=page.id)).all()


def menu_position(shown_there: bool, position: int | None, column) -> int | None:
    """Where a page stands in the navigation or footer: kept, last when new, None when not there."""
    if not shown_there:
        return None
    if position is not None:
        return position
    return (db.session.scalar(db.select(func.max(column))) or 0) + 1


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


def apply_autosave_form(form: PageAutosaveForm, revision: Revision) -> None:
    """Copy what is being typed into the autosave, as it was typed."""
    revision.title = form.title.data or ""
    revision.dek = form.dek.data or ""
    revision.body_md = form.body.data or ""
    # None when the page did not send it, which tells a copy of the text alone.
    revision.slug = form.slug.data
    parent = (form.parent.data or "").strip()
    sane = parent.isascii() and parent.isdigit() and len(parent) < 10
    revision.page_parent_id = int(parent) if sane else None
    revision.page_type = form.page_type.data or None
    version = form.version.data or ""
    sane = version.isascii() and version.isdigit() and len(version) < 10
    revision.base_version = int(version) if sane else 0
    revision.created_at = utcnow()
