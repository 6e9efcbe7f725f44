"""A WordPress item's fields in ours: title, slug, dek, status, time, section and tags, author."""

import html
import re
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from urllib.parse import unquote, urlsplit

from rsflask.slugs import slugify
from rsflask.wordpress.wxr import Channel, Item

# A post's status in WordPress -> an article's here (a scheduled one is stored as published).
ARTICLE_STATUSES = {
    "publish": "published",
    "future": "published",
    "draft": "draft",
    "pending": "review",
    "private": "draft",
    "trash": "trash",
}
# Pages have no review, and no schedule either: a page is shown once published.
PAGE_STATUSES = {"publish": "published", "trash": "trash"}
MAX_TITLE, MAX_DEK, MAX_NAME, MAX_CREDIT = 300, 500, 100, 300
# WordPress's own default category: a post in it has no category to speak of.
DEFAULT_CATEGORY = "uncategorized"
DEFAULT_SECTION = "Uncategorized"
ZERO_TIME = "0000-00-00 00:00:00"


def plain(text: str) -> str:
    """HTML (a title, an excerpt, a caption) as the plain words it shows."""
    return " ".join(html.unescape(re.sub(r"<[^>]*>", " ", text)).split())


def cut(text: str, most: int) -> str:
    if len(text) <= most:
        return text
    return text[: most - 1].rsplit(" ", 1)[0].rstrip(" ,;:") + "…"


def title_of(item: Item) -> str:
    return cut(plain(item.title), MAX_TITLE) or "Untitled"


def dek_of(item: Item) -> str:
    return cut(plain(item.excerpt), MAX_DEK)


def shortened(item: Item) -> list[str]:
    """What was cut to fit, said for the report."""
    cuts = []
    if len(plain(item.title)) > MAX_TITLE:
        cuts.append(f"its title is cut to {MAX_TITLE} characters")
    if len(plain(item.excerpt)) > MAX_DEK:
        cuts.append(f"its excerpt, the dek, is cut to {MAX_DEK} characters")
    return cuts


def wanted_slug(item: Item) -> str:
    """The slug WordPress gave it (as the trash renames it, its own), else one from the title."""
    name = item.meta_value("_wp_desired_post_slug") or item.post_name
    name = unquote(name).removesuffix("__trashed")
    return slugify(name or plain(item.title), fallback="article")


def thumbnail_id(item: Item) -> int:
    """The attachment id of its featured image; 0 for none."""
    value = item.meta_value("_thumbnail_id").strip()
    return int(value) if value.isdigit() else 0


def utc_time(value: str) -> datetime | None:
    if not value or value == ZERO_TIME:
        return None
    try:
        return datetime.strptime(value, "%Y-%m-%d %H:%M:%S")
    except ValueError:
        return None


def published_at(item: Item) -> tuple[datetime | None, str]:
    """When it was (or is to be) published, in UTC, and a note when that is a guess."""
    found = utc_time(item.post_date_gmt)
    if found is not None:
        return found, ""
    if item.pub_date:
        try:
            return parsedate_to_datetime(item.pub_date).astimezone(UTC).replace(tzinfo=None), ""
        except (TypeError, ValueError):
            pass
    local = utc_time(item.post_date)
    if local is not None and item.status in ("publish", "future"):
        return local, "the export gives no UTC time: its WordPress time was taken as UTC"
    return None, ""


def status_before_trash(item: Item) -> str:
    return ARTICLE_STATUSES.get(item.meta_value("_wp_trash_meta_status"), "draft")


def author_name(item: Item, channel: Channel) -> str:
    return channel.authors.get(item.creator, item.creator).strip()


def root_category(slug: str, channel: Channel) -> tuple[str, str]:
    """The top category above `slug` (or itself): (its slug, its name)."""
    seen = set()
    term = channel.categories.get(slug)
    while term is not None and term.parent and term.parent not in seen:
        seen.add(term.slug)
        parent = channel.categories.get(term.parent)
        if parent is None:
            break
        term = parent
    return (term.slug, term.name) if term is not None else (slug, "")


def section_and_tags(item: Item, channel: Channel) -> tuple[str, list[str]]:
    """The section (the top category of the post's first category) and the tags: its tags,
    then its other categories, each once."""
    categories = [(slug, name) for domain, slug, name in item.terms if domain == "category"]
    categories = [(slug, name) for slug, name in categories if slug != DEFAULT_CATEGORY]
    section = DEFAULT_SECTION
    section_slug = ""
    if categories:
        first_slug, first_name = categories[0]
        section_slug, section = root_category(first_slug, channel)
        section = section or first_name
    tags = [name for domain, _, name in item.terms if domain == "post_tag"]
    tags += [name for slug, name in categories if slug != section_slug]
    return cut(section, MAX_NAME), [cut(t, MAX_NAME) for t in dict.fromkeys(tags) if t]


def old_paths(item: Item, id_key: str = "p") -> list[str]:
    """Where readers found it on the old site: its permalink's path, and /?p=ID (a page's
    /?page_id=ID, which the redirects take for the same)."""
    paths = []
    link = urlsplit(item.link)
    if link.path and link.path != "/" and not link.query:
        paths.append(link.path)
    paths.append(f"/?{id_key}={item.post_id}")
    return list(dict.fromkeys(paths))
