"""Which sign-ins still count.

A session or remember cookie holds the account's id, its session generation and the sign-in's
start time and random token (User.get_id), signed with SECRET_KEY. It is refused once the
account's generation has moved on (sign out everywhere, a new password, a new role, a block),
once the sign-in is older than REMEMBER_COOKIE_DURATION (checked here, whatever the cookie's own
expiry says), and once that one sign-in was signed out (its token is kept in ended_sign_ins
until it would be too old anyway). Signing out thus ends the session on this device only, and a
copy of its cookies with it; the account's other devices stay signed in.
"""

import time
from datetime import timedelta

from flask import current_app, request
from flask_login import login_user
from flask_login.config import COOKIE_NAME
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from rsflask.db import db
from rsflask.models import EndedSignIn, User


def load_user(session_id: str) -> User | None:
    """The account a session or remember cookie names, while its sign-in still counts."""
    parts = session_id.split(":")
    # Cookies made before sign-ins had generations hold the bare id: they no longer count.
    if len(parts) != 4 or not all(part.isascii() and part.isdigit() for part in parts[:3]):
        return None
    user_id, generation, started = (int(part) for part in parts[:3])
    token = parts[3]
    if time.time() - started > lifetime():
        return None
    signed_out = db.select(EndedSignIn).where(EndedSignIn.token == token).exists()
    current = User.session_generation == generation
    user = db.session.scalar(db.select(User).where(User.id == user_id, current, ~signed_out))
    if user is not None:
        user.sign_in = f"{started}:{token}"
    return user


def lifetime() -> float:
    """Seconds a sign-in lasts at most, remembered or not."""
    duration = current_app.config["REMEMBER_COOKIE_DURATION"]
    return duration.total_seconds() if isinstance(duration, timedelta) else float(duration)


def begin(user: User, remember: bool) -> None:
    """Sign `user` in on this device, as a new sign-in."""
    user.start_sign_in()
    login_user(user, remember=remember)


def renew(user: User) -> None:
    """Keep this device signed in after its own user ended the account's sessions (a new
    password), remembered if it was."""
    cookie_name = current_app.config.get("REMEMBER_COOKIE_NAME", COOKIE_NAME)
    begin(user, remember=cookie_name in request.cookies)


def end(user: User) -> None:
    """End the sign-in `user` was loaded for, so that no copy of its cookies works again."""
    started, token = user.sign_in.split(":")
    now = int(time.time())
    insert = pg_insert if db.engine.dialect.name == "postgresql" else sqlite_insert
    # A second sign-out of the same sign-in (two tabs at once) has nothing left to do.
    db.session.execute(
        insert(EndedSignIn)
        .values(token=token, expires=int(started) + int(lifetime()) + 1)
        .on_conflict_do_nothing()
    )
    db.session.execute(db.delete(EndedSignIn).where(EndedSignIn.expires < now))
    db.session.commit()
