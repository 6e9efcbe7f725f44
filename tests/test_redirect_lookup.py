"""Stored redirects answering readers: only where the site has nothing, so live pages never pay;
old spellings, WordPress's ?p=ID and archive pages; hits counted, the page cache included."""

from datetime import timedelta

import pytest
from flask import request, request_started
from sqlalchemy import event
from sqlalchemy.exc import OperationalError

from rsflask import create_app, redirect_lookup, redirects
from rsflask.db import db, utcnow
from rsflask.models import Redirect, SiteState
from tests.conftest import htmx
from tests.page_helpers import make_page


def hits(old_path: str) -> tuple[int, object]:
    """The redirect's hit count and last hit time, as committed (counts are their own writes)."""
    db.session.rollback()
    row = db.session.execute(
        db.select(Redirect.hit_count, Redirect.last_hit_at).filter_by(old_path=old_path)
    ).one()
    # Ended, so that no transaction of the test's holds SQLite's lock while the app counts.
    db.session.rollback()
    return tuple(row)


def stored(*pairs, **options) -> None:
    for old_path, target in pairs:
        redirects.add(old_path, target, **options)
    db.session.commit()


@pytest.fixture
def statements(app):
    """The SQL statements run while the test runs."""
    seen = []

    def record(conn, cursor, statement, *args):
        seen.append(statement)

    event.listen(db.engine, "before_cursor_execute", record)
    yield seen
    event.remove(db.engine, "before_cursor_execute", record)


def test_an_old_address_answers_301_to_its_target_with_the_query_dropped(client):
    stored(("/2019/04/old-post/", "/latest"))
    response = client.get("/2019/04/old-post/?utm_source=news&replytocom=4")
    assert response.status_code == 301
    assert response.location == "/latest"
    assert response.cache_control.public and response.cache_control.no_cache


@pytest.mark.parametrize(
    ("old_path", "asked"),
    [
        ("/2019/04/old-post/", "/2019/04/old-post"),
        ("/2019/04/old-post", "/2019/04/old-post/"),
        ("/caf%C3%A9/", "/caf%c3%a9/"),
        ("/café/", "/caf%C3%A9"),
        ("/%7Euser/", "/~user/"),
        ("/tag/y/", "/tag/y/page/3/"),
        ("/category/x/", "/category/x/page/12"),
        ("/author/z/", "/author/z/page/2/?orderby=date"),
    ],
)
def test_each_spelling_of_an_old_address_finds_it(client, old_path, asked):
    stored((old_path, "/latest"))
    response = client.get(asked)
    assert (response.status_code, response.location) == (301, "/latest")


def test_wordpress_feed_and_archive_addresses_answer(client, add_article):
    add_article("Story", section="Europe")
    stored(("/feed/", "/feeds/all.atom"), ("/category/europe/", "/sections/europe"))
    assert client.get("/feed/").location == "/feeds/all.atom"
    assert client.get("/category/europe/page/2/").location == "/sections/europe"
    assert client.get("/category/asia/page/2/").status_code == 404


def test_wordpress_post_ids_answer_on_the_front_page(client, add_article):
    add_article("Grid politics")
    stored(("/?p=123", "/articles/grid-politics"))
    front = client.get("/").get_data(as_text=True)
    for asked in ["/?p=123", "/?page_id=123", "/?p=0123&preview=true", "/index.php?p=123"]:
        response = client.get(asked)
        assert (response.status_code, response.location) == (301, "/articles/grid-politics")
    assert client.get("/index.php?p=124").status_code == 404
    # Any other number, or none, is the front page as ever.
    for asked in ["/?p=124", "/?p=abc", "/?page=2", "/"]:
        response = client.get(asked)
        assert response.status_code == 200
        assert response.get_data(as_text=True) == front
    assert hits("/?p=123")[0] == 4


def test_a_redirect_to_an_article_follows_its_later_slug(client, add_article):
    article = add_article("First title")
    stored(("/2019/04/first/", "/articles/first-title"))
    assert client.get("/2019/04/first/").location == "/articles/first-title"
    article.slug = "better-title"
    db.session.commit()
    assert client.get("/2019/04/first/").location == "/articles/better-title"


@pytest.mark.parametrize(
    "change",
    [
        {"status": "draft"},
        {"status": "trash"},
        {"published_at": utcnow() + timedelta(days=1)},
    ],
)
def test_a_redirect_never_reveals_an_article_readers_may_not_see(client, add_article, change):
    article = add_article("Secret plan")
    stored(("/2019/04/plan/", "/articles/secret-plan"))
    for name, value in change.items():
        setattr(article, name, value)
    db.session.commit()
    response = client.get("/2019/04/plan/")
    assert response.status_code == 404 and "secret-plan" not in response.get_data(as_text=True)


def test_a_redirect_to_a_page_waits_for_it_to_be_published(client):
    page = make_page("About", slug="about", status="draft")
    stored(("/about-us/", "/about"))
    assert client.get("/about-us/").status_code == 404
    page.status, page.published_at = "published", utcnow()
    db.session.commit()
    assert client.get("/about-us/").location == "/about"


def test_a_302_and_another_sites_address_are_answered_as_stored(client):
    stored(("/shop/", "https://shop.example/books"), status=302)
    response = client.get("/shop/")
    assert (response.status_code, response.location) == (302, "https://shop.example/books")


def test_a_removed_articles_address_answers_with_its_redirect(client, add_article):
    removed = add_article("Retracted")
    add_article("Corrected")
    removed.status = "trash"
    db.session.commit()
    assert client.get("/articles/retracted").status_code == 410
    stored(("/articles/retracted", "/articles/corrected"))
    assert client.get("/articles/retracted").location == "/articles/corrected"


def test_live_addresses_never_look_redirects_up(client, add_article, statements):
    add_article("Live story")
    make_page("About", slug="about")
    # Stored behind add's back: add refuses a live address.
    db.session.add_all(
        Redirect(old_path=path, match_path=path, target_url="/latest")
        for path in ("/articles/live-story", "/about", "/search")
    )
    db.session.commit()
    for url in ["/", "/articles/live-story", "/about", "/search?q=x", "/sections/europe"]:
        statements.clear()
        response = client.get(url)
        assert response.status_code == 200, url
        assert not any("redirects" in statement for statement in statements), url


def test_other_methods_are_not_redirected(client):
    stored(("/old/", "/latest"))
    assert client.post("/old/").status_code in (404, 405)
    assert client.get("/old/", headers=htmx()).status_code == 301


def test_every_hit_is_counted_the_page_cache_included_without_moving_the_generation(app, client):
    stored(("/old/", "/latest"))
    generation = db.session.get(SiteState, 1).generation
    db.session.rollback()
    started = []

    def record(sender, **extra):
        started.append(request.path)

    with request_started.connected_to(record, app):
        for _ in range(3):
            assert client.get("/old/").status_code == 301
        assert client.head("/old/").status_code == 301
    # The first was the app's, the others the page cache's own.
    assert started == ["/old/"]
    count, last_hit = hits("/old/")
    assert count == 4 and utcnow() - last_hit < timedelta(minutes=1)
    assert db.session.get(SiteState, 1).generation == generation


def test_a_changed_target_is_answered_at_once(client):
    stored(("/old/", "/latest"))
    assert client.get("/old/").location == "/latest"
    stored(("/old/", "/search"))
    assert client.get("/old/").location == "/search"
    db.session.delete(db.session.scalar(db.select(Redirect)))
    db.session.commit()
    assert client.get("/old/").status_code == 404


def test_a_count_that_cannot_be_written_does_not_stop_the_answer(client, monkeypatch):
    stored(("/old/", "/latest"))

    def locked(redirect_id):
        raise OperationalError("UPDATE redirects", {}, Exception("database is locked"))

    monkeypatch.setattr(redirect_lookup, "hit", locked)
    assert client.get("/old/").location == "/latest"
    assert client.get("/old/").location == "/latest"
    assert hits("/old/")[0] == 0


def test_under_a_mount_point_the_answer_points_inside_it(app):
    other = create_app({**app.config, "SITE_URL": "http://localhost/review/"})
    with other.app_context():
        stored(("/old/", "/latest"))
        response = other.test_client().get("/review/old/")
        other.extensions["page_cache"].close()
        db.engine.dispose()
    assert (response.status_code, response.location) == (301, "/review/latest")
