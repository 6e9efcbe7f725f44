"""What every importer does with one item of another system (a WordPress post or page, a
feed's entry): find what the last run made of it, by the item's id there (models/imports.py),
never by slug; leave it alone or store it; count it; keep what its redirects need.

A re-run updates what the last one made, makes nothing twice, and leaves alone what an editor
saved since, unless told to overwrite. Each item is stored in a savepoint of its own, so that one
the database or the Markdown renderer refuses is reported and skipped without undoing the others.
"""

from sqlalchemy.exc import SQLAlchemyError

from rsflask import markup
from rsflask.article_files import ArticleFileError
from rsflask.db import db
from rsflask.models import Article, ImportedItem, Page
from rsflask.photos import PhotoError
from rsflask.wordpress import bodies
from rsflask.wordpress.images import Images
from rsflask.wordpress.report import Report

# What one item may fail on without stopping the import.
ITEM_FAILURES = (SQLAlchemyError, ArticleFileError, PhotoError, markup.TooComplex)


class Unchanged(Exception):
    """An item saved again just as it was."""


class ItemImporter:
    """What every importer does with one item of another system: find what the last run made of
    it, leave it alone or store it in a savepoint, count it and note what its redirects need.

    A subclass says what its items are: key(), kind_of(), label(), digest(), store_article() or
    store_page(), old_paths(). The WordPress importer (importer.py) is one, the feed
    importer (rsflask/feed_import.py) the other.
    """

    source = ""

    def __init__(self, site: str, images: Images, report: Report) -> None:
        self.site, self.images, self.report = site, images, report
        # What each imported item leaves for the redirects: (old paths, article or page).
        self.addresses: list[tuple[list[str], Article | Page]] = []
        self.body = bodies.Body("", "")
        self.overwrite = False

    def record_of(self, item) -> ImportedItem:
        return self.record_of_key(self.key(item))

    def record_of_key(self, external_id: str) -> ImportedItem:
        """What the last run made of the item with this key; a new, unsaved record if none."""
        record = db.session.scalar(
            db.select(ImportedItem).filter_by(source=self.source, external_id=external_id)
        )
        return record or ImportedItem(source=self.source, external_id=external_id, source_digest="")

    def import_item(self, item) -> None:
        """Store the item as an article or a page, or say in the report why not."""
        kind = self.kind_of(item)
        record = self.record_of(item)
        existing = db.session.get(
            Article if kind == "article" else Page, record.article_id or record.page_id or 0
        )
        digest = self.digest(item)
        if (why := self.left_alone(item, record, existing, digest)) is not None:
            self.report.count(kind, why, shown_status(existing))
            if existing is not None:
                self.addresses.append((self.old_paths(item), existing))
            return
        version_before = existing.version if existing is not None else None
        try:
            with db.session.begin_nested():
                if kind == "article":
                    stored = self.store_article(item, existing)
                else:
                    stored = self.store_page(item, existing)
                db.session.flush()
                if stored.version == version_before:
                    # Saved as it was (an image still missing): the savepoint takes back the
                    # revision and anything else made on the way.
                    raise Unchanged
                record.article_id = stored.id if kind == "article" else None
                record.page_id = stored.id if kind == "page" else None
                record.version_at_import = stored.version
                record.source_digest = "" if self.images.missing else digest
                db.session.add(record)
        except Unchanged:
            self.report.count(kind, "unchanged", shown_status(existing))
            self.addresses.append((self.old_paths(item), existing))
            return
        except ITEM_FAILURES as error:
            self.report.count(kind, "failed", self.failed_status(item))
            self.report.note(self.label(item), f"not imported: {failure(error)}")
            return
        finally:
            for url, reason in self.images.missing:
                self.report.missing.append((self.label(item), url, reason))
            self.images.missing.clear()
        self.report.count(kind, "updated" if existing else "created", shown_status(stored))
        if (lost := bodies.text_lost(self.body, stored.body_html)) is not None:
            self.report.note(self.label(item), f"the text changed in conversion: {lost}")
        self.addresses.append((self.old_paths(item), stored))

    def left_alone(self, item, record: ImportedItem, existing, digest: str) -> str | None:
        """ "kept" or "unchanged" when a re-run must not touch the item; None to store it."""
        if record.id is None:
            return None
        label = self.label(item)
        if existing is None:
            if self.overwrite:
                return None
            self.report.note(label, "deleted since the last import: not made again")
            return "kept"
        if existing.version != record.version_at_import:
            if self.overwrite:
                self.report.note(label, "changed in the editor since the last import: replaced")
                return None
            self.report.note(
                label,
                "changed in the editor since the last import: left as it is "
                "(--overwrite replaces it)",
            )
            return "kept"
        return "unchanged" if record.source_digest == digest else None


def shown_status(item: Article | Page | None) -> str:
    if item is None:
        return "deleted"
    if isinstance(item, Article) and item.is_scheduled:
        return "scheduled"
    return item.status


def failure(error: Exception) -> str:
    if isinstance(error, SQLAlchemyError):
        return f"the database refused it: {getattr(error, 'orig', None) or error}"
    return str(error)
