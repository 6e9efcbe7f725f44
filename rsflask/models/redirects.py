"""Redirects an editor manages and the importers write: an old address answered with a 301 or
302 to a path of this site, an article, a page, or another site's address."""

from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from rsflask.db import db, utcnow
from rsflask.models.content import Article
from rsflask.models.pages import Page

REDIRECT_STATUSES = {301: "Permanent (301)", 302: "Temporary (302)"}


class Redirect(db.Model):
    """One old address and where it now leads (rsflask/redirects.py stores them).

    Exactly one of target_url, article and page says where: an article or a page is kept by its
    id, so that the redirect follows a later change of its slug.
    """

    __tablename__ = "redirects"
    id: Mapped[int] = mapped_column(primary_key=True)
    # As given, in the one spelling redirect_paths.old_path makes: /2019/04/a-post/, /?p=123.
    old_path: Mapped[str] = mapped_column(String(1000))
    # What requests are matched on: the old path without its trailing slash (match_key).
    match_path: Mapped[str] = mapped_column(String(1000), unique=True)
    # A path on this site (query and fragment kept), or an http(s) address of another site;
    # "" when the target is an article or a page.
    target_url: Mapped[str] = mapped_column(String(1000), default="", index=True)
    article_id: Mapped[int | None] = mapped_column(
        ForeignKey("articles.id", ondelete="CASCADE"), index=True
    )
    page_id: Mapped[int | None] = mapped_column(
        ForeignKey("pages.id", ondelete="CASCADE"), index=True
    )
    status: Mapped[int] = mapped_column(default=301)
    hit_count: Mapped[int] = mapped_column(default=0)
    last_hit_at: Mapped[datetime | None]
    # Who wrote it last: "editor", "csv", "wordpress", "feed"...
    source: Mapped[str] = mapped_column(String(20), default="editor")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # Set when an editor or an import changes it, not when it is followed (the hit count).
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)

    article: Mapped[Article | None] = relationship()
    page: Mapped[Page | None] = relationship()
