"""A WordPress export's posts stored as articles and its pages as pages.

Each is matched, on a later run, by its WordPress id (item_importer.py keeps the rules of a
re-run). Articles are stored as an article file would be (article_import.save_article), pages as
a page file (page_import.save_page).
"""

import hashlib
import json
from dataclasses import dataclass

from rsflask.article_files import ArticleFile
from rsflask.article_import import save_article
from rsflask.db import db
from rsflask.editor.revisions import record_save
from rsflask.models import Article, Page, Section
from rsflask.named_rows import get_or_create
from rsflask.page_files import PageFile
from rsflask.page_import import save_page
from rsflask.wordpress import blocks, bodies, fields, slugs
from rsflask.wordpress.images import Images
from rsflask.wordpress.index import Index
from rsflask.wordpress.item_importer import ItemImporter
from rsflask.wordpress.report import Report
from rsflask.wordpress.wxr import Attachment, Channel, Item

SOURCE = "wordpress"
# Part of every item's digest: a change to how items are converted makes the next run redo them.
CONVERSION = 1


@dataclass
class Options:
    type_name: str = "News"
    strict: bool = False
    overwrite: bool = False


class Importer(ItemImporter):
    """A WordPress export's posts and pages."""

    source = SOURCE

    def __init__(
        self, channel: Channel, index: Index, images: Images, options: Options, report: Report
    ) -> None:
        super().__init__(site_of(channel.base_site_url), images, report)
        self.channel, self.index, self.options = channel, index, options
        self.overwrite = options.overwrite
        self.sections: set[str] = set()

    def key(self, item: Item) -> str:
        # Its site and post id, "old.example.org/?p=13", so that two sites' posts 13 stay apart.
        return f"{self.site}/?p={item.post_id}"

    def kind_of(self, item: Item) -> str:
        return "article" if item.post_type == "post" else "page"

    def failed_status(self, item: Item) -> str:
        return fields.ARTICLE_STATUSES.get(item.status, "draft")

    def label(self, item: Item) -> str:
        return f"{item.post_type} {item.post_id} “{fields.title_of(item)}”"

    def digest(self, item: Item) -> str:
        """What the item says, with the import's settings: the same digest, the same result."""
        featured = self.index.attachments.get(fields.thumbnail_id(item))
        said = [CONVERSION, vars(self.options), vars(item), featured and vars(featured)]
        said.append(fields.author_name(item, self.channel))
        return hashlib.sha256(json.dumps(said, default=str).encode()).hexdigest()

    def convert_body(self, item: Item) -> str:
        problems: list[str] = []
        html = blocks.prepare(
            item.content, item.post_id, self.index.reusable, self.index.attachments, problems
        )
        self.body = bodies.convert(html, self.images.photo_for, item.meta_value("footnotes"))
        for problem in fields.shortened(item) + problems + self.body.problems:
            self.report.note(self.label(item), problem)
        return self.body.markdown

    def store_article(self, item: Item, article: Article | None) -> Article:
        label = self.label(item)
        status = fields.ARTICLE_STATUSES.get(item.status, "draft")
        if item.status == "private":
            self.report.note(label, "private in WordPress: imported as a draft")
        if item.password:
            status = "draft" if status == "published" else status
            self.report.note(label, "password-protected in WordPress: imported as a draft")
        published, guess = fields.published_at(item)
        if guess:
            self.report.note(label, guess)
        image = self.top_photo(item)
        if image is not None and not image[1].alt:
            self.report.note(label, "its featured image has no alt text: write one in the editor")
        if image is None and fields.thumbnail_id(item) and self.options.strict:
            status = "draft" if status == "published" else status
            self.report.note(label, "its featured image is missing: imported as a draft (--strict)")
        section, tags = fields.section_and_tags(item, self.channel)
        self.make_section(section)
        author = fields.author_name(item, self.channel)
        article_file = ArticleFile(
            title=fields.title_of(item),
            body=self.convert_body(item),
            slug=article.slug if article else self.free_slug(item, Article),
            dek=fields.dek_of(item),
            type=self.options.type_name,
            section=section,
            tags=tags,
            authors=[author] if author else [],
            status=status,
            published=published if item.status in ("publish", "future", "trash") else None,
            image=image[0] if image else None,
            image_alt=image[1].alt[:500] if image else "",
            image_credit=fields.cut(image[1].caption, fields.MAX_CREDIT) if image else "",
        )
        article = save_article(article_file)
        if status == "trash":
            article.status_before_trash = fields.status_before_trash(item)
        if item.sticky:
            self.report.note(label, "sticky in WordPress: the site has no sticky articles")
        record_save(article)
        return article

    def top_photo(self, item: Item) -> tuple[bytes, Attachment] | None:
        attachment_id = fields.thumbnail_id(item)
        return self.images.featured(attachment_id) if attachment_id else None

    def make_section(self, name: str) -> None:
        """The section, made with its category's description when it is new (save_article
        finds it, or makes it without one)."""
        if name in self.sections:
            return
        self.sections.add(name)
        for term in self.channel.categories.values():
            if term.name == name and not term.parent:
                get_or_create(Section, name, description=fields.plain(term.description))

    def free_slug(self, item: Item, model) -> str:
        wanted = fields.wanted_slug(item)
        slug = slugs.free_slug(wanted, model)
        if slug != wanted:
            self.report.note(self.label(item), f"the slug {wanted} was taken: imported as {slug}")
        return slug

    def store_page(self, item: Item, page: Page | None) -> Page:
        label = self.label(item)
        status = fields.PAGE_STATUSES.get(item.status, "draft")
        if item.status in ("future", "pending", "private"):
            self.report.note(label, f"{item.status} in WordPress: imported as a draft page")
        published, _ = fields.published_at(item)
        page_file = PageFile(
            title=fields.title_of(item),
            body=self.convert_body(item),
            slug=page.slug if page else self.free_slug(item, Page),
            dek=fields.dek_of(item),
            parent=self.parent_slug(item),
            status=status,
            published=published if status != "draft" else None,
        )
        return save_page(page_file)

    def parent_slug(self, item: Item) -> str:
        """The slug of the page it goes under: its top page, since pages go one level deep."""
        chain = slugs.ancestors(item.parent, self.index.page_parents)
        if not chain:
            return ""
        top = self.record_of_key(f"{self.site}/?p={chain[-1]}")
        parent = db.session.get(Page, top.page_id) if top.page_id else None
        if parent is None:
            self.report.note(
                self.label(item), f"its parent page {chain[-1]} was not imported: put at the top"
            )
            return ""
        if len(chain) > 1:
            self.report.note(
                self.label(item), f"pages go one level deep: put under {parent.slug}, the top page"
            )
        return parent.slug

    def old_paths(self, item: Item) -> list[str]:
        if item.status not in ("publish", "future"):
            return []
        return fields.old_paths(item, "p" if item.post_type == "post" else "page_id")


def site_of(base_site_url: str) -> str:
    """The old site as a key: its host and path, without the scheme or a leading www."""
    rest = base_site_url.split("://", 1)[-1].rstrip("/")
    return rest.removeprefix("www.").lower() or "unknown"
