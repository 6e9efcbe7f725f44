"""A round-up's email: rendered once, then each subscriber's copy with its own links."""

from dataclasses import dataclass
from email.message import EmailMessage

from rsflask import mail
from rsflask.models import Digest
from rsflask.newsletter.digests import visible
from rsflask.newsletter.email_photos import email_html, email_text


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
        intro_text=email_text(digest.intro_md, digest.inline_photos),
        intro_html=email_html(digest.intro_html, digest.inline_photos),
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
