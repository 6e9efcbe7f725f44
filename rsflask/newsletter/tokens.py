"""Signed links in newsletter emails: confirm (expires) and unsubscribe (never expires).

A token names the subscriber's id and a short hash of the address, not the address itself, so
that the address does not end up in server logs; the hash still ties a token to one address
even if a deleted row's id were given to another. A confirm token also names the signup it was
made for, so that after unsubscribing and signing up again only the new link confirms.
"""

import hashlib
from datetime import datetime, timedelta

from flask import current_app
from itsdangerous import URLSafeSerializer, URLSafeTimedSerializer

from rsflask.db import db
from rsflask.models import Subscriber


class LinkSuperseded(Exception):
    """A confirm link made for an earlier signup of an address that has signed up again since."""


def _address_hash(email: str) -> str:
    return hashlib.sha256(email.encode()).hexdigest()[:16]


def _signup_mark(signed_up_at: datetime) -> int:
    """The signup time in microseconds: exact, as the database keeps it, unlike the seconds of
    itsdangerous' own timestamp, which could not tell two signups in one second apart."""
    return (signed_up_at - datetime(1970, 1, 1)) // timedelta(microseconds=1)


def _confirm_serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="newsletter-confirm")


def _unsubscribe_serializer() -> URLSafeSerializer:
    # Untimed: a one-click link in a two-year-old email must still work. It is also the same
    # link in every email, which keeps List-Unsubscribe stable for mailbox providers.
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt="newsletter-unsubscribe")


def confirm_token(subscriber: Subscriber) -> str:
    return _confirm_serializer().dumps(
        [subscriber.id, _address_hash(subscriber.email), _signup_mark(subscriber.signed_up_at)]
    )


def unsubscribe_token(subscriber_id: int, email: str) -> str:
    return _unsubscribe_serializer().dumps([subscriber_id, _address_hash(email)])


def confirming_subscriber(token: str) -> Subscriber | None:
    """The subscriber a confirm link names, or None if the row is gone.

    Raises itsdangerous' SignatureExpired when the link is too old, BadData when it was altered,
    LinkSuperseded when the address has signed up again since the link was made.
    """
    max_age = current_app.config["NEWSLETTER_CONFIRM_DAYS"] * 24 * 3600
    subscriber_id, address_hash, *signup = _confirm_serializer().loads(token, max_age=max_age)
    subscriber = _subscriber([subscriber_id, address_hash])
    if subscriber is not None and signup != [_signup_mark(subscriber.signed_up_at)]:
        raise LinkSuperseded
    return subscriber


def unsubscribing_subscriber(token: str) -> Subscriber | None:
    """The subscriber an unsubscribe link names, or None; raises BadData when it was altered."""
    return _subscriber(_unsubscribe_serializer().loads(token))


def _subscriber(payload) -> Subscriber | None:
    subscriber_id, address_hash = payload
    subscriber = db.session.get(Subscriber, subscriber_id)
    if subscriber is None or _address_hash(subscriber.email) != address_hash:
        return None
    return subscriber
