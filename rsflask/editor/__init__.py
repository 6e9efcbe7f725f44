"""The editors' side: sign-in, articles, taxonomy and users, all under /editor."""

from datetime import timedelta
from functools import wraps

from flask import Blueprint, Flask, abort
from flask_login import LoginManager, current_user

from rsflask.editor import sessions

bp = Blueprint("editor", __name__, url_prefix="/editor")
login_manager = LoginManager()
login_manager.login_view = "editor.sign_in"
login_manager.login_message = "Please sign in to continue."
login_manager.login_message_category = "info"
login_manager.user_loader(sessions.load_user)


def roles_required(*roles: str):
    """Anonymous visitors are sent to sign in; signed-in users without one of `roles` get 403."""

    def decorator(view):
        @wraps(view)
        def wrapped(*args, **kwargs):
            if not current_user.is_authenticated:
                return login_manager.unauthorized()
            if current_user.role not in roles:
                abort(403)
            return view(*args, **kwargs)

        return wrapped

    return decorator


def init_app(app: Flask) -> None:
    # Flask-Login remembers for 365 days by default; a month is enough for a newsroom.
    app.config.setdefault("REMEMBER_COOKIE_DURATION", timedelta(days=30))
    app.config.setdefault("REMEMBER_COOKIE_HTTPONLY", True)
    app.config.setdefault("REMEMBER_COOKIE_SAMESITE", "Lax")
    app.config.setdefault("REMEMBER_COOKIE_SECURE", app.config["SESSION_COOKIE_SECURE"])
    # Flask-Login's own context processor loads the user for every template, which reads the
    # session and so makes every public page vary by cookie; the proxy loads it only when used.
    login_manager.init_app(app, add_context_processor=False)
    app.context_processor(lambda: {"current_user": current_user})
    from rsflask.editor import (  # noqa: F401  (registers routes)
        accounts,
        articles,
        digest,
        subscribers,
        taxonomy,
    )

    app.register_blueprint(bp)
