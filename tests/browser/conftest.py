"""Browser tests: the site served on a loopback port, driven by Debian's Chromium via Playwright.

Playwright cannot download its own browsers here, so it launches the system Chromium. Without
one, these tests skip on a developer's machine and fail under CI=true.
"""

import os
import shutil
import threading
from datetime import timedelta

import pytest
from flask_migrate import upgrade
from werkzeug.serving import make_server

from rsflask.article_files import ArticleFile
from rsflask.article_import import save_article
from rsflask.db import db, utcnow
from rsflask.demo import demo_photo
from tests.conftest import make_app
from tests.page_helpers import make_page
from tests.services import postgres_database

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
LAUNCH_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]

SECTIONS = ["Europe", "Middle East", "Asia"]


def body(number: int) -> str:
    paragraphs = [
        f"Opening paragraph of story {number}, which sets out the argument.",
        f"Second paragraph of story {number}, which the teaser still shows.",
        f"Third paragraph of story {number}: the first one that Keep reading reveals.",
        f"Fourth paragraph of story {number}, with more detail.",
        f"Closing paragraph of story {number}.",
    ]
    return "\n\n".join(paragraphs) + "\n"


class LiveServer(str):
    """The server's base URL, which also knows its app (to look at what the browser stored)."""

    def __new__(cls, url: str, app):
        server = super().__new__(cls, url)
        server.app = app
        return server


@pytest.fixture(scope="session")
def browser():
    if CHROMIUM is None:
        message = "Chromium is not installed (apt-get install -y chromium)"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=LAUNCH_ARGS)
        yield browser
        browser.close()


@pytest.fixture(scope="session")
def live_database(tmp_path_factory, migrated_database):
    """The live server's own database: the app fixture empties the shared one after each test."""
    folder = tmp_path_factory.mktemp("live-database")
    if migrated_database.startswith("sqlite:///"):
        shutil.copyfile(migrated_database.removeprefix("sqlite:///"), folder / "live.sqlite3")
        yield f"sqlite:///{folder / 'live.sqlite3'}"
        return
    with postgres_database("live") as uri:
        with make_app(folder, uri).app_context():
            upgrade()
            db.engine.dispose()
        yield uri


@pytest.fixture(scope="session")
def live_server(tmp_path_factory, live_database):
    """The site with 20 articles, 3 QIOSK items and three pages (About, its Masthead, Privacy
    policy), served from a thread on a free port."""
    folder = tmp_path_factory.mktemp("live")
    uri = live_database
    limits = {"SIGNUP_RATE_LIMIT": 1000, "SEARCH_RATE_LIMIT": 1000, "PREVIEW_RATE_LIMIT": 1000}
    app = make_app(folder / "instance", uri, LATEST_PER_PAGE=5, **limits)
    with app.app_context():
        now = utcnow()
        for number in range(1, 21):
            image, alt = demo_photo(f"story-{number}", width=800, height=450)
            article = ArticleFile(
                title=f"Story number {number}",
                slug=f"story-{number}",
                body=body(number),
                dek=f"The dek of story {number}.",
                section=SECTIONS[number % 3],
                type="Analysis",
                authors=["Ada Writer"],
                published=now - timedelta(hours=number),
                image=image,
                image_alt=alt,
                image_credit="Test illustration",
            )
            save_article(article)
        for number in range(1, 4):
            save_article(
                ArticleFile(
                    title=f"Brief item {number}",
                    slug=f"brief-{number}",
                    body=f"A short item, number {number}.\n",
                    section="QIOSK",
                    type="News",
                    published=now - timedelta(minutes=30 * number),
                )
            )
        db.session.commit()
        about = make_page(
            "About us",
            slug="about",
            dek="Who we are and why we write.",
            body=body(0),
            page_type="AboutPage",
            nav_position=1,
            footer_position=1,
        )
        make_page("Masthead", parent=about, dek="The people who make the magazine.")
        make_page("Privacy policy", slug="privacy", footer_position=2)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield LiveServer(f"http://127.0.0.1:{server.server_port}", app)
    server.shutdown()


def open_page(browser, js_enabled: bool):
    """A fresh page in its own context; any console error fails the test that used it."""
    context = browser.new_context(java_script_enabled=js_enabled)
    page = context.new_page()
    page.js_enabled = js_enabled
    # A test that provokes an error answer on purpose lists what Chromium will log for it.
    page.expected_console_errors = []
    errors = []
    page.on("console", lambda message: message.type == "error" and errors.append(message.text))
    page.on("pageerror", lambda error: errors.append(str(error)))
    yield page
    context.close()
    unexpected = [
        error
        for error in errors
        if not any(expected in error for expected in page.expected_console_errors)
    ]
    assert unexpected == [], f"browser console errors: {unexpected}"


@pytest.fixture(params=[True, False], ids=["js", "no-js"])
def page(request, browser):
    """Each scenario runs twice: with JavaScript on, and off."""
    yield from open_page(browser, request.param)


@pytest.fixture
def js_page(browser):
    """For what only exists with JavaScript on: keyboard use of swaps, history after swaps."""
    yield from open_page(browser, True)
