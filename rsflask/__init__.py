"""rsflask: a lightweight publishing site. ``create_app`` builds the Flask application."""

import os
import secrets
from pathlib import Path

from flask import Flask

from rsflask import (
    conditional,
    corrections,  # noqa: F401  (adds /corrections and its feed to the reader and feeds blueprints)
    editor,
    errors,
    feeds,
    fragments,
    generation,  # noqa: F401  (its session event moves the content generation)
    health,
    logs,
    mail,
    masthead,  # noqa: F401  (adds /authors to the reader blueprint)
    newsletter,
    nginx_hint,
    page_cache,
    page_chrome,
    pages,
    proxies,
    reader,
    redirect_lookup,
    search,
    security,
    seo,
    sitemaps,  # noqa: F401  (adds the sitemap routes to the feeds blueprint)
    teasers,
    templating,
)
from rsflask.db import db
from rsflask.slugs import SlugConverter

PROJECT_ROOT = Path(__file__).resolve().parent.parent
MIGRATIONS = Path(__file__).resolve().parent / "migrations"


def create_app(test_config: dict | None = None, commands: bool = True) -> Flask:
    """Application factory: settings, extensions, blueprints, and the flask commands.

    gunicorn's workers (wsgi.py) leave the commands out: Flask-Migrate brings Alembic, about
    17 MB of each worker's memory, for `flask db` alone.
    """
    instance_path = os.environ.get("RSFLASK_INSTANCE_PATH", PROJECT_ROOT / "instance")
    app = Flask(
        __name__,
        template_folder=PROJECT_ROOT / "templates",
        static_folder=PROJECT_ROOT / "static",
        instance_path=str(instance_path),
        instance_relative_config=True,
    )
    app.config.from_object("rsflask.settings")
    app.config.from_pyfile("config.py", silent=True)
    app.config.from_prefixed_env("RSFLASK")
    if test_config:
        app.config.from_mapping(test_config)
    _fill_instance_defaults(app)
    mail.init_app(app)
    proxies.init_app(app)
    db.init_app(app)
    security.init_app(app)
    app.url_map.converters["slug"] = SlugConverter
    templating.init_app(app)
    teasers.init_app(app)
    page_chrome.init_app(app)
    seo.init_app(app)
    fragments.init_app(app)
    conditional.init_app(app)
    nginx_hint.init_app(app)
    errors.init_app(app)
    editor.init_app(app)
    app.register_blueprint(reader.bp)
    app.register_blueprint(newsletter.bp)
    app.register_blueprint(search.bp)
    app.register_blueprint(feeds.bp)
    app.register_blueprint(health.bp)
    pages.init_app(app)
    # Last of the after-request steps, so that it runs first: the others see its answer.
    redirect_lookup.init_app(app)
    if commands:
        _add_commands(app)
    page_cache.init_app(app)
    # Last: its line for each request covers everything inside, the page cache included.
    logs.init_app(app)
    return app


def _add_commands(app: Flask) -> None:
    from flask_migrate import Migrate

    from rsflask import backups, cli, compress_static, copy_db

    Migrate(app, db, directory=str(MIGRATIONS), render_as_batch=True)
    cli.init_app(app)
    backups.init_app(app)
    copy_db.init_app(app)
    compress_static.init_app(app)


def _fill_instance_defaults(app: Flask) -> None:
    """Defaults that live in the instance folder: the SQLite file, photos and the secret key."""
    instance = Path(app.instance_path)
    instance.mkdir(parents=True, exist_ok=True)
    if not app.config["SQLALCHEMY_DATABASE_URI"]:
        app.config["SQLALCHEMY_DATABASE_URI"] = f"sqlite:///{instance / 'rsflask.sqlite3'}"
    if not app.config["PHOTO_FOLDER"]:
        app.config["PHOTO_FOLDER"] = str(instance / "photos")
    if not app.config["SECRET_KEY"]:
        key_file = instance / "secret_key"
        if not key_file.exists():
            # Created readable by the owner only; never overwritten, or every session would end.
            fd = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "w") as f:
                f.write(secrets.token_hex(32))
        app.config["SECRET_KEY"] = key_file.read_text().strip()
