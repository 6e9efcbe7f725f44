"""People who sign in to write and publish."""

import functools
import secrets
import time
from datetime import datetime

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask_login import UserMixin
from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from rsflask.db import db, utcnow

ROLES = ("admin", "editor", "writer")
# The roles that may publish, and run the newsletter; writers write drafts and send them for review.
PUBLISHING_ROLES = ("admin", "editor")
# argon2id with argon2-cffi's defaults (RFC 9106's low-memory profile: t=3, m=64 MiB, p=4),
# above OWASP ASVS's minimum, unlike Werkzeug's scrypt defaults.
password_hasher = PasswordHasher()


class User(UserMixin, db.Model):
    __tablename__ = "users"
    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(320), unique=True)
    name: Mapped[str] = mapped_column(String(200), default="")
    password_hash: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(20), default="writer")
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # Part of every session and remember cookie (see get_id): a new one ends all of them.
    session_generation: Mapped[int] = mapped_column(default=0, server_default="0")
    # The sign-in this object was loaded for, "start time:random token"; never stored.
    sign_in = ""

    @property
    def is_active(self) -> bool:
        return self.active

    def get_id(self) -> str:
        """What the session and remember cookies hold: the account, its session generation, and
        the sign-in, whose start time limits its age and whose token can end it alone."""
        return f"{self.id}:{self.session_generation}:{self.sign_in}"

    def start_sign_in(self) -> None:
        self.sign_in = f"{int(time.time())}:{secrets.token_urlsafe(16)}"

    def end_sessions(self) -> None:
        """Sign this account out everywhere: every session and remember cookie made so far."""
        self.session_generation += 1

    def set_password(self, password: str) -> None:
        self.password_hash = password_hasher.hash(password)

    def check_password(self, password: str) -> bool:
        try:
            return password_hasher.verify(self.password_hash, password)
        except (VerificationError, InvalidHashError):
            return False


def check_without_account(password: str) -> bool:
    """Do the work of check_password where there is no account to check against, so that a
    sign-in with an unknown or blocked address takes as long as one with a known address."""
    try:
        return password_hasher.verify(placeholder_hash(password_hasher), password)
    except (VerificationError, InvalidHashError):
        return False


@functools.cache
def placeholder_hash(hasher: PasswordHasher) -> str:
    """A hash made with `hasher`'s own costs, of a password nobody knows."""
    return hasher.hash(secrets.token_urlsafe(32))


class EndedSignIn(db.Model):
    """A sign-in that was signed out, whose copied cookies must not work."""

    __tablename__ = "ended_sign_ins"
    token: Mapped[str] = mapped_column(String(64), primary_key=True)
    # Unix time at which the sign-in is too old to be accepted anyway: the row may go.
    expires: Mapped[int] = mapped_column(index=True)
