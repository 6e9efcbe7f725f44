"""Atom feeds: what a feed reader gets for the site and for each section, type, tag and author.

Feeds are read with feedparser, as a feed reader would read them; HTML is left as sent, so that
the tests see exactly what the feed says.
"""

import calendar
import re
import xml.etree.ElementTree as ET
from datetime import timedelta
from html.parser import HTMLParser
from pathlib import Path

import feedparser
import pytest
from werkzeug.http import http_date

from rsflask import feeds, markup
from rsflask.db import db, utcnow
from rsflask.models import Article
from rsflask.photos import store_photo
from tests.test_seo import head_of, jpeg

SITE = "http://localhost"


def read_feed(client, url: str):
    response = client.get(url)
    assert response.status_code == 200
    assert response.content_type == "application/atom+xml; charset=utf-8"
    feed = feedparser.parse(response.data, sanitize_html=False, resolve_relative_uris=False)
    assert not feed.bozo, feed.get("bozo_exception")
    return feed


def entry_titles(feed) -> list[str]:
    return [entry.title for entry in feed.entries]


def as_utc_seconds(parsed) -> int:
    """A feedparser time (a UTC struct_time) as a Unix time."""
    return calendar.timegm(parsed)


def unix(value) -> int:
    return calendar.timegm(value.timetuple())


@pytest.fixture
def newsroom(add_article):
    """Articles in two sections, of two types, with tags and several authors, and QIOSK."""
    return {
        "energy": add_article(
            "Gas & power: the <winter> bill",
            dek="Storage is full; prices are not.",
            body="Storage is *full*.\n\nPrices are [not](/tags/energy).\n\nThe winter will tell.\n",
            section="Europe",
            type="Analysis",
            tags=["Energy", "Baltic"],
            authors=["Zoe Marlow", "Adam Brandt"],
            published=utcnow() - timedelta(hours=1),
        ),
        "straits": add_article(
            "Shipping through the straits",
            section="Asia",
            type="News",
            tags=["Shipping"],
            authors=["Ken Ito"],
            published=utcnow() - timedelta(hours=2),
        ),
        "grid": add_article(
            "The grid changes sides",
            section="Europe",
            type="Opinion",
            tags=["Energy"],
            authors=["Zoe Marlow"],
            published=utcnow() - timedelta(hours=3),
        ),
        "berth": add_article(
            "Port berth tender opens",
            section="QIOSK",
            type="News",
            tags=["Shipping"],
            authors=["Ken Ito"],
            published=utcnow() - timedelta(hours=4),
        ),
    }


@pytest.fixture
def hidden(add_article):
    """A draft, a trashed and a scheduled article, with every taxonomy the visible ones have."""
    common = {"section": "Europe", "type": "Analysis", "tags": ["Energy"], "authors": ["Ken Ito"]}
    return [
        add_article("Draft in progress", status="draft", **common),
        add_article("Thrown away", status="trash", **common),
        add_article("Not yet time", published=utcnow() + timedelta(days=1), **common),
    ]


# --- The site feed ------------------------------------------------------------------------------


def test_site_feed_describes_the_site_with_absolute_links(app, client, newsroom):
    feed = read_feed(client, "/feeds/all.atom").feed
    assert feed.title == app.config["SITE_NAME"]
    assert feed.subtitle == app.config["SITE_TAGLINE"]
    assert feed.id == f"{SITE}/feeds/all.atom"
    links = {link.rel: (link.href, link.type) for link in feed.links}
    assert links["self"] == (f"{SITE}/feeds/all.atom", "application/atom+xml")
    assert links["alternate"] == (f"{SITE}/", "text/html")


def test_site_feed_lists_everything_newest_first(client, newsroom):
    feed = read_feed(client, "/feeds/all.atom")
    assert entry_titles(feed) == [
        "Gas & power: the <winter> bill",
        "Shipping through the straits",
        "The grid changes sides",
        "Port berth tender opens",
    ]


def test_feed_entry_says_everything_about_the_article(client, newsroom):
    article = newsroom["energy"]
    entry = read_feed(client, "/feeds/all.atom").entries[0]
    assert entry.title == "Gas & power: the <winter> bill"
    assert entry.link == f"{SITE}/articles/{article.slug}"
    assert entry.id == f"tag:localhost,{article.created_at:%Y-%m-%d}:article:{article.id}"
    assert as_utc_seconds(entry.published_parsed) == unix(article.published_at)
    assert as_utc_seconds(entry.updated_parsed) == unix(article.updated_at)
    assert entry.published.endswith("+00:00")
    assert [(a.name, a.href) for a in entry.authors] == [
        ("Zoe Marlow", f"{SITE}/authors/zoe-marlow"),
        ("Adam Brandt", f"{SITE}/authors/adam-brandt"),
    ]
    assert [(tag.term, tag.scheme) for tag in entry.tags] == [
        ("Europe", f"{SITE}/sections"),
        ("Analysis", f"{SITE}/types"),
        ("Baltic", f"{SITE}/tags"),
        ("Energy", f"{SITE}/tags"),
    ]
    assert entry.summary == "Storage is full; prices are not."


def test_feed_entry_content_is_the_whole_sanitised_body(client, newsroom):
    article = newsroom["energy"]
    entry = read_feed(client, "/feeds/all.atom").entries[0]
    content = entry.content[0]
    assert content.type == "text/html"
    # The body as stored, but for its link, which the feed makes absolute.
    assert content.value == article.body_html.replace(
        'href="/tags/energy"', f'href="{SITE}/tags/energy"'
    )
    assert "<em>full</em>" in content.value and "The winter will tell." in content.value
    assert content.base == f"{SITE}/articles/{article.slug}"
    db.session.refresh(article)
    assert 'href="/tags/energy"' in article.body_html


class Links(HTMLParser):
    """Every href and src in some HTML."""

    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []

    def handle_starttag(self, tag, attrs) -> None:
        self.urls += [value for name, value in attrs if name in ("href", "src")]


def content_links(entry) -> list[str]:
    links = Links()
    links.feed(entry.content[0].value)
    links.close()
    return links.urls


def test_every_link_in_feed_content_is_absolute(client, add_article):
    """Many feed readers ignore xml:base: nothing in the content may need it."""
    add_article(
        "Links of every kind",
        body=(
            "See [the tag](/tags/energy), [a sibling](other-article), [up](../latest),\n"
            "[a query](/search?q=gas&page=2), a footnote[^1] and [outside](https://example.org/x)."
            "\n\n![A chart](/static/img/chart.png)\n\n[^1]: The note.\n"
        ),
        image=jpeg(),
        image_alt="Gas tanks",
    )
    entry = read_feed(client, "/feeds/all.atom").entries[0]
    urls = content_links(entry)
    article = f"{SITE}/articles/links-of-every-kind"
    assert {
        f"{SITE}/tags/energy",
        f"{SITE}/articles/other-article",
        f"{SITE}/latest",
        f"{SITE}/search?q=gas&page=2",
        f"{SITE}/static/img/chart.png",
        f"{article}#fn:1",
        f"{article}#fnref:1",
        "https://example.org/x",
    } <= set(urls)
    assert all(url.startswith((f"{SITE}/", "https://example.org/")) for url in urls), urls


def test_feed_entry_opens_with_the_top_photo(app, client, add_article):
    article = add_article(
        "With a photo",
        image=jpeg(1000, 600),
        image_alt="Gas tanks at a port",
        image_credit="Jane Lens",
    )
    entry = read_feed(client, "/feeds/all.atom").entries[0]
    photo_url = f"{SITE}/photos/{article.photo.digest}-800.webp"
    assert entry.content[0].value.startswith(
        f'<figure><img src="{photo_url}" alt="Gas tanks at a port" width="800" height="480">'
        "<figcaption>Photo: Jane Lens</figcaption></figure>"
    )
    assert content_links(entry)[0] == photo_url
    size = (Path(app.config["PHOTO_FOLDER"]) / f"{article.photo.digest}-800.webp").stat().st_size
    assert [(e.href, e.type, e.length) for e in entry.enclosures] == [
        (photo_url, "image/webp", str(size))
    ]
    assert client.get(photo_url.removeprefix(SITE)).status_code == 200


def test_photo_whose_file_is_missing_is_shown_but_not_enclosed(app, client, add_article):
    """The length of an enclosure is required; without the file at hand there is none to give."""
    article = add_article("Photo elsewhere", image=jpeg(), image_alt="Gas tanks")
    (Path(app.config["PHOTO_FOLDER"]) / f"{article.photo.digest}-800.webp").unlink()
    entry = read_feed(client, "/feeds/all.atom").entries[0]
    assert entry.content[0].value.startswith("<figure><img ")
    assert entry.enclosures == []


def test_entry_without_a_photo_has_no_figure_or_enclosure(client, newsroom):
    for entry in read_feed(client, "/feeds/all.atom").entries:
        assert not entry.content[0].value.startswith("<figure>")
        assert entry.enclosures == []


@pytest.mark.parametrize("feed_url", ["/feeds/all.atom", "/feeds/sections/harbours.atom"])
def test_a_photo_inside_the_body_is_in_the_entry_with_absolute_addresses(
    app, client, add_article, feed_url
):
    photo = store_photo(jpeg(1800, 1200), "Cranes", "")
    db.session.commit()
    snippet_line = f'![Cranes at dawn](photo:{photo.id} "The port at six | Ines Varga")'
    add_article("Harbour", body=f"Lead.\n\n{snippet_line}\n\nMore.", section="Harbours")
    entry = read_feed(client, feed_url).entries[0]
    [figure] = re.findall(r'<figure class="inline-photo">.*?</figure>', entry.content[0].value)
    img = dict(re.findall(r'([a-z]+)="([^"]*)"', re.search(r"<img [^>]*>", figure)[0]))
    assert img["src"] == f"{SITE}/photos/{photo.digest}-800.webp"
    assert img["srcset"] == ", ".join(
        f"{SITE}/photos/{photo.digest}-{width}.webp {width}w" for width in (480, 800, 1200, 1600)
    )
    assert img["sizes"] == "(min-width: 42rem) 40rem, 100vw"
    assert (img["width"], img["height"], img["alt"]) == ("1800", "1200", "Cranes at dawn")
    assert figure.endswith(
        '<figcaption>The port at six <span class="credit">Photo: Ines Varga</span></figcaption>'
        "</figure>"
    )
    for url in [img["src"], *(each.split()[0] for each in img["srcset"].split(", "))]:
        assert client.get(url.removeprefix(SITE)).status_code == 200


def test_only_entries_with_a_dek_have_a_summary(client, newsroom):
    """Without a dek the full content says it all; readers show its opening instead."""
    text = client.get("/feeds/all.atom").get_data(as_text=True)
    assert text.count("<summary>") == 1
    assert "<summary>Storage is full; prices are not.</summary>" in text


def test_feed_updated_is_the_newest_change(client, newsroom):
    grid = newsroom["grid"]
    grid.dek = "Edited after the others."
    db.session.commit()
    feed = read_feed(client, "/feeds/all.atom")
    assert as_utc_seconds(feed.feed.updated_parsed) == unix(grid.updated_at)


def test_feed_shows_the_newest_thirty(client, add_article):
    for number in range(feeds.FEED_LENGTH + 2):
        add_article(f"Item {number}", published=utcnow() - timedelta(minutes=number + 1))
    titles = entry_titles(read_feed(client, "/feeds/all.atom"))
    assert titles == [f"Item {number}" for number in range(feeds.FEED_LENGTH)]


def test_scheduled_article_dates_its_entry_from_when_it_appeared(client, newsroom):
    """Saved before its time came: readers first saw it at published_at, so it is 'updated' then."""
    article = newsroom["straits"]
    saved = utcnow() - timedelta(days=1)
    appeared = utcnow() - timedelta(minutes=1)
    db.session.execute(db.update(Article).values(updated_at=saved))
    db.session.execute(
        db.update(Article)
        .where(Article.id == article.id)
        .values(updated_at=saved, published_at=appeared)
    )
    db.session.commit()
    entry = read_feed(client, "/feeds/all.atom").entries[0]
    assert entry.title == "Shipping through the straits"
    assert as_utc_seconds(entry.updated_parsed) == unix(appeared)


def test_empty_feed_is_still_a_valid_feed(client):
    feed = read_feed(client, "/feeds/all.atom")
    assert feed.entries == []
    assert feed.feed.updated_parsed is not None


# --- Section, type, tag and author feeds --------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "title", "page", "expected"),
    [
        (
            "/feeds/sections/europe.atom",
            "Europe",
            "/sections/europe",
            ["Gas & power: the <winter> bill", "The grid changes sides"],
        ),
        ("/feeds/sections/qiosk.atom", "QIOSK", "/qiosk", ["Port berth tender opens"]),
        # Like the type's page, the type feed includes QIOSK items.
        (
            "/feeds/types/news.atom",
            "News",
            "/types/news",
            ["Shipping through the straits", "Port berth tender opens"],
        ),
        (
            "/feeds/tags/energy.atom",
            "Energy",
            "/tags/energy",
            ["Gas & power: the <winter> bill", "The grid changes sides"],
        ),
        (
            "/feeds/tags/shipping.atom",
            "Shipping",
            "/tags/shipping",
            ["Shipping through the straits", "Port berth tender opens"],
        ),
        (
            "/feeds/authors/zoe-marlow.atom",
            "Zoe Marlow",
            "/authors/zoe-marlow",
            ["Gas & power: the <winter> bill", "The grid changes sides"],
        ),
        (
            "/feeds/authors/adam-brandt.atom",
            "Adam Brandt",
            "/authors/adam-brandt",
            ["Gas & power: the <winter> bill"],
        ),
    ],
)
def test_listing_feed_has_only_its_own_articles(
    app, client, newsroom, hidden, url, title, page, expected
):
    feed = read_feed(client, url)
    assert feed.feed.title == f"{title} | {app.config['SITE_NAME']}"
    links = {link.rel: link.href for link in feed.feed.links}
    assert links == {"self": f"{SITE}{url}", "alternate": f"{SITE}{page}"}
    assert entry_titles(feed) == expected


def test_author_feed_subtitle_is_the_bio(client, newsroom):
    author = newsroom["grid"].authors[0]
    author.bio = "Writes about energy in the Baltic."
    db.session.commit()
    feed = read_feed(client, "/feeds/authors/zoe-marlow.atom")
    assert feed.feed.subtitle == "Writes about energy in the Baltic."


@pytest.mark.parametrize(
    "url",
    [
        "/feeds/sections/nowhere.atom",
        "/feeds/types/nothing.atom",
        "/feeds/tags/no-such-tag.atom",
        "/feeds/authors/nobody.atom",
        "/feeds/sections/europe",
        "/feeds/sections/.atom",
        "/feeds/sections/europe.rss",
        "/feeds/everything.atom",
    ],
)
def test_unknown_feed_is_404(client, newsroom, url):
    assert client.get(url).status_code == 404


@pytest.mark.parametrize(
    ("status", "published", "url"),
    [
        ("draft", 0, "/feeds/tags/secret-merger.atom"),
        ("draft", 0, "/feeds/authors/new-hire.atom"),
        ("trash", 0, "/feeds/sections/unlaunched.atom"),
        ("published", 2, "/feeds/types/embargoed-report.atom"),
        ("published", 2, "/feeds/tags/secret-merger.atom"),
    ],
)
def test_feed_of_a_listing_with_no_visible_article_is_404(
    client, newsroom, add_article, status, published, url
):
    """A tag or author that only a draft, the trash or a scheduled article has is not named."""
    add_article(
        "Not for readers yet",
        status=status,
        published=utcnow() + timedelta(hours=published),
        section="Unlaunched",
        type="Embargoed report",
        tags=["Secret merger"],
        authors=["New Hire"],
    )
    response = client.get(url)
    assert response.status_code == 404
    assert b"Secret merger" not in response.data and b"New Hire" not in response.data


def test_type_with_only_qiosk_items_has_a_feed_of_them(client, add_article):
    """Like the type's page, its feed counts QIOSK items as any others."""
    add_article("Berth notice", section="QIOSK", type="Notice")
    assert client.get("/types/notice").status_code == 200
    titles = [entry.title for entry in read_feed(client, "/feeds/types/notice.atom").entries]
    assert titles == ["Berth notice"]


FEEDS = [
    "/feeds/all.atom",
    "/feeds/sections/europe.atom",
    "/feeds/types/analysis.atom",
    "/feeds/tags/energy.atom",
    "/feeds/authors/ken-ito.atom",
]


@pytest.mark.parametrize("url", FEEDS)
def test_drafts_trash_and_scheduled_articles_are_in_no_feed(client, newsroom, hidden, url):
    titles = entry_titles(read_feed(client, url))
    assert not {"Draft in progress", "Thrown away", "Not yet time"} & set(titles)


# --- Conditional requests -----------------------------------------------------------------------


def test_feed_answers_if_none_match_with_304(client, newsroom):
    first = client.get("/feeds/all.atom")
    assert first.headers["ETag"]
    again = client.get("/feeds/all.atom", headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304
    assert again.data == b""


def test_feed_etag_changes_when_an_article_does(client, newsroom):
    etag = client.get("/feeds/all.atom").headers["ETag"]
    newsroom["grid"].title = "The grid has changed sides"
    db.session.commit()
    response = client.get("/feeds/all.atom", headers={"If-None-Match": etag})
    assert response.status_code == 200
    assert "The grid has changed sides" in entry_titles(feedparser.parse(response.data))


def test_feed_has_no_last_modified_only_an_etag(client, newsroom):
    """No stored time moves forward when a feed changes by a trashed article or a renamed tag."""
    response = client.get("/feeds/all.atom")
    assert response.last_modified is None
    assert response.headers["ETag"]


@pytest.mark.parametrize("change", ["trash the newest", "rename a tag", "rename an author"])
def test_feed_changed_in_any_way_is_sent_in_full_to_a_conditional_request(client, newsroom, change):
    first = client.get("/feeds/all.atom")
    if change == "trash the newest":
        newsroom["energy"].status = "trash"
        gone, expected = "Gas &amp; power", "Shipping through the straits"
    elif change == "rename a tag":
        newsroom["straits"].tags[0].name = "Sea freight"
        gone, expected = 'term="Shipping"', 'term="Sea freight"'
    else:
        newsroom["straits"].authors[0].name = "Kenji Ito"
        gone, expected = "<name>Ken Ito</name>", "<name>Kenji Ito</name>"
    db.session.commit()
    for headers in (
        {"If-Modified-Since": http_date(utcnow() + timedelta(minutes=1))},
        {"If-None-Match": first.headers["ETag"]},
    ):
        response = client.get("/feeds/all.atom", headers=headers)
        assert response.status_code == 200, headers
        text = response.get_data(as_text=True)
        assert expected in text and gone not in text
        assert not feedparser.parse(response.data).bozo


# --- Discovery: <link rel="alternate"> on the pages ---------------------------------------------


def feed_links(client, url: str) -> list[dict]:
    response = client.get(url)
    assert response.status_code == 200
    return [
        link
        for link in head_of(response).links
        if link.get("rel") == "alternate" and link.get("type") == "application/atom+xml"
    ]


@pytest.mark.parametrize(
    ("page", "feed", "title"),
    [
        ("/", "/feeds/all.atom", "The Crosswind Review"),
        ("/latest", "/feeds/all.atom", "The Crosswind Review"),
        ("/sections/europe", "/feeds/sections/europe.atom", "Europe | The Crosswind Review"),
        ("/types/analysis", "/feeds/types/analysis.atom", "Analysis | The Crosswind Review"),
        ("/tags/energy", "/feeds/tags/energy.atom", "Energy | The Crosswind Review"),
        (
            "/authors/zoe-marlow",
            "/feeds/authors/zoe-marlow.atom",
            "Zoe Marlow | The Crosswind Review",
        ),
        ("/qiosk", "/feeds/sections/qiosk.atom", "QIOSK | The Crosswind Review"),
        ("/sections/europe?page=1", "/feeds/sections/europe.atom", "Europe | The Crosswind Review"),
    ],
)
def test_page_links_its_feed(client, newsroom, page, feed, title):
    links = feed_links(client, page)
    assert [(link["href"], link["title"]) for link in links] == [(f"{SITE}{feed}", title)]
    assert read_feed(client, feed).entries


@pytest.mark.parametrize(
    ("article", "section_feed", "section"),
    [
        ("energy", "/feeds/sections/europe.atom", "Europe"),
        ("berth", "/feeds/sections/qiosk.atom", "QIOSK"),
    ],
)
def test_article_page_links_the_site_feed_and_its_section_s(
    client, newsroom, article, section_feed, section
):
    links = feed_links(client, f"/articles/{newsroom[article].slug}")
    assert [(link["href"], link["title"]) for link in links] == [
        (f"{SITE}/feeds/all.atom", "The Crosswind Review"),
        (f"{SITE}{section_feed}", f"{section} | The Crosswind Review"),
    ]
    for link in links:
        assert newsroom[article].title in entry_titles(read_feed(client, link["href"]))


# --- Characters XML cannot carry --------------------------------------------------------------

# Every C0 control but tab, line feed and carriage return, DEL, and the two non-characters; but
# NUL, which PostgreSQL does not store.
NOT_XML = "".join(map(chr, [*range(1, 9), 0x0B, 0x0C, *range(0x0E, 0x20), 0x7F])) + "\ufffe\uffff"


def test_control_characters_stored_anywhere_leave_every_feed_and_sitemap_well_formed(
    client, add_article
):
    """Stored behind the forms' back (by an old version, a script, a copy of the database)."""
    article = add_article(
        "Tidy title", tags=["Energy"], image=jpeg(), image_alt="Tanks", image_credit="Ann"
    )
    article.title = f"Bell{NOT_XML} title"
    article.dek = f"A{NOT_XML} dek"
    markup.set_body(article, f"Body{NOT_XML} text.\n\nMore{NOT_XML}.\n")
    article.photo_alt, article.photo_credit = f"Alt{NOT_XML}", f"Credit{NOT_XML}"
    article.section.name = f"Europe{NOT_XML}"
    article.section.description = f"About{NOT_XML} Europe"
    article.article_type.name = f"Analysis{NOT_XML}"
    article.tags[0].name = f"Energy{NOT_XML}"
    article.authors[0].name = f"Ada{NOT_XML} Writer"
    article.authors[0].bio = f"Writes{NOT_XML}."
    db.session.commit()
    assert "\x0b" in db.session.scalar(db.select(Article.title))

    for url in [
        "/feeds/all.atom",
        "/feeds/sections/europe.atom",
        "/feeds/types/analysis.atom",
        "/feeds/tags/energy.atom",
        "/feeds/authors/ada-writer.atom",
    ]:
        entry = read_feed(client, url).entries[0]
        assert entry.title == "Bell title" and entry.summary == "A dek"
        assert "Body text." in entry.content[0].value and 'alt="Alt"' in entry.content[0].value
    for url in ["/sitemap.xml", "/sitemaps/news.xml"]:
        response = client.get(url)
        assert response.status_code == 200
        # xml.etree refuses what is not well-formed XML.
        ET.fromstring(response.data)  # noqa: S314 (our own output, not untrusted data)
    news = client.get("/sitemaps/news.xml").get_data(as_text=True)
    assert "<news:title>Bell title</news:title>" in news
