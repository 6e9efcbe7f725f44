"""The copies of a round-up the mail server did not take, and what is recorded for them.

A copy the server does not take is judged by what comes after it: once the server takes a later
message, a refusal for good (5xx) is recorded as such and a "try later" (4xx) counts as one
attempt, DIGEST_MAX_ATTEMPTS of which count as refused. Several refusals in a row are taken for
the server failing instead, and stop the run without holding them against the addresses.
"""

import smtplib
from dataclasses import dataclass
from email.message import EmailMessage

from sqlalchemy import insert

from rsflask.db import db, utcnow
from rsflask.models import DigestDelivery
from rsflask.models.newsletter import DigestAttempt

# Refusals in a row that mean the mail server (or this site's standing with it) is failing, not
# the addresses: a relay refusing everyone must not mark the whole list as refused.
FAILING_AFTER = 5


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
    """What a run did with its copies: sent, refused for good, put off to a later run."""

    sent: int = 0
    refused: int = 0
    deferred: int = 0


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
