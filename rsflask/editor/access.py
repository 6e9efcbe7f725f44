"""Who may do what on the editors' side: its blueprint, the sign-in manager, the role check that
every editor view starts with, and which articles, pages and revisions each user may touch."""

from functools import wraps

from flask import Blueprint, abort
from flask_login import LoginManager, current_user

from rsflask.db import db
from rsflask.editor import sessions
from rsflask.editor.revisions import owner
from rsflask.models import Article, Page, Revision
from rsflask.models.accounts import PUBLISHING_ROLES

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


def may_publish() -> bool:
    return current_user.role in PUBLISHING_ROLES


def may_change(article: Article) -> bool:
    """Publishers may change any article; writers only their own drafts, in the trash or not."""
    if may_publish():
        return True
    status = article.status
    if status == "trash":
        # What restoring would bring back: a writer who trashed a draft may restore it.
        status = article.status_before_trash or "draft"
    return article.created_by_id == current_user.id and status in ("draft", "review")


def editable_article_or_404(article_id: int) -> Article:
    """The article, if this user may change it."""
    article = db.get_or_404(Article, article_id)
    if not may_change(article):
        abort(403)
    return article


def visible_revision_or_404(item: Article | Page, revision_id: int) -> Revision:
    """A saved revision of the article or page, or this user's own autosave of it.

    Anyone who may edit it may see what was saved; unsaved text is its typist's alone.
    """
    mine = (Revision.kind == "autosave") & (Revision.user_id == current_user.id)
    return db.first_or_404(
        db.select(Revision)
        .filter_by(id=revision_id, **owner(item))
        .where((Revision.kind == "save") | mine)
    )
