"""Newsletter signup: a form that works as an htmx swap and as a plain post/redirect/get."""

from email_validator import EmailNotValidError, validate_email
from flask import Blueprint, current_app, redirect, render_template, url_for
from flask_wtf import FlaskForm
from wtforms import EmailField, StringField
from wtforms.validators import ValidationError

from rsflask import limits
from rsflask.db import db, utcnow
from rsflask.fragments import wants_fragment
from rsflask.models import Subscriber

bp = Blueprint("newsletter", __name__, url_prefix="/newsletter")


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


def render_signup(form: SignupForm, status: int = 200, message: str = "", done: bool = False):
    template = "newsletter/_signup.html" if wants_fragment() else "newsletter/signup.html"
    return render_template(template, form=form, message=message, done=done), status


@bp.get("")
def signup():
    """The signup form: a fragment for the newsletter block, a page for browsers."""
    return render_signup(SignupForm())


@bp.post("")
def subscribe():
    """Store a pending subscriber; the answer is the same whether or not the address is known."""
    form = SignupForm()
    if not form.validate_on_submit():
        return render_signup(form, 422)
    if form.website.data:
        return signed_up()
    limit = current_app.config["SIGNUP_RATE_LIMIT"]
    if not limits.allow(f"signup:{limits.client_address()}", limit, 3600):
        message = "Too many signups from your network in the last hour. Please try again later."
        return render_signup(form, 429, message=message)
    subscriber = db.session.scalar(db.select(Subscriber).filter_by(email=form.email.data))
    if subscriber is None:
        db.session.add(Subscriber(email=form.email.data, signup_ip=limits.client_address()))
    elif subscriber.status == "unsubscribed":
        subscriber.status = "pending"
        subscriber.signed_up_at = utcnow()
        subscriber.signup_ip = limits.client_address()
    db.session.commit()
    return signed_up()


def signed_up():
    if wants_fragment():
        return render_signup(SignupForm(), done=True)
    return redirect(url_for("newsletter.thanks"), 303)


@bp.get("/thanks")
def thanks():
    """Where a browser lands after signing up without JavaScript."""
    return render_template("newsletter/signup.html", form=SignupForm(), done=True, message="")
