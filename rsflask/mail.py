"""Email over SMTP with the standard library: settings in Flask-Mail's names, bodies from templates.

Every email is multipart/alternative, plain text and HTML, rendered from templates/email/NAME.txt
and NAME.html (autoescaped). Flask-Mail would add a dependency for what smtplib and
email.message already do; what it adds on top (attachments, signals) the site does not need.
"""

import email.policy
import json
import os
import smtplib
import ssl
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from email.message import EmailMessage
from email.utils import format_datetime, formataddr, make_msgid, parseaddr
from urllib.parse import urlsplit

from flask import Flask, current_app, render_template

# What a send can fail with: the server's refusals and every network error (refused, timed out,
# name not found, TLS failures).
MAIL_ERRORS = (smtplib.SMTPException, OSError)
# Bodies are encoded for 7-bit transport (quoted-printable or base64), so that no relay on the
# way needs to support 8BITMIME.
POLICY = email.policy.default.clone(cte_type="7bit")
# Settings that are text whatever they look like. RSFLASK_* values are read as JSON, which would
# make a password of digits a number (and smtplib's login fail) and "null" or "true" no text.
TEXT_SETTINGS = ("MAIL_SERVER", "MAIL_USERNAME", "MAIL_PASSWORD", "MAIL_TLS_CA")
TRUE, FALSE = ("true", "1", "yes", "on"), ("false", "0", "no", "off", "")


def init_app(app: Flask) -> None:
    """Give the MAIL_* settings their types, whatever wrote them: a bad value fails at startup,
    not in the middle of a signup."""
    config = app.config
    # Links and images in email templates, on SITE_URL whatever request is being answered.
    app.add_template_global(external_url, "email_url")
    for name in TEXT_SETTINGS:
        written = os.environ.get(f"RSFLASK_{name}")
        # The text as written where the environment's value is the one in force (a later
        # source, such as a test's settings, may have replaced it).
        if written is not None and config[name] == _as_json(written):
            config[name] = written
    for name in ("MAIL_USE_TLS", "MAIL_USE_SSL"):
        config[name] = _boolean(name, config[name])
    for name, kind in (("MAIL_PORT", int), ("MAIL_TIMEOUT", float)):
        try:
            config[name] = kind(config[name])
        except (TypeError, ValueError):
            raise ValueError(f"{name} must be a number, not {config[name]!r}") from None
    for name in TEXT_SETTINGS:
        if config[name] is not None:
            config[name] = str(config[name])


def _as_json(text: str):
    """What Config.from_prefixed_env made of an environment value."""
    try:
        return json.loads(text)
    except ValueError:
        return text


def _boolean(name: str, value) -> bool:
    if isinstance(value, bool):
        return value
    if str(value).strip().lower() in TRUE:
        return True
    if value is None or str(value).strip().lower() in FALSE:
        return False
    raise ValueError(f"{name} must be true or false, not {value!r}")


def sender() -> str:
    """MAIL_DEFAULT_SENDER, which Flask-Mail also accepts as a (name, address) pair."""
    value = current_app.config["MAIL_DEFAULT_SENDER"]
    return formataddr(tuple(value)) if isinstance(value, list | tuple) else value


def sender_domain() -> str:
    return parseaddr(sender())[1].rpartition("@")[2] or "localhost"


def external_url(endpoint: str, **values) -> str:
    """An absolute link for an email, always on SITE_URL.

    Never on the Host a request named: a client chooses that header, and a confirmation link
    pointing to a host of the client's choosing would hand it the token.
    """
    parts = urlsplit(current_app.config["SITE_URL"])
    adapter = current_app.url_map.bind(
        parts.netloc, script_name=parts.path or "/", url_scheme=parts.scheme or "https"
    )
    return adapter.build(endpoint, values, force_external=True)


def unsubscribe_mailto() -> str:
    setting = current_app.config["NEWSLETTER_UNSUBSCRIBE_MAILTO"]
    address = parseaddr(sender())[1] if setting is None else setting
    return f"mailto:{address}?subject=unsubscribe" if address else ""


def render(template: str, **context) -> tuple[str, str]:
    """The plain-text and HTML bodies of templates/email/TEMPLATE.txt and .html."""
    return (
        render_template(f"email/{template}.txt", **context),
        render_template(f"email/{template}.html", **context),
    )


def make_message(
    to: str,
    subject: str,
    bodies: tuple[str, str],
    unsubscribe_url: str | None,
    message_id: str | None = None,
) -> EmailMessage:
    """A multipart (text and HTML) email to one person, with RFC 8058 one-click unsubscribe
    when it has an unsubscribe link (a newsletter's; an editor's account email has none)."""
    message = EmailMessage(policy=POLICY)
    message["Subject"] = " ".join(subject.split())
    message["From"] = sender()
    message["To"] = to
    message["Date"] = format_datetime(datetime.now(UTC))
    # Always with a domain: without one, make_msgid asks DNS for this machine's name, each time.
    message["Message-ID"] = message_id or make_msgid(domain=sender_domain())
    if unsubscribe_url:
        mailto = unsubscribe_mailto()
        message["List-Unsubscribe"] = f"<{unsubscribe_url}>" + (f", <{mailto}>" if mailto else "")
        message["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    text, html = bodies
    message.set_content(text)
    message.add_alternative(html, subtype="html")
    # Headers are written unfolded up to RFC 5322's limit of 998 characters: folded at 78, the
    # long List-Unsubscribe link would be turned into RFC 2047 encoded words, which mailbox
    # providers do not read as a link. The bodies were encoded above, at 76 characters a line.
    message.policy = POLICY.clone(max_line_length=998)
    return message


@contextmanager
def connection() -> Iterator[smtplib.SMTP]:
    """An SMTP connection set up as the MAIL_* settings say, closed (politely if possible) after."""
    config = current_app.config
    host, port, timeout = config["MAIL_SERVER"], config["MAIL_PORT"], config["MAIL_TIMEOUT"]
    if config["MAIL_USE_SSL"]:
        smtp = smtplib.SMTP_SSL(host, port, timeout=timeout, context=tls_context())
    else:
        smtp = smtplib.SMTP(host, port, timeout=timeout)
    try:
        if config["MAIL_USE_TLS"] and not config["MAIL_USE_SSL"]:
            smtp.starttls(context=tls_context())
        if config["MAIL_USERNAME"]:
            smtp.login(config["MAIL_USERNAME"], config["MAIL_PASSWORD"] or "")
        yield smtp
    finally:
        try:
            smtp.quit()
        except MAIL_ERRORS:
            smtp.close()


def tls_context() -> ssl.SSLContext:
    """Certificate and host name checked, against MAIL_TLS_CA's authorities if set."""
    return ssl.create_default_context(cafile=current_app.config["MAIL_TLS_CA"])


def send(message: EmailMessage) -> None:
    """Hand one message to the mail server; raises one of MAIL_ERRORS if it does not take it."""
    with connection() as smtp:
        smtp.send_message(message)
