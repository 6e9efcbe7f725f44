"""Pages as Markdown files: the article file format with `kind: page` in the header.

    kind: page
    title: Masthead
    parent: about
    page_type: AboutPage

    The body, in Markdown.

A page has no type, section, tags, authors or top photo (photos inside its body are files in
`photos/`, as an article's); a file that gives one is refused rather than half imported. Whether
the parent exists is the database's to say (page_import.py).
"""

from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from rsflask.article_files import (
    KEYS,
    ArticleFileError,
    body_photos_of,
    file_kind,
    format_time,
    one_line,
    parse_time,
)
from rsflask.body_photo_files import PhotoFile, export_body_photos
from rsflask.models import Page
from rsflask.models.pages import PAGE_STATUSES, PAGE_TYPES
from rsflask.page_addresses import reserved_message, reserved_slugs
from rsflask.slugs import is_valid_slug, slugify
from rsflask.times import OffTheCalendar

PAGE_KEYS = (
    "kind",
    "title",
    "dek",
    "slug",
    "parent",
    "page_type",
    "status",
    "published",
    "nav_position",
    "footer_position",
)
# The longest value each key may have: the database columns' sizes.
MAX_LENGTHS = {"title": 300, "dek": 500}
# Places in the navigation and footer are small numbers; a bound keeps absurd ones out.
MAX_POSITION = 1_000_000


@dataclass
class PageFile:
    """What one page file says, checked, before anything is stored."""

    title: str
    body: str
    slug: str
    dek: str = ""
    parent: str = ""
    page_type: str = "WebPage"
    status: str = "published"
    published: datetime | None = None
    nav_position: int | None = None
    footer_position: int | None = None
    # As an article file's.
    photo_files: list[PhotoFile] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def page_file_from(path: Path, meta: dict[str, str], body: str, first_line: int = 1) -> PageFile:
    """Check a page file's header and body (article_files.read_header_file gives them)."""

    def fail(problem: str) -> ArticleFileError:
        return ArticleFileError(f"{path}: {problem}")

    if file_kind(path, meta) != "page":
        raise fail("this is an article, not a page (a page's header says 'kind: page')")
    unknown = sorted(set(meta) - set(PAGE_KEYS))
    if unknown and unknown[0] in KEYS:
        raise fail(f"{unknown[0]!r} is for articles: a page has none; its keys are: {keys()}")
    if unknown:
        raise fail(f"unknown key {unknown[0]!r}; a page's keys are: {keys()}")
    title = meta.get("title", "").strip()
    if not title:
        raise fail("no title: the header needs a 'title:' line")
    for key, longest in MAX_LENGTHS.items():
        if len(meta.get(key, "")) > longest:
            raise fail(f"{key!r} is longer than {longest} characters")
    slug = meta.get("slug") or slugify(title)
    if not is_valid_slug(slug):
        raise fail(f"bad slug {slug!r}: use lowercase letters, digits and single hyphens")
    if slug in reserved_slugs():
        raise fail(reserved_message(slug))
    parent = meta.get("parent", "")
    if parent and not is_valid_slug(parent):
        raise fail(f"bad parent {parent!r}: give the slug of a top-level page")
    if parent == slug:
        raise fail("a page cannot be its own parent")
    status = meta.get("status", "published").lower()
    if status not in PAGE_STATUSES:
        raise fail(f"bad status {status!r}; a page's is one of: {', '.join(PAGE_STATUSES)}")
    # Written as schema.org spells it; any case is understood.
    page_types = {name.lower(): name for name in PAGE_TYPES}
    page_type = page_types.get(meta.get("page_type", "WebPage").lower())
    if page_type is None:
        raise fail(f"bad page_type {meta['page_type']!r}; use one of: {', '.join(PAGE_TYPES)}")
    published = None
    if meta.get("published"):
        try:
            published = parse_time(meta["published"])
        except OffTheCalendar as error:
            raise fail(f"bad date {meta['published']!r}: {error}") from error
        except ValueError as error:
            raise fail(f"bad date {meta['published']!r}: write it as YYYY-MM-DD HH:MM") from error
    positions = {}
    for key in ("nav_position", "footer_position"):
        value = meta.get(key, "")
        if value and not (value.isascii() and value.isdigit() and int(value) <= MAX_POSITION):
            raise fail(f"bad {key} {value!r}: a whole number from 0 to {MAX_POSITION}")
        positions[key] = int(value) if value else None
    body, photo_files, warnings = body_photos_of(path, body, first_line)
    return PageFile(
        title=title,
        body=body,
        slug=slug,
        dek=meta.get("dek", ""),
        parent=parent,
        page_type=page_type,
        status=status,
        published=published,
        **positions,
        photo_files=photo_files,
        warnings=warnings,
    )


def keys() -> str:
    return ", ".join(PAGE_KEYS)


def export_page(page: Page, folder: Path) -> tuple[Path, list[str]]:
    """Write the page in the format that import reads, as SLUG.md (and the photos inside its
    body, in photos/); its path and warnings, as export_article's."""
    folder.mkdir(parents=True, exist_ok=True)
    header = {
        "kind": "page",
        "title": page.title,
        "dek": page.dek,
        "slug": page.slug,
        "parent": page.parent.slug if page.parent else "",
        "page_type": page.page_type,
        "status": page.status,
        "published": format_time(page.published_at) if page.published_at else "",
        # Zero is a place (the first); None is no place.
        "nav_position": "" if page.nav_position is None else str(page.nav_position),
        "footer_position": "" if page.footer_position is None else str(page.footer_position),
    }
    lines = [f"{key}: {one_line(value)}" for key, value in header.items() if value]
    path = folder / f"{page.slug}.md"
    body = export_body_photos(page.body_md.strip(), page.slug, folder, len(lines) + 2)
    path.write_text("\n".join(lines) + "\n\n" + body.body + "\n", encoding="utf-8")
    return path, body.warnings
