"""The pages a newsletter email's links open, and their buttons: confirming, unsubscribing."""

from flask import (
    flash,
    get_flashed_messages,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from itsdangerous import BadData

from rsflask.fragments import wants_fragment
from rsflask.models import Subscriber, SubscriberToken
from rsflask.newsletter import subscriptions, tokens
from rsflask.newsletter.blueprint import bp
from rsflask.security import csrf


def personal_page(template: str, status: int = 200, **context):
    """A page reached through someone's own link: no cache, shared or private, may keep it."""
    response = make_response(render_template(template, **context), status)
    response.cache_control.no_store = True
    return response


@bp.get("/confirm/<token>")
def confirm_page(token: str):
    """A button that confirms, not the confirmation itself: mail scanners follow every link."""
    stored, outcome, status = tokens.confirm_link(token)
    if outcome == "already" and "confirmed" in get_flashed_messages(category_filter=["confirm"]):
        outcome = "confirmed"
    return confirm_answer(token, stored, outcome or "ask", status)


def confirm_answer(token: str, stored: SubscriberToken | None, outcome: str, status: int):
    subscriber = stored.subscriber if stored else None
    return personal_page(
        "newsletter/link.html", status, outcome=outcome, subscriber=subscriber, token=token
    )


# Exempt from CSRF, as unsubscribing is: the token in the URL proves the request.
@bp.post("/confirm/<token>")
@csrf.exempt
def confirm(token: str):
    """Confirm, recording when, from where and in which browser the button was pressed."""
    stored, outcome, status = tokens.confirm_link(token)
    if outcome:
        return confirm_answer(token, stored, outcome, status)
    subscriptions.confirm(stored.subscriber_id)
    flash("confirmed", "confirm")
    return redirect(url_for("newsletter.confirm_page", token=token), 303)


def render_unsubscribe(token: str, subscriber: Subscriber | None):
    template = "newsletter/_unsubscribe.html" if wants_fragment() else "newsletter/unsubscribe.html"
    return personal_page(template, token=token, subscriber=subscriber)


@bp.get("/unsubscribe/<token>")
def unsubscribe_page(token: str):
    """A one-button form, not the unsubscribe itself: mail scanners follow every link they see."""
    try:
        subscriber = tokens.unsubscribing_subscriber(token)
    except BadData:
        return personal_page("newsletter/link.html", 400, outcome="invalid_unsubscribe")
    return render_unsubscribe(token, subscriber)


# Exempt from CSRF: the token in the URL proves the request, and an RFC 8058 one-click POST from
# a mailbox provider could carry nothing else.
@bp.post("/unsubscribe/<token>")
@csrf.exempt
def unsubscribe(token: str):
    """Unsubscribe: the page's button, or a mailbox provider's one-click POST (RFC 8058)."""
    try:
        subscriber = tokens.unsubscribing_subscriber(token)
    except BadData:
        return personal_page("newsletter/link.html", 400, outcome="invalid_unsubscribe")
    if subscriber is not None:
        subscriptions.unsubscribe(subscriber)
    if request.form.get("List-Unsubscribe") == "One-Click" or wants_fragment():
        # RFC 8058 asks for an answer to the POST itself: redirected POSTs are not followed well.
        return render_unsubscribe(token, subscriber)
    return redirect(url_for("newsletter.unsubscribe_page", token=token), 303)
