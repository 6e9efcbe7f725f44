"""The email that tells an account's owner that someone is guessing its password."""

from datetime import UTC, datetime

from flask import Response, current_app

from rsflask import mail, site_settings
from rsflask.models import User
from rsflask.templating import local_time


def send_after(response: Response, user: User, failures: int, addresses: int, since: int) -> None:
    """Email `user` once `response` has gone out.

    Only accounts that exist get this email; sent during the request, the wait for the mail
    server would make the answer slower for them than for unknown addresses, and so tell them
    apart.
    """
    site = site_settings.current()["name"]
    subject = f"Someone is trying to sign in to your {site} account"
    started = datetime.fromtimestamp(since, UTC).replace(tzinfo=None)
    bodies = mail.render(
        "sign_in_alert",
        subject=subject,
        name=user.name or user.email,
        email=user.email,
        failures=failures,
        addresses=addresses,
        since=f"{local_time(started):%H:%M on %d %B %Y (%Z)}",
        limit=current_app.config["SIGNIN_FAILURES_PER_ACCOUNT"],
        account_url=mail.external_url("editor.change_password"),
        unsubscribe_url=None,
    )
    message = mail.make_message(user.email, subject, bodies, None)
    app = current_app._get_current_object()

    def send() -> None:
        with app.app_context():
            try:
                mail.send(message)
            except mail.MAIL_ERRORS as error:
                app.logger.warning("Sign-in alert to %s not sent: %s", message["To"], error)

    response.call_on_close(send)
