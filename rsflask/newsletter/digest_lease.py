"""One `digest send` at a time: a run takes the round-up, shows it is alive while it sends, lets
it go when it stops, and marks it sent once every subscriber has had it.

A run that dies holds the round-up until its lease runs out; the next run then takes it over.
"""

import os
import socket
from datetime import timedelta

from flask import current_app
from sqlalchemy import or_, update
from sqlalchemy.exc import IntegrityError

from rsflask.db import db, utcnow
from rsflask.models import Digest
from rsflask.newsletter.digests import recipients_left, visible


def lease() -> timedelta:
    """How long a sender that has not shown it is alive keeps the round-up (it is taken to have
    died after that)."""
    return timedelta(seconds=current_app.config["DIGEST_LEASE_SECONDS"])


def heartbeat_seconds() -> float:
    """How often a live sender shows it: often enough that a slow commit never loses the lease."""
    return lease().total_seconds() / 6


class DigestBusy(Exception):
    """Another `digest send` is sending this round-up, or another one, right now."""


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
            or_(Digest.sending_by == "", Digest.heartbeat_at < now - lease()),
        )
        .values(sending_by=owner, heartbeat_at=now)
    ).rowcount
    if not claimed:
        db.session.rollback()
        raise DigestBusy(
            "Another `digest send` is sending this round-up. If it was killed, run this again"
            f" in {waiting_time()}."
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


def finish_if_done(digest_id: int) -> bool:
    """Mark the round-up sent once every confirmed subscriber has had it (or was refused)."""
    if recipients_left(digest_id):
        return False
    db.session.execute(
        update(Digest).where(Digest.id == digest_id).values(status="sent", sent_at=utcnow())
    )
    db.session.commit()
    return True


def waiting_time() -> str:
    seconds = int(lease().total_seconds())
    if seconds % 60:
        return f"{seconds} seconds"
    return f"{seconds // 60} minute{'s' if seconds != 60 else ''}"
