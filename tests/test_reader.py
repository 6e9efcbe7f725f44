"""What a reader sees: the front page, articles, listings, LATEST, QIOSK and the error pages.

Pages are parsed into a small element tree (the standard library's HTMLParser), so that tests
can ask what a reader would find in a block rather than grep the markup.
"""

import io
import os
import re
import subprocess
import sys
from datetime import datetime, timedelta
from html.parser import HTMLParser
from pathlib import Path

import pytest
from conftest import htmx, make_app
from PIL import Image
from sqlalchemy import update

from rsflask.db import db, utcnow
from rsflask.models import Article, Author, SlugRedirect

VOID_TAGS = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source"}


class Element:
    """One element of a parsed page: its tag, attributes, children and the text inside it."""

    def __init__(self, tag: str, attrs: list[tuple[str, str | None]], parent=None) -> None:
        self.tag = tag
        self.attrs = {name: value if value is not None else "" for name, value in attrs}
        self.parent = parent
        self.children: list = []

    def __repr__(self) -> str:
        return f"<{self.tag} {self.attrs}>"

    @property
    def classes(self) -> set[str]:
        return set(self.attrs.get("class", "").split())

    @property
    def text(self) -> str:
        return " ".join("".join(self._strings()).split())

    def _strings(self):
        for child in self.children:
            if isinstance(child, str):
                yield child
            else:
                yield " " if child.tag in ("br", "p", "li", "h1", "h2") else ""
                yield from child._strings()

    def descendants(self):
        for child in self.children:
            if isinstance(child, Element):
                yield child
                yield from child.descendants()

    def find_all(self, tag: str | None = None, class_: str | None = None, **attrs) -> list:
        wanted = {name.rstrip("_").replace("_", "-"): value for name, value in attrs.items()}
        return [
            element
            for element in self.descendants()
            if (tag is None or element.tag == tag)
            and (class_ is None or class_ in element.classes)
            and all(element.attrs.get(name) == value for name, value in wanted.items())
        ]

    def find(self, tag: str | None = None, class_: str | None = None, **attrs):
        found = self.find_all(tag, class_, **attrs)
        assert found, f"no <{tag} class={class_!r} {attrs}> in the page"
        return found[0]

    def links(self) -> list[str]:
        return [a.attrs.get("href") for a in self.find_all("a")]


class _TreeBuilder(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root = Element("#document", [])
        self.current = self.root

    def handle_starttag(self, tag, attrs):
        element = Element(tag, attrs, self.current)
        self.current.children.append(element)
        if tag not in VOID_TAGS:
            self.current = element

    def handle_startendtag(self, tag, attrs):
        self.current.children.append(Element(tag, attrs, self.current))

    def handle_endtag(self, tag):
        node = self.current
        while node is not self.root and node.tag != tag:
            node = node.parent
        if node is not self.root:
            self.current = node.parent

    def handle_data(self, data):
        self.current.children.append(data)


def parse(response) -> Element:
    builder = _TreeBuilder()
    builder.feed(response.get_data(as_text=True))
    builder.close()
    return builder.root


def jpeg(width: int = 1000, height: int = 600, colour=(20, 60, 110)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), colour).save(out, "JPEG")
    return out.getvalue()


def hours_ago(hours: float) -> datetime:
    return utcnow() - timedelta(hours=hours)


def teaser_titles(page: Element) -> list[str]:
    return [h2.text for h2 in page.find_all("h2", class_="teaser-title")]


def latest_titles(page: Element) -> list[str]:
    items = page.find("ol", class_="latest-page").find_all("li")
    return [li.find("a").text for li in items if not li.classes & {"latest-more", "latest-end"}]


def qiosk_titles(page: Element) -> list[str]:
    return [item.find("h2").text for item in page.find_all("article", class_="qiosk-item")]


@pytest.fixture
def app_with(app, tmp_path):
    """Another app on the same database, with some settings changed."""
    made = []

    def build(**config):
        other = make_app(tmp_path / "instance", app.config["SQLALCHEMY_DATABASE_URI"], **config)
        made.append(other)
        return other

    yield build
    for other in made:
        with other.app_context():
            db.engine.dispose()


# --- The front page ---------------------------------------------------------------------------


@pytest.fixture
def front(add_article):
    """A lead story, a teaser with a photo, and a QIOSK item newer than both."""
    return {
        "qiosk": add_article(
            "Port tender opens", section="QIOSK", type="News", published=hours_ago(0.5)
        ),
        "lead": add_article("Lead story", dek="What the lead is about.", published=hours_ago(1)),
        "second": add_article(
            "Second story",
            type="News",
            section="Asia",
            image=jpeg(),
            image_alt="Cranes over a container port",
            image_credit="Jane Lens",
            published=hours_ago(2),
        ),
        "third": add_article("Third story", published=hours_ago(3)),
    }


def test_front_page_leads_with_the_newest_story_outside_qiosk(client, front):
    lead = parse(client.get("/")).find("article", class_="teaser-lead")
    assert lead.find("h2").text == "Lead story"


def test_front_page_lead_shows_its_dek(client, front):
    lead = parse(client.get("/")).find("article", class_="teaser-lead")
    assert lead.find("p", class_="dek").text == "What the lead is about."


def test_front_page_teasers_follow_the_lead_newest_first(client, front):
    teasers = parse(client.get("/")).find("div", class_="teasers")
    assert teaser_titles(teasers) == ["Second story", "Third story"]


def test_front_page_teaser_shows_the_photo_credit_line(client, front):
    teaser = parse(client.get("/")).find("article", id="teaser-second-story")
    assert teaser.find("figcaption").text == "Photo: Jane Lens"


def test_front_page_teaser_photo_has_its_alt_text(client, front):
    teaser = parse(client.get("/")).find("article", id="teaser-second-story")
    assert teaser.find("img").attrs["alt"] == "Cranes over a container port"


def test_front_page_teaser_shows_type_and_section_label(client, front):
    teaser = parse(client.get("/")).find("article", id="teaser-second-story")
    assert teaser.find("p", class_="label").text == "News | Asia"


def test_front_page_teaser_title_links_to_the_article(client, front):
    teaser = parse(client.get("/")).find("article", id="teaser-second-story")
    assert teaser.find("h2").find("a").attrs["href"] == "/articles/second-story"


def test_front_page_teaser_shows_the_first_paragraphs_only(client, front):
    teaser = parse(client.get("/")).find("article", id="teaser-second-story")
    body = teaser.find("div", class_="teaser-body").text
    assert "First paragraph of Second story." in body
    assert "Second paragraph." in body
    assert "Third one." not in body


def test_front_page_keep_reading_link_leads_to_the_article(client, front):
    teaser = parse(client.get("/")).find("article", id="teaser-second-story")
    control = teaser.find("a", class_="fold-control")
    assert control.text.startswith("Keep reading")
    assert control.attrs["href"] == "/articles/second-story"


def test_keep_reading_fragment_holds_the_rest_of_the_body(client, front):
    response = client.get("/articles/second-story/more", headers=htmx())
    assert response.status_code == 200
    assert "<html" not in response.text
    assert parse(response).find("div", class_="fold-rest").text == "Third one."


def test_keep_reading_without_htmx_redirects_to_the_article(client, front):
    response = client.get("/articles/second-story/more")
    assert response.status_code == 302
    assert response.headers["Location"] == "/articles/second-story"


def test_front_page_shows_qiosk_items_in_the_qiosk_block(client, front):
    block = parse(client.get("/")).find("section", class_="qiosk")
    assert "Port tender opens" in block.text
    assert "/articles/port-tender-opens" in block.links()


def test_front_page_does_not_show_qiosk_items_as_teasers(client, front):
    page = parse(client.get("/"))
    assert "Port tender opens" not in teaser_titles(page)
    assert not page.find_all("article", id="teaser-port-tender-opens")


def test_front_page_latest_block_links_to_latest_without_javascript(client, front):
    block = parse(client.get("/")).find("section", class_="latest")
    assert "/latest" in block.find("ol").links()
    assert block.find("ol").attrs["data-hx-get"] == "/latest"


def test_front_page_newsletter_block_holds_the_signup_form(client, front):
    block = parse(client.get("/")).find("section", class_="newsletter-block")
    form = block.find("form")
    assert (form.attrs["action"], form.attrs["method"]) == ("/newsletter", "post")
    assert block.find("input", name="email").attrs["type"] == "email"


def test_front_page_follow_us_links_come_from_the_settings(app, client, front):
    follow = parse(client.get("/")).find("nav", class_="follow")
    assert "Follow us" in follow.text
    assert [[a.text, a.attrs["href"]] for a in follow.find_all("a")] == app.config["SOCIAL_LINKS"]


def test_front_page_follow_us_links_follow_a_changed_setting(app_with, front):
    links = [["Fediverse", "https://fedi.example/@review"], ["Podcast", "/podcast.xml"]]
    page = parse(app_with(SOCIAL_LINKS=links).test_client().get("/"))
    follow = page.find("nav", class_="follow")
    assert [[a.text, a.attrs["href"]] for a in follow.find_all("a")] == links
    assert "Mastodon" not in page.text


def test_front_page_without_articles_says_nothing_is_published(client):
    assert "Nothing has been published yet." in parse(client.get("/")).text


# --- The article page -------------------------------------------------------------------------

PUBLISHED = datetime(2025, 3, 4, 9, 30)
DEK = "Europe refilled its tanks. The bill arrives next."


@pytest.fixture
def story(add_article):
    """An article with everything a reader can see, and two others."""
    add_article("Older neighbour", published=PUBLISHED - timedelta(days=2))
    add_article("Newer neighbour", published=hours_ago(1))
    return add_article(
        "Gas storage after the winter",
        dek=DEK,
        body="Storage is full.\n\nPrices are not.\n\nThe winter will tell.\n",
        type="Analysis",
        section="Europe",
        authors=["Zoe Marlow", "Adam Brandt"],
        tags=["Energy Security", "Baltic"],
        image=jpeg(1000, 600),
        image_alt="Gas tanks at a port",
        image_credit="Jane Lens",
        published=PUBLISHED,
    )


def article_page(client) -> Element:
    response = client.get("/articles/gas-storage-after-the-winter")
    assert response.status_code == 200
    return parse(response)


def test_article_page_has_the_follow_us_bar(app, client, story):
    follow = article_page(client).find("article", class_="article").find("nav", class_="follow")
    assert [a.attrs["href"] for a in follow.find_all("a")] == [
        url for _, url in app.config["SOCIAL_LINKS"]
    ]


def test_article_page_top_photo_has_alt_text(client, story):
    img = article_page(client).find("figure", class_="top-photo").find("img")
    assert img.attrs["alt"] == "Gas tanks at a port"


def test_article_page_top_photo_has_width_and_height(client, story):
    img = article_page(client).find("figure", class_="top-photo").find("img")
    assert (img.attrs["width"], img.attrs["height"]) == ("1000", "600")


def test_article_page_top_photo_offers_every_stored_width(client, story):
    img = article_page(client).find("figure", class_="top-photo").find("img")
    widths = [entry.split()[1] for entry in img.attrs["srcset"].split(", ")]
    assert widths == ["480w", "800w", "1000w"]


def test_article_page_top_photo_variants_are_served(client, story):
    img = article_page(client).find("figure", class_="top-photo").find("img")
    for entry in img.attrs["srcset"].split(", "):
        response = client.get(entry.split()[0])
        assert response.status_code == 200
        assert response.mimetype == "image/webp"


def test_article_page_top_photo_is_fetched_first(client, story):
    img = article_page(client).find("figure", class_="top-photo").find("img")
    assert img.attrs["fetchpriority"] == "high"
    assert "loading" not in img.attrs


def test_article_page_shows_the_top_photo_credit(client, story):
    credit = article_page(client).find("figure", class_="top-photo").find("figcaption")
    assert credit.text == "Top photo credit: Jane Lens"


def test_article_page_headline_is_the_title(client, story):
    assert article_page(client).find("h1").text == "Gas storage after the winter"


def test_article_page_shows_the_dek(client, story):
    header = article_page(client).find("header", class_="article-header")
    assert header.find("p", class_="dek").text == DEK


def test_article_page_label_names_type_and_section(client, story):
    label = article_page(client).find("header", class_="article-header").find("p", class_="label")
    assert label.text == "Analysis | Europe"


def test_article_page_label_links_to_type_and_section_pages(client, story):
    label = article_page(client).find("header", class_="article-header").find("p", class_="label")
    assert label.links() == ["/types/analysis", "/sections/europe"]


def test_article_page_byline_names_authors_in_byline_order(client, story):
    byline = article_page(client).find("header", class_="article-header").find("p", "byline")
    assert byline.find("span", class_="authors").text == "By Zoe Marlow and Adam Brandt"


def test_article_page_byline_links_to_author_pages(client, story):
    byline = article_page(client).find("header", class_="article-header").find("p", "byline")
    assert byline.links() == ["/authors/zoe-marlow", "/authors/adam-brandt"]


def test_article_page_shows_the_publication_date(client, story):
    byline = article_page(client).find("header", class_="article-header").find("p", "byline")
    time = byline.find("time")
    assert time.text == "March 4, 2025"
    assert time.attrs["datetime"] == "2025-03-04T09:30:00+00:00"


def test_article_page_shows_the_whole_body(client, story):
    body = article_page(client).find("div", class_="article-body")
    assert [p.text for p in body.find_all("p")] == [
        "Storage is full.",
        "Prices are not.",
        "The winter will tell.",
    ]


def test_article_page_tags_link_to_tag_pages(client, story):
    tags = article_page(client).find("footer", class_="tags")
    assert [(a.text, a.attrs["href"]) for a in tags.find_all("a")] == [
        ("Baltic", "/tags/baltic"),
        ("Energy Security", "/tags/energy-security"),
    ]


def test_article_page_more_articles_are_teasers_of_others(client, story):
    more = article_page(client).find("section", class_="more-articles")
    assert teaser_titles(more) == ["Newer neighbour", "Older neighbour"]


def test_article_page_more_articles_leave_out_qiosk_items(client, story, add_article):
    add_article("A short item", section="QIOSK", published=hours_ago(0.5))
    more = article_page(client).find("section", class_="more-articles")
    assert "A short item" not in teaser_titles(more)


def test_article_page_tells_about_the_authors_who_have_a_bio(client, story):
    author = db.session.scalar(db.select(Author).filter_by(slug="adam-brandt"))
    author.bio = "Adam Brandt covers energy."
    db.session.commit()
    about = article_page(client).find("section", class_="about-authors")
    assert about.text == "Adam Brandt: Adam Brandt covers energy."
    assert about.links() == ["/authors/adam-brandt"]


def test_article_page_without_author_bios_has_no_about_the_authors(client, story):
    page = article_page(client)
    assert not page.find_all("section", class_="about-authors")
    assert "About the authors" not in page.text


def test_article_page_title_names_article_and_site(app, client, story):
    title = article_page(client).find("title").text
    assert title == f"Gas storage after the winter | {app.config['SITE_NAME']}"


def test_article_page_description_is_the_dek(client, story):
    meta = article_page(client).find("meta", name="description")
    assert meta.attrs["content"] == DEK


# --- Listings: sections, types, tags, authors, QIOSK, LATEST ----------------------------------


@pytest.fixture
def filed(add_article):
    """Articles filed under different sections, types, tags and authors."""
    add_article("Europe new", section="Europe", type="Analysis", tags=["Energy"],
                authors=["Ada Writer"], published=hours_ago(1))  # fmt: skip
    add_article("Asia news", section="Asia", type="News", tags=["Trade"],
                authors=["Ben Other"], published=hours_ago(2))  # fmt: skip
    add_article("Europe old", section="Europe", type="Analysis", tags=["Energy"],
                authors=["Ada Writer"], published=hours_ago(3))  # fmt: skip
    add_article("Europe opinion", section="Europe", type="Opinion", tags=["Trade"],
                authors=["Ben Other"], published=hours_ago(4))  # fmt: skip
    add_article("Brief", section="QIOSK", type="News", tags=["Energy"],
                authors=["Ada Writer"], published=hours_ago(5))  # fmt: skip


def test_section_page_lists_its_articles_newest_first(client, filed):
    page = parse(client.get("/sections/europe"))
    assert page.find("h1").text == "Europe"
    assert teaser_titles(page) == ["Europe new", "Europe old", "Europe opinion"]


def test_type_page_lists_its_articles_newest_first(client, filed):
    page = parse(client.get("/types/analysis"))
    assert page.find("h1").text == "Analysis"
    assert teaser_titles(page) == ["Europe new", "Europe old"]


def test_type_page_includes_qiosk_items(client, filed):
    """An item's "News | QIOSK" label links to the type page, so the item is listed there."""
    assert teaser_titles(parse(client.get("/types/news"))) == ["Asia news", "Brief"]


def test_tag_page_lists_its_articles_newest_first(client, filed):
    page = parse(client.get("/tags/trade"))
    assert page.find("h1").text == "Trade"
    assert teaser_titles(page) == ["Asia news", "Europe opinion"]


def test_author_page_lists_their_articles_newest_first(client, filed):
    page = parse(client.get("/authors/ben-other"))
    assert page.find("h1").text == "Ben Other"
    assert teaser_titles(page) == ["Asia news", "Europe opinion"]


def test_author_page_shows_the_bio(client, filed):
    author = db.session.scalar(db.select(Author).filter_by(slug="ben-other"))
    author.bio = "Ben Other covers trade and the sea lanes."
    db.session.commit()
    page = parse(client.get("/authors/ben-other"))
    assert page.find("p", class_="listing-description").text == author.bio


def test_section_of_drafts_only_is_not_found(client, add_article):
    add_article("Only story", section="Asia")
    add_article("Gone", section="Europe", status="draft")
    assert client.get("/sections/europe").status_code == 404


def test_qiosk_section_page_redirects_to_qiosk(client, filed):
    response = client.get("/sections/qiosk")
    assert response.status_code == 301
    assert response.headers["Location"] == "/qiosk"


def test_qiosk_page_shows_items_in_full(client, add_article):
    add_article("Port tender opens", section="QIOSK", published=hours_ago(1))
    add_article("Ministers meet", section="QIOSK", published=hours_ago(2))
    add_article("Not an item", section="Europe", published=hours_ago(0.5))
    page = parse(client.get("/qiosk"))
    assert qiosk_titles(page) == ["Port tender opens", "Ministers meet"]
    item = page.find("article", class_="qiosk-item")
    assert [p.text for p in item.find("div", class_="prose").find_all("p")] == [
        "First paragraph of Port tender opens.",
        "Second paragraph.",
        "Third one.",
    ]


def test_latest_lists_everything_newest_first(client, filed):
    page = parse(client.get("/latest"))
    assert latest_titles(page) == [
        "Europe new",
        "Asia news",
        "Europe old",
        "Europe opinion",
        "Brief",
    ]


def test_latest_more_link_leads_to_the_next_items(app, client, add_article):
    app.config["LATEST_PER_PAGE"] = 2
    for number in range(1, 4):
        add_article(f"Story {number}", published=hours_ago(number))
    more = parse(client.get("/latest")).find("li", class_="latest-more").find("a")
    fragment = client.get(more.attrs["href"], headers=htmx())
    assert [a.text for a in parse(fragment).find_all("a")] == ["Story 3"]
    assert "<html" not in fragment.text


@pytest.fixture
def small_pages(app_with, add_article):
    """A client of an app with two articles a page, and three articles in every listing."""
    for number, hours in enumerate((1, 2, 3), start=1):
        add_article(f"Story {number}", tags=["Energy"], published=hours_ago(hours))
    return app_with(ARTICLES_PER_PAGE=2).test_client()


LISTINGS = ["/sections/europe", "/types/analysis", "/tags/energy", "/authors/ada-writer"]


@pytest.mark.parametrize("path", LISTINGS)
def test_listing_first_page_holds_the_newest(small_pages, path):
    assert teaser_titles(parse(small_pages.get(path))) == ["Story 1", "Story 2"]


@pytest.mark.parametrize("path", LISTINGS)
def test_listing_second_page_holds_the_oldest(small_pages, path):
    response = small_pages.get(f"{path}?page=2")
    assert response.status_code == 200
    assert teaser_titles(parse(response)) == ["Story 3"]


@pytest.mark.parametrize("path", LISTINGS)
def test_listing_page_past_the_last_is_not_found(small_pages, path):
    assert small_pages.get(f"{path}?page=3").status_code == 404


@pytest.mark.parametrize("path", LISTINGS)
def test_listing_first_page_links_to_older_articles(small_pages, path):
    pager = parse(small_pages.get(path)).find("nav", class_="pager")
    assert [(a.text, a.attrs["href"]) for a in pager.find_all("a")] == [("Older", f"{path}?page=2")]


@pytest.mark.parametrize("path", LISTINGS)
def test_listing_second_page_links_to_newer_articles(small_pages, path):
    pager = parse(small_pages.get(f"{path}?page=2")).find("nav", class_="pager")
    assert [(a.text, a.attrs["href"]) for a in pager.find_all("a")] == [("Newer", f"{path}?page=1")]


def test_qiosk_second_page_holds_the_oldest_item(app_with, add_article):
    for number in range(1, 4):
        add_article(f"Item {number}", section="QIOSK", published=hours_ago(number))
    client = app_with(ARTICLES_PER_PAGE=2).test_client()
    assert qiosk_titles(parse(client.get("/qiosk?page=2"))) == ["Item 3"]
    assert client.get("/qiosk?page=3").status_code == 404


# --- Visibility: drafts, review, trash and scheduled articles ---------------------------------

HIDDEN = {
    "draft": {"status": "draft"},
    "review": {"status": "review"},
    "trash": {"status": "trash"},
    "scheduled": {"status": "published"},
}


@pytest.fixture(params=list(HIDDEN))
def hidden(request, add_article):
    """A visible article and QIOSK item, and a hidden article and item of each kind."""
    fields = dict(HIDDEN[request.param])
    if request.param == "scheduled":
        fields["published"] = utcnow() + timedelta(days=1)
    add_article("Visible story", tags=["Energy"], published=hours_ago(2))
    add_article("Visible brief", section="QIOSK", published=hours_ago(2))
    story = add_article("Hidden story", tags=["Energy"], **fields)
    brief = add_article("Hidden brief", section="QIOSK", tags=["Energy"], **fields)
    return request.param, story, brief


PLACES = [
    "/",
    "/articles/visible-story",
    "/sections/europe",
    "/types/analysis",
    "/tags/energy",
    "/authors/ada-writer",
    "/latest",
    "/qiosk",
]


@pytest.mark.parametrize("path", PLACES)
def test_hidden_articles_appear_nowhere(client, hidden, path):
    response = client.get(path)
    assert response.status_code == 200
    assert "Visible" in response.text
    assert "Hidden story" not in response.text
    assert "Hidden brief" not in response.text
    assert "hidden-story" not in response.text


def test_hidden_articles_stay_out_of_the_latest_fragment(client, hidden):
    response = client.get("/latest", headers=htmx())
    assert "Visible story" in response.text
    assert "Hidden" not in response.text


@pytest.mark.parametrize("slug", ["hidden-story", "hidden-brief"])
def test_hidden_article_page_is_not_there(client, hidden, slug):
    # Not even gone (410): readers never saw it, so its slug must not be told from an unused one.
    assert client.get(f"/articles/{slug}").status_code == 404


def test_hidden_article_keep_reading_fragment_is_not_there(client, hidden):
    response = client.get("/articles/hidden-story/more", headers=htmx())
    assert response.status_code == 404
    assert "Third one." not in response.text


@pytest.fixture
def come_due(add_article):
    """A scheduled article whose time then comes."""
    add_article("Visible brief", section="QIOSK", published=hours_ago(2))
    story = add_article("Due story", tags=["Energy"], published=utcnow() + timedelta(days=1))
    brief = add_article("Due brief", section="QIOSK", published=utcnow() + timedelta(days=1))
    for article in (story, brief):
        article.published_at = hours_ago(1)
    db.session.commit()


@pytest.mark.parametrize(
    "path",
    [
        "/",
        "/articles/due-story",
        "/sections/europe",
        "/types/analysis",
        "/tags/energy",
        "/authors/ada-writer",
        "/latest",
    ],
)
def test_scheduled_article_appears_once_its_time_has_come(client, come_due, path):
    response = client.get(path)
    assert response.status_code == 200
    assert "Due story" in response.text


def test_scheduled_qiosk_item_appears_once_its_time_has_come(client, come_due):
    assert "Due brief" in qiosk_titles(parse(client.get("/qiosk")))


def test_scheduled_article_keep_reading_works_once_its_time_has_come(client, come_due):
    response = client.get("/articles/due-story/more", headers=htmx())
    assert response.status_code == 200
    assert "Third one." in response.text


def test_draft_appears_once_published(client, add_article):
    draft = add_article("Draft story", status="draft", published=hours_ago(1))
    assert client.get("/articles/draft-story").status_code == 404
    draft.status = "published"
    db.session.commit()
    assert client.get("/articles/draft-story").status_code == 200


@pytest.fixture(params=list(HIDDEN))
def unpublished_names(request, add_article):
    """A section, type, tag and author that only an unpublished article (of each kind) is under."""
    fields = dict(HIDDEN[request.param])
    if request.param == "scheduled":
        fields["published"] = utcnow() + timedelta(days=1)
    add_article("Visible story", tags=["Energy"], published=hours_ago(2))
    add_article("Visible brief", section="QIOSK", published=hours_ago(2))
    add_article(
        "Hidden story",
        section="Secret Desk",
        type="Embargoed Type",
        tags=["Energy", "Unannounced Deal"],
        authors=["Ada Writer", "Ghost Writer"],
        **fields,
    )


UNPUBLISHED_NAMES = ["Secret Desk", "Embargoed Type", "Unannounced Deal", "Ghost Writer"]


@pytest.mark.parametrize("path", PLACES)
def test_names_filed_only_under_unpublished_articles_appear_nowhere(
    client, unpublished_names, path
):
    text = parse(client.get(path)).text
    assert "Visible" in text
    assert not [name for name in UNPUBLISHED_NAMES if name in text]


@pytest.mark.parametrize(
    "path",
    [
        "/sections/secret-desk",
        "/types/embargoed-type",
        "/tags/unannounced-deal",
        "/authors/ghost-writer",
    ],
)
def test_listing_of_unpublished_articles_only_is_not_found(client, unpublished_names, path):
    response = client.get(path)
    assert response.status_code == 404
    assert not [name for name in UNPUBLISHED_NAMES if name in response.text]


def test_section_menu_lists_sections_with_a_visible_article_qiosk_included(client, add_article):
    add_article("Visible story", section="Asia")
    add_article("Visible brief", section="QIOSK")
    add_article("Hidden story", section="Secret Desk", status="draft")
    menu = parse(client.get("/")).find("nav", class_="sections")
    assert [(a.text, a.attrs["href"]) for a in menu.find_all("a")] == [
        ("Asia", "/sections/asia"),
        ("QIOSK", "/qiosk"),
        ("Latest", "/latest"),
    ]


def test_section_menu_leaves_out_qiosk_without_visible_items(client, add_article):
    add_article("Visible story", section="Asia")
    add_article("Hidden brief", section="QIOSK", published=utcnow() + timedelta(days=1))
    menu = parse(client.get("/")).find("nav", class_="sections")
    assert "QIOSK" not in menu.text


# --- Removed articles and old slugs -----------------------------------------------------------


def withdraw(article: Article) -> None:
    """Move an article to the trash, as an editor does."""
    article.status = "trash"
    db.session.commit()


def test_removed_article_is_gone(client, add_article):
    withdraw(add_article("Withdrawn story"))
    assert client.get("/articles/withdrawn-story").status_code == 410


@pytest.mark.parametrize(
    "fields",
    [{"status": "draft"}, {"status": "review"}, {"published": utcnow() + timedelta(days=1)}],
    ids=["draft", "review", "scheduled"],
)
def test_a_removed_article_readers_never_saw_is_not_found(client, add_article, fields):
    withdraw(add_article("Unseen story", **fields))
    for headers in ({}, htmx()):
        unseen = client.get("/articles/unseen-story", headers=headers)
        never_used = client.get("/articles/never-used", headers=headers)
        assert unseen.status_code == never_used.status_code == 404
        assert unseen.text == never_used.text


def test_a_scheduled_article_removed_after_its_time_came_is_gone(client, add_article):
    article = add_article("Briefly live", published=utcnow() + timedelta(days=1))
    # As if saved two hours ago for an hour ago: readers have seen it since, with no save.
    earlier = {"published_at": utcnow() - timedelta(hours=1)}
    earlier["updated_at"] = earlier["published_at"] - timedelta(hours=1)
    db.session.execute(update(Article).where(Article.id == article.id).values(**earlier))
    db.session.commit()
    withdraw(db.session.get(Article, article.id))
    assert client.get("/articles/briefly-live").status_code == 410


def test_removed_article_page_says_it_was_removed(app, client, add_article):
    withdraw(add_article("Withdrawn story"))
    page = parse(client.get("/articles/withdrawn-story"))
    assert page.find("h1").text == "Article removed"
    assert "This article has been removed" in page.find("main").text
    assert app.config["SITE_NAME"] in page.find("title").text
    assert page.find_all("link", rel="stylesheet")


def test_old_slug_redirects_permanently_to_the_new_address(client, add_article):
    article = add_article("New headline")
    db.session.add(SlugRedirect(old_slug="old-headline", article_id=article.id))
    db.session.commit()
    response = client.get("/articles/old-headline")
    assert response.status_code == 301
    assert response.headers["Location"] == "/articles/new-headline"


def test_old_slug_of_keep_reading_redirects_to_the_new_fragment(client, add_article):
    article = add_article("New headline")
    db.session.add(SlugRedirect(old_slug="old-headline", article_id=article.id))
    db.session.commit()
    response = client.get("/articles/old-headline/more", headers=htmx())
    assert response.status_code == 301
    assert response.headers["Location"] == "/articles/new-headline/more"


def test_old_slug_of_a_draft_is_not_found(client, add_article):
    article = add_article("Secret new headline", status="draft")
    db.session.add(SlugRedirect(old_slug="old-headline", article_id=article.id))
    db.session.commit()
    assert client.get("/articles/old-headline").status_code == 404


# --- Bad input never makes a 500 --------------------------------------------------------------

BAD_PAGES = ["abc", "-1", "0", "1.5", "99999", "99999999999999999999", "\x00", "\u0661", ""]
PAGED = ["/latest", "/qiosk", "/sections/europe", "/types/analysis", "/tags/energy",
         "/authors/ada-writer"]  # fmt: skip


@pytest.fixture
def listed(add_article):
    add_article("Listed story", tags=["Energy"])
    add_article("Listed brief", section="QIOSK")


@pytest.mark.parametrize("page", BAD_PAGES)
@pytest.mark.parametrize("path", PAGED)
def test_bad_page_number_is_not_found(client, listed, path, page):
    assert client.get(path, query_string={"page": page}).status_code == 404


@pytest.mark.parametrize("page", BAD_PAGES)
def test_front_page_ignores_the_page_number(client, listed, page):
    assert client.get("/", query_string={"page": page}).status_code == 200


@pytest.mark.parametrize("path", PAGED)
def test_page_beyond_the_last_is_not_found(client, listed, path):
    assert client.get(f"{path}?page=2").status_code == 404


BAD_SLUGS = [
    "no-such-thing",
    "a" * 5000,
    "caf%C3%A9",
    "%E6%97%A5%E6%9C%AC",
    "..%2F..",
    "..%2F..%2Fetc%2Fpasswd",
    "two%20words",
    "%20",
]


@pytest.mark.parametrize("slug", BAD_SLUGS, ids=lambda slug: slug[:20])
@pytest.mark.parametrize("prefix", ["articles", "sections", "types", "tags", "authors"])
def test_unknown_or_malformed_slug_is_not_found(client, listed, prefix, slug):
    assert client.get(f"/{prefix}/{slug}").status_code == 404


@pytest.mark.parametrize("slug", BAD_SLUGS, ids=lambda slug: slug[:20])
def test_unknown_or_malformed_keep_reading_slug_is_not_found(client, listed, slug):
    assert client.get(f"/articles/{slug}/more", headers=htmx()).status_code == 404


@pytest.mark.parametrize("slug", ["%00", "nul%00byte"])
@pytest.mark.parametrize("prefix", ["articles", "sections", "types", "tags", "authors"])
def test_slug_with_a_nul_byte_is_not_found(client, listed, prefix, slug):
    assert client.get(f"/{prefix}/{slug}").status_code == 404


def test_keep_reading_slug_with_a_nul_byte_is_not_found(client, listed):
    assert client.get("/articles/nul%00byte/more", headers=htmx()).status_code == 404


@pytest.mark.parametrize(
    "as_of", ["garbage", "2025-13-45", "2025-01-01T10:00:00+02:00", "\x00", "9" * 40]
)
def test_latest_with_a_bad_as_of_time_is_not_found(client, listed, as_of):
    assert client.get("/latest", query_string={"as_of": as_of}).status_code == 404


def test_latest_with_a_good_as_of_time_lists_what_was_out_then(client, add_article):
    add_article("Then", published=datetime(2025, 1, 1, 8))
    add_article("Later", published=datetime(2025, 1, 2, 8))
    page = parse(client.get("/latest?as_of=2025-01-01T12:00:00"))
    assert latest_titles(page) == ["Then"]


@pytest.mark.parametrize(
    "path",
    [
        "/photos/../../etc/passwd",
        "/photos/%2e%2e%2fsecret_key",
        "/photos/..%2F..%2Fsecret_key",
        "/photos/secret_key",
        "/photos/missing.webp",
        "/photos/%00",
    ],
)
def test_photo_outside_the_photo_folder_is_not_found(app, client, path):
    instance = app.instance_path
    with open(f"{instance}/secret_key", "w") as f:
        f.write("not for readers")
    response = client.get(path)
    assert response.status_code == 404
    assert "not for readers" not in response.text


def test_post_to_an_article_is_not_allowed(client, listed):
    response = client.post("/articles/x")
    assert response.status_code == 405
    assert "GET" in response.headers["Allow"]


def test_not_allowed_page_is_styled(app, client, listed):
    page = parse(client.post("/articles/listed-story"))
    assert page.find("h1").text == "Not allowed"
    assert app.config["SITE_NAME"] in page.text


def test_not_found_page_is_styled_html(app, client):
    response = client.get("/articles/nowhere")
    assert response.mimetype == "text/html"
    page = parse(response)
    assert page.find("html").attrs["lang"] == "en"
    assert app.config["SITE_NAME"] in page.find("title").text
    assert page.find("h1").text == "Page not found"
    assert "There is no page at this address." in page.find("main").text
    assert "/" in page.find("main").links()


def test_not_found_for_htmx_is_a_small_fragment(client):
    response = client.get("/articles/nowhere", headers=htmx())
    assert response.status_code == 404
    assert "<html" not in response.text
    assert "<h1" not in response.text
    alert = parse(response).find(role="alert")
    assert "There is no page at this address." in alert.text


def test_removed_article_for_htmx_is_a_small_fragment(client, add_article):
    withdraw(add_article("Withdrawn story"))
    response = client.get("/articles/withdrawn-story/more", headers=htmx())
    assert response.status_code == 410
    assert "<html" not in response.text
    assert "This article has been removed" in response.text


def test_error_answers_vary_on_htmx(client):
    response = client.get("/articles/nowhere")
    assert "HX-Request" in response.headers["Vary"]


# --- What every page has ----------------------------------------------------------------------


@pytest.fixture
def site(add_article):
    add_article("Energy story", tags=["Energy"], dek="A dek.")
    add_article("Short brief", section="QIOSK")
    add_article("Withdrawn story", status="trash")


PAGES = [
    "/",
    "/articles/energy-story",
    "/articles/short-brief",
    "/sections/europe",
    "/types/analysis",
    "/tags/energy",
    "/authors/ada-writer",
    "/latest",
    "/qiosk",
    "/newsletter",
    "/articles/nowhere",
    "/articles/withdrawn-story",
]


@pytest.mark.parametrize("path", PAGES)
def test_page_has_exactly_one_h1(client, site, path):
    assert len(parse(client.get(path)).find_all("h1")) == 1


@pytest.mark.parametrize("path", PAGES)
def test_page_has_a_title(app, client, site, path):
    title = parse(client.get(path)).find("head").find("title").text
    assert app.config["SITE_NAME"] in title


@pytest.mark.parametrize("path", PAGES)
def test_page_has_a_meta_description(client, site, path):
    meta = parse(client.get(path)).find("head").find_all("meta", name="description")
    assert len(meta) == 1
    assert meta[0].attrs["content"].strip()


@pytest.mark.parametrize("path", PAGES)
def test_page_is_in_english(client, site, path):
    assert parse(client.get(path)).find("html").attrs["lang"] == "en"


@pytest.mark.parametrize("path", PAGES)
def test_page_starts_with_a_skip_link_to_the_main_content(client, site, path):
    page = parse(client.get(path))
    skip = page.find("body").find("a")
    assert "skip-link" in skip.classes
    assert skip.attrs["href"] == "#main"
    assert page.find("main", id="main")


@pytest.mark.parametrize("path", PAGES)
def test_page_loads_htmx_deferred(client, site, path):
    scripts = parse(client.get(path)).find_all("script")
    htmx_scripts = [s for s in scripts if "/static/js/htmx" in s.attrs.get("src", "")]
    assert len(htmx_scripts) == 1
    assert "defer" in htmx_scripts[0].attrs


@pytest.mark.parametrize("path", PAGES)
def test_page_has_no_inline_script(client, site, path):
    """Every script is a file; the only <script> without src is JSON-LD, data no browser runs."""
    html = client.get(path).text
    inline = re.findall(r"<script(?![^>]*\bsrc=)[^>]*>", html, re.IGNORECASE)
    assert set(inline) <= {'<script type="application/ld+json">'}
    assert "<script>" not in html


# --- The sidebar beside articles and listings: LATEST, QIOSK, newsletter ----------------------

SIDEBAR_PAGES = ["/articles/energy-story", "/sections/europe", "/tags/energy"]


@pytest.mark.parametrize("path", SIDEBAR_PAGES)
def test_page_has_the_latest_block_that_loads_with_htmx_and_links_without(client, site, path):
    block = parse(client.get(path)).find("aside", class_="sidebar").find("section", "latest")
    items = block.find("ol")
    assert items.attrs["data-hx-get"] == "/latest"
    # Asked for once it comes into view: a reader who never scrolls to it costs no request.
    assert items.attrs["data-hx-trigger"] == "intersect once"
    assert items.links() == ["/latest"]
    assert block.find("h2").links() == ["/latest"]


@pytest.mark.parametrize("path", SIDEBAR_PAGES)
def test_page_has_the_qiosk_stream(client, site, path):
    block = parse(client.get(path)).find("aside", class_="sidebar").find("section", "qiosk")
    stream = block.find("ul", class_="qiosk-stream")
    assert [(a.text, a.attrs["href"]) for a in stream.find_all("a")] == [
        ("Short brief", "/articles/short-brief")
    ]
    assert "/qiosk" in block.links()


@pytest.mark.parametrize("path", SIDEBAR_PAGES)
def test_page_has_the_newsletter_block(client, site, path):
    block = (
        parse(client.get(path)).find("aside", class_="sidebar").find("section", "newsletter-block")
    )
    form = block.find("form", data_hx_post="/newsletter")
    assert (form.attrs["action"], form.attrs["method"]) == ("/newsletter", "post")


# --- Conditional GET --------------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/", "/articles/energy-story", "/latest", "/qiosk"])
def test_page_has_an_etag(client, site, path):
    assert client.get(path).headers.get("ETag")


@pytest.mark.parametrize("path", ["/", "/articles/energy-story", "/latest", "/qiosk"])
def test_repeated_request_with_its_etag_is_not_modified(client, site, path):
    etag = client.get(path).headers["ETag"]
    response = client.get(path, headers={"If-None-Match": etag})
    assert response.status_code == 304
    assert response.data == b""


def test_fragment_and_page_have_different_etags(client, site):
    page = client.get("/latest")
    fragment = client.get("/latest", headers=htmx())
    assert page.headers["ETag"] != fragment.headers["ETag"]


def test_page_changes_its_etag_when_an_article_is_published(client, site, add_article):
    etag = client.get("/").headers["ETag"]
    add_article("Breaking story", published=hours_ago(0.1))
    response = client.get("/", headers={"If-None-Match": etag})
    assert response.status_code == 200
    assert "Breaking story" in response.text


def test_a_worker_serving_readers_loads_no_markdown_renderer(app, add_article, tmp_path):
    """Readers' pages are stored HTML: a gunicorn worker (wsgi.py) that serves only them is
    spared the memory of Python-Markdown and nh3, which load on an editor's first save."""
    add_article("Harbour talks")
    script = (
        "import sys\n"
        "from wsgi import app\n"
        "for path in ('/', '/articles/harbour-talks', '/sections/europe', '/latest'):\n"
        "    assert app.test_client().get(path).status_code == 200, path\n"
        "print(sorted({'markdown', 'nh3'} & set(sys.modules)))\n"
    )
    env = {
        **os.environ,
        "RSFLASK_INSTANCE_PATH": str(tmp_path / "worker"),
        "RSFLASK_SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"],
        "RSFLASK_PHOTO_FOLDER": app.config["PHOTO_FOLDER"],
    }
    ran = subprocess.run(
        [sys.executable, "-c", script],
        env=env,
        capture_output=True,
        text=True,
        check=False,
        cwd=Path(__file__).resolve().parent.parent,
    )
    assert ran.returncode == 0, ran.stderr
    assert ran.stdout.strip() == "[]"
