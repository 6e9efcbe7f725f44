"""Articles and what they are filed under: sections, types, tags, authors."""

from datetime import datetime

from sqlalchemy import (
    CheckConstraint,
    Column,
    ForeignKey,
    Index,
    Select,
    String,
    Table,
    Text,
    select,
)
from sqlalchemy.ext.associationproxy import AssociationProxy, association_proxy
from sqlalchemy.ext.orderinglist import ordering_list
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates

from rsflask.db import db, utcnow
from rsflask.models.photos import Photo, inline_photos_table

# What an article's status column may hold. A published article whose time has not come is
# "scheduled" to editors and in article files, but stored as published.
STATUSES = ("draft", "review", "published", "trash")


class Section(db.Model):
    __tablename__ = "sections"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    slug: Mapped[str] = mapped_column(String(100), unique=True)
    description: Mapped[str] = mapped_column(Text, default="")
    # Order in the navigation; equal positions fall back to the name.
    position: Mapped[int] = mapped_column(default=100)


class ArticleType(db.Model):
    __tablename__ = "article_types"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    slug: Mapped[str] = mapped_column(String(100), unique=True)


class Tag(db.Model):
    __tablename__ = "tags"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    slug: Mapped[str] = mapped_column(String(100), unique=True)


class Author(db.Model):
    __tablename__ = "authors"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    slug: Mapped[str] = mapped_column(String(200), unique=True)
    bio: Mapped[str] = mapped_column(Text, default="")
    # "Editor-in-chief", "Contributing writer": under the name on the masthead and author page.
    role_line: Mapped[str] = mapped_column(String(200), default="", server_default="")
    # Staff come first on the masthead (/authors), in the order of staff_position.
    is_staff: Mapped[bool] = mapped_column(default=False, server_default="0")
    staff_position: Mapped[int] = mapped_column(default=100, server_default="100")
    photo_id: Mapped[int | None] = mapped_column(ForeignKey("photos.id"))
    photo: Mapped["Photo | None"] = relationship()


article_inline_photos = inline_photos_table("article", "articles")

article_tags = Table(
    "article_tags",
    db.metadata,
    Column("article_id", ForeignKey("articles.id", ondelete="CASCADE"), primary_key=True),
    Column("tag_id", ForeignKey("tags.id", ondelete="CASCADE"), primary_key=True, index=True),
)


class ArticleAuthor(db.Model):
    """One byline: an author of an article, in the order the byline names them."""

    __tablename__ = "article_authors"
    article_id: Mapped[int] = mapped_column(
        ForeignKey("articles.id", ondelete="CASCADE"), primary_key=True
    )
    author_id: Mapped[int] = mapped_column(
        ForeignKey("authors.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    position: Mapped[int] = mapped_column(default=0)
    author: Mapped[Author] = relationship(lazy="joined")


class Article(db.Model):
    __tablename__ = "articles"
    __table_args__ = (
        Index("ix_articles_status_published_at", "status", "published_at"),
        Index("ix_articles_section_published_at", "section_id", "status", "published_at"),
        Index("ix_articles_type_published_at", "type_id", "status", "published_at"),
        # Whether an article is visible, read without its row: the body columns come first in a
        # row, so SQLite reaches status and published_at only through the body's overflow pages.
        Index("ix_articles_visibility", "id", "status", "published_at"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(200), unique=True)
    title: Mapped[str] = mapped_column(String(300))
    dek: Mapped[str] = mapped_column(String(500), default="")
    body_md: Mapped[str] = mapped_column(Text, default="")
    # The sanitised body, rendered on save and split where the teaser ends.
    lead_html: Mapped[str] = mapped_column(Text, default="")
    rest_html: Mapped[str] = mapped_column(Text, default="")
    word_count: Mapped[int] = mapped_column(default=0)
    type_id: Mapped[int] = mapped_column(ForeignKey("article_types.id"))
    section_id: Mapped[int] = mapped_column(ForeignKey("sections.id"))
    status: Mapped[str] = mapped_column(String(20), default="draft")
    # When readers may first see it; a published article with a future time is scheduled.
    published_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    photo_id: Mapped[int | None] = mapped_column(ForeignKey("photos.id"))
    photo_alt: Mapped[str] = mapped_column(String(500), default="")
    photo_credit: Mapped[str] = mapped_column(String(300), default="")
    # Bumped on every update, so that a save based on an older copy is refused, not applied.
    version: Mapped[int] = mapped_column(default=1)
    # Who started it (writers may edit only their own), and the status to restore from the trash.
    created_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    status_before_trash: Mapped[str] = mapped_column(String(20), default="")
    # Search and social: what link previews show instead of the headline, the summary and the top
    # photo; the address a piece first published elsewhere has there; and whether search engines
    # should leave it out. Empty or unset means the usual.
    social_title: Mapped[str] = mapped_column(String(300), default="", server_default="")
    social_description: Mapped[str] = mapped_column(String(500), default="", server_default="")
    # No foreign key: SQLite could add one only by rebuilding the table, and with foreign keys on
    # that rebuild deletes every row that refers to an article.
    social_image_id: Mapped[int | None]
    canonical_url: Mapped[str] = mapped_column(String(500), default="", server_default="")
    noindex: Mapped[bool] = mapped_column(default=False, server_default="0")

    article_type: Mapped[ArticleType] = relationship(lazy="joined", innerjoin=True)
    section: Mapped[Section] = relationship(lazy="joined", innerjoin=True)
    photo: Mapped[Photo | None] = relationship(lazy="joined")
    social_image: Mapped[Photo | None] = relationship(
        primaryjoin="foreign(Article.social_image_id) == Photo.id"
    )
    tags: Mapped[list[Tag]] = relationship(secondary=article_tags, order_by=Tag.name)
    inline_photos: Mapped[list[Photo]] = relationship(secondary=article_inline_photos)
    bylines: Mapped[list[ArticleAuthor]] = relationship(
        order_by=ArticleAuthor.position,
        collection_class=ordering_list("position"),
        cascade="all, delete-orphan",
        lazy="selectin",
    )
    # Newest first, as readers see them.
    notes: Mapped[list["ArticleNote"]] = relationship(
        back_populates="article",
        order_by="(ArticleNote.noted_at.desc(), ArticleNote.id.desc())",
        cascade="all, delete-orphan",
    )
    authors: AssociationProxy[list[Author]] = association_proxy(
        "bylines", "author", creator=lambda author: ArticleAuthor(author=author)
    )

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012

    @validates("status")
    def _remember_status_before_trash(self, key: str, status: str) -> str:
        """However it goes to the trash, the status it had is what restoring brings back."""
        if status == "trash" and self.status not in (None, "trash"):
            self.status_before_trash = self.status
        return status

    @property
    def body_html(self) -> str:
        return self.lead_html + self.rest_html

    @property
    def is_scheduled(self) -> bool:
        return (
            self.status == "published"
            and self.published_at is not None
            and self.published_at > utcnow()
        )

    @property
    def reading_minutes(self) -> int:
        return max(1, round(self.word_count / 230))


NOTE_KINDS = {"correction": "Correction", "update": "Update", "editors-note": "Editor's note"}


class ArticleNote(db.Model):
    """A correction, update or editor's note on an article: a dated line the newsroom stands by."""

    __tablename__ = "article_notes"
    __table_args__ = (Index("ix_article_notes_kind_noted_at", "kind", "noted_at"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    article_id: Mapped[int] = mapped_column(
        ForeignKey("articles.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(String(20))
    text_md: Mapped[str] = mapped_column(Text)
    # Rendered and sanitised on save, like bodies.
    text_html: Mapped[str] = mapped_column(Text)
    # The date readers see; when it was written, unless an import says otherwise.
    noted_at: Mapped[datetime] = mapped_column(default=utcnow)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    article: Mapped["Article"] = relationship(back_populates="notes")

    @property
    def kind_label(self) -> str:
        return NOTE_KINDS.get(self.kind, self.kind)


class Revision(db.Model):
    """A copy of what an article or a page said at one save, or the newest unsaved text of an
    autosave."""

    __tablename__ = "revisions"
    __table_args__ = (
        Index("ix_revisions_article_created", "article_id", "created_at"),
        Index("ix_revisions_page_created", "page_id", "created_at"),
        CheckConstraint("(article_id IS NULL) <> (page_id IS NULL)", name="one_owner"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    # Of an article or of a page, never both.
    article_id: Mapped[int | None] = mapped_column(ForeignKey("articles.id", ondelete="CASCADE"))
    page_id: Mapped[int | None] = mapped_column(ForeignKey("pages.id", ondelete="CASCADE"))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    # "save" for every explicit save, "autosave" for the text typed since (one per user).
    kind: Mapped[str] = mapped_column(String(20), default="save")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # The article version this copy was based on, to tell a stale autosave from a fresh one.
    base_version: Mapped[int] = mapped_column(default=0)
    title: Mapped[str] = mapped_column(String(300), default="")
    dek: Mapped[str] = mapped_column(String(500), default="")
    body_md: Mapped[str] = mapped_column(Text, default="")
    # The rest of the form as typed or picked, so that autosave loses none of it. NULL in copies
    # made before these columns: those kept the text alone. Type and section have no foreign
    # key, which SQLite could add to this table only by rebuilding it.
    slug: Mapped[str | None] = mapped_column(String(200))
    type_id: Mapped[int | None]
    section_id: Mapped[int | None]
    tags: Mapped[str | None] = mapped_column(String(1000))
    authors: Mapped[str | None] = mapped_column(String(1000))
    photo_alt: Mapped[str | None] = mapped_column(String(500))
    photo_credit: Mapped[str | None] = mapped_column(String(300))
    published_at: Mapped[datetime | None]
    # A page's form beyond its text (pages have no type, section, tags, authors or photo).
    page_parent_id: Mapped[int | None]
    page_type: Mapped[str | None] = mapped_column(String(20))
    # An article's notes at this save, one "time | kind | text" line each (as article files
    # write them); None in copies made before notes were kept.
    notes: Mapped[str | None] = mapped_column(Text)
    # The article's search and social fields as typed; None in copies made before they were kept.
    social_title: Mapped[str | None] = mapped_column(String(300))
    social_description: Mapped[str | None] = mapped_column(String(500))
    canonical_url: Mapped[str | None] = mapped_column(String(500))
    noindex: Mapped[bool | None]
    user: Mapped["User | None"] = relationship()  # noqa: F821


class SlugRedirect(db.Model):
    """An earlier slug of an article, answered with a permanent redirect."""

    __tablename__ = "slug_redirects"
    old_slug: Mapped[str] = mapped_column(String(200), primary_key=True)
    article_id: Mapped[int] = mapped_column(ForeignKey("articles.id", ondelete="CASCADE"))
    article: Mapped[Article] = relationship()


def published() -> Select[tuple[Article]]:
    """Articles readers may see: published, and their time has come. Newest first."""
    return (
        select(Article)
        .where(Article.status == "published", Article.published_at <= utcnow())
        .order_by(Article.published_at.desc(), Article.id.desc())
    )
