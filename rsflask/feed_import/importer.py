"""A feed's entries stored as articles, by the rules every importer shares (item_importer.py):
matched on a later run by the entry's id, left alone once an editor changed them, reported."""

import hashlib
import json
import re
from dataclasses import dataclass
from urllib.parse import unquote, urlsplit

from rsflask.article_files import ArticleFile
from rsflask.article_import import save_article
from rsflask.editor.revisions import record_save
from rsflask.feed_import.entries import (
    DEFAULT_SECTION,
    OLD_POST_QUERY,
    authors_of,
    categories_of,
    dek_of,
    host_of,
    published_of,
    text_of,
    title_of,
    top_image,
    without_picture,
)
from rsflask.models import Article
from rsflask.slugs import slugify
from rsflask.wordpress import addresses, bodies, slugs
from rsflask.wordpress.fields import MAX_CREDIT, cut, plain
from rsflask.wordpress.images import ImageMissing, Images
from rsflask.wordpress.item_importer import ItemImporter
from rsflask.wordpress.report import Report

SOURCE = "feed"
# Part of every entry's digest: a change to how entries are converted makes the next run redo them.
CONVERSION = 1
# A WordPress post behind a password: its feed gives this form instead of the text.
PROTECTED_TEXT = "post-password-form"


@dataclass
class Options:
    type_name: str = "News"
    section: str = ""
    overwrite: bool = False


class FeedImporter(ItemImporter):
    """A feed's entries, as articles."""

    source = SOURCE

    def __init__(
        self, feed, address: str, images: Images, options: Options, report: Report
    ) -> None:
        link = feed.feed.get("link", "") or address
        super().__init__(host_of(link) + urlsplit(link).path.rstrip("/"), images, report)
        self.feed, self.options = feed, options
        self.overwrite = options.overwrite
        # The old site's hosts: an entry's address on one of them is kept as an old address.
        self.hosts = {host_of(link), host_of(address)} - {""}
        self.address = address

    def key(self, entry) -> str:
        """The site and the entry's id (its guid), else its address, else title and date."""
        said = entry.get("id") or entry.get("link") or f"{entry.get('title')} {published_of(entry)}"
        key = f"{self.site}/{said}"
        if len(key) > 500:
            key = f"{self.site}/sha256:{hashlib.sha256(key.encode()).hexdigest()}"
        return key

    def kind_of(self, entry) -> str:
        return "article"

    def failed_status(self, entry) -> str:
        return "published"

    def label(self, entry) -> str:
        return f"entry “{title_of(entry)}”"

    def digest(self, entry) -> str:
        said = [CONVERSION, vars(self.options), entry]
        return hashlib.sha256(json.dumps(said, default=str, sort_keys=True).encode()).hexdigest()

    def store_article(self, entry, article: Article | None) -> Article:
        label = self.label(entry)
        text, whole = text_of(entry)
        dek = dek_of(entry, text)
        status = "published"
        if PROTECTED_TEXT in text:
            status = "draft"
            self.report.note(label, "password-protected on the old site: imported as a draft")
        elif not whole:
            self.report.note(label, "the feed has only the start of it: the rest is not imported")
        image, credit = None, ""
        if (top := top_image(entry)) is not None:
            url, credit = top
            text, in_text = without_picture(text, url)
            if in_text:
                self.report.note(label, "its top photo was in its text too: kept at the top only")
            try:
                image = self.images.data_for(self.images.candidates(url, None))
            except ImageMissing as missing:
                self.images.missing.append((url, str(missing)))
        self.body = bodies.convert(text, self.images.photo_for)
        for problem in self.body.problems:
            self.report.note(label, problem)
        if image is not None:
            self.report.note(label, "its top photo has no alt text: write one in the editor")
        categories = categories_of(entry)
        if self.options.section:
            section, tags = self.options.section, categories
        else:
            section, tags = (categories or [DEFAULT_SECTION])[0], categories[1:]
        published = published_of(entry)
        if published is None:
            self.report.note(label, "the feed gives no date: published at the time of the import")
        article = save_article(
            ArticleFile(
                title=title_of(entry),
                body=self.body.markdown,
                slug=article.slug if article else self.free_slug(entry),
                dek=dek,
                type=self.options.type_name,
                section=section,
                tags=tags,
                authors=authors_of(entry),
                status=status,
                published=published,
                image=image,
                image_credit=cut(plain(credit), MAX_CREDIT),
            )
        )
        record_save(article)
        return article

    def free_slug(self, entry) -> str:
        """The last part of its old address (on the old site), else one from the title."""
        link = entry.get("link", "")
        last = unquote(urlsplit(link).path.rstrip("/").rsplit("/", 1)[-1])
        wanted = slugify(re.sub(r"\.html?$", "", last) if host_of(link) in self.hosts else "")
        if not wanted or wanted == "article":
            wanted = slugify(title_of(entry))
        slug = slugs.free_slug(wanted, Article)
        if slug != wanted:
            self.report.note(self.label(entry), f"the slug {wanted} was taken: imported as {slug}")
        return slug

    def old_paths(self, entry) -> list[str]:
        """Its address and, for a WordPress feed, its /?p=ID (the guid), on the old site."""
        paths = []
        for url in (entry.get("link", ""), entry.get("id", "")):
            parts = urlsplit(url)
            if parts.scheme not in ("http", "https") or host_of(url) not in self.hosts:
                continue
            if OLD_POST_QUERY.fullmatch(parts.query) and parts.path in ("", "/"):
                paths.append(f"/?{parts.query}")
            elif parts.path not in ("", "/") and not parts.query:
                paths.append(parts.path)
        return list(dict.fromkeys(paths))

    def store_feed_address(self) -> None:
        """The old feed's own address, on the old site, to this site's feed: subscribers stay."""
        links = self.feed.feed.get("links", [])
        address = next((link.get("href", "") for link in links if link.get("rel") == "self"), "")
        for url in dict.fromkeys([address, self.address]):
            path = urlsplit(url).path
            if url and host_of(url) in self.hosts and path not in ("", "/"):
                addresses.store(path, addresses.site_path("feeds.site"), self.report)
