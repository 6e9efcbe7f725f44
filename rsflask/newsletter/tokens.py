"""The links in newsletter emails: a random token each, stored only as its sha256, and what a
link may do when it is followed.

A token says nothing about the subscriber (no id, no address, nothing to guess from), and the
database holds no working link. Confirm links expire after NEWSLETTER_CONFIRM_DAYS and work
once; unsubscribe links never expire, and every email gets one of its own, so that a link in a
years-old round-up still works and any of a subscriber's links can be revoked.
"""

import hashlib
import secrets
from datetime import timedelta

from flask import current_app
from itsdangerous import BadData, URLSafeSerializer
from sqlalchemy import insert, update

from rsflask.db import db, utcnow
from rsflask.models import Subscriber, SubscriberToken


def digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def issue(subscriber_id: int, purpose: str) -> str:
    """A new token for the subscriber, added to the session: stored once the caller commits."""
    token, now = secrets.token_urlsafe(32), utcnow()
    expires_at = None
    if purpose == "confirm":
        expires_at = now + timedelta(days=current_app.config["NEWSLETTER_CONFIRM_DAYS"])
    db.session.execute(
        insert(SubscriberToken).values(
            subscriber_id=subscriber_id,
            purpose=purpose,
            token_hash=digest(token),
            created_at=now,
            expires_at=expires_at,
        )
    )
    return token


def find(token: str, purpose: str) -> SubscriberToken | None:
    """The stored token, whatever its state (expired, used, revoked), or None."""
    return db.session.scalar(
        db.select(SubscriberToken).filter_by(token_hash=digest(token), purpose=purpose)
    )


def revoke(subscriber_id: int, purpose: str | None = None) -> int:
    """Make the subscriber's links (of one purpose, or all) stop working; how many did."""
    query = update(SubscriberToken).where(
        SubscriberToken.subscriber_id == subscriber_id, SubscriberToken.revoked_at.is_(None)
    )
    if purpose:
        query = query.where(SubscriberToken.purpose == purpose)
    return db.session.execute(query.values(revoked_at=utcnow())).rowcount


def legacy_unsubscribing_subscriber(token: str) -> Subscriber | None:
    """The subscriber an unsubscribe link of the old signed format names, or None.

    Emails sent before links became random tokens carry links signed with SECRET_KEY, naming
    the subscriber's id and a short hash of the address. They still unsubscribe, so that no
    round-up already sent loses its working link, until NEWSLETTER_LEGACY_UNSUBSCRIBE_LINKS is
    turned off. Raises BadData when the link was altered (or the setting is off).
    """
    if not current_app.config["NEWSLETTER_LEGACY_UNSUBSCRIBE_LINKS"]:
        raise BadData("old unsubscribe links are no longer accepted")
    serializer = URLSafeSerializer(current_app.config["SECRET_KEY"], salt="newsletter-unsubscribe")
    subscriber_id, address_hash = serializer.loads(token)
    subscriber = db.session.get(Subscriber, subscriber_id)
    if subscriber is None:
        return None
    if hashlib.sha256(subscriber.email.encode()).hexdigest()[:16] != address_hash:
        return None
    return subscriber


def confirm_link(token: str) -> tuple[SubscriberToken | None, str, int]:
    """The stored confirm link, and what its page says when it cannot confirm (with the status):
    an empty outcome means it can."""
    stored = find(token, "confirm")
    if stored is None:
        if "." in token:
            # The signed format of links emailed before they became random tokens.
            return None, "outdated", 410
        return None, "invalid", 400
    subscriber = stored.subscriber
    if stored.revoked_at is not None:
        # Unsubscribed and signed up again since: only the newest email's link may confirm.
        return stored, "superseded", 410
    if subscriber.status == "confirmed":
        return stored, "already", 200
    if subscriber.status == "unsubscribed":
        # The reader unsubscribed after this link was sent: only a new signup may undo that.
        return stored, "unsubscribed", 410
    if stored.expires_at < utcnow():
        return stored, "expired", 410
    return stored, "", 200


def unsubscribing_subscriber(token: str) -> Subscriber | None:
    """The subscriber an unsubscribe link is for; None for an old-format link that names an
    address no longer on the list. Raises BadData for a link that is not (or no longer) ours."""
    stored = find(token, "unsubscribe")
    if stored is not None and stored.revoked_at is None:
        return stored.subscriber
    if stored is None and "." in token:
        return legacy_unsubscribing_subscriber(token)
    raise BadData("not a working unsubscribe link")
