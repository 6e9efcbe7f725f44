"""The newsletter's form: the signup, its address normalised as it is checked."""

from email_validator import EmailNotValidError, validate_email
from flask_wtf import FlaskForm
from wtforms import EmailField, StringField
from wtforms.validators import ValidationError


def normalised_email(form: FlaskForm, field: EmailField) -> None:
    try:
        field.data = validate_email(field.data or "", check_deliverability=False).normalized.lower()
    except EmailNotValidError as error:
        raise ValidationError(
            "Please enter a valid email address, like name@example.com."
        ) from error


class SignupForm(FlaskForm):
    # No CSRF token: the form is in cached pages, the same for every visitor (see
    # signup_checks.from_this_site).
    class Meta:
        csrf = False

    email = EmailField("Email address", validators=[normalised_email])
    # A field people never see: bots that fill in every field give themselves away.
    website = StringField("Leave this field empty")
