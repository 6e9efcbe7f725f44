"""Who may use the editors' side: its blueprint, the sign-in manager and the role check that
every editor view starts with."""

from functools import wraps

from flask import Blueprint, abort
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
