"""Articles as Markdown files with a meta-data header: bulk import, export and the demo content.

The header is Python-Markdown's `meta` extension format::

    title: The headline
    section: Europe
    tags: Energy, Sanctions

    The body, in Markdown.

`tags` and `authors` are comma-separated; a name that holds a comma or a double quote is written
in double quotes, with its own double quotes doubled (`"Smith, Jo", Ada`), as in CSV.
"""

import csv
import re
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from markdown.extensions.meta import BEGIN_RE, END_RE, META_MORE_RE, META_RE
from sqlalchemy import func, or_
from sqlalchemy.exc import SQLAlchemyError

from rsflask import markup
from rsflask.db import db, utcnow
from rsflask.models import Article, ArticleType, Author, Section, Tag
from rsflask.models.content import STATUSES
from rsflask.photos import (
    PhotoError,
    find_photo,
    full_size_file,
    open_image,
    remove_photo_files,
    store_photo,
)
from rsflask.slugs import is_valid_slug, slugify
from rsflask.text import drop_control
from rsflask.times import OffTheCalendar, local_time, utc_from_local

KEYS = (
    "title",
    "dek",
    "type",
    "section",
    "tags",
    "authors",
    "published",
    "slug",
    "status",
    "image",
    "image_alt",
    "image_credit",
)
# A file may also say "scheduled": published, at a time still to come.
FILE_STATUSES = (*STATUSES, "scheduled")
# The longest value each key may have: the database columns' sizes.
MAX_LENGTHS = {
    "title": 300,
    "dek": 500,
    "image_alt": 500,
    "image_credit": 300,
    "type": 100,
    "section": 100,
}
TIME_FORMAT = "%Y-%m-%d %H:%M"
DEFAULT_TYPE = "News"
DEFAULT_SECTION = "World"


class ArticleFileError(ValueError):
    """A file that cannot be imported; the message names the file and the problem."""


@dataclass
class ArticleFile:
    """What one file says, checked, before anything is stored."""

    title: str
    body: str
    slug: str
    dek: str = ""
    type: str = DEFAULT_TYPE
    section: str = DEFAULT_SECTION
    tags: list[str] = field(default_factory=list)
    authors: list[str] = field(default_factory=list)
    status: str = "published"
    published: datetime | None = None
    image: bytes | None = None
    image_alt: str = ""
    image_credit: str = ""


def split_header(text: str) -> tuple[dict[str, str], str]:
    """The meta-data header as {key: value} and the Markdown body after it."""
    lines = text.lstrip("\ufeff").split("\n")
    meta: dict[str, str] = {}
    key = None
    if lines and BEGIN_RE.match(lines[0]):
        lines.pop(0)
    while lines:
        line = lines.pop(0)
        if line.strip() == "" or END_RE.match(line):
            break
        if (match := META_RE.match(line)) is not None:
            key = match.group("key").lower().strip()
            meta[key] = match.group("value").strip()
        elif key and (match := META_MORE_RE.match(line)) is not None:
            meta[key] = f"{meta[key]} {match.group('value').strip()}"
        else:
            lines.insert(0, line)
            break
    return meta, "\n".join(lines).strip() + "\n"


def _names(value: str) -> list[str]:
    names = next(csv.reader([value], skipinitialspace=True), [])
    return [name.strip() for name in names if name.strip()]


def _join_names(names: list[str]) -> str:
    return ", ".join(
        '"' + name.replace('"', '""') + '"' if "," in name or '"' in name else name
        for name in names
    )


def parse_time(value: str) -> datetime:
    """'YYYY-MM-DD HH:MM' in the publication's time zone -> naive UTC."""
    return utc_from_local(datetime.strptime(value.strip(), TIME_FORMAT))


def format_time(value: datetime) -> str:
    local = local_time(value)
    # strftime leaves years before 1000 unpadded on some systems, and strptime wants four digits.
    return f"{local.year:04d}-{local:%m-%d %H:%M}"


def read_article_file(path: Path) -> ArticleFile:
    """Parse and check one file; raise ArticleFileError saying what is wrong with it."""

    def fail(problem: str) -> ArticleFileError:
        return ArticleFileError(f"{path}: {problem}")

    try:
        # Without control characters, as the editor's forms read text: the feeds are XML.
        text = drop_control(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as error:
        raise fail(f"cannot read the file ({error})") from error
    meta, body = split_header(text)
    unknown = sorted(set(meta) - set(KEYS))
    if unknown:
        raise fail(f"unknown key {unknown[0]!r}; the keys are: {', '.join(KEYS)}")
    title = meta.get("title", "").strip()
    if not title:
        raise fail("no title: the header needs a 'title:' line")
    for key, longest in MAX_LENGTHS.items():
        if len(meta.get(key, "")) > longest:
            raise fail(f"{key!r} is longer than {longest} characters")
    for key in ("tags", "authors"):
        if any(len(name) > 100 for name in _names(meta.get(key, ""))):
            raise fail(f"a name in {key!r} is longer than 100 characters")
    slug = meta.get("slug") or slugify(title)
    if not is_valid_slug(slug):
        raise fail(f"bad slug {slug!r}: use lowercase letters, digits and single hyphens")
    status = meta.get("status", "published").lower()
    if status not in FILE_STATUSES:
        raise fail(f"bad status {status!r}; use one of: {', '.join(FILE_STATUSES)}")
    published = None
    if meta.get("published"):
        try:
            published = parse_time(meta["published"])
        except OffTheCalendar as error:
            raise fail(f"bad date {meta['published']!r}: {error}") from error
        except ValueError as error:
            raise fail(f"bad date {meta['published']!r}: write it as YYYY-MM-DD HH:MM") from error
    # A scheduled article is a published one with a future time; once the time has passed (an
    # export imported later), it is simply published.
    if status == "scheduled" and published is None:
        raise fail("status 'scheduled' needs a 'published:' time")
    article_file = ArticleFile(
        title=title,
        body=body,
        slug=slug,
        dek=meta.get("dek", ""),
        type=meta.get("type") or DEFAULT_TYPE,
        section=meta.get("section") or DEFAULT_SECTION,
        tags=_names(meta.get("tags", "")),
        authors=_names(meta.get("authors", "")),
        status="published" if status == "scheduled" else status,
        published=published,
        image_alt=meta.get("image_alt", ""),
        image_credit=meta.get("image_credit", ""),
    )
    if meta.get("image"):
        image_path = path.parent / meta["image"]
        try:
            article_file.image = image_path.read_bytes()
            open_image(article_file.image)
        except OSError as error:
            raise fail(f"image {meta['image']!r} not found or unreadable") from error
        except PhotoError as error:
            raise fail(f"image {meta['image']!r}: {error}") from error
        if not article_file.image_alt:
            raise fail("an image needs 'image_alt:', a description for readers who cannot see it")
    return article_file


def get_or_create(model, name: str, **extra):
    """The row of `model` with this name (in any case), else with its slug; created when missing.

    The name comes first because an admin may rename a row or give it a slug of its own, and an
    export writes names. The exact name is asked for too: SQLite lowercases ASCII letters only.
    """
    row = db.session.scalar(
        db.select(model)
        .where(or_(model.name == name, func.lower(model.name) == name.lower()))
        .order_by((model.name == name).desc(), model.id)
        .limit(1)
    )
    slug = slugify(name, fallback="untitled")
    row = row or db.session.scalar(db.select(model).filter_by(slug=slug))
    if row is None:
        row = model(name=name, slug=slug, **extra)
        db.session.add(row)
    return row


def save_article(article_file: ArticleFile) -> Article:
    """Create the article, or update the one with the same slug. The caller commits."""
    # Rows it is filed under come first, so that no half-filled article is flushed early.
    article_type = get_or_create(ArticleType, article_file.type)
    section = get_or_create(Section, article_file.section)
    tags = [get_or_create(Tag, name) for name in dict.fromkeys(article_file.tags)]
    authors = [get_or_create(Author, name) for name in dict.fromkeys(article_file.authors)]
    photo = store_photo(article_file.image) if article_file.image is not None else None
    article = db.session.scalar(db.select(Article).filter_by(slug=article_file.slug))
    if article is None:
        article = Article(slug=article_file.slug)
        db.session.add(article)
    article.title = article_file.title
    article.dek = article_file.dek
    markup.set_body(article, article_file.body)
    article.article_type = article_type
    article.section = section
    article.tags = list(dict.fromkeys(tags))
    article.authors = list(dict.fromkeys(authors))
    article.status = article_file.status
    if article_file.published:
        article.published_at = article_file.published
    elif article.status == "published" and article.published_at is None:
        article.published_at = utcnow().replace(second=0, microsecond=0)
    article.photo = photo
    article.photo_alt = article_file.image_alt
    article.photo_credit = article_file.image_credit
    return article


def import_article_file(path: Path) -> Article:
    """Import one file in its own transaction: all of it is stored, or none of it."""
    article_file = read_article_file(path)
    new_photo = False
    try:
        # Asked before saving: if the import fails, only a photo new with it leaves files behind.
        new_photo = article_file.image is not None and find_photo(article_file.image) is None
        article = save_article(article_file)
        db.session.commit()
    except Exception as error:
        db.session.rollback()
        if new_photo:
            remove_photo_files(article_file.image)
        if isinstance(error, SQLAlchemyError):
            reason = getattr(error, "orig", None) or error
            raise ArticleFileError(f"{path}: the database refused it: {reason}") from error
        if isinstance(error, markup.TooComplex):
            raise ArticleFileError(f"{path}: {error}") from error
        raise
    return article


def export_article(article: Article, folder: Path) -> Path:
    """Write the article (and its top photo, beside it) in the format that import reads."""
    folder.mkdir(parents=True, exist_ok=True)
    header = {
        "title": article.title,
        "dek": article.dek,
        "type": article.article_type.name,
        "section": article.section.name,
        "tags": _join_names([tag.name for tag in article.tags]),
        "authors": _join_names([author.name for author in article.authors]),
        "published": format_time(article.published_at) if article.published_at else "",
        "slug": article.slug,
        "status": "scheduled" if article.is_scheduled else article.status,
    }
    if article.photo:
        source = full_size_file(article.photo)
        photo_name = f"{article.slug}{source.suffix}"
        (folder / photo_name).write_bytes(source.read_bytes())
        header |= {
            "image": photo_name,
            "image_alt": article.photo_alt,
            "image_credit": article.photo_credit,
        }
    lines = [f"{key}: {_one_line(value)}" for key, value in header.items() if value]
    path = folder / f"{article.slug}.md"
    path.write_text("\n".join(lines) + "\n\n" + article.body_md.strip() + "\n", encoding="utf-8")
    return path


def _one_line(value: str) -> str:
    return re.sub(r"\s+", " ", value).strip()
