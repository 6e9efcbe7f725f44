"""Newsletter commands: confirmations owed after a mail outage, revoking a subscriber's links,
and the weekly round-up."""

import signal
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup

from rsflask import mail
from rsflask.db import db
from rsflask.models import Subscriber
from rsflask.newsletter import (
    digest_delivery,
    digest_email,
    digest_lease,
    digest_refusals,
    digests,
    emails,
    tokens,
)

newsletter_group = AppGroup("newsletter", help="Newsletter subscribers.")
digest_group = AppGroup("digest", help="The weekly round-up.")


@newsletter_group.command("send-pending")
def send_pending_command() -> None:
    """Send the confirmations that could not be sent at signup (run it from a timer)."""
    owed = db.session.scalars(emails.owed_confirmations()).all()
    if not owed:
        return
    sent = 0
    try:
        with mail.connection() as smtp:
            for subscriber in owed:
                emails.send_signup_email(subscriber, smtp)
                sent += 1
    except mail.MAIL_ERRORS as error:
        raise click.ClickException(
            f"{sent} of {len(owed)} confirmations sent; the mail server failed: {error}"
        ) from error
    click.echo(f"{sent} confirmation{'s' if sent != 1 else ''} sent.")


@newsletter_group.command("revoke-links")
@click.argument("email")
def revoke_links_command(email: str) -> None:
    """Make every link emailed to an address so far stop working (say, a forwarded email)."""
    subscriber = db.session.scalar(db.select(Subscriber).filter_by(email=email.strip().lower()))
    if subscriber is None:
        raise click.ClickException(f"No subscriber has the address {email!r}.")
    count = tokens.revoke(subscriber.id)
    db.session.commit()
    click.echo(
        f"{count} link{'s' if count != 1 else ''} revoked. Emails sent from now on carry new"
        " ones; to unsubscribe the address, use the editor's subscriber list."
    )


def describe(digest, left: int) -> str:
    count = len(digests.visible(digest.articles))
    state = "being sent, cut short" if digest.status == "sending" else digest.status
    state = "new" if digest.id is None else state
    lines = [
        f"Subject: {digest.subject}",
        f"Round-up: {state}, {count} article{'s' if count != 1 else ''}, "
        f"{left} subscriber{'s' if left != 1 else ''} still to receive it",
    ]
    newer = digests.published_since_saved(digest) if digest.status == "draft" else 0
    if newer:
        lines.append(
            f"{newer} article{'s were' if newer != 1 else ' was'} published since the draft was"
            " saved: not in this round-up, in the next one (or add them in the editor)."
        )
    return "\n".join(lines)


@digest_group.command("preview")
@click.option(
    "--output",
    "-o",
    type=click.Path(dir_okay=False, writable=True, path_type=Path),
    help="Write the HTML email to this file instead of printing the text one.",
)
def preview_command(output: Path | None) -> None:
    """Show the next round-up as a subscriber would get it."""
    digest = digests.next_digest()
    click.echo(describe(digest, digests.recipients_left(digest.id)))
    if not digests.visible(digest.articles):
        click.echo("No articles published since the last round-up: `digest send` sends nothing.")
        return
    # A link of the site's that unsubscribes no one: a real one would be a working link.
    url = mail.external_url("newsletter.unsubscribe", token="example")  # noqa: S106
    copy = digest_email.edition(digest)
    message = digest_email.digest_message(copy, digest.id, 0, "subscriber@example.org", url)
    text, html = digest_email.message_parts(message)
    if output:
        output.write_text(html, encoding="utf-8")
        click.echo(f"HTML email written to {output}")
    else:
        click.echo("\n" + text)


@contextmanager
def stop_on_signals() -> Iterator[Callable[[], bool]]:
    """Ctrl-C (or systemd's SIGTERM) stops the send after the message in flight is recorded, so
    that stopping never leaves a message sent but unrecorded. A second Ctrl-C stops at once."""
    requested = threading.Event()

    def handle(signum, frame):
        if requested.is_set():
            raise KeyboardInterrupt
        requested.set()
        click.echo("\nStopping after the message in flight (Ctrl-C again to stop at once)...")

    previous = {}
    # Signal handlers can only be set from the main thread.
    if threading.current_thread() is threading.main_thread():
        for signum in (signal.SIGINT, signal.SIGTERM):
            previous[signum] = signal.signal(signum, handle)
    try:
        yield requested.is_set
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)


@digest_group.command("send")
@click.option("--dry-run", is_flag=True, help="Make every message but send and record nothing.")
@click.option(
    "--rate",
    type=click.FloatRange(min=0),
    help="Messages per second, 0 for no limit. [default: the DIGEST_RATE setting]",
)
@click.option(
    "--batch-size",
    type=click.IntRange(min=1),
    help="Messages per SMTP connection. [default: the DIGEST_BATCH_SIZE setting]",
)
def send_command(dry_run: bool, rate: float | None, batch_size: int | None) -> None:
    """Send the next round-up to every confirmed subscriber who has not had it yet."""
    config = current_app.config
    rate = config["DIGEST_RATE"] if rate is None else rate
    batch_size = batch_size or config["DIGEST_BATCH_SIZE"]
    digest = digests.next_digest()
    left = digests.recipients_left(digest.id)
    click.echo(describe(digest, left))
    if digest.status != "sending" and not digests.visible(digest.articles):
        click.echo("No articles published since the last round-up: nothing to send.")
        return
    if dry_run:
        dry_run_messages(digest)
        return
    try:
        owner = digest_lease.start_sending(digest)
    except digest_lease.DigestBusy as error:
        raise click.ClickException(str(error)) from error
    digest_id = digest.id
    max_attempts = config["DIGEST_MAX_ATTEMPTS"]
    try:
        with (
            stop_on_signals() as stopping,
            click.progressbar(length=left, label="Sending", show_pos=True) as bar,
        ):
            tally = digest_delivery.deliver(
                digest, owner, rate, batch_size, max_attempts, stopping, bar.update
            )
    except (digest_lease.DigestBusy, digest_refusals.ServerFailing, *mail.MAIL_ERRORS) as error:
        raise click.ClickException(
            f"Stopped: {error}\nRun `flask digest send` again to send to the others."
        ) from error
    finally:
        digest_lease.release(digest_id, owner)
    click.echo(f"{tally.sent} sent, {tally.refused} refused by the mail server for good.")
    if tally.deferred:
        click.echo(
            f"{tally.deferred} put off by the mail server: run this again later (after"
            f" {max_attempts} runs an address still put off counts as refused)."
        )
    if digest_lease.finish_if_done(digest_id):
        click.echo("The round-up has reached every subscriber.")
    elif stopping():
        click.echo("Stopped. Run `flask digest send` again to send to the others.")


def dry_run_messages(digest) -> None:
    """Make each subscriber's message, as a real send would, and send none of them."""
    copy = digest_email.edition(digest)
    rows = db.session.execute(digests.recipients(digest.id)).all()
    with click.progressbar(rows, label="Dry run") as bar:
        for subscriber_id, email in bar:
            url = emails.unsubscribe_url(subscriber_id)
            digest_email.digest_message(copy, digest.id, subscriber_id, email, url)
    db.session.rollback()
    click.echo(f"Dry run: {len(rows)} messages made, none sent, nothing recorded.")
