"""Pages: About, Privacy, Contact and the like, at the top level of the site's addresses."""

from datetime import datetime

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates

from rsflask.db import db, utcnow
from rsflask.models.photos import Photo, inline_photos_table

page_inline_photos = inline_photos_table("page", "pages")

PAGE_STATUSES = ("draft", "published", "trash")
# The schema.org type a page's JSON-LD names; the editor picks one.
PAGE_TYPES = {"WebPage": "Page", "AboutPage": "About page", "ContactPage": "Contact page"}


class Page(db.Model):
    """A page of the site, outside the stream of articles: no section, type, teaser or feed.

    Its body columns match an article's, so that markup.set_body and the revisions work on both.
    """

    __tablename__ = "pages"
    id: Mapped[int] = mapped_column(primary_key=True)
    # Unique across all pages, children included: /about/masthead is the page "masthead".
    slug: Mapped[str] = mapped_column(String(200), unique=True)
    # One level deep: a page with a parent has no children of its own.
    parent_id: Mapped[int | None] = mapped_column(
        ForeignKey("pages.id", ondelete="SET NULL"), index=True
    )
    title: Mapped[str] = mapped_column(String(300))
    dek: Mapped[str] = mapped_column(String(500), default="")
    body_md: Mapped[str] = mapped_column(Text, default="")
    lead_html: Mapped[str] = mapped_column(Text, default="")
    rest_html: Mapped[str] = mapped_column(Text, default="")
    word_count: Mapped[int] = mapped_column(default=0)
    page_type: Mapped[str] = mapped_column(String(20), default="WebPage")
    status: Mapped[str] = mapped_column(String(20), default="draft")
    status_before_trash: Mapped[str] = mapped_column(String(20), default="")
    # Places in the main navigation and the footer, lowest first; None: not there.
    nav_position: Mapped[int | None]
    footer_position: Mapped[int | None]
    # When it was first published (readers' "published" date and the sitemap's).
    published_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    # Bumped on every update, so that a save based on an older copy is refused, not applied.
    version: Mapped[int] = mapped_column(default=1)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    parent: Mapped["Page | None"] = relationship(remote_side=[id])
    inline_photos: Mapped[list[Photo]] = relationship(secondary=page_inline_photos)

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012

    @validates("status")
    def _remember_status_before_trash(self, key: str, status: str) -> str:
        if status == "trash" and self.status not in (None, "trash"):
            self.status_before_trash = self.status
        return status

    @property
    def body_html(self) -> str:
        return self.lead_html + self.rest_html

    @property
    def path(self) -> str:
        """Its address below the site's root, without the leading slash."""
        return f"{self.parent.slug}/{self.slug}" if self.parent else self.slug

    @property
    def parent_slug(self) -> str | None:
        return self.parent.slug if self.parent else None


class PageRedirect(db.Model):
    """An earlier address of a published page (its path, as `Page.path` gives it): a 301."""

    __tablename__ = "page_redirects"
    old_path: Mapped[str] = mapped_column(String(401), primary_key=True)
    page_id: Mapped[int] = mapped_column(ForeignKey("pages.id", ondelete="CASCADE"), index=True)
    page: Mapped[Page] = relationship()
