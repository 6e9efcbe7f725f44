"""Newsletter subscribers and their consent record, the links emailed to them, round-ups, who
has received each, and the copies the mail server put off."""

from datetime import datetime

from sqlalchemy import Column, ForeignKey, Index, String, Table, Text, text
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates

from rsflask import markup
from rsflask.db import db, utcnow
from rsflask.models.content import Article
from rsflask.models.photos import Photo, inline_photos_table

SUBSCRIBER_STATUSES = ("pending", "confirmed", "unsubscribed")
TOKEN_PURPOSES = ("confirm", "unsubscribe")
# Mail providers known to ignore dots in the part before the @.
DOTLESS_DOMAINS = ("gmail.com", "googlemail.com")


def mailbox_of(email: str) -> str:
    """The mailbox an address delivers to: lower-cased, without a +tag, and without dots where
    the provider ignores them, so that name+1@ and n.ame@gmail.com count as one."""
    local, _, domain = email.lower().rpartition("@")
    local = local.split("+", 1)[0]
    if domain in DOTLESS_DOMAINS:
        local = local.replace(".", "")
        domain = "gmail.com"
    return f"{local}@{domain}"


class Subscriber(db.Model):
    __tablename__ = "subscribers"
    id: Mapped[int] = mapped_column(primary_key=True)
    # Stored lower-cased, so one address is one row whatever its spelling.
    email: Mapped[str] = mapped_column(String(320), unique=True)
    # The mailbox the address delivers to (see mailbox_of): resends are throttled per mailbox.
    mailbox: Mapped[str] = mapped_column(String(320), default="", index=True)
    status: Mapped[str] = mapped_column(String(20), default="pending", index=True)
    signed_up_at: Mapped[datetime] = mapped_column(default=utcnow)
    signup_ip: Mapped[str] = mapped_column(String(64), default="")
    confirmed_at: Mapped[datetime | None]
    confirm_ip: Mapped[str] = mapped_column(String(64), default="")
    # The browser that pressed the confirm button, as it named itself.
    confirm_user_agent: Mapped[str] = mapped_column(String(500), default="")
    unsubscribed_at: Mapped[datetime | None]
    unsubscribe_ip: Mapped[str] = mapped_column(String(64), default="")
    # When the confirmation of the current signup reached the mail server; NULL while it has
    # not (the mail server was down), which `flask newsletter send-pending` looks for.
    confirmation_sent_at: Mapped[datetime | None]
    # When a signup last emailed this address: signing up again re-sends only after a while.
    confirmation_tried_at: Mapped[datetime | None]
    # Rows from a CSV import, whose consent was given elsewhere, say so.
    imported_at: Mapped[datetime | None]
    # The saved revision of the privacy page that the signup form linked to (None: no page then).
    privacy_revision_id: Mapped[int | None]

    @validates("email")
    def _find_mailbox(self, key: str, email: str) -> str:
        self.mailbox = mailbox_of(email)
        return email


class SubscriberToken(db.Model):
    """One link emailed to a subscriber: to confirm a signup, or to unsubscribe (one per email
    sent, so that every email's link keeps working and each can be revoked). Only a hash of the
    random token is kept: the database cannot be read for working links."""

    __tablename__ = "subscriber_tokens"
    id: Mapped[int] = mapped_column(primary_key=True)
    subscriber_id: Mapped[int] = mapped_column(
        ForeignKey("subscribers.id", ondelete="CASCADE"), index=True
    )
    purpose: Mapped[str] = mapped_column(String(20))
    # sha256 of the token, in hex.
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # Confirm links only; an unsubscribe link must work in an email of years ago.
    expires_at: Mapped[datetime | None]
    used_at: Mapped[datetime | None]
    revoked_at: Mapped[datetime | None]

    subscriber: Mapped[Subscriber] = relationship()


digest_inline_photos = inline_photos_table("digest", "digests")

digest_articles = Table(
    "digest_articles",
    db.metadata,
    Column("digest_id", ForeignKey("digests.id", ondelete="CASCADE"), primary_key=True),
    Column(
        "article_id", ForeignKey("articles.id", ondelete="CASCADE"), primary_key=True, index=True
    ),
)


class Digest(db.Model):
    """A round-up: an intro and a choice of articles, sent once to every confirmed subscriber."""

    __tablename__ = "digests"
    __table_args__ = (
        # At most one draft (the next round-up) and one round-up being sent, whatever runs at once.
        Index(
            "uq_digests_status_open",
            "status",
            unique=True,
            sqlite_where=text("status IN ('draft', 'sending')"),
            postgresql_where=text("status IN ('draft', 'sending')"),
        ),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    subject: Mapped[str] = mapped_column(String(300))
    intro_md: Mapped[str] = mapped_column(Text, default="")
    intro_html: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(20), default="draft")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # When its articles were chosen: the editors' last save of the draft, or the moment an
    # automatic round-up was made. The next round-up covers what was published after it, so an
    # article published while a draft waited to be sent goes in the one after. Nullable only
    # so that migration 0005 could add it without rebuilding the table; always set.
    chosen_at: Mapped[datetime | None] = mapped_column(default=utcnow)
    # When sending began, and ended.
    started_at: Mapped[datetime | None]
    sent_at: Mapped[datetime | None]
    # Which `digest send` holds the round-up ("host:pid"), and when it last showed it was alive:
    # a second one started meanwhile waits instead of sending the same round-up again.
    sending_by: Mapped[str] = mapped_column(String(200), default="")
    heartbeat_at: Mapped[datetime | None]

    articles: Mapped[list[Article]] = relationship(
        secondary=digest_articles, order_by=(Article.published_at.desc(), Article.id.desc())
    )
    inline_photos: Mapped[list[Photo]] = relationship(secondary=digest_inline_photos)

    @validates("intro_md")
    def _render_intro(self, key: str, text: str) -> str:
        rendered = markup.render_text(text)
        self.intro_html, self.inline_photos = rendered.html, rendered.photos
        return text


class DigestDelivery(db.Model):
    """One subscriber's copy of a round-up, stored as soon as the mail server took it."""

    __tablename__ = "digest_deliveries"
    digest_id: Mapped[int] = mapped_column(
        ForeignKey("digests.id", ondelete="CASCADE"), primary_key=True
    )
    subscriber_id: Mapped[int] = mapped_column(
        ForeignKey("subscribers.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    sent_at: Mapped[datetime] = mapped_column(default=utcnow)
    # The mail server's answer when it refused the address for good; empty when it took the copy.
    refusal: Mapped[str] = mapped_column(String(500), default="")


class DigestAttempt(db.Model):
    """Runs of `digest send` in which the mail server did not take a subscriber's copy and gave no
    answer for good (a 4xx "try later", or a refusal among others in a row). At the
    DIGEST_MAX_ATTEMPTS-th the copy is recorded as refused, so that the round-up can end."""

    __tablename__ = "digest_attempts"
    digest_id: Mapped[int] = mapped_column(
        ForeignKey("digests.id", ondelete="CASCADE"), primary_key=True
    )
    subscriber_id: Mapped[int] = mapped_column(
        ForeignKey("subscribers.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    attempts: Mapped[int] = mapped_column(default=0)
    # The mail server's last answer.
    answer: Mapped[str] = mapped_column(String(500), default="")
    tried_at: Mapped[datetime] = mapped_column(default=utcnow)
