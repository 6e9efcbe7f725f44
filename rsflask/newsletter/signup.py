"""Signing up, confirming and unsubscribing: forms that work as htmx swaps and as plain posts.

What a reader is told never depends on what was known about the address: every signup that is
not rate limited sends one email (a confirmation, or a note to an address already subscribed).
"""

import time
from datetime import timedelta
from urllib.parse import urlsplit

from email_validator import EmailNotValidError, validate_email
from flask import (
    current_app,
    flash,
    get_flashed_messages,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_wtf import FlaskForm
from itsdangerous import BadData
from sqlalchemy import update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import aliased
from wtforms import EmailField, StringField
from wtforms.validators import ValidationError

from rsflask import limits
from rsflask.db import db, utcnow
from rsflask.fragments import wants_fragment
from rsflask.mail import MAIL_ERRORS
from rsflask.models import Subscriber, SubscriberToken
from rsflask.models.newsletter import mailbox_of
from rsflask.newsletter import emails, tokens
from rsflask.newsletter.blueprint import bp
from rsflask.security import csrf


def normalised_email(form: FlaskForm, field: EmailField) -> None:
    try:
        field.data = validate_email(field.data or "", check_deliverability=False).normalized.lower()
    except EmailNotValidError as error:
        raise ValidationError(
            "Please enter a valid email address, like name@example.com."
        ) from error


class SignupForm(FlaskForm):
    # No CSRF token: the form is in cached pages, the same for every visitor (see from_this_site).
    class Meta:
        csrf = False

    email = EmailField("Email address", validators=[normalised_email])
    # A field people never see: bots that fill in every field give themselves away.
    website = StringField("Leave this field empty")


def render_signup(form: SignupForm, status: int = 200, message: str = "", **context):
    template = "newsletter/_signup.html" if wants_fragment() else "newsletter/signup.html"
    return render_template(template, form=form, message=message, **context), status


@bp.get("")
def signup():
    """The signup form: a fragment for the newsletter block, a page for browsers."""
    return render_signup(SignupForm())


def from_this_site() -> bool:
    """Whether the browser says the signup was posted from a page of this site.

    Sec-Fetch-Site, where sent (current browsers), decides; else Origin; else (older browsers,
    or Origin "null" under a no-referrer policy) a Referer from another site refuses, and none
    at all is let through: a forged signup can only make us email a confirmation, which the
    rate limits cap and which subscribes no one unless its reader presses the button.
    """
    ours = {request.host, urlsplit(current_app.config["SITE_URL"]).netloc}
    fetch_site = request.headers.get("Sec-Fetch-Site")
    if fetch_site:
        return fetch_site in ("same-origin", "same-site")
    origin = request.headers.get("Origin")
    if origin and origin != "null":
        return urlsplit(origin).netloc in ours
    referer = request.headers.get("Referer")
    return not referer or urlsplit(referer).netloc in ours


# Exempt from the CSRF token, which a form in cached pages cannot carry: from_this_site() checks
# where the post came from instead (docs/security.md).
@bp.post("")
@csrf.exempt
def subscribe():
    """Store the signup and email the address; the answer is the same whatever it was known as."""
    form = SignupForm()
    if not from_this_site():
        message = (
            "This signup was sent from another website, so we did not act on it. To subscribe,"
            " enter your address here."
        )
        return render_signup(SignupForm(formdata=None), 403, message=message)
    if not form.validate_on_submit():
        return render_signup(form, 422)
    if form.website.data:
        return signed_up(delayed=False)
    limit = current_app.config["SIGNUP_RATE_LIMIT"]
    if not limits.allow(f"signup:{limits.client_address()}", limit, 3600):
        message = "Too many signups from your network in the last hour. Please try again later."
        page, status = render_signup(form, 429, message=message)
        return page, status, {"Retry-After": str(3600 - int(time.time()) % 3600)}
    subscriber = record_signup(form.email.data)
    if subscriber is None:
        # No email this time (one went to this mailbox lately). Telling this reader less than a
        # new address would be told now would show that the address is known.
        delayed = signup_mail_failing()
    else:
        delayed = False
        try:
            emails.send_signup_email(subscriber)
        except MAIL_ERRORS as error:
            # Stored all the same: `flask newsletter send-pending` sends it once mail works.
            current_app.logger.warning("Signup email to subscriber %s: %s", subscriber.id, error)
            delayed = True
    return signed_up(delayed)


def record_signup(email: str) -> Subscriber | None:
    """Store the signup; the subscriber to email now, or None if its mailbox had one lately.

    Lately is per mailbox, not per address: name+1@ and name+2@ reach the same inbox, and must
    not each bring it an email. A new address whose mailbox had one lately is not stored at all.
    """
    now, address = utcnow(), limits.client_address()
    cutoff = now - timedelta(minutes=current_app.config["NEWSLETTER_RESEND_MINUTES"])
    # Another name for the table, so that in the UPDATE below this reads every row, not the
    # one being updated.
    other = aliased(Subscriber)
    emailed_lately = (
        db.select(other.id)
        .where(other.mailbox == mailbox_of(email), other.confirmation_tried_at >= cutoff)
        .exists()
    )
    subscriber = db.session.scalar(db.select(Subscriber).filter_by(email=email))
    if subscriber is None:
        if db.session.scalar(db.select(emailed_lately)):
            return None
        subscriber = Subscriber(
            email=email, signup_ip=address, signed_up_at=now, confirmation_tried_at=now
        )
        db.session.add(subscriber)
        try:
            db.session.commit()
            return subscriber
        except IntegrityError:
            # The same address signed up in another request at the same moment: that one emails.
            db.session.rollback()
            subscriber = db.session.scalar(db.select(Subscriber).filter_by(email=email))
    if subscriber.status == "unsubscribed":
        # A new signup, with a consent record of its own; the links of the earlier one stop
        # confirming.
        subscriber.status, subscriber.signed_up_at, subscriber.signup_ip = "pending", now, address
        subscriber.confirmed_at, subscriber.confirm_ip, subscriber.confirm_user_agent = None, "", ""
        subscriber.confirmation_sent_at, subscriber.confirmation_tried_at = None, now
        tokens.revoke(subscriber.id, "confirm")
        db.session.commit()
        return subscriber
    # Pending or confirmed: one more email only if none went to this mailbox lately. One UPDATE
    # decides, so two signups at the same moment send one email between them.
    claimed = db.session.execute(
        update(Subscriber)
        .where(Subscriber.id == subscriber.id, ~emailed_lately)
        .values(confirmation_tried_at=now)
    ).rowcount
    db.session.commit()
    return subscriber if claimed else None


def signup_mail_failing() -> bool:
    """Whether the newest confirmation tried has not reached the mail server (yet)."""
    newest = db.session.execute(
        db.select(Subscriber.confirmation_tried_at, Subscriber.confirmation_sent_at)
        .where(Subscriber.status == "pending", Subscriber.confirmation_tried_at.is_not(None))
        .order_by(Subscriber.confirmation_tried_at.desc())
        .limit(1)
    ).first()
    if newest is None:
        return False
    tried_at, sent_at = newest
    return sent_at is None or sent_at < tried_at


def signed_up(delayed: bool):
    if wants_fragment():
        return render_signup(SignupForm(), done=True, delayed=delayed)
    if delayed:
        flash("delayed", "signup")
    return redirect(url_for("newsletter.thanks"), 303)


@bp.get("/thanks")
def thanks():
    """Where a browser lands after signing up without JavaScript."""
    delayed = "delayed" in get_flashed_messages(category_filter=["signup"])
    return render_template(
        "newsletter/signup.html", form=SignupForm(), done=True, delayed=delayed, message=""
    )


def personal_page(template: str, status: int = 200, **context):
    """A page reached through someone's own link: no cache, shared or private, may keep it."""
    response = make_response(render_template(template, **context), status)
    response.cache_control.no_store = True
    return response


def confirm_link(token: str) -> tuple[SubscriberToken | None, str, int]:
    """The stored confirm link, and what its page says when it cannot confirm (with the status):
    an empty outcome means it can."""
    stored = tokens.find(token, "confirm")
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


@bp.get("/confirm/<token>")
def confirm_page(token: str):
    """A button that confirms, not the confirmation itself: mail scanners follow every link."""
    stored, outcome, status = confirm_link(token)
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
    stored, outcome, status = confirm_link(token)
    if outcome:
        return confirm_answer(token, stored, outcome, status)
    now = utcnow()
    # One UPDATE decides: of two presses at the same moment, one records the consent.
    db.session.execute(
        update(Subscriber)
        .where(Subscriber.id == stored.subscriber_id, Subscriber.status == "pending")
        .values(
            status="confirmed",
            confirmed_at=now,
            confirm_ip=limits.client_address(),
            confirm_user_agent=(request.user_agent.string or "")[:500],
        )
    )
    # Every confirm link of this signup has done its job.
    db.session.execute(
        update(SubscriberToken)
        .where(
            SubscriberToken.subscriber_id == stored.subscriber_id,
            SubscriberToken.purpose == "confirm",
            SubscriberToken.used_at.is_(None),
        )
        .values(used_at=now)
    )
    db.session.commit()
    flash("confirmed", "confirm")
    return redirect(url_for("newsletter.confirm_page", token=token), 303)


def render_unsubscribe(token: str, subscriber: Subscriber | None):
    template = "newsletter/_unsubscribe.html" if wants_fragment() else "newsletter/unsubscribe.html"
    return personal_page(template, token=token, subscriber=subscriber)


def unsubscribing_subscriber(token: str) -> Subscriber | None:
    """The subscriber an unsubscribe link is for; None for an old-format link that names an
    address no longer on the list. Raises BadData for a link that is not (or no longer) ours."""
    stored = tokens.find(token, "unsubscribe")
    if stored is not None and stored.revoked_at is None:
        return stored.subscriber
    if stored is None and "." in token:
        return tokens.legacy_unsubscribing_subscriber(token)
    raise BadData("not a working unsubscribe link")


@bp.get("/unsubscribe/<token>")
def unsubscribe_page(token: str):
    """A one-button form, not the unsubscribe itself: mail scanners follow every link they see."""
    try:
        subscriber = unsubscribing_subscriber(token)
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
        subscriber = unsubscribing_subscriber(token)
    except BadData:
        return personal_page("newsletter/link.html", 400, outcome="invalid_unsubscribe")
    if subscriber is not None and subscriber.status != "unsubscribed":
        subscriber.status, subscriber.unsubscribed_at = "unsubscribed", utcnow()
        subscriber.unsubscribe_ip = limits.client_address()
        db.session.commit()
    if request.form.get("List-Unsubscribe") == "One-Click" or wants_fragment():
        # RFC 8058 asks for an answer to the POST itself: redirected POSTs are not followed well.
        return render_unsubscribe(token, subscriber)
    return redirect(url_for("newsletter.unsubscribe_page", token=token), 303)
