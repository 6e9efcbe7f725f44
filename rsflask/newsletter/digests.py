"""The weekly round-up: what it covers, its email, and sending it once to every subscriber.

A delivery row (digest, subscriber) is committed as soon as the mail server has taken that
subscriber's copy, one message at a time; a run that stops for any reason is resumed by running
it again, which sends only to subscribers without a row. docs/newsletter.md says what this
guarantees.

A copy the server does not take is judged by what comes after it: once the server takes a later
message, a refusal for good (5xx) is recorded as such and a "try later" (4xx) counts as one
attempt, DIGEST_MAX_ATTEMPTS of which count as refused. Several refusals in a row are taken for
the server failing instead, and stop the run without holding them against the addresses.
"""

import os
import smtplib
import socket
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from email.message import EmailMessage

from flask import current_app
from sqlalchemy import Select, exists, func, insert, or_, select, update
from sqlalchemy.exc import IntegrityError

from rsflask import mail
from rsflask.db import db, utcnow
from rsflask.models import Article, Digest, DigestDelivery, Subscriber, published
from rsflask.models.newsletter import DigestAttempt, digest_articles
from rsflask.newsletter.emails import unsubscribe_url
from rsflask.templating import format_date

# The first round-up covers the week before it; each later one, what came after the last.
FIRST_PERIOD = timedelta(days=7)
# A sender that has not shown it is alive for this long is taken to have died.
LEASE = timedelta(minutes=2)
HEARTBEAT = timedelta(seconds=20)
# Refusals in a row that mean the mail server (or this site's standing with it) is failing, not
# the addresses: a relay refusing everyone must not mark the whole list as refused.
FAILING_AFTER = 5


class DigestBusy(Exception):
    """Another `digest send` is sending this round-up, or another one, right now."""


class ServerFailing(Exception):
    """The mail server refused FAILING_AFTER messages in a row."""


@dataclass
class Refusal:
    """A copy the mail server did not take, with its answer."""

    subscriber_id: int
    code: int
    answer: str
    # Given before any data was sent: the connection can take the next message.
    at_rcpt: bool


@dataclass
class Tally:
    sent: int = 0
    refused: int = 0
    deferred: int = 0


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
    return f"{current_app.config['SITE_NAME']}: the week's round-up, {format_date(utcnow())}"


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


@dataclass
class Edition:
    """A round-up's email, rendered once: each subscriber's copy differs only in its links."""

    subject: str
    text: str
    html: str


# Stands for each subscriber's own unsubscribe link in the edition. Neither it nor a real link
# (letters, digits, "/:._-") has anything that HTML escaping would change.
UNSUBSCRIBE_PLACEHOLDER = "https://unsubscribe.invalid/placeholder"


def edition(digest: Digest) -> Edition:
    articles = [
        {
            "title": article.title,
            "dek": article.dek,
            "section": article.section.name,
            "authors": ", ".join(author.name for author in article.authors),
            "minutes": article.reading_minutes,
            "url": mail.external_url("reader.article", slug=article.slug),
        }
        for article in visible(digest.articles)
    ]
    text, html = mail.render(
        "digest",
        subject=digest.subject,
        intro_md=digest.intro_md,
        intro_html=digest.intro_html,
        articles=articles,
        archive_url=mail.external_url("newsletter.archive"),
        unsubscribe_url=UNSUBSCRIBE_PLACEHOLDER,
    )
    return Edition(digest.subject, text, html)


def digest_message(
    edition: Edition, digest_id: int | None, subscriber_id: int, email: str, url: str
):
    """One subscriber's copy, with `url` to unsubscribe. Its Message-ID is the same each time it
    is made, so that if a crash ever made it go out twice, mail systems that de-duplicate by
    Message-ID show it once."""
    domain = mail.sender_domain()
    message_id = f"<digest-{digest_id}.{subscriber_id}@{domain}>" if digest_id else None
    bodies = (
        edition.text.replace(UNSUBSCRIBE_PLACEHOLDER, url),
        edition.html.replace(UNSUBSCRIBE_PLACEHOLDER, url),
    )
    return mail.make_message(email, edition.subject, bodies, url, message_id)


def message_parts(message: EmailMessage) -> tuple[str, str]:
    """The text and HTML bodies of a message."""
    return (
        message.get_body(("plain",)).get_content(),
        message.get_body(("html",)).get_content(),
    )


def start_sending(digest: Digest) -> str:
    """Mark the round-up as being sent by this process and return its name; DigestBusy if a live
    `digest send` holds it. A draft or new round-up keeps from now on the articles it covers."""
    owner, now = f"{socket.gethostname()}:{os.getpid()}", utcnow()
    if digest.status != "sending":
        digest.articles = visible(digest.articles)
        digest.status, digest.started_at = "sending", now
        db.session.add(digest)
        try:
            db.session.flush()
        except IntegrityError as error:
            db.session.rollback()
            raise DigestBusy("Another round-up is being sent; wait until it is done.") from error
    claimed = db.session.execute(
        update(Digest)
        .where(
            Digest.id == digest.id,
            Digest.status == "sending",
            or_(Digest.sending_by == "", Digest.heartbeat_at < now - LEASE),
        )
        .values(sending_by=owner, heartbeat_at=now)
    ).rowcount
    if not claimed:
        db.session.rollback()
        raise DigestBusy(
            "Another `digest send` is sending this round-up. If it was killed, run this again"
            f" in {LEASE.seconds // 60} minutes."
        )
    db.session.commit()
    return owner


def release(digest_id: int, owner: str) -> None:
    """Let the next run take the round-up at once rather than after the lease runs out."""
    db.session.rollback()
    db.session.execute(
        update(Digest)
        .where(Digest.id == digest_id, Digest.sending_by == owner)
        .values(sending_by="")
    )
    db.session.commit()


def finish_if_done(digest_id: int) -> bool:
    """Mark the round-up sent once every confirmed subscriber has had it (or was refused)."""
    if recipients_left(digest_id):
        return False
    db.session.execute(
        update(Digest).where(Digest.id == digest_id).values(status="sent", sent_at=utcnow())
    )
    db.session.commit()
    return True


def deliver(
    digest: Digest,
    owner: str,
    rate: float,
    batch_size: int,
    max_attempts: int,
    stopping: Callable[[], bool],
    progress: Callable[[int], None],
) -> Tally:
    """Send the round-up to every confirmed subscriber without a delivery of it, in id order,
    `batch_size` messages per SMTP connection, at most `rate` per second (0: no limit).

    Returns when all were tried or `stopping()` says so. Raises one of mail.MAIL_ERRORS when the
    mail server fails (nothing is recorded for the message it did not take), ServerFailing when
    it refused FAILING_AFTER in a row, DigestBusy when another run took the round-up over.
    """
    copy, digest_id = edition(digest), digest.id
    tally, after, doubtful = Tally(), 0, []
    interval = 1 / rate if rate else 0
    next_send = heartbeat = time.monotonic()
    while not stopping():
        # (id, email) pairs, not ORM objects: each commit below would expire objects, and
        # reading them again would cost a query per message.
        batch = db.session.execute(
            recipients(digest_id).where(Subscriber.id > after).limit(batch_size)
        ).all()
        if not batch:
            # Nothing came after these refusals to say the server is failing: they stand.
            settle(digest_id, doubtful, max_attempts, tally)
            db.session.commit()
            break
        # Each copy's unsubscribe link is stored before the copy goes, one commit a batch.
        links = {subscriber_id: unsubscribe_url(subscriber_id) for subscriber_id, _ in batch}
        db.session.commit()
        with mail.connection() as smtp:
            for subscriber_id, email in batch:
                if stopping():
                    break
                if interval:
                    time.sleep(max(0, next_send - time.monotonic()))
                    next_send = max(next_send, time.monotonic()) + interval
                message = digest_message(
                    copy, digest_id, subscriber_id, email, links[subscriber_id]
                )
                after = subscriber_id
                refusal = send_one(smtp, subscriber_id, message)
                progress(1)
                if refusal is None:
                    db.session.execute(
                        insert(DigestDelivery).values(
                            digest_id=digest_id, subscriber_id=subscriber_id
                        )
                    )
                    tally.sent += 1
                    # The server works: the refusals before this one were about those addresses.
                    settle(digest_id, doubtful, max_attempts, tally)
                    db.session.commit()
                else:
                    doubtful.append(refusal)
                    if len(doubtful) >= FAILING_AFTER:
                        give_up_on(digest_id, doubtful, max_attempts, tally)
                if time.monotonic() - heartbeat > HEARTBEAT.total_seconds():
                    keep_lease(digest_id, owner)
                    heartbeat = time.monotonic()
                if refusal and not refusal.at_rcpt:
                    # A server that refused a message's data may have dropped the connection.
                    break
    return tally


def send_one(smtp: smtplib.SMTP, subscriber_id: int, message: EmailMessage) -> Refusal | None:
    """None when the server took the message, else the refusal of this one message. Raises one
    of mail.MAIL_ERRORS when the server fails as a whole (421, or the connection is lost)."""
    try:
        smtp.send_message(message)
        return None
    except smtplib.SMTPRecipientsRefused as error:
        [(code, answer)] = error.recipients.values()
        if code == 421:
            raise
        at_rcpt = True
    except (smtplib.SMTPSenderRefused, smtplib.SMTPDataError) as error:
        if error.smtp_code == 421:
            raise
        code, answer, at_rcpt = error.smtp_code, error.smtp_error, False
    except smtplib.SMTPNotSupportedError:
        # Found before anything was sent: an address only SMTPUTF8 can carry.
        code, at_rcpt = 553, True
        answer = b"The mail server does not take international (SMTPUTF8) addresses."
    text = f"{code} {answer.decode(errors='replace')}"[:500]
    return Refusal(subscriber_id, code, text, at_rcpt)


def settle(digest_id: int, refusals: list[Refusal], max_attempts: int, tally: Tally) -> None:
    """Record refusals known to be about their addresses: 5xx for good, 4xx as one attempt."""
    for refusal in refusals:
        if refusal.code >= 500:
            refuse(digest_id, refusal.subscriber_id, refusal.answer)
            tally.refused += 1
        elif count_attempt(digest_id, refusal, max_attempts):
            tally.refused += 1
        else:
            tally.deferred += 1
    refusals.clear()


def give_up_on(digest_id: int, refusals: list[Refusal], max_attempts: int, tally: Tally) -> None:
    """FAILING_AFTER refusals in a row: the server is failing, and each counts as an attempt
    only. Raises ServerFailing, unless every one of them has now had its last attempt: then the
    run goes on, so that a run of addresses refused for good cannot block the round-up."""
    last = [count_attempt(digest_id, refusal, max_attempts) for refusal in refusals]
    db.session.commit()
    if not all(last):
        answer = refusals[-1].answer
        refusals.clear()
        raise ServerFailing(
            f"The mail server refused {len(last)} messages in a row, the last with: {answer}"
        )
    tally.refused += len(last)
    refusals.clear()


def count_attempt(digest_id: int, refusal: Refusal, max_attempts: int) -> bool:
    """Count one more run in which the server did not take this copy; True if that was the last
    allowed, and the copy is now recorded as refused with the server's last answer."""
    attempt = db.session.get(DigestAttempt, (digest_id, refusal.subscriber_id))
    if attempt is None:
        attempt = DigestAttempt(
            digest_id=digest_id, subscriber_id=refusal.subscriber_id, attempts=0
        )
        db.session.add(attempt)
    attempt.attempts += 1
    attempt.answer, attempt.tried_at = refusal.answer, utcnow()
    if attempt.attempts < max_attempts:
        return False
    runs = f"{attempt.attempts} run{'s' if attempt.attempts != 1 else ''}"
    refuse(digest_id, refusal.subscriber_id, f"Not taken in {runs}; last answer: {refusal.answer}")
    return True


def refuse(digest_id: int, subscriber_id: int, answer: str) -> None:
    db.session.execute(
        insert(DigestDelivery).values(
            digest_id=digest_id, subscriber_id=subscriber_id, refusal=answer[:500]
        )
    )


def keep_lease(digest_id: int, owner: str) -> None:
    """Show this run is alive; DigestBusy if another took over while it was stalled."""
    kept = db.session.execute(
        update(Digest)
        .where(Digest.id == digest_id, Digest.sending_by == owner)
        .values(heartbeat_at=utcnow())
    ).rowcount
    if not kept:
        db.session.rollback()
        raise DigestBusy("Another `digest send` took this round-up over; this one stops.")
    db.session.commit()
