"""Signing in and out, one's own password, and (for admins) everyone's accounts."""

import math
import time
from urllib.parse import unquote, urlsplit

from flask import (
    current_app,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user, login_required, logout_user

from rsflask import limits
from rsflask.db import db
from rsflask.editor import sessions, sign_in_alert
from rsflask.editor.access import bp, roles_required
from rsflask.editor.forms import PasswordForm, SignInForm, UserForm
from rsflask.models import User
from rsflask.models.accounts import check_without_account

FAILURE_WINDOW = 15 * 60
EDITOR_COOKIE = "rsflask_editor"


def safe_next(target: str | None) -> str:
    """Follow `next` only to a path on this site, never to another host (open redirect)."""
    default = url_for("editor.dashboard")
    if not target:
        return default
    # Control characters (CR and LF would end the Location header, and Werkzeug refuses them
    # with a 500) and backslashes (which browsers read as slashes) have no place in a path we
    # made, written out or percent-encoded.
    if any(not text.isprintable() or "\\" in text for text in (target, unquote(target))):
        return default
    parts = urlsplit(target)
    if (
        parts.scheme
        or parts.netloc
        or not target.startswith("/")
        or target.startswith(("//", "/\\"))
    ):
        return default
    return target


@bp.route("/sign-in", methods=["GET", "POST"])
def sign_in():
    """Sign in with email and password; failures are limited per account and per address."""
    form = SignInForm(next=request.args.get("next", ""))
    if not form.validate_on_submit():
        return render_template("editor/sign_in.html", form=form), 422 if form.errors else 200
    email = form.email.data.strip().lower()
    address = limits.client_address()
    per_account = current_app.config["SIGNIN_FAILURES_PER_ACCOUNT"]
    per_address = current_app.config["SIGNIN_FAILURES_PER_ADDRESS"]
    keys = [
        f"signin-account:{email}",
        f"signin-address:{address}",
        # Attempts on this account from this address.
        f"signin-pair:{email}:{address}",
    ]
    # Counted before the password is checked, in one atomic step per key, so that requests in
    # parallel cannot all pass a check made before any of them is counted.
    window = int(time.time()) // FAILURE_WINDOW
    failures, from_address, tries_here = (limits.count(key, FAILURE_WINDOW) for key in keys)
    # Past the account's limit, an address that has failed on it in this window must wait, but
    # one that has not (most likely the owner's) may still try: guessing slows down to one try
    # per address and window, and no one can lock the owner out by failing on purpose.
    if from_address > per_address or (failures > per_account and tries_here > 1):
        # A refused attempt is not a failure: only failed passwords are what the limit counts.
        release_attempts(keys, window)
        return too_many_failures(form, window)
    user = db.session.scalar(db.select(User).filter_by(email=email))
    if user is not None and user.active:
        password_matches = user.check_password(form.password.data)
    else:
        password_matches = check_without_account(form.password.data)
    if not password_matches:
        message = "That email and password do not match an account."
        page = render_template("editor/sign_in.html", form=form, message=message)
        response = make_response(page, 401)
        # Addresses that failed on this account in this window, counted at their first failure.
        addresses_key = f"signin-addresses:{email}"
        if tries_here == 1:
            limits.count(addresses_key, FAILURE_WINDOW)
        addresses = limits.hits(addresses_key, FAILURE_WINDOW)
        if (
            failures >= per_account
            and user is not None
            and user.active
            and limits.allow(f"signin-alert:{email}", 1, FAILURE_WINDOW)
        ):
            sign_in_alert.send_after(response, user, failures, addresses, window * FAILURE_WINDOW)
        return response
    release_attempts(keys, window)
    sessions.begin(user, remember=form.remember.data)
    response = redirect(safe_next(form.next.data), 303)
    # Tells the shipped nginx to send this browser's requests past its page cache, so that
    # editors see their changes at once; it carries nothing secret.
    response.set_cookie(
        EDITOR_COOKIE,
        "1",
        max_age=int(current_app.config["REMEMBER_COOKIE_DURATION"].total_seconds())
        if form.remember.data
        else None,
        secure=current_app.config["SESSION_COOKIE_SECURE"],
        httponly=True,
        samesite="Lax",
    )
    return response


def too_many_failures(form: SignInForm, window: int):
    wait = (window + 1) * FAILURE_WINDOW - int(time.time())
    minutes = max(1, math.ceil(wait / 60))
    message = (
        "Too many failed sign-ins. Please wait "
        f"{minutes} minute{'s' if minutes > 1 else ''} and try again."
    )
    page = render_template("editor/sign_in.html", form=form, message=message)
    return page, 429, {"Retry-After": str(max(1, wait))}


def release_attempts(keys: list[str], window: int) -> None:
    """Uncount attempts that turned out not to be failures, in the window they were counted in."""
    for key in keys:
        limits.release(key, window)


@bp.post("/sign-out")
@login_required
def sign_out():
    """Sign out on this device (a POST, so that no link on another site can sign anyone out)."""
    sessions.end(current_user)
    return signed_out("You are signed out.")


@bp.post("/account/sign-out-everywhere")
@login_required
def sign_out_everywhere():
    """End every session of one's account, on every device, this one included."""
    current_user.end_sessions()
    db.session.commit()
    return signed_out("You are signed out on every device, this one included.")


def signed_out(message: str):
    logout_user()
    flash(message, "info")
    response = redirect(url_for("editor.sign_in"), 303)
    response.delete_cookie(EDITOR_COOKIE)
    return response


@bp.route("/account/password", methods=["GET", "POST"])
@login_required
def change_password():
    """One's account: change one's own password, knowing the current one; sign out everywhere."""
    form = PasswordForm()
    if form.validate_on_submit():
        # The account itself: login_user given the current_user proxy would keep the proxy as
        # the signed-in user, which then refers to itself without end.
        me = current_user._get_current_object()
        if me.check_password(form.current.data):
            me.set_password(form.new.data)
            # Whoever knew the old password is signed out; this device stays signed in.
            me.end_sessions()
            db.session.commit()
            sessions.renew(me)
            flash("Your password is changed, and your other devices are signed out.", "success")
            return redirect(url_for("editor.dashboard"), 303)
        form.current.errors.append("That is not your current password.")
    return render_template("editor/password.html", form=form), 422 if form.errors else 200


@bp.get("/users")
@roles_required("admin")
def users():
    """Everyone who can sign in."""
    people = db.session.scalars(db.select(User).order_by(User.email)).all()
    return render_template("editor/users.html", users=people)


@bp.route("/users/new", methods=["GET", "POST"])
@bp.route("/users/<int:user_id>", methods=["GET", "POST"])
@roles_required("admin")
def edit_user(user_id: int | None = None):
    """Create an account, or change someone's name, role, access or password."""
    user = db.get_or_404(User, user_id) if user_id else None
    form = UserForm(obj=user)
    if form.validate_on_submit():
        email = form.email.data.strip().lower()
        taken = db.session.scalar(db.select(User).filter_by(email=email))
        if taken is not None and taken is not user:
            form.email.errors.append("Another account has this email.")
        elif user is None and not form.password.data:
            form.password.errors.append("A new account needs a password.")
        elif (
            user is not None
            and user.id == current_user.id
            and (form.role.data != "admin" or not form.active.data)
        ):
            form.role.errors.append("You cannot remove your own admin access.")
        else:
            # A new role, a block or a new password takes effect on every open session at
            # once: they all end, and the next sign-in gets what the account now is.
            ends_sessions = user is not None and (
                form.role.data != user.role or not form.active.data or bool(form.password.data)
            )
            user = user or User(password_hash="")
            user.email, user.name = email, form.name.data.strip()
            user.role, user.active = form.role.data, form.active.data
            if form.password.data:
                user.set_password(form.password.data)
            if ends_sessions:
                user.end_sessions()
            db.session.add(user)
            db.session.commit()
            if ends_sessions and user.id == current_user.id:
                sessions.renew(user)
            flash(f"Saved the account of {user.email}.", "success")
            return redirect(url_for("editor.users"), 303)
    status = 422 if form.errors else 200
    return render_template("editor/user_form.html", form=form, user=user), status
