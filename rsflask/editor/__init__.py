"""The editors' side: sign-in, articles, pages, photos, redirects, taxonomy and users, all under
/editor."""

from datetime import timedelta

from flask import Flask
from flask_login import current_user

# Each view module adds its routes to the blueprint when imported.
from rsflask.editor import (  # noqa: F401
    accounts,
    article_revisions,
    articles,
    digest,
    notes,
    pages,
    photo_library,
    redirect_files,
    redirects,
    settings_page,
    subscribers,
    taxonomy,
)
from rsflask.editor.access import bp, login_manager


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
    app.register_blueprint(bp)
