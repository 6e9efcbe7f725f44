"""The parts every reader's page shares (the masthead's sections, the pages linked in the
navigation and footer, QIOSK), read once per content generation in each worker: the next page the
cache misses reads none of them again, and none is ever staler than a page made from scratch."""

import time
from datetime import timedelta

import pytest
from sqlalchemy import event
from sqlalchemy.exc import OperationalError

from rsflask import teasers
from rsflask.db import db, utcnow
from rsflask.models import Page
from rsflask.page_store import MemoryStore


@pytest.fixture
def uncached(app):
    """The page cache keeps nothing: every page is made, as for a crawler."""
    app.extensions["page_cache"].store = MemoryStore(0)
    return app


def statements_of(client, path: str) -> list[str]:
    seen = []

    def record(conn, cursor, statement, *args):
        seen.append(" ".join(statement.split()))

    event.listen(db.engine, "before_cursor_execute", record)
    try:
        assert client.get(path).status_code == 200
    finally:
        event.remove(db.engine, "before_cursor_execute", record)
    return seen


def masthead(client, path: str) -> str:
    """The masthead's navigation of the page at `path`."""
    page = client.get(path).get_data(as_text=True)
    return page.split('<nav class="sections"', 1)[1].split("</nav>", 1)[0]


def add_page(title: str, slug: str, **fields) -> Page:
    page = Page(title=title, slug=slug, status="published", published_at=utcnow(), **fields)
    db.session.add(page)
    db.session.commit()
    return page


def test_the_next_page_reads_no_shared_part_again(uncached, client, add_article):
    add_article("Harbour talks")
    add_article("Quay news", section="qiosk")
    add_page("About", "about", nav_position=1)
    first = statements_of(client, "/")
    again = statements_of(client, "/articles/harbour-talks")
    assert any("FROM sections WHERE EXISTS" in s for s in first)
    assert any("FROM pages" in s for s in first)
    # The article page reads its own article, related ones, its tags and notes: no section
    # list, no pages, no QIOSK, and the generation once at most.
    assert not any("FROM sections WHERE EXISTS" in s for s in again)
    assert not any("FROM pages" in s for s in again)
    assert sum("site_state" in s for s in again) <= 1
    page = client.get("/articles/harbour-talks").get_data(as_text=True)
    assert "Quay news" in page
    assert ">About</a>" in masthead(client, "/articles/harbour-talks")
    assert ">Europe</a>" in masthead(client, "/articles/harbour-talks")


def test_a_section_shows_in_the_masthead_with_its_first_article(uncached, client, add_article):
    add_article("Harbour talks")
    assert ">Asia</a>" not in masthead(client, "/")
    add_article("Monsoon ports", section="Asia")
    assert ">Asia</a>" in masthead(client, "/articles/harbour-talks")


def test_linked_pages_follow_every_change(uncached, client, add_article):
    add_article("Harbour talks")
    about = add_page("About", "about", nav_position=1)
    assert ">About</a>" in client.get("/").get_data(as_text=True)
    about.title = "About us"
    add_page("Contact", "contact", footer_position=1)
    page = client.get("/articles/harbour-talks").get_data(as_text=True)
    assert ">About us</a>" in page and ">Contact</a>" in page
    about.status = "draft"
    db.session.commit()
    assert ">About us</a>" not in client.get("/latest").get_data(as_text=True)


def test_a_scheduled_qiosk_item_shows_when_its_time_comes(uncached, client, add_article):
    add_article("Harbour talks")
    add_article("Ferry strike ends", section="qiosk", published=utcnow() + timedelta(seconds=1.5))
    assert "Ferry strike ends" not in client.get("/").get_data(as_text=True)
    time.sleep(1.6)
    # No write in between: the kept stream ends when the item's time comes.
    assert "Ferry strike ends" in client.get("/articles/harbour-talks").get_data(as_text=True)


def test_a_part_the_database_failed_to_give_is_not_kept(uncached, client, add_article):
    add_article("Harbour talks")

    def fail(conn, cursor, statement, *args):
        if "FROM sections WHERE EXISTS" in " ".join(statement.split()):
            raise OperationalError(statement, {}, Exception("the server went away"))

    event.listen(db.engine, "before_cursor_execute", fail)
    try:
        failed = masthead(client, "/articles/harbour-talks")
    finally:
        event.remove(db.engine, "before_cursor_execute", fail)
    assert ">Europe</a>" not in failed
    assert ">Europe</a>" in masthead(client, "/articles/harbour-talks")


def test_a_listing_counts_its_articles_once_per_generation(uncached, app, client, add_article):
    app.config["ARTICLES_PER_PAGE"] = 2
    for number in range(3):
        add_article(f"Harbour story {number}", tags=["ports"])
    assert "Page 1 of 2" in client.get("/tags/ports").get_data(as_text=True)
    counts = [s for s in statements_of(client, "/tags/ports?page=2") if "count(" in s]
    assert counts == []
    add_article("Harbour story 3", tags=["ports"])
    add_article("Harbour story 4", tags=["ports"])
    assert "Page 2 of 3" in client.get("/tags/ports?page=2").get_data(as_text=True)


def test_a_teaser_is_made_once_and_follows_every_change(uncached, app, client, add_article):
    story = add_article("Harbour talks", section="Europe")
    add_article("Grain corridor", section="Europe")
    made = []
    original = teasers.render

    def counting(article, is_lead):
        made.append((article.slug, is_lead))
        return original(article, is_lead)

    app.extensions["teasers"].clear()
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(teasers, "render", counting)
        client.get("/")
        client.get("/sections/europe")
        client.get("/tags/ports")  # a 404: no teaser
        listing = client.get("/sections/europe").get_data(as_text=True)
    # The lead's teaser differs from the others; the rest serve the front page and the listing.
    assert sorted(made) == [
        ("grain-corridor", False),
        ("harbour-talks", False),
        ("harbour-talks", True),
    ]
    assert "Harbour talks" in listing
    story.title = "Harbour talks resume"
    story.section.name = "European affairs"
    db.session.commit()
    listing = client.get("/sections/europe").get_data(as_text=True)
    assert "Harbour talks resume" in listing and "European affairs" in listing
