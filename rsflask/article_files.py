"""Articles as Markdown files with a meta-data header: reading and checking one, writing one.

The header is Python-Markdown's `meta` extension format::

    title: The headline
    section: Europe
    tags: Energy, Sanctions

    The body, in Markdown.

`tags` and `authors` are comma-separated; a name that holds a comma or a double quote is written
in double quotes, with its own double quotes doubled (`"Smith, Jo", Ada`), as in CSV.
Each correction, update or editor's note is a `note:` line of its own, which may repeat:
`note: 2026-12-01 10:00 | correction | The text, in Markdown` (kinds: correction, update,
editors-note).
The search and social keys (social_title, social_description, social_image, canonical_url,
noindex: yes or no) are those of the article form's folded part; social_image is a path, like
image.
A file whose header says `kind: page` is a page (page_files.py reads and writes those).
Photos inside the body are files beside it too, in `photos/` (body_photo_files.py).

One job, the article file format, read and written in one place so that the two stay in step
(which is why it runs past 300 lines); the page format's own reading is page_files.py, and the
body's photo files are body_photo_files.py.
"""

import csv
import re
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from rsflask.body_photo_files import (
    BodyPhotoError,
    PhotoFile,
    export_body_photos,
    read_body_photos,
)
from rsflask.canonical import canonical_problem
from rsflask.models import Article, ArticleNote
from rsflask.models.content import NOTE_KINDS, STATUSES
from rsflask.photos import PhotoError, full_size_file, open_image
from rsflask.slugs import is_valid_slug, slugify
from rsflask.text import drop_control
from rsflask.times import OffTheCalendar, local_time, utc_from_local

KEYS = (
    "kind",
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
    "note",
    "social_title",
    "social_description",
    "social_image",
    "canonical_url",
    "noindex",
)
# What the `kind:` key may say; an article when it says nothing.
KINDS = ("article", "page")
# Keys a page file has and an article file has not: a hint beats "unknown key".
PAGE_ONLY_KEYS = ("parent", "page_type", "nav_position", "footer_position")
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
    "social_title": 300,
    "social_description": 500,
    "canonical_url": 500,
}
# What `noindex:` may say, and what it means.
YES_NO = {"yes": True, "no": False, "": False}
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
    # (time, kind, Markdown text) of each note, as the file lists them.
    notes: list[tuple[datetime, str, str]] = field(default_factory=list)
    social_title: str = ""
    social_description: str = ""
    social_image: bytes | None = None
    canonical_url: str = ""
    noindex: bool = False
    # The photo files the body names, and what the import should tell about its photos.
    photo_files: list[PhotoFile] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def split_header(text: str) -> tuple[dict[str, str], str]:
    """The meta-data header as {key: value} and the Markdown body after it."""
    # Imported here, as in markup.py: a reader's worker never reads article files.
    from markdown.extensions.meta import BEGIN_RE, END_RE, META_MORE_RE, META_RE

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
            value = match.group("value").strip()
            # Notes repeat: one line each, their continuation lines joined to the last.
            meta[key] = f"{meta[key]}\n{value}" if key == "note" and key in meta else value
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


def read_header_file(path: Path) -> tuple[dict[str, str], str, int]:
    """The file's header as {key: value}, its body, without control characters, and the number
    of the body's first line in the file."""
    try:
        # Without control characters, as the editor's forms read text: the feeds are XML.
        text = drop_control(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as error:
        raise ArticleFileError(f"{path}: cannot read the file ({error})") from error
    meta, body = split_header(text)
    # The body is the end of the text, stripped.
    return meta, body, text.rstrip().count("\n") - body.strip().count("\n") + 1


def file_kind(path: Path, meta: dict[str, str]) -> str:
    """What the file holds: "article" (the default) or "page"."""
    kind = meta.get("kind", "article").strip().lower() or "article"
    if kind not in KINDS:
        raise ArticleFileError(f"{path}: bad kind {kind!r}; use one of: {', '.join(KINDS)}")
    return kind


def read_article_file(path: Path) -> ArticleFile:
    """Parse and check one article file; raise ArticleFileError saying what is wrong with it."""
    return article_file_from(path, *read_header_file(path))


def article_file_from(
    path: Path, meta: dict[str, str], body: str, first_line: int = 1
) -> ArticleFile:
    """Check an article file's header and body, as read_header_file gives them."""

    def fail(problem: str) -> ArticleFileError:
        return ArticleFileError(f"{path}: {problem}")

    if file_kind(path, meta) != "article":
        raise fail("this is a page (kind: page), not an article")
    unknown = sorted(set(meta) - set(KEYS))
    if unknown and unknown[0] in PAGE_ONLY_KEYS:
        raise fail(f"{unknown[0]!r} is for pages: an article has none (or add 'kind: page')")
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
    if (problem := canonical_problem(meta.get("canonical_url", ""))) is not None:
        raise fail(f"bad canonical_url {meta['canonical_url'][:60]!r}: {problem}")
    noindex = meta.get("noindex", "").strip().lower()
    if noindex not in YES_NO:
        raise fail(f"bad noindex {noindex[:20]!r}: write yes or no")
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
        social_title=meta.get("social_title", ""),
        social_description=meta.get("social_description", ""),
        canonical_url=meta.get("canonical_url", "").strip(),
        noindex=YES_NO[noindex],
    )
    for line in meta.get("note", "").split("\n") if meta.get("note") else ():
        try:
            article_file.notes.append(parse_note(line))
        except ValueError as error:
            raise fail(f"bad note {line[:60]!r}: {error}") from error
    if meta.get("image"):
        article_file.image = read_image(path, "image", meta["image"])
        if not article_file.image_alt:
            raise fail("an image needs 'image_alt:', a description for readers who cannot see it")
    if meta.get("social_image"):
        article_file.social_image = read_image(path, "social_image", meta["social_image"])
    article_file.body, article_file.photo_files, article_file.warnings = body_photos_of(
        path, body, first_line
    )
    return article_file


def body_photos_of(path: Path, body: str, first_line: int):
    """read_body_photos for the file at `path`, its errors naming the file."""
    try:
        return read_body_photos(path.parent, body, first_line)
    except BodyPhotoError as error:
        raise ArticleFileError(f"{path}: {error}") from error


def read_image(path: Path, key: str, name: str) -> bytes:
    """The bytes of the image a header key names, beside the file; checked to be one."""
    try:
        data = (path.parent / name).read_bytes()
        open_image(data)
    except OSError as error:
        raise ArticleFileError(f"{path}: {key} {name!r} not found or unreadable") from error
    except PhotoError as error:
        raise ArticleFileError(f"{path}: {key} {name!r}: {error}") from error
    return data


def export_article(article: Article, folder: Path) -> tuple[Path, list[str]]:
    """Write the article (and its photos, beside it) in the format that import reads; the file's
    path, and warnings about photos of the body that could not be written."""
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
    if article.social_image:
        source = full_size_file(article.social_image)
        social_name = f"{article.slug}-social{source.suffix}"
        (folder / social_name).write_bytes(source.read_bytes())
        header["social_image"] = social_name
    header |= {
        "social_title": article.social_title,
        "social_description": article.social_description,
        "canonical_url": article.canonical_url,
        "noindex": "yes" if article.noindex else "",
    }
    lines = [f"{key}: {one_line(value)}" for key, value in header.items() if value]
    lines += [f"note: {note_line(note)}" for note in reversed(article.notes)]
    path = folder / f"{article.slug}.md"
    # The body starts after the header and a blank line.
    body = export_body_photos(article.body_md.strip(), article.slug, folder, len(lines) + 2)
    path.write_text("\n".join(lines) + "\n\n" + body.body + "\n", encoding="utf-8")
    return path, body.warnings


def note_line(note: ArticleNote) -> str:
    """A note as its `note:` line says it: time, kind, text."""
    return f"{format_time(note.noted_at)} | {note.kind} | {one_line(note.text_md)}"


def parse_note(line: str) -> tuple[datetime, str, str]:
    """'YYYY-MM-DD HH:MM | kind | text' -> (UTC time, kind, text); ValueError says what is wrong."""
    parts = [part.strip() for part in line.split("|", 2)]
    if len(parts) != 3 or not parts[2]:
        raise ValueError("write it as 'YYYY-MM-DD HH:MM | correction | The text'")
    when, kind, text = parts
    if kind not in NOTE_KINDS:
        raise ValueError(f"the kind is one of: {', '.join(NOTE_KINDS)}")
    try:
        noted_at = parse_time(when)
    except OffTheCalendar as error:
        raise ValueError(str(error)) from error
    except ValueError as error:
        raise ValueError("its time is written YYYY-MM-DD HH:MM") from error
    return noted_at, kind, text


def one_line(value: str) -> str:
    return re.sub(r"\s+", " ", value).strip()
