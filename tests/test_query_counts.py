"""No N+1 queries: the number of queries a listing makes does not grow with what it shows."""

import pytest
from sqlalchemy import event

from rsflask.db import db
from rsflask.page_store import MemoryStore
from tests.conftest import htmx

LISTINGS = [
    ("/", {}),
    ("/latest", {}),
    ("/latest", htmx()),
    ("/qiosk", {}),
    ("/sections/europe", {}),
    ("/types/analysis", {}),
    ("/tags/energy", {}),
    ("/authors/ada-writer", {}),
    ("/authors", {}),
    ("/feeds/all.atom", {}),
    ("/sitemap.xml", {}),
    ("/search?q=paragraph", {}),
]
# A ceiling for any listing: a handful of queries (the page, its count, the menu, eager loads).
MOST_QUERIES = 12


@pytest.fixture
def count_queries(app):
    # A store that keeps nothing: every request renders.
    app.extensions["page_cache"].store = MemoryStore(0)
    client = app.test_client()
    with app.app_context():
        engine = db.engine

    def count(url: str, headers: dict) -> int:
        statements = []

        def record(conn, cursor, statement, *args):
            if statement != "BEGIN" and not statement.startswith("BEGIN "):
                statements.append(statement)

        event.listen(engine, "before_cursor_execute", record)
        try:
            response = client.get(url, headers=headers)
        finally:
            event.remove(engine, "before_cursor_execute", record)
        assert response.status_code == 200, url
        return len(statements)

    return count


def add_stories(add_article, count: int, start: int) -> None:
    for number in range(start, start + count):
        add_article(
            f"Story {number}",
            tags=["Energy", f"Tag {number}"],
            authors=["Ada Writer", f"Co Author {number}"],
            section="QIOSK" if number % 5 == 0 else "Europe",
        )


@pytest.mark.parametrize(("url", "headers"), LISTINGS)
def test_listing_queries_do_not_grow_with_the_articles_shown(
    add_article, count_queries, url, headers
):
    add_stories(add_article, 6, start=1)
    few = count_queries(url, headers)
    add_stories(add_article, 20, start=7)
    many = count_queries(url, headers)
    assert many <= few
    assert many <= MOST_QUERIES


def test_article_page_queries_are_few(add_article, count_queries):
    add_stories(add_article, 10, start=1)
    assert count_queries("/articles/story-2", {}) <= MOST_QUERIES
