"""What the importers made: an article or page by the id it had where it came from."""

from datetime import datetime

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from rsflask.db import db, utcnow


class ImportedItem(db.Model):
    """One item of another system (a WordPress post or page) and what an import made of it.

    A re-run finds its article or page here rather than by slug, so it makes nothing twice; and
    it tells an editor's change since from the import's own by the version the import left.
    Both links empty: what the import made is gone, and a re-run does not bring it back.
    """

    __tablename__ = "imported_items"
    __table_args__ = (UniqueConstraint("source", "external_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    # The importer ("wordpress"), and the item's id there: for WordPress its site and post id,
    # "old.example.org/?p=13", so that two sites' posts 13 stay apart.
    source: Mapped[str] = mapped_column(String(20))
    external_id: Mapped[str] = mapped_column(String(500))
    article_id: Mapped[int | None] = mapped_column(
        ForeignKey("articles.id", ondelete="SET NULL"), index=True
    )
    page_id: Mapped[int | None] = mapped_column(
        ForeignKey("pages.id", ondelete="SET NULL"), index=True
    )
    # The article's or page's version when the import last saved it: a higher one now means an
    # editor saved it since.
    version_at_import: Mapped[int] = mapped_column(default=1)
    # A hash of what the item said, with the import's settings; empty when images were missing,
    # so that the next run tries them again.
    source_digest: Mapped[str] = mapped_column(String(64), default="")
    imported_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
