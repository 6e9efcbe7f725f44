"""The parts every reader's page shares (the masthead's sections, the pages linked in the
navigation and footer, QIOSK), read once per content generation in each worker: the next page the
cache misses reads none of them again, and none is ever staler than a page made from scratch."""

import re
import time
from datetime import timedelta

import pytest
from sqlalchemy import event
from sqlalchemy.exc import OperationalError

from rsflask import listings, teasers
from rsflask.db import db, utcnow
from rsflask.models import Page, Tag
from rsflask.page_store import MemoryStore
from tests.conftest import statements


@pytest.fixture
def uncached(app):
    """The page cache keeps nothing: every page is made, as for a crawler."""
    app.extensions["page_cache"].store = MemoryStore(0)
    return app


def statements_of(client, path: str) -> list[str]:
    with statements() as seen:
        assert client.get(path).status_code == 200
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

    def counting(article, shape):
        made.append((article.slug, shape))
        return original(article, shape)

    app.extensions["teasers"].clear()
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(teasers, "render", counting)
        client.get("/")
        client.get("/sections/europe")
        client.get("/tags/ports")  # a 404: no teaser
        listing = client.get("/sections/europe").get_data(as_text=True)
    # The lead's teaser differs from the others; the rest serve the front page and the listing.
    assert sorted(made) == [
        ("grain-corridor", "teaser"),
        ("harbour-talks", "lead"),
        ("harbour-talks", "teaser"),
    ]
    assert "Harbour talks" in listing
    story.title = "Harbour talks resume"
    story.section.name = "European affairs"
    db.session.commit()
    listing = client.get("/sections/europe").get_data(as_text=True)
    assert "Harbour talks resume" in listing and "European affairs" in listing


def sidebar(client, path: str) -> str:
    page = client.get(path).get_data(as_text=True)
    return page.split('<aside class="sidebar"', 1)[1].split("</aside>", 1)[0]


def test_a_kept_masthead_marks_the_page_being_read_on_every_page(uncached, client, add_article):
    add_article("Harbour talks", section="Europe")
    add_article("Grain corridor", section="Asia")
    europe = '<a href="/sections/europe" aria-current="page">Europe</a>'
    asia = '<a href="/sections/asia" aria-current="page">Asia</a>'
    # Each page in turn, the masthead of one before it already made.
    assert europe in masthead(client, "/sections/europe")
    assert "aria-current" not in masthead(client, "/articles/harbour-talks")
    assert asia in masthead(client, "/sections/asia") and europe not in masthead(
        client, "/sections/asia"
    )
    assert europe in masthead(client, "/sections/europe?page=1")
    assert 'href="/latest" aria-current="page"' in masthead(client, "/latest")
    assert "aria-current" not in masthead(client, "/")
    front = client.get("/").get_data(as_text=True)
    assert '<h1 class="site-name">' in front
    article = client.get("/articles/harbour-talks").get_data(as_text=True)
    assert '<h1 class="site-name">' not in article and '<p class="site-name">' in article
    assert 'class="masthead-search"' not in client.get("/search?q=harbour").get_data(as_text=True)
    assert 'class="masthead-search"' in client.get("/articles/harbour-talks").get_data(as_text=True)


def test_a_site_below_the_root_marks_the_page_being_read(site_with, add_article):
    add_article("Harbour talks", section="Europe")
    client = site_with(SITE_URL="https://example.org/review/").test_client()
    nav = masthead(client, "/review/sections/europe")
    assert '<a href="/review/sections/europe" aria-current="page">Europe</a>' in nav


def test_a_kept_sidebar_shows_what_each_page_has(uncached, client, add_article):
    add_article("Harbour talks")
    add_article("Ferry strike ends", section="qiosk")
    assert 'id="latest-heading"' in sidebar(client, "/articles/harbour-talks")
    assert 'id="qiosk-heading"' in sidebar(client, "/articles/harbour-talks")
    # The LATEST page does not list LATEST again, and QIOSK's own page has no QIOSK block.
    assert 'id="latest-heading"' not in sidebar(client, "/latest")
    assert 'id="qiosk-heading"' in sidebar(client, "/latest")
    assert 'id="qiosk-heading"' not in sidebar(client, "/qiosk")
    assert 'id="latest-heading"' in sidebar(client, "/qiosk")
    assert 'id="latest-heading"' in sidebar(client, "/articles/harbour-talks")


def test_kept_masthead_sidebar_and_footer_follow_every_change(uncached, client, add_article):
    story = add_article("Harbour talks", section="Europe")
    add_article("Ferry strike ends", section="qiosk")
    add_page("About us", "about", footer_position=1)
    page = client.get("/articles/harbour-talks").get_data(as_text=True)
    assert ">Europe</a>" in page and "Ferry strike ends" in page and ">About us</a>" in page
    story.section.name = "Europe and its neighbours"
    db.session.query(Page).filter_by(slug="about").one().title = "Who we are"
    db.session.commit()
    add_article("Ferry strike over", section="qiosk")
    page = client.get("/articles/harbour-talks").get_data(as_text=True)
    assert ">Europe and its neighbours</a>" in page
    assert "Ferry strike over" in page
    assert ">Who we are</a>" in page and ">About us</a>" not in page


def related_titles(client, slug: str) -> list[str]:
    page = client.get(f"/articles/{slug}").get_data(as_text=True)
    block = page.split('class="more-articles"', 1)[1].split("</section>", 1)[0]
    return re.findall(r'class="teaser-title"[^>]*><a [^>]*>(.*?)</a>', block)


def test_a_sections_related_window_is_read_once_for_all_its_articles(uncached, client, add_article):
    add_article("Harbour talks", tags=["Ports"])
    add_article("Grain corridor", tags=["Ports"])
    add_article("Gas storage", tags=["Energy"])
    client.get("/articles/harbour-talks")
    seen = statements_of(client, "/articles/gas-storage")
    assert not [s for s in seen if "FROM article_tags" in s and "IN (" in s]
    assert related_titles(client, "gas-storage") == ["Harbour talks", "Grain corridor"]


def test_related_articles_follow_a_change_of_tags_and_a_scheduled_article(
    uncached, client, add_article
):
    add_article("Harbour talks", tags=["Ports"])
    add_article("Grain corridor", tags=["Grain"])
    old = add_article("Old quay", tags=["Trade"], published=utcnow() - timedelta(days=30))
    assert related_titles(client, "harbour-talks") == ["Grain corridor", "Old quay"]
    old.tags = [db.session.query(Tag).filter_by(name="Ports").one()]
    db.session.commit()
    assert related_titles(client, "harbour-talks") == ["Old quay", "Grain corridor"]
    add_article("Ferry pier", tags=["Ports"], published=utcnow() + timedelta(seconds=1.5))
    assert "Ferry pier" not in related_titles(client, "harbour-talks")
    time.sleep(1.6)
    # No write in between: the kept window ends when the article's time comes.
    assert related_titles(client, "harbour-talks")[0] == "Ferry pier"


def test_only_the_newest_of_a_section_compete_to_be_related(
    uncached, client, add_article, monkeypatch
):
    monkeypatch.setattr(listings, "RELATED_WINDOW", 3)
    hour = timedelta(hours=1)
    add_article("Oldest, all tags", tags=["Ports", "Grain"], published=utcnow() - 9 * hour)
    add_article("Old, one tag", tags=["Ports"], published=utcnow() - 8 * hour)
    add_article("Newer, no tag", published=utcnow() - 3 * hour)
    add_article("Newest, no tag", published=utcnow() - 2 * hour)
    add_article("Read now", tags=["Ports", "Grain"], published=utcnow() - 1 * hour)
    # The three newest but itself: the two without tags, then the one with a tag.
    assert related_titles(client, "read-now") == ["Old, one tag", "Newest, no tag", "Newer, no tag"]
    # Outside the newest itself: the three newest, the one sharing tags first.
    assert related_titles(client, "oldest-all-tags") == [
        "Read now",
        "Newest, no tag",
        "Newer, no tag",
    ]


def test_a_qiosk_item_is_made_once_and_follows_every_change(uncached, app, client, add_article):
    item = add_article("Ferry strike ends", section="qiosk", body="Crews return **today**.")
    app.extensions["teasers"].clear()
    made = []
    original = teasers.render

    def counting(article, shape):
        made.append((article.slug, shape))
        return original(article, shape)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(teasers, "render", counting)
        client.get("/qiosk")
        page = client.get("/qiosk").get_data(as_text=True)
    assert made == [("ferry-strike-ends", "qiosk")]
    assert "Crews return <strong>today</strong>." in page
    item.title = "Ferry strike over"
    db.session.commit()
    assert "Ferry strike over" in client.get("/qiosk").get_data(as_text=True)
