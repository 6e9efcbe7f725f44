"""The emails a signup sends: a confirmation, or a note that the address is subscribed already."""

from datetime import timedelta
from email.message import EmailMessage

from flask import current_app
from sqlalchemy import Select

from rsflask import mail, site_settings
from rsflask.db import db, utcnow
from rsflask.models import Subscriber
from rsflask.newsletter import tokens


def unsubscribe_url(subscriber_id: int) -> str:
    """A new unsubscribe link, stored once the caller commits."""
    token = tokens.issue(subscriber_id, "unsubscribe")
    return mail.external_url("newsletter.unsubscribe", token=token)


def signup_message(subscriber: Subscriber) -> EmailMessage:
    """What a signup sends: pending addresses get a confirmation link; a confirmed one, a note.

    The note makes every signup send exactly one email, whatever was known about the address,
    so that the answer (even with the mail server down) gives nothing away.
    """
    site_name = site_settings.current()["name"]
    unsubscribe = unsubscribe_url(subscriber.id)
    if subscriber.status == "confirmed":
        subject = f"You are already subscribed to {site_name}"
        bodies = mail.render(
            "already_subscribed",
            subject=subject,
            email=subscriber.email,
            archive_url=mail.external_url("newsletter.archive"),
            unsubscribe_url=unsubscribe,
        )
    else:
        subject = f"Please confirm your subscription to {site_name}"
        bodies = mail.render(
            "confirm",
            subject=subject,
            email=subscriber.email,
            confirm_url=mail.external_url(
                "newsletter.confirm", token=tokens.issue(subscriber.id, "confirm")
            ),
            days=current_app.config["NEWSLETTER_CONFIRM_DAYS"],
            unsubscribe_url=unsubscribe,
        )
    return mail.make_message(subscriber.email, subject, bodies, unsubscribe)


def send_signup_email(subscriber: Subscriber, smtp=None) -> None:
    """Send it, over `smtp` or a connection of its own; raises one of mail.MAIL_ERRORS."""
    message = signup_message(subscriber)
    # Its links are stored before it goes: once sent, an email's links must work.
    db.session.commit()
    if smtp is None:
        mail.send(message)
    else:
        smtp.send_message(message)
    if subscriber.status == "pending":
        subscriber.confirmation_sent_at = utcnow()
        db.session.commit()


def owed_confirmations() -> Select[tuple[Subscriber]]:
    """Pending signups whose confirmation never reached the mail server, oldest first.

    Only signups younger than a confirmation link's lifetime: an older one was probably given
    up on, and the reader can sign up again. Imported rows are never sent anything unasked.
    """
    since = utcnow() - timedelta(days=current_app.config["NEWSLETTER_CONFIRM_DAYS"])
    return (
        db.select(Subscriber)
        .where(
            Subscriber.status == "pending",
            Subscriber.confirmation_sent_at.is_(None),
            Subscriber.imported_at.is_(None),
            Subscriber.signed_up_at >= since,
        )
        .order_by(Subscriber.id)
    )
