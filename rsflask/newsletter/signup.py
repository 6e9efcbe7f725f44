"""Signing up, confirming and unsubscribing: forms that work as htmx swaps and as plain posts.

What a reader is told never depends on what was known about the address: every signup that is
not rate limited sends one email (a confirmation, or a note to an address already subscribed).
"""

import time
from datetime import timedelta

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
from itsdangerous import BadData, SignatureExpired
from sqlalchemy import or_, update
from sqlalchemy.exc import IntegrityError
from wtforms import EmailField, StringField
from wtforms.validators import ValidationError

from rsflask import csrf, limits
from rsflask.db import db, utcnow
from rsflask.fragments import wants_fragment
from rsflask.mail import MAIL_ERRORS
from rsflask.models import Subscriber
from rsflask.newsletter import bp, emails, tokens


def normalised_email(form: FlaskForm, field: EmailField) -> None:
    try:
        field.data = validate_email(field.data or "", check_deliverability=False).normalized.lower()
    except EmailNotValidError as error:
        raise ValidationError(
            "Please enter a valid email address, like name@example.com."
        ) from error


class SignupForm(FlaskForm):
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


@bp.post("")
def subscribe():
    """Store the signup and email the address; the answer is the same whatever it was known as."""
    form = SignupForm()
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
        # No email this time (one went to this address lately). Telling this reader less than a
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
    """Store the signup; the subscriber to email now, or None if the address had one lately."""
    now, address = utcnow(), limits.client_address()
    subscriber = db.session.scalar(db.select(Subscriber).filter_by(email=email))
    if subscriber is None:
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
        # A new signup, with a consent record of its own.
        subscriber.status, subscriber.signed_up_at, subscriber.signup_ip = "pending", now, address
        subscriber.confirmed_at, subscriber.confirm_ip = None, ""
        subscriber.confirmation_sent_at, subscriber.confirmation_tried_at = None, now
        db.session.commit()
        return subscriber
    # Pending or confirmed: one more email only if none was tried lately. One UPDATE decides,
    # so two signups at the same moment send one email between them.
    cutoff = now - timedelta(minutes=current_app.config["NEWSLETTER_RESEND_MINUTES"])
    claimed = db.session.execute(
        update(Subscriber)
        .where(
            Subscriber.id == subscriber.id,
            or_(
                Subscriber.confirmation_tried_at.is_(None),
                Subscriber.confirmation_tried_at < cutoff,
            ),
        )
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


@bp.get("/confirm/<token>")
def confirm(token: str):
    """Confirm from the emailed link; an old, altered or used link changes nothing."""
    try:
        subscriber = tokens.confirming_subscriber(token)
    except SignatureExpired:
        return personal_page("newsletter/link.html", 410, outcome="expired")
    except BadData:
        return personal_page("newsletter/link.html", 400, outcome="invalid")
    except tokens.LinkSuperseded:
        # Unsubscribed and signed up again since: only the newest email's link may confirm.
        return personal_page("newsletter/link.html", 410, outcome="superseded")
    if subscriber is None:
        return personal_page("newsletter/link.html", 404, outcome="unknown")
    if subscriber.status == "confirmed":
        return personal_page("newsletter/link.html", outcome="already", subscriber=subscriber)
    if subscriber.status == "unsubscribed":
        # The reader unsubscribed after this link was sent: only a new signup may undo that.
        return personal_page("newsletter/link.html", 410, outcome="unsubscribed")
    subscriber.status, subscriber.confirmed_at = "confirmed", utcnow()
    subscriber.confirm_ip = limits.client_address()
    db.session.commit()
    return personal_page("newsletter/link.html", outcome="confirmed", subscriber=subscriber)


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


# Exempt from CSRF: the signed token in the URL proves the request, and an RFC 8058 one-click
# POST from a mailbox provider could carry nothing else.
@bp.post("/unsubscribe/<token>")
@csrf.exempt
def unsubscribe(token: str):
    """Unsubscribe: the page's button, or a mailbox provider's one-click POST (RFC 8058)."""
    try:
        subscriber = tokens.unsubscribing_subscriber(token)
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
