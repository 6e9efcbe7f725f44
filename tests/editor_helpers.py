"""Helpers for the editor tests: accounts, signing in through the form, images to upload."""

import io

from argon2 import PasswordHasher
from flask import Flask, g
from PIL import Image

from rsflask.db import db
from rsflask.models import User, accounts

PASSWORD = "a long and dull passphrase"
SIGN_IN_FAILED = "That email and password do not match an account."
PRODUCTION_HASHER = accounts.password_hasher
# Still argon2id, at the lowest cost: the real one takes half a second per hash on purpose.
CHEAP_HASHER = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)


def prepare_editor_tests(app: Flask, monkeypatch) -> None:
    """Cheap password hashes; forms post without CSRF tokens (the CSRF tests switch it back on);
    and every request loads its user from the session afresh.

    The `app` fixture keeps one app context, and so one `g`, for the whole test; Flask-Login
    caches the signed-in user in `g`, so without this a second client would act as the first
    one's user, and a broken session would go unnoticed.
    """
    monkeypatch.setattr(accounts, "password_hasher", CHEAP_HASHER)
    app.config["WTF_CSRF_ENABLED"] = False

    @app.before_request
    def forget_the_last_requests_user() -> None:
        g.pop("_login_user", None)


def make_user(email: str, role: str = "editor", password: str = PASSWORD, **fields) -> User:
    user = User(email=email, role=role, **fields)
    user.set_password(password)
    db.session.add(user)
    db.session.commit()
    return user


def sign_in(client, email: str, password: str = PASSWORD, **fields):
    """Post the sign-in form, as a person would."""
    return client.post("/editor/sign-in", data={"email": email, "password": password, **fields})


def image_bytes(kind: str = "JPEG", size: tuple[int, int] = (1200, 800), **options) -> bytes:
    """A small picture (two colours, so that it is not one flat block) encoded as `kind`."""
    image = Image.new("RGB", size, (40, 90, 140))
    image.paste((230, 180, 60), (0, 0, size[0] // 2, size[1] // 3))
    buffer = io.BytesIO()
    image.save(buffer, kind, **options)
    return buffer.getvalue()


def upload(data: bytes, filename: str = "photo.jpg") -> tuple[io.BytesIO, str]:
    """A file field's value for the test client."""
    return io.BytesIO(data), filename
