"""Reading a WordPress export (WXR 1.0, 1.1 or 1.2) as a stream of items.

The file is parsed as it is read (expat through defusedxml, which refuses a DTD and so any entity
declared in one): each <item> becomes an Item and its element is dropped from the tree at once,
so that memory holds one item at a time whatever the file's size. The channel's authors,
categories and tags come before the first item in every export WordPress writes.

The version is in the namespaces (`http://wordpress.org/export/1.2/`) and in <wp:wxr_version>;
a 1.0 file uses other namespace URIs, so they are read from the file rather than assumed.
"""

import html
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from xml.etree.ElementTree import Element, ParseError

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import iterparse

EXPORT_NAMESPACE = "http://wordpress.org/export/"
CONTENT = "{http://purl.org/rss/1.0/modules/content/}encoded"
CREATOR = "{http://purl.org/dc/elements/1.1/}creator"
VERSIONS = ("1.0", "1.1", "1.2")
# Expat's codes for a document that ends before its root element does.
UNFINISHED = {3, 5}  # "no element found", "unclosed token"


class WXRError(ValueError):
    """The file is not a WordPress export this importer reads; the message says why."""


@dataclass
class Term:
    slug: str
    name: str
    parent: str = ""  # the parent's slug
    description: str = ""


@dataclass
class Channel:
    version: str = ""
    title: str = ""
    base_site_url: str = ""
    # By login, the display name (WXR 1.0 lists no authors: logins stand for themselves).
    authors: dict[str, str] = field(default_factory=dict)
    categories: dict[str, Term] = field(default_factory=dict)
    tags: dict[str, Term] = field(default_factory=dict)


@dataclass
class Item:
    post_id: int
    post_type: str
    title: str = ""
    link: str = ""
    creator: str = ""
    content: str = ""
    excerpt: str = ""
    post_name: str = ""
    status: str = ""
    post_date: str = ""
    post_date_gmt: str = ""
    pub_date: str = ""
    parent: int = 0
    password: str = ""
    sticky: bool = False
    attachment_url: str = ""
    # (domain, slug, name) as the item lists them: categories, tags, menus, plugins' taxonomies.
    terms: list[tuple[str, str, str]] = field(default_factory=list)
    meta: dict[str, list[str]] = field(default_factory=dict)
    comments: int = 0

    def meta_value(self, key: str) -> str:
        return self.meta.get(key, [""])[0]


@dataclass
class Attachment:
    """An image of the media library, as an export describes it."""

    id: int
    url: str
    # Its path under wp-content/uploads ("2024/03/harbour-dusk.jpg").
    file: str = ""
    alt: str = ""
    caption: str = ""
    parent: int = 0

    @classmethod
    def from_item(cls, item: Item) -> "Attachment":
        return cls(
            id=item.post_id,
            url=item.attachment_url,
            file=item.meta_value("_wp_attached_file").strip(),
            alt=" ".join(item.meta_value("_wp_attachment_image_alt").split()),
            caption=" ".join(html.unescape(re.sub(r"<[^>]*>", " ", item.excerpt)).split()),
            parent=item.parent,
        )


class Export:
    """An export file, read from the start by each call of items()."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.channel = Channel()

    def items(self, progress: Callable[[int], None] | None = None) -> Iterator[Item]:
        """Every item of the file in its order; `progress` is told how many bytes each read took.

        Raises WXRError for a file that is not a complete, well-formed export of a known version,
        at the point where that shows (for a cut-off file, at its end).
        """
        self.channel = Channel()
        try:
            with self.path.open("rb") as file:
                source = _Counted(file, progress)
                yield from self._read(source)
        except DefusedXmlException as error:
            raise WXRError(
                "the file declares a DTD or entities (<!DOCTYPE ...>): WordPress never writes one, "
                "and one can expand to gigabytes or read files of this machine, so it is refused"
            ) from error
        except ParseError as error:
            raise WXRError(parse_problem(error)) from error

    def _read(self, source) -> Iterator[Item]:
        namespaces: dict[str, str] = {}
        wp = ""
        channel_element: Element | None = None
        for event, value in iterparse(source, events=("start-ns", "start", "end"), forbid_dtd=True):
            if event == "start-ns":
                namespaces[value[0]] = value[1]
                continue
            element: Element = value
            if event == "start":
                if not wp:
                    wp = self._start(element, namespaces)
                elif element.tag == "channel":
                    channel_element = element
                continue
            parent_is_channel = channel_element is not None and element in channel_element
            if element.tag == "item" and parent_is_channel:
                yield read_item(element, wp)
            elif parent_is_channel:
                self._channel_part(element, wp)
            else:
                continue
            channel_element.remove(element)
        if not self.channel.version:
            raise WXRError("not a WordPress export: it has no <wp:wxr_version>")

    def _start(self, root: Element, namespaces: dict[str, str]) -> str:
        if root.tag != "rss":
            shown = re.sub(r"^\{[^}]*\}", "", root.tag)
            raise WXRError(f"not a WordPress export: it is a <{shown}> document, not <rss>")
        exports = [uri for uri in namespaces.values() if uri.startswith(EXPORT_NAMESPACE)]
        wp_uri = next((uri for uri in exports if not uri.rstrip("/").endswith("excerpt")), None)
        if wp_uri is None:
            raise WXRError(
                "not a WordPress export: an RSS feed without WordPress's export namespace. "
                "Export the site from WordPress's Tools > Export > All content"
            )
        version = wp_uri.removeprefix(EXPORT_NAMESPACE).strip("/")
        check_version(version)
        return "{" + wp_uri + "}"

    def _channel_part(self, element: Element, wp: str) -> None:
        channel, tag = self.channel, element.tag
        if tag == wp + "wxr_version":
            check_version(text(element))
            channel.version = text(element)
        elif tag == "title":
            channel.title = text(element)
        elif tag == wp + "base_site_url":
            channel.base_site_url = text(element).rstrip("/")
        elif tag == wp + "author":
            login = element.findtext(wp + "author_login", "").strip()
            name = element.findtext(wp + "author_display_name", "").strip()
            channel.authors[login] = html.unescape(name) or login
        elif tag == wp + "category":
            term = Term(
                slug=element.findtext(wp + "category_nicename", "").strip(),
                name=html.unescape(element.findtext(wp + "cat_name", "").strip()),
                parent=element.findtext(wp + "category_parent", "").strip(),
                description=html.unescape(element.findtext(wp + "category_description", "")),
            )
            channel.categories.setdefault(term.slug, term)
        elif tag == wp + "tag":
            term = Term(
                slug=element.findtext(wp + "tag_slug", "").strip(),
                name=html.unescape(element.findtext(wp + "tag_name", "").strip()),
                description=html.unescape(element.findtext(wp + "tag_description", "")),
            )
            channel.tags.setdefault(term.slug, term)
        elif tag == wp + "term":
            # WordPress 6.1 lists every category and tag again as a term; menus are terms too.
            taxonomy = element.findtext(wp + "term_taxonomy", "")
            found = {"category": channel.categories, "post_tag": channel.tags}.get(taxonomy)
            if found is not None:
                term = Term(
                    slug=element.findtext(wp + "term_slug", "").strip(),
                    name=html.unescape(element.findtext(wp + "term_name", "").strip()),
                    parent=element.findtext(wp + "term_parent", "").strip(),
                    description=html.unescape(element.findtext(wp + "term_description", "")),
                )
                found.setdefault(term.slug, term)


def check_version(version: str) -> None:
    if version not in VERSIONS:
        raise WXRError(
            f"WXR version {version!r} is unknown: this importer reads WordPress exports of "
            f"versions {', '.join(VERSIONS)}"
        )


def read_item(element: Element, wp: str) -> Item:
    excerpt = next((child for child in element if child.tag.endswith("/excerpt/}encoded")), None)
    item = Item(
        post_id=number(element.findtext(wp + "post_id")),
        post_type=element.findtext(wp + "post_type", "").strip(),
        title=element.findtext("title", ""),
        link=element.findtext("link", "").strip(),
        creator=element.findtext(CREATOR, "").strip(),
        content=element.findtext(CONTENT, ""),
        excerpt=text(excerpt) if excerpt is not None else "",
        post_name=element.findtext(wp + "post_name", "").strip(),
        status=element.findtext(wp + "status", "").strip(),
        post_date=element.findtext(wp + "post_date", "").strip(),
        post_date_gmt=element.findtext(wp + "post_date_gmt", "").strip(),
        pub_date=element.findtext("pubDate", "").strip(),
        parent=number(element.findtext(wp + "post_parent")),
        password=element.findtext(wp + "post_password", ""),
        sticky=element.findtext(wp + "is_sticky", "0").strip() == "1",
        attachment_url=element.findtext(wp + "attachment_url", "").strip(),
        comments=len(element.findall(wp + "comment")),
    )
    for category in element.findall("category"):
        # WXR 1.0 names each category twice, once without a domain; and its tags' domain is "tag".
        domain = {"tag": "post_tag"}.get(category.get("domain", ""), category.get("domain", ""))
        name = html.unescape(text(category))
        if domain:
            item.terms.append((domain, category.get("nicename", "").strip(), name))
    for meta in element.findall(wp + "postmeta"):
        key = meta.findtext(wp + "meta_key", "")
        item.meta.setdefault(key, []).append(meta.findtext(wp + "meta_value", ""))
    return item


def text(element: Element) -> str:
    return (element.text or "").strip()


def number(value: str | None) -> int:
    try:
        return int((value or "0").strip())
    except ValueError:
        return 0


def parse_problem(error: ParseError) -> str:
    line, column = error.position
    if error.code in UNFINISHED:
        return (
            f"not a complete export: the file ends at line {line} before its last element "
            "closes (a download or copy cut short?). Export the site again"
        )
    reason = re.sub(r": line \d+, column \d+$", "", str(error))
    return f"not well-formed XML at line {line}, column {column + 1}: {reason}"


class _Counted:
    """A binary file that tells `progress` how many bytes each read returned."""

    def __init__(self, file, progress: Callable[[int], None] | None) -> None:
        self.file, self.progress = file, progress

    def read(self, size: int = -1) -> bytes:
        data = self.file.read(size)
        if self.progress is not None:
            self.progress(len(data))
        return data
