"""Sending a round-up to every subscriber once, at a set rate, resumable after any stop.

A delivery row (digest, subscriber) is committed as soon as the mail server has taken that
subscriber's copy, one message at a time; a run that stops for any reason is resumed by running
it again, which sends only to subscribers without a row. docs/newsletter.md says what this
guarantees.
"""

import math
import time
from collections.abc import Callable

from sqlalchemy import insert

from rsflask import mail
from rsflask.db import db
from rsflask.models import Digest, DigestDelivery, Subscriber
from rsflask.newsletter.digest_email import digest_message, edition
from rsflask.newsletter.digest_lease import heartbeat_seconds, keep_lease
from rsflask.newsletter.digest_refusals import (
    FAILING_AFTER,
    Tally,
    give_up_on,
    send_one,
    settle,
)
from rsflask.newsletter.digests import recipients
from rsflask.newsletter.emails import unsubscribe_url


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
    next_send = time.monotonic()
    # The lease is checked before a copy goes, never only after: making the copy may have
    # outlasted it on a busy machine, and a run taken over must not send one more.
    heartbeat = -math.inf
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
                if time.monotonic() - heartbeat > heartbeat_seconds():
                    keep_lease(digest_id, owner)
                    heartbeat = time.monotonic()
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
                if refusal and not refusal.at_rcpt:
                    # A server that refused a message's data may have dropped the connection.
                    break
    return tally
