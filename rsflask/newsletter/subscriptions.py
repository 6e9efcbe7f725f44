"""A subscriber's record as readers change it: signing up (and its email), confirming,
unsubscribing. Where two requests at the same moment could both act, one UPDATE decides.

What a reader is told never depends on what was known about the address: every signup that is
not rate limited sends one email (a confirmation, or a note to an address already subscribed).
"""

from datetime import timedelta

from flask import current_app, request
from sqlalchemy import update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import aliased

from rsflask import limits
from rsflask.db import db, utcnow
from rsflask.mail import MAIL_ERRORS
from rsflask.models import Subscriber, SubscriberToken
from rsflask.models.newsletter import mailbox_of
from rsflask.newsletter import emails, tokens
from rsflask.pages import privacy_revision_id


def sign_up(email: str) -> bool:
    """Store the signup and email the address; True when the email could not go now."""
    subscriber = record_signup(email)
    if subscriber is None:
        # No email this time (one went to this mailbox lately). Telling this reader less than a
        # new address would be told now would show that the address is known.
        return signup_mail_failing()
    try:
        emails.send_signup_email(subscriber)
    except MAIL_ERRORS as error:
        # Stored all the same: `flask newsletter send-pending` sends it once mail works.
        current_app.logger.warning("Signup email to subscriber %s: %s", subscriber.id, error)
        return True
    return False


def record_signup(email: str) -> Subscriber | None:
    """Store the signup; the subscriber to email now, or None if its mailbox had one lately.

    Lately is per mailbox, not per address: name+1@ and name+2@ reach the same inbox, and must
    not each bring it an email. A new address whose mailbox had one lately is not stored at all.
    """
    now, address = utcnow(), limits.client_address()
    cutoff = now - timedelta(minutes=current_app.config["NEWSLETTER_RESEND_MINUTES"])
    # Another name for the table, so that in the UPDATE below this reads every row, not the
    # one being updated.
    other = aliased(Subscriber)
    emailed_lately = (
        db.select(other.id)
        .where(other.mailbox == mailbox_of(email), other.confirmation_tried_at >= cutoff)
        .exists()
    )
    subscriber = db.session.scalar(db.select(Subscriber).filter_by(email=email))
    if subscriber is None:
        if db.session.scalar(db.select(emailed_lately)):
            return None
        subscriber = Subscriber(
            email=email,
            signup_ip=address,
            signed_up_at=now,
            confirmation_tried_at=now,
            privacy_revision_id=privacy_revision_id(),
        )
        db.session.add(subscriber)
        try:
            db.session.commit()
            return subscriber
        except IntegrityError:
            # The same address signed up in another request at the same moment: that one emails.
            db.session.rollback()
            subscriber = db.session.scalar(db.select(Subscriber).filter_by(email=email))
    if subscriber.status == "unsubscribed":
        # A new signup, with a consent record of its own; the links of the earlier one stop
        # confirming.
        subscriber.status, subscriber.signed_up_at, subscriber.signup_ip = "pending", now, address
        subscriber.privacy_revision_id = privacy_revision_id()
        subscriber.confirmed_at, subscriber.confirm_ip, subscriber.confirm_user_agent = None, "", ""
        subscriber.confirmation_sent_at, subscriber.confirmation_tried_at = None, now
        tokens.revoke(subscriber.id, "confirm")
        db.session.commit()
        return subscriber
    # Pending or confirmed: one more email only if none went to this mailbox lately. One UPDATE
    # decides, so two signups at the same moment send one email between them.
    claimed = db.session.execute(
        update(Subscriber)
        .where(Subscriber.id == subscriber.id, ~emailed_lately)
        .values(confirmation_tried_at=now)
    ).rowcount
    db.session.commit()
    return subscriber if claimed else None


def signup_mail_failing() -> bool:
    """Whether the newest confirmation tried has not reached the mail server (yet)."""
    newest = db.session.execute(
        db.select(Subscriber.confirmation_tried_at, Subscriber.confirmation_sent_at)
        .where(Subscriber.status == "pending", Subscriber.confirmation_tried_at.is_not(None))
        .order_by(Subscriber.confirmation_tried_at.desc())
        .limit(1)
    ).first()
    if newest is None:
        return False
    tried_at, sent_at = newest
    return sent_at is None or sent_at < tried_at


def confirm(subscriber_id: int) -> None:
    """Confirm, recording when, from where and in which browser the button was pressed."""
    now = utcnow()
    # One UPDATE decides: of two presses at the same moment, one records the consent.
    db.session.execute(
        update(Subscriber)
        .where(Subscriber.id == subscriber_id, Subscriber.status == "pending")
        .values(
            status="confirmed",
            confirmed_at=now,
            confirm_ip=limits.client_address(),
            confirm_user_agent=(request.user_agent.string or "")[:500],
        )
    )
    # Every confirm link of this signup has done its job.
    db.session.execute(
        update(SubscriberToken)
        .where(
            SubscriberToken.subscriber_id == subscriber_id,
            SubscriberToken.purpose == "confirm",
            SubscriberToken.used_at.is_(None),
        )
        .values(used_at=now)
    )
    db.session.commit()


def unsubscribe(subscriber: Subscriber) -> None:
    """Unsubscribe, recording when and from where; unsubscribing twice changes nothing."""
    if subscriber.status != "unsubscribed":
        subscriber.status, subscriber.unsubscribed_at = "unsubscribed", utcnow()
        subscriber.unsubscribe_ip = limits.client_address()
        db.session.commit()
