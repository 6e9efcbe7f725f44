"""The page cache in Redis (REDIS_URL set): app servers share rendered pages, never stale ones."""

import pytest
import redis
from flask import request_started

from rsflask.db import db
from rsflask.page_store import RedisStore
from tests.conftest import make_app
from tests.services import redis_url


@pytest.fixture
def servers(app, tmp_path):
    """Two app servers on one database and one Redis, as behind a load balancer."""
    url = redis_url()
    client = redis.Redis.from_url(url)
    for key in client.scan_iter("rsflask:page:*"):
        client.delete(key)
    uri = app.config["SQLALCHEMY_DATABASE_URI"]
    first, second = (make_app(tmp_path / name, uri, REDIS_URL=url) for name in ("a", "b"))
    yield first, second
    for server in (first, second):
        shut_down(server)
    client.close()


def shut_down(server) -> None:
    """Close what an app server holds open: the page cache's connection and the pool."""
    server.extensions["page_cache"].close()
    with server.app_context():
        db.engine.dispose()


def rendered_by(server, path: str) -> tuple[str, bool]:
    """The page `server` answers for `path`, and whether Flask had to render it."""
    started = []

    def record(sender, **extra):
        started.append(True)

    with request_started.connected_to(record, server):
        page = server.test_client().get(path).get_data(as_text=True)
    return page, bool(started)


def test_the_store_is_redis(servers):
    assert all(isinstance(server.extensions["page_cache"].store, RedisStore) for server in servers)


def test_a_page_one_server_rendered_is_served_by_the_other(servers, add_article):
    first, second = servers
    add_article("Shared story")
    page, rendered = rendered_by(first, "/articles/shared-story")
    assert rendered and "Shared story" in page
    again, rendered = rendered_by(second, "/articles/shared-story")
    assert not rendered and again == page


def test_an_edit_on_either_server_is_never_served_stale_by_the_other(servers, add_article):
    first, second = servers
    article = add_article("Old headline", body="The body never names the headline.\n")
    rendered_by(first, "/articles/old-headline")
    rendered_by(second, "/")
    article.title = "New headline"
    db.session.commit()
    for server in servers:
        for path in ("/articles/old-headline", "/"):
            page, _ = rendered_by(server, path)
            assert "New headline" in page and "Old headline" not in page


def test_entries_expire_in_redis_with_the_page(servers, add_article):
    first, _ = servers
    add_article("Story")
    rendered_by(first, "/articles/story")
    client = redis.Redis.from_url(first.config["REDIS_URL"])
    (name,) = list(client.scan_iter(first.extensions["page_cache"].store.prefix + "*"))
    assert 0 < client.pttl(name) <= 300_000
    client.close()


def test_a_damaged_entry_in_redis_is_rendered_again(servers, add_article):
    first, second = servers
    add_article("Story")
    rendered_by(first, "/articles/story")
    client = redis.Redis.from_url(first.config["REDIS_URL"])
    (name,) = list(client.scan_iter(first.extensions["page_cache"].store.prefix + "*"))
    client.hset(name, "meta", "{not json")
    page, rendered = rendered_by(second, "/articles/story")
    assert rendered and "Story" in page
    client.close()


def test_redis_down_means_rendering_not_an_error(app, tmp_path, add_article):
    # Port 9 (discard) on the loopback: nothing answers there.
    server = make_app(
        tmp_path / "c", app.config["SQLALCHEMY_DATABASE_URI"], REDIS_URL="redis://127.0.0.1:9/0"
    )
    add_article("Story")
    for _ in range(2):
        response = server.test_client().get("/articles/story")
        assert response.status_code == 200 and "Story" in response.get_data(as_text=True)
    shut_down(server)
