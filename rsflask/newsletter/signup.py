"""The signup form: its page and fragment, the post (as an htmx swap or a plain post), thanks."""

from flask import flash, get_flashed_messages, redirect, render_template, url_for

from rsflask.fragments import wants_fragment
from rsflask.newsletter import signup_checks, subscriptions
from rsflask.newsletter.blueprint import bp
from rsflask.newsletter.forms import SignupForm
from rsflask.security import csrf


def render_signup(form: SignupForm, status: int = 200, message: str = "", **context):
    template = "newsletter/_signup.html" if wants_fragment() else "newsletter/signup.html"
    return render_template(template, form=form, message=message, **context), status


@bp.get("")
def signup():
    """The signup form: a fragment for the newsletter block, a page for browsers."""
    return render_signup(SignupForm())


# Exempt from the CSRF token, which a form in cached pages cannot carry: from_this_site() checks
# where the post came from instead (docs/security.md).
@bp.post("")
@csrf.exempt
def subscribe():
    """Store the signup and email the address; the answer is the same whatever it was known as."""
    form = SignupForm()
    if not signup_checks.from_this_site():
        message = (
            "This signup was sent from another website, so we did not act on it. To subscribe,"
            " enter your address here."
        )
        return render_signup(SignupForm(formdata=None), 403, message=message)
    if not form.validate_on_submit():
        return render_signup(form, 422)
    if form.website.data:
        return signed_up(delayed=False)
    if not signup_checks.allow_signup():
        message = "Too many signups from your network in the last hour. Please try again later."
        page, status = render_signup(form, 429, message=message)
        return page, status, {"Retry-After": str(signup_checks.seconds_until_allowed())}
    return signed_up(subscriptions.sign_up(form.email.data))


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
