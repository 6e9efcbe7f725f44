"""A feed read and checked, and its entries' fields in ours: text, dek, top photo, date,
categories, authors, title.

feedparser reads the feed (dates in every format feeds use, encodings, relative addresses made
absolute), after defusedxml has refused a file that declares entities.
"""

import html
import re
import xml.sax
from datetime import datetime
from pathlib import Path
from urllib.parse import urlsplit

import feedparser
from bs4 import BeautifulSoup
from defusedxml import DefusedXmlException
from defusedxml.ElementTree import ParseError, fromstring

from rsflask.wordpress.fields import MAX_DEK, MAX_NAME, MAX_TITLE, cut, plain
from rsflask.wordpress.images import ImageMissing, fetch

# A feed is read whole; one larger than this is not a feed.
MAX_FEED = 50 * 2**20
# The section of an entry with no category, when --section names none.
DEFAULT_SECTION = "Archive"
# What a site's software writes at the end of a summary it cut short.
CUT_SHORT = ("[…]", "[...]", "…", "...")
WXR_NAMESPACE = "http://wordpress.org/export/"
OLD_POST_QUERY = re.compile(r"(p|page_id)=\d{1,10}")


class FeedError(Exception):
    """Why a file or address is not a feed that can be imported."""


def read_feed(source: str) -> tuple[bytes, str]:
    """The feed's bytes, and the address it was downloaded from ("" for a file)."""
    if source.startswith(("http://", "https://")):
        try:
            return fetch(source, MAX_FEED), source
        except ImageMissing as missing:
            raise FeedError(str(missing).replace("could not be downloaded: ", "")) from missing
    path = Path(source)
    if not path.is_file():
        raise FeedError("no such file (give a file, or an http or https address)")
    if path.stat().st_size > MAX_FEED:
        raise FeedError(f"larger than {MAX_FEED // 2**20} MB, which no feed is")
    return path.read_bytes(), ""


def parse(data: bytes) -> feedparser.FeedParserDict:
    """The feed, read by feedparser; FeedError for anything that is not a whole, safe feed."""
    try:
        fromstring(data, forbid_dtd=False, forbid_entities=True, forbid_external=True)
    except DefusedXmlException as refused:
        raise FeedError("it declares XML entities, which no feed needs: refused") from refused
    except ParseError as error:
        # Encodings expat does not know (a windows-1251 feed) are left to feedparser.
        if "unknown encoding" not in str(error):
            raise FeedError(f"not well-formed XML ({error})") from error
    feed = feedparser.parse(data, sanitize_html=False, resolve_relative_uris=True)
    if isinstance(feed.get("bozo_exception"), xml.sax.SAXParseException):
        raise FeedError(f"not well-formed XML ({feed.bozo_exception})")
    if not feed.get("version"):
        raise FeedError("not an RSS or Atom feed")
    if any(uri.startswith(WXR_NAMESPACE) for uri in feed.get("namespaces", {}).values()):
        raise FeedError("a WordPress export, not a feed: import it with flask import-wordpress")
    return feed


def host_of(url: str) -> str:
    return urlsplit(url).netloc.lower().removeprefix("www.")


def as_html(detail: dict) -> str:
    """A feed text as HTML, whatever type the feed gave it."""
    value = detail.get("value", "")
    if detail.get("type", "text/html") == "text/plain":
        paragraphs = re.split(r"\n\s*\n", value.strip())
        return "".join(f"<p>{html.escape(p)}</p>" for p in paragraphs if p.strip())
    return value


def text_of(entry) -> tuple[str, bool]:
    """The entry's text as HTML, and whether that is the whole text rather than a summary (or a
    text cut at WordPress's "more", whose link to the rest is taken out)."""
    contents = [c for c in entry.get("content", []) if c.get("value", "").strip()]
    if not contents:
        return as_html(entry.get("summary_detail") or {"value": entry.get("summary", "")}), False
    text = as_html(max(contents, key=lambda c: len(c["value"])))
    if "more-link" not in text:
        return text, True
    soup = BeautifulSoup(text, "html.parser")
    more_links = soup.select("a.more-link")
    for link in more_links:
        holder = link.parent
        link.decompose()
        if holder is not None and holder.name == "p" and not holder.get_text(strip=True):
            holder.decompose()
    return str(soup), not more_links


def dek_of(entry, text: str) -> str:
    """The summary, when the feed has the text (`text`, as text_of gives it) too and the
    summary is not the text's start."""
    summary = plain(entry.get("summary", ""))
    if not entry.get("content") or not summary or summary.endswith(CUT_SHORT):
        return ""
    if plain(text).startswith(summary[:100]):
        return ""
    return cut(summary, MAX_DEK)


def top_image(entry) -> tuple[str, str] | None:
    """The address of the entry's picture (an enclosure, media:content or media:thumbnail),
    and its credit."""
    credit = next((c.get("content", "") for c in entry.get("media_credit", [])), "")
    for enclosure in entry.get("enclosures", []):
        if enclosure.get("type", "").startswith("image/") and enclosure.get("href"):
            return enclosure["href"], credit
    for media in entry.get("media_content", []):
        is_image = media.get("medium") == "image" or media.get("type", "").startswith("image/")
        if is_image and media.get("url"):
            return media["url"], credit
    for thumbnail in entry.get("media_thumbnail", []):
        if thumbnail.get("url"):
            return thumbnail["url"], credit
    return None


def without_picture(text: str, url: str) -> tuple[str, bool]:
    """The text without the picture at `url` (a top photo many feeds also put in the text)."""
    soup = BeautifulSoup(text, "html.parser")
    found = [img for img in soup.find_all("img") if img.get("src") == url]
    for img in found:
        (img.find_parent("figure") or img).decompose()
    return (str(soup), True) if found else (text, False)


def published_of(entry) -> datetime | None:
    parsed = entry.get("published_parsed") or entry.get("updated_parsed")
    return datetime(*parsed[:6]) if parsed else None


def categories_of(entry) -> list[str]:
    names = [plain(tag.get("label") or tag.get("term") or "") for tag in entry.get("tags", [])]
    return [cut(name, MAX_NAME) for name in dict.fromkeys(names) if name]


def authors_of(entry) -> list[str]:
    """The names of its authors; an address alone (RSS's <author>) is not shown as a name."""
    names = [plain(author.get("name", "")) for author in entry.get("authors", [])]
    return [cut(name, MAX_NAME) for name in dict.fromkeys(names) if name and "@" not in name]


def title_of(entry) -> str:
    return cut(plain(entry.get("title", "")), MAX_TITLE) or "Untitled"
