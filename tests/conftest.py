"""Fixtures shaped like flaskr's: an app on its own database, a client, a CLI runner.

The database is built once per run by the migrations (as in production), then copied for each
test. Set RSFLASK_TEST_DATABASE_URI to run the suite on another server, e.g. PostgreSQL.
"""

import os
import shutil
import socket
from datetime import timedelta
from pathlib import Path

import pytest
from flask_migrate import upgrade
from sqlalchemy import text

from rsflask import create_app
from rsflask.article_files import ArticleFile, save_article
from rsflask.db import db, utcnow
from rsflask.models import Article
from rsflask.page_cache import PageCache
from tests.mail_server import MailServer

TEST_DATABASE_URI = os.environ.get("RSFLASK_TEST_DATABASE_URI")
# What a test uses that starts a server of its own (SMTP, a browser and the site it reads, gunicorn,
# nginx, the HTML checker on Java): such a test is marked `slow`, and `make test-fast` leaves it
# out of the edit-test loop. `make test` and CI run everything.
SERVER_FIXTURES = {"mail_server", "browser", "live_server", "gunicorn"}
SERVER_MODULES = {"test_gunicorn", "test_deploy", "test_valid_html"}
# A port bound but never listening, so connecting to it is refused at once: apps send mail there
# unless a test starts the `mail_server` fixture, so that no test can reach a real mail server.
_closed_port = socket.socket()
_closed_port.bind(("127.0.0.1", 0))
CLOSED_MAIL_PORT = _closed_port.getsockname()[1]


def pytest_collection_modifyitems(items) -> None:
    for item in items:
        module = item.module.__name__.rsplit(".", 1)[-1]
        if SERVER_FIXTURES & set(item.fixturenames) or module in SERVER_MODULES:
            item.add_marker(pytest.mark.slow)


def make_app(instance: Path, database_uri: str, **config):
    return create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "test secret",
            "SQLALCHEMY_DATABASE_URI": database_uri,
            "PHOTO_FOLDER": str(instance / "photos"),
            "SITE_URL": "http://localhost",
            "MAIL_SERVER": "127.0.0.1",
            "MAIL_PORT": CLOSED_MAIL_PORT,
            **config,
        }
    )


@pytest.fixture(scope="session")
def migrated_database(tmp_path_factory) -> str:
    """A database at the newest migration: a SQLite file to copy, or the test server's URI."""
    folder = tmp_path_factory.mktemp("template")
    uri = TEST_DATABASE_URI or f"sqlite:///{folder / 'template.sqlite3'}"
    app = make_app(folder, uri)
    with app.app_context():
        if TEST_DATABASE_URI:
            with db.engine.begin() as connection:
                # No model describes the search index (which refers to articles) or its text
                # search configuration: they go first.
                connection.execute(text("DROP TABLE IF EXISTS article_search"))
                connection.execute(
                    text("DROP TEXT SEARCH CONFIGURATION IF EXISTS english_unaccent")
                )
            db.drop_all()
            with db.engine.begin() as connection:
                connection.execute(text("DROP TABLE IF EXISTS alembic_version"))
        upgrade()
        db.engine.dispose()
    return uri


@pytest.fixture
def app(tmp_path, monkeypatch, migrated_database):
    monkeypatch.setenv("RSFLASK_INSTANCE_PATH", str(tmp_path / "instance"))
    if TEST_DATABASE_URI:
        uri = migrated_database
    else:
        shutil.copyfile(migrated_database.removeprefix("sqlite:///"), tmp_path / "test.sqlite3")
        uri = f"sqlite:///{tmp_path / 'test.sqlite3'}"
    app = make_app(tmp_path / "instance", uri)
    with app.app_context():
        yield app
        db.session.remove()
        if TEST_DATABASE_URI:
            # site_state keeps the one row its migration made: the page cache reads it.
            tables = ", ".join(t.name for t in db.metadata.sorted_tables if t.name != "site_state")
            with db.engine.begin() as connection:
                connection.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
        if isinstance(app.wsgi_app, PageCache):
            # Its connection is its own, outside the pool that dispose() closes.
            app.wsgi_app.close()
        db.engine.dispose()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def mail_server(app):
    """A real SMTP server (aiosmtpd) on a loopback port, which the app sends its email to."""
    with MailServer() as server:
        app.config.update(MAIL_SERVER=server.host, MAIL_PORT=server.port)
        yield server


@pytest.fixture
def add_article(app):
    """Store an article as an import would; every field has a plausible default."""
    counter = iter(range(1, 10_000))

    def add(title: str | None = None, **fields) -> Article:
        number = next(counter)
        title = title or f"Test article {number}"
        fields.setdefault("slug", None)
        fields.setdefault(
            "body", f"First paragraph of {title}.\n\nSecond paragraph.\n\nThird one.\n"
        )
        fields.setdefault("section", "Europe")
        fields.setdefault("type", "Analysis")
        fields.setdefault("authors", ["Ada Writer"])
        fields.setdefault("published", utcnow() - timedelta(hours=number))
        from rsflask.slugs import slugify

        fields["slug"] = fields["slug"] or slugify(title)
        article = save_article(ArticleFile(title=title, **fields))
        db.session.commit()
        return article

    return add


def htmx(**extra) -> dict:
    """Headers of an htmx request."""
    return {"HX-Request": "true", **extra}
