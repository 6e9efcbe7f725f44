"""The page cache: hits cost almost nothing, and no reader ever gets a page from before a change."""

import re
import time
from datetime import timedelta

import pytest
from flask import request, request_started
from sqlalchemy import event
from sqlalchemy.exc import OperationalError
from werkzeug.test import EnvironBuilder, run_wsgi_app

from rsflask import markup
from rsflask.db import db, utcnow
from rsflask.demo import generate_articles
from rsflask.models import Article, Page, SiteState
from rsflask.page_cache import PageCache
from rsflask.page_store import ENTRY_OVERHEAD, Entry, MemoryStore
from tests.conftest import htmx, statements
from tests.editor_helpers import make_user, prepare_editor_tests, sign_in
from tests.page_helpers import make_page
from tests.test_editor_pages import post_page


@pytest.fixture
def queries(app):
    """The SQL statements run while the test runs."""
    statements = []
    with app.app_context():
        engine = db.engine

    def record(conn, cursor, statement, *args):
        if not statement.startswith("BEGIN"):
            statements.append(statement)

    event.listen(engine, "before_cursor_execute", record)
    yield statements
    event.remove(engine, "before_cursor_execute", record)


def test_the_page_cache_wraps_the_app(app):
    assert isinstance(app.extensions["page_cache"], PageCache)


def test_a_cached_page_never_reaches_flask_or_the_orm(app, client, add_article, queries):
    add_article("Cached story")
    first = client.get("/articles/cached-story")
    queries.clear()
    started = []

    def record(sender, **extra):
        started.append(request.path)

    with request_started.connected_to(record, app):
        second = client.get("/articles/cached-story")
    assert second.data == first.data
    # The one read of the generation goes straight through the driver.
    assert queries == [] and started == []


@pytest.mark.parametrize("path", ["/about", "/about/masthead"])
def test_a_page_is_served_from_the_cache_until_its_form_saves_it(
    app, client, queries, monkeypatch, path
):
    prepare_editor_tests(app, monkeypatch)
    make_page("Masthead", parent=make_page("About us", slug="about"))
    page = db.session.scalar(db.select(Page).filter_by(slug=path.rsplit("/", 1)[1]))
    first = client.get(path)
    assert first.status_code == 200
    queries.clear()
    started = []

    def record(sender, **extra):
        started.append(request.path)

    with request_started.connected_to(record, app):
        assert client.get(path).data == first.data
        assert queries == [] and started == []
        make_user("editor@example.org", role="editor")
        editor = app.test_client()
        sign_in(editor, "editor@example.org")
        started.clear()
        assert post_page(editor, page.id, title="Who we are").status_code == 303
        started.clear()
        third = client.get(path)
    assert started == [path]
    assert re.search(r"<h1[^>]*>Who we are</h1>", third.get_data(as_text=True))


def test_tracking_parameters_share_the_page_without_reaching_flask(app, client, add_article):
    add_article("Shared story")
    first = client.get("/articles/shared-story?fbclid=reader-one&utm_source=social")
    started = []

    def record(sender, **extra):
        started.append(request.path)

    with request_started.connected_to(record, app):
        second = client.get("/articles/shared-story?fbclid=reader-two")
    assert second.data == first.data and started == []


@pytest.mark.parametrize("query", ["%71=grid", "q=grid&fbclid=1", "q=gr%69d", "q=grid+"])
def test_parameters_pages_read_are_told_apart_however_written(client, add_article, query):
    add_article("Canal report")
    add_article("Grid report")
    # Kept first: the entries that a query read the wrong way would be taken for.
    assert "Search titles" in client.get("/search").get_data(as_text=True)
    assert "Canal report" in client.get("/search?q=canal").get_data(as_text=True)
    html = client.get(f"/search?{query}").get_data(as_text=True)
    assert "Grid report" in html and "Canal report" not in html


def test_an_edited_article_is_never_served_stale(client, add_article):
    article = add_article("Old headline")
    assert "Old headline" in client.get("/articles/old-headline").get_data(as_text=True)
    assert "Old headline" in client.get("/").get_data(as_text=True)
    article.title = "New headline"
    db.session.commit()
    assert "New headline" in client.get("/articles/old-headline").get_data(as_text=True)
    assert "New headline" in client.get("/").get_data(as_text=True)


@pytest.mark.parametrize(
    ("url", "headers"),
    [
        ("/", {}),
        ("/latest", htmx()),
        ("/latest", {}),
        ("/sections/europe", {}),
        ("/feeds/all.atom", {}),
        ("/sitemap.xml", {}),
    ],
)
def test_publishing_shows_at_once_on_lists_fragments_and_feeds(client, add_article, url, headers):
    add_article("Already out")
    draft = add_article("Fresh news", status="draft")
    assert "Fresh news" not in client.get(url, headers=headers).get_data(as_text=True)
    draft.status = "published"
    db.session.commit()
    html = client.get(url, headers=headers).get_data(as_text=True)
    assert "Fresh news" in html or "fresh-news" in html


def test_keep_reading_fragment_follows_an_edit(client, add_article):
    article = add_article("Long", body="One.\n\nTwo.\n\nThree old.\n")
    assert "Three old." in client.get("/articles/long/more", headers=htmx()).get_data(as_text=True)
    markup.set_body(article, "One.\n\nTwo.\n\nThree new.\n")
    db.session.commit()
    assert "Three new." in client.get("/articles/long/more", headers=htmx()).get_data(as_text=True)


def test_trashing_turns_a_cached_page_into_410(client, add_article):
    article = add_article("Soon gone")
    assert client.get("/articles/soon-gone").status_code == 200
    article.status = "trash"
    db.session.commit()
    assert client.get("/articles/soon-gone").status_code == 410


def test_a_scheduled_article_appears_when_its_time_comes(client, add_article):
    add_article("Already out")
    add_article("On the hour", published=utcnow() + timedelta(seconds=1.5))
    assert "On the hour" not in client.get("/").get_data(as_text=True)
    time.sleep(1.6)
    assert "On the hour" in client.get("/").get_data(as_text=True)


def test_the_next_scheduled_time_is_looked_up_once_per_generation(client, add_article):
    add_article("Already out")
    add_article("Second story")
    add_article("On the hour", published=utcnow() + timedelta(seconds=1.5))
    with statements() as seen:
        for path in ("/", "/articles/already-out", "/articles/second-story", "/latest"):
            assert client.get(path).status_code == 200
        assert sum("min(articles.published_at)" in s for s in seen) == 1
        time.sleep(1.6)
        # Its time has come: the pages made from now on may live until the next one.
        assert "On the hour" in client.get("/latest").get_data(as_text=True)
        assert sum("min(articles.published_at)" in s for s in seen) == 2


def test_bulk_inserted_articles_show_at_once(app, client, add_article):
    model = add_article("Model story")
    assert "Model story (2)" not in client.get("/latest").get_data(as_text=True)
    generate_articles(3, [model], start=utcnow())
    assert db.session.scalar(db.select(db.func.count(Article.id))) == 4
    assert "Model story (2)" in client.get("/latest").get_data(as_text=True)


def test_pages_that_set_a_cookie_are_not_kept(app, client):
    client.get("/newsletter", headers=htmx())
    assert not any(key[0] == "/newsletter" for key in app.extensions["page_cache"].store.entries)


def test_a_forged_host_does_not_poison_the_page_for_others(client, add_article):
    add_article("Story")
    client.get("/articles/story", headers={"Host": "evil.example"})
    html = client.get("/articles/story").get_data(as_text=True)
    assert "evil.example" not in html


# What a client (or a server that believes it) may put in a request to move a page's links
# elsewhere: the mount point, the host, the scheme and the prefix, as headers and as the environ.
HOSTILE_ORIGINS = [
    {"environ_overrides": {"SCRIPT_NAME": "//evil.example"}},
    {"environ_overrides": {"SCRIPT_NAME": "/evil-mount"}},
    {"environ_overrides": {"wsgi.url_scheme": "evil"}},
    {"headers": {"Host": "evil.example"}},
    {"headers": {"X-Forwarded-Host": "evil.example"}},
    {"headers": {"X-Forwarded-Proto": "evil"}},
    {"headers": {"X-Forwarded-Prefix": "//evil.example"}},
    {"headers": {"X-Forwarded-Port": "6666"}},
    {"headers": {"X-Original-URL": "//evil.example/", "X-Rewrite-URL": "//evil.example/"}},
    {"headers": {"Forwarded": "host=evil.example;proto=evil"}},
]


@pytest.mark.parametrize("proxy_count", [0, 1])
@pytest.mark.parametrize("hostile", HOSTILE_ORIGINS, ids=lambda hostile: str(hostile)[:60])
@pytest.mark.parametrize(("path", "headers"), [("/", {}), ("/latest", htmx())])
def test_a_forged_origin_never_reaches_the_next_reader(
    site_with, add_article, proxy_count, hostile, path, headers
):
    client = site_with(PROXY_COUNT=proxy_count).test_client()
    add_article("Story")
    forged = {**hostile, "headers": {**headers, **hostile.get("headers", {})}}
    client.get(path, **forged)
    html = client.get(path, headers=headers).get_data(as_text=True)
    assert 'href="/articles/story"' in html
    assert "evil" not in html and "6666" not in html


def test_a_page_asked_for_through_a_forged_mount_point_is_kept_apart(client, add_article):
    add_article("Story")
    # The server splits /articles/story as if the site were mounted at /articles.
    assert client.get("/story", environ_overrides={"SCRIPT_NAME": "/articles"}).status_code == 200
    assert client.get("/story").status_code == 404


def test_a_page_asked_for_without_a_host_is_kept_apart_by_server_name(app, add_article):
    add_article("Story")

    def site_feed(server_name: str) -> str:
        environ = EnvironBuilder(path="/feeds/all.atom").get_environ()
        del environ["HTTP_HOST"]
        environ["SERVER_NAME"] = server_name
        body, status, _ = run_wsgi_app(app.wsgi_app, environ, buffered=True)
        assert status == "200 OK"
        return b"".join(body).decode()

    assert "app-server-one" in site_feed("app-server-one")
    feed = site_feed("app-server-two")
    assert "app-server-two" in feed and "app-server-one" not in feed


def test_the_site_is_where_its_address_says_whatever_the_server_says(site_with, add_article):
    add_article("Story")
    client = site_with(SITE_URL="https://example.org/review/").test_client()
    # The mount point a server names (gunicorn takes one from a header) changes nothing: the
    # path it was split from is outside the site.
    forged = client.get("/review/", environ_overrides={"SCRIPT_NAME": "//evil.example"})
    assert forged.status_code == 404
    assert client.get("/elsewhere/").status_code == 404
    page = client.get("/review/")
    assert page.status_code == 200
    assert 'href="/review/articles/story"' in page.get_data(as_text=True)
    assert client.get("/review/articles/story").status_code == 200


def test_repeat_visit_gets_304_from_the_cache(client, add_article):
    add_article("Story")
    etag = client.get("/articles/story").headers["ETag"]
    again = client.get("/articles/story", headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.data == b""


def test_head_of_a_cached_page_has_no_body(client, add_article):
    add_article("Story")
    client.get("/articles/story")
    head = client.head("/articles/story")
    assert head.status_code == 200 and head.data == b""


def test_fragments_and_pages_are_kept_apart(client, add_article):
    add_article("Story")
    page = client.get("/latest").get_data(as_text=True)
    fragment = client.get("/latest", headers=htmx()).get_data(as_text=True)
    assert "<html" in page and "<html" not in fragment
    assert "<html" in client.get("/latest").get_data(as_text=True)


def test_signups_do_not_empty_the_cache(app, client, add_article):
    add_article("Story")
    client.get("/articles/story")
    generation = app.extensions["page_cache"].generation()
    from rsflask.models import Subscriber

    db.session.add(Subscriber(email="reader@example.org"))
    db.session.commit()
    assert app.extensions["page_cache"].generation() == generation


def test_a_down_database_is_answered_by_the_app_not_the_cache(
    app, client, add_article, monkeypatch
):
    add_article("Story")
    client.get("/articles/story")

    def broken():
        raise OperationalError("SELECT 1", {}, Exception("unable to open database file"))

    monkeypatch.setattr(app.extensions["page_cache"], "generation", broken)
    response = client.get("/articles/story")
    assert response.status_code != 500


def test_editor_sign_in_sets_the_cookie_that_passes_nginx_cache(app, client, monkeypatch):
    prepare_editor_tests(app, monkeypatch)
    make_user("ed@example.org")
    sign_in(client, "ed@example.org")
    assert client.get_cookie("rsflask_editor") is not None
    client.post("/editor/sign-out")
    assert client.get_cookie("rsflask_editor") is None


def test_public_pages_tell_nginx_how_long_to_keep_them(app, client, add_article):
    add_article("Story")
    response = client.get("/articles/story")
    assert response.headers["X-Accel-Expires"] == str(app.config["NGINX_CACHE_SECONDS"])
    assert "X-Accel-Expires" not in client.get("/editor/sign-in").headers


def test_the_memory_store_keeps_to_its_budget_counting_headers_and_bookkeeping():
    headers = [("Content-Type", "text/html; charset=utf-8"), ("ETag", '"abc"')]

    def page(size: int) -> Entry:
        return Entry(1, time.time() + 60, "200 OK", headers, b"x" * size, '"abc"')

    small = page(100)
    # A small page costs far more than its body: a budget of bodies alone would hold a
    # worker's memory to nothing like it.
    assert small.cost >= 100 + ENTRY_OVERHEAD
    store = MemoryStore(max_bytes=10 * small.cost)
    for number in range(15):
        store.keep(("/search", f"q={number}"), page(100))
        assert store.size == sum(entry.cost for entry in store.entries.values())
        assert store.size <= store.max_bytes
    # The least recently used went first.
    assert [key[1] for key in store.entries] == [f"q={number}" for number in range(5, 15)]
    # Replacing an entry counts it once; one larger than a tenth of the budget is not kept.
    store.keep(("/search", "q=14"), page(100))
    assert len(store.entries) == 10
    store.keep(("/big", ""), page(store.max_bytes // 10))
    assert store.get(("/big", "")) is None


def generation() -> int:
    db.session.expire_all()
    return db.session.scalar(db.select(SiteState.generation))


def test_saves_readers_cannot_see_keep_every_cached_page(app, client, add_article):
    add_article("Already out")
    draft = add_article("Work in progress", status="draft", published=None)
    scheduled = add_article("On Friday", published=utcnow() + timedelta(days=2))
    client.get("/")
    kept = generation()
    draft.title, draft.dek = "Still in progress", "Nearly there."
    draft.status = "review"
    scheduled.dek = "A better dek."
    db.session.commit()
    assert generation() == kept
    started = []
    with request_started.connected_to(lambda sender, **extra: started.append(1), app):
        client.get("/")
    assert started == [], "the front page was made again"
    # A new time, a draft published, or a scheduled article pulled back: pages change.
    scheduled.published_at = utcnow() + timedelta(days=1)
    db.session.commit()
    assert generation() == kept + 1
    draft.status = "published"
    draft.published_at = utcnow()
    db.session.commit()
    assert generation() == kept + 2
    assert "Still in progress" in client.get("/").get_data(as_text=True)
