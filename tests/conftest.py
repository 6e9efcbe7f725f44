"""Fixtures shaped like flaskr's: an app on its own database, a client, a CLI runner.

The database is built once per run by the migrations (as in production), then copied for each
test. Set RSFLASK_TEST_DATABASE_URI to run the suite on another server, e.g. PostgreSQL: each
test then empties the tables it leaves behind. Run in several processes (pytest-xdist, as `make
test` does), each process has a database of its own, named after the given one: test_gw0, ...
"""

import os
import shutil
import socket
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path

import pytest
from flask_migrate import upgrade
from jinja2.bccache import Bucket, BytecodeCache
from sqlalchemy import create_engine, event, make_url, text

from rsflask import create_app
from rsflask.article_files import ArticleFile
from rsflask.article_import import save_article
from rsflask.db import db, utcnow
from rsflask.models import Article
from tests.mail_server import MailServer

TEST_DATABASE_URI = os.environ.get("RSFLASK_TEST_DATABASE_URI")
# pytest-xdist's name for this process ("gw0", "gw1", ...), or "" when the suite runs in one.
WORKER = os.environ.get("PYTEST_XDIST_WORKER", "")
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


class CompiledTemplates(BytecodeCache):
    """Templates compiled once per test process rather than once per app: each of some 2,000
    apps would otherwise parse and compile every template it renders again. Jinja keys each
    entry by the template's name and a checksum of its source."""

    def __init__(self) -> None:
        self.compiled: dict[str, bytes] = {}

    def load_bytecode(self, bucket: Bucket) -> None:
        if bucket.key in self.compiled:
            bucket.bytecode_from_string(self.compiled[bucket.key])

    def dump_bytecode(self, bucket: Bucket) -> None:
        self.compiled[bucket.key] = bucket.bytecode_to_string()


COMPILED_TEMPLATES = CompiledTemplates()


def make_app(instance: Path, database_uri: str, **config):
    app = create_app(
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
    app.jinja_env.bytecode_cache = COMPILED_TEMPLATES
    return app


def this_workers_database(uri: str) -> str:
    """The database at `uri`, or with several test processes this process's own beside it."""
    if not WORKER:
        return uri
    url = make_url(uri)
    url = url.set(database=f"{url.database}_{WORKER}")
    admin = create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        exists = connection.scalar(
            text("SELECT 1 FROM pg_database WHERE datname = :name"), {"name": url.database}
        )
        if not exists:
            connection.execute(text(f'CREATE DATABASE "{url.database}"'))
    admin.dispose()
    return url.render_as_string(hide_password=False)


def empty_tables(connection) -> None:
    """Delete every row a test left, and start each id sequence again.

    DELETE rather than TRUNCATE: on tables this small it costs a millisecond where TRUNCATE,
    which replaces each table's files, costs 35. site_state keeps the one row its migration
    made: the page cache reads it.
    """
    # The search index (no model describes it) refers to articles: it goes first.
    connection.execute(text("DELETE FROM article_search"))
    for table in reversed(db.metadata.sorted_tables):
        if table.name != "site_state":
            connection.execute(table.delete())
    used = connection.scalars(
        text(
            "SELECT format('%I.%I', schemaname, sequencename) FROM pg_sequences"
            " WHERE schemaname = current_schema() AND last_value IS NOT NULL"
        )
    ).all()
    for sequence in used:
        connection.execute(
            text("SELECT setval(CAST(:sequence AS regclass), 1, false)"), {"sequence": sequence}
        )


@pytest.fixture(scope="session")
def migrated_database(tmp_path_factory) -> str:
    """A database at the newest migration: a SQLite file to copy, or the test server's URI."""
    folder = tmp_path_factory.mktemp("template")
    if TEST_DATABASE_URI:
        uri = this_workers_database(TEST_DATABASE_URI)
    else:
        uri = f"sqlite:///{folder / 'template.sqlite3'}"
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
            with db.engine.begin() as connection:
                empty_tables(connection)
        if "page_cache" in app.extensions:
            # Its connection is its own, outside the pool that dispose() closes.
            app.extensions["page_cache"].close()
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


@pytest.fixture
def site_with(app):
    """Another app on the test's database, with some settings changed; closed afterwards."""
    made = []

    def make(**config):
        made.append(create_app({**app.config, **config}))
        return made[-1]

    yield make
    for other in made:
        other.extensions["page_cache"].close()
        with other.app_context():
            db.engine.dispose()


@contextmanager
def statements() -> Iterator[list[str]]:
    """The SQL statements run inside the block, each on one line."""
    seen: list[str] = []

    def record(conn, cursor, statement, parameters, context, executemany) -> None:
        seen.append(" ".join(statement.split()))

    event.listen(db.engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(db.engine, "before_cursor_execute", record)
