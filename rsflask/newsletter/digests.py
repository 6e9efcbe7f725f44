"""The next round-up: the articles it covers, its subject, and who is still to get it."""

from datetime import timedelta

from sqlalchemy import Select, exists, func, select

from rsflask import site_settings
from rsflask.db import db, utcnow
from rsflask.models import Article, Digest, DigestDelivery, Subscriber, published
from rsflask.models.newsletter import digest_articles
from rsflask.templating import format_date

# The first round-up covers the week before it; each later one, what came after the last.
FIRST_PERIOD = timedelta(days=7)


def covered_since():
    """Round-ups cover articles published after the last one's were chosen (for a draft, when it
    was last saved, not when it began to be sent: what came out in between goes in the next)."""
    last = db.session.scalar(
        select(func.max(Digest.chosen_at)).where(Digest.started_at.is_not(None))
    )
    return last or utcnow() - FIRST_PERIOD


def candidates() -> Select[tuple[Article]]:
    """Articles for the next round-up: published since the last one, and in none yet."""
    in_a_digest = (
        select(digest_articles.c.article_id)
        .join(Digest, Digest.id == digest_articles.c.digest_id)
        .where(Digest.started_at.is_not(None))
    )
    return published().where(Article.published_at > covered_since(), Article.id.not_in(in_a_digest))


def published_since_saved(draft: Digest) -> int:
    """How many articles were published after the draft was saved, and so are not in it."""
    in_draft = select(digest_articles.c.article_id).where(digest_articles.c.digest_id == draft.id)
    newer = published().where(Article.published_at > draft.chosen_at, Article.id.not_in(in_draft))
    return db.session.scalar(select(func.count()).select_from(newer.subquery()))


def visible(articles: list[Article]) -> list[Article]:
    """Of a round-up's articles, those readers may see now (one may have gone since)."""
    now = utcnow()
    return [
        a for a in articles if a.status == "published" and a.published_at and a.published_at <= now
    ]


def default_subject() -> str:
    return f"{site_settings.current()['name']}: the week's round-up, {format_date(utcnow())}"


def next_digest() -> Digest:
    """What `digest send` sends now: a round-up whose sending was cut short, else the editors'
    draft, else a new one (not stored) of every article since the last."""
    for status in ("sending", "draft"):
        digest = db.session.scalar(select(Digest).filter_by(status=status))
        if digest is not None:
            return digest
    # Taken before the query: an article published while it runs is in this one or the next.
    chosen_at = utcnow()
    return Digest(
        subject=default_subject(),
        intro_md="",
        articles=db.session.scalars(candidates()).all(),
        chosen_at=chosen_at,
    )


def recipients(digest_id: int | None) -> Select:
    """(id, email) of confirmed subscribers who have no delivery of the round-up, by id."""
    delivered = exists().where(
        DigestDelivery.digest_id == digest_id, DigestDelivery.subscriber_id == Subscriber.id
    )
    return (
        select(Subscriber.id, Subscriber.email)
        .where(Subscriber.status == "confirmed", ~delivered)
        .order_by(Subscriber.id)
    )


def recipients_left(digest_id: int | None) -> int:
    return db.session.scalar(select(func.count()).select_from(recipients(digest_id).subquery()))
