"""What search engines and link previews get: sitemaps, robots.txt, canonical links, meta
descriptions, Open Graph and Twitter tags, JSON-LD, and the related articles under an article.

Sitemaps are read with xml.etree, pages with the standard library's HTMLParser, which ends a
<script> element where a browser does: at the first "</script".
"""

import io
import json
import re
import xml.etree.ElementTree as ET
from datetime import UTC, timedelta
from html import unescape
from html.parser import HTMLParser
from pathlib import Path
from urllib.robotparser import RobotFileParser

import pytest
from PIL import Image
from protego import Protego

from rsflask import site_settings, sitemaps
from rsflask.db import db, utcnow
from rsflask.models import Article
from rsflask.site_card import headline_card_name
from tests.conftest import statements

SITE = "http://localhost"
NS = {
    "s": "http://www.sitemaps.org/schemas/sitemap/0.9",
    "news": "http://www.google.com/schemas/sitemap-news/0.9",
}
HIDDEN_TITLES = {"Draft in progress", "Thrown away", "Not yet time"}


class Head(HTMLParser):
    """The <meta>, <link> and <script> elements of a page."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.meta: dict[str, list[str]] = {}
        self.links: list[dict] = []
        self.scripts: list[tuple[dict, str]] = []
        self._script: tuple[dict, list[str]] | None = None

    def handle_starttag(self, tag, attrs) -> None:
        attrs = {name: value or "" for name, value in attrs}
        if tag == "meta" and (attrs.get("property") or attrs.get("name")):
            key = attrs.get("property") or attrs["name"]
            self.meta.setdefault(key, []).append(attrs.get("content", ""))
        elif tag == "link":
            self.links.append(attrs)
        elif tag == "script":
            self._script = (attrs, [])

    def handle_data(self, data) -> None:
        if self._script is not None:
            self._script[1].append(data)

    def handle_endtag(self, tag) -> None:
        if tag == "script" and self._script is not None:
            self.scripts.append((self._script[0], "".join(self._script[1])))
            self._script = None

    def one(self, key: str) -> str:
        values = self.meta.get(key, [])
        assert len(values) == 1, f"{key}: {values}"
        return values[0]

    def link(self, rel: str) -> list[str]:
        return [link["href"] for link in self.links if link.get("rel") == rel]

    def json_ld(self) -> list[dict]:
        return [
            json.loads(text)
            for attrs, text in self.scripts
            if attrs.get("type") == "application/ld+json"
        ]


def head_of(response) -> Head:
    head = Head()
    head.feed(response.get_data(as_text=True))
    head.close()
    return head


def page_head(client, url: str) -> Head:
    response = client.get(url)
    assert response.status_code == 200
    return head_of(response)


def w3c(value) -> str:
    return value.replace(tzinfo=UTC).isoformat(timespec="seconds")


def jpeg(width: int = 1000, height: int = 600) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), (30, 90, 60)).save(out, "JPEG")
    return out.getvalue()


def read_xml(client, url: str) -> ET.Element:
    response = client.get(url)
    assert response.status_code == 200
    assert response.content_type == "application/xml; charset=utf-8"
    return ET.fromstring(response.data)  # noqa: S314 (our own output, not untrusted data)


def sitemap(client, url: str = "/sitemap.xml") -> dict[str, str]:
    """loc -> lastmod of a sitemap (not an index)."""
    root = read_xml(client, url)
    assert root.tag == f"{{{NS['s']}}}urlset"
    entries = [
        (url.findtext("s:loc", namespaces=NS), url.findtext("s:lastmod", namespaces=NS))
        for url in root.findall("s:url", NS)
    ]
    locs = [loc for loc, _ in entries]
    assert len(locs) == len(set(locs)), "a URL is listed twice"
    return dict(entries)


def hours_ago(hours: float):
    return utcnow() - timedelta(hours=hours)


@pytest.fixture
def site(add_article):
    """Visible articles in three sections (QIOSK one of them), with tags, authors and a photo."""
    return {
        "gas": add_article(
            "Gas storage after the winter",
            dek="Europe refilled its tanks. The bill arrives next.",
            section="Europe",
            type="Analysis",
            tags=["Energy", "Baltic"],
            authors=["Zoe Marlow", "Adam Brandt"],
            image=jpeg(),
            image_alt="Gas tanks at a port",
            image_credit="Jane Lens",
            published=hours_ago(1),
        ),
        "straits": add_article(
            "Shipping through the straits",
            body="Insurers have raised premiums again.\n\nOwners are weighing the detour.\n",
            section="Asia",
            type="News",
            tags=["Shipping"],
            authors=["Ken Ito"],
            published=hours_ago(2),
        ),
        "berth": add_article(
            "Port berth tender opens",
            section="QIOSK",
            type="News",
            authors=["Ken Ito"],
            published=hours_ago(3),
        ),
        "old": add_article(
            "An older look at the grid",
            section="Europe",
            type="Opinion",
            tags=["Energy"],
            authors=["Zoe Marlow"],
            published=utcnow() - timedelta(days=5),
        ),
    }


@pytest.fixture
def hidden(add_article):
    """A draft, a trashed and a scheduled article, each the only one of its tag and author, all
    in Europe and sharing every tag of the gas story."""

    def one(title: str, key: str, **fields):
        return add_article(
            title,
            section="Europe",
            type="Analysis",
            tags=["Energy", "Baltic", f"Only {key}"],
            authors=[f"Writer {key}"],
            **fields,
        )

    return [
        one("Draft in progress", "draft", status="draft"),
        one("Thrown away", "trash", status="trash"),
        one("Not yet time", "scheduled", published=utcnow() + timedelta(hours=2)),
    ]


# --- /sitemap.xml -------------------------------------------------------------------------------


def test_sitemap_lists_every_visible_article_dated_by_its_last_change(client, site):
    urls = sitemap(client)
    for article in site.values():
        assert urls[f"{SITE}/articles/{article.slug}"] == w3c(article.updated_at)


def test_sitemap_lists_listing_pages_dated_by_their_newest_article(client, site):
    urls = sitemap(client)
    newest = max(article.updated_at for article in site.values())
    assert urls[f"{SITE}/"] == w3c(newest)
    assert urls[f"{SITE}/latest"] == w3c(newest)
    assert urls[f"{SITE}/authors"] == w3c(newest)
    assert urls[f"{SITE}/qiosk"] == w3c(site["berth"].updated_at)
    assert urls[f"{SITE}/sections/asia"] == w3c(site["straits"].updated_at)
    assert urls[f"{SITE}/sections/europe"] == w3c(
        max(site["gas"].updated_at, site["old"].updated_at)
    )
    # Type pages list QIOSK items too: the QIOSK brief is News as well.
    assert urls[f"{SITE}/types/news"] == w3c(
        max(site["straits"].updated_at, site["berth"].updated_at)
    )
    assert urls[f"{SITE}/tags/baltic"] == w3c(site["gas"].updated_at)
    assert urls[f"{SITE}/authors/ken-ito"] == w3c(
        max(site["straits"].updated_at, site["berth"].updated_at)
    )
    listings = {url for url in urls if "/articles/" not in url}
    assert listings == {
        f"{SITE}{path}"
        for path in [
            "/",
            "/latest",
            "/authors",
            "/qiosk",
            "/sections/asia",
            "/sections/europe",
            "/types/analysis",
            "/types/news",
            "/types/opinion",
            "/tags/baltic",
            "/tags/energy",
            "/tags/shipping",
            "/authors/adam-brandt",
            "/authors/ken-ito",
            "/authors/zoe-marlow",
        ]
    }


def test_sitemap_leaves_out_hidden_articles_and_listings_only_they_fill(client, site, hidden):
    urls = sitemap(client)
    for article in hidden:
        assert f"{SITE}/articles/{article.slug}" not in urls
    for key in ("draft", "trash", "scheduled"):
        assert f"{SITE}/tags/only-{key}" not in urls
        assert f"{SITE}/authors/writer-{key}" not in urls
    assert len([url for url in urls if "/articles/" in url]) == len(site)


def test_sitemap_of_an_empty_site_is_an_empty_urlset(client):
    assert sitemap(client) == {}


def test_sitemap_reads_slugs_and_times_not_article_bodies(client, site):
    with statements() as seen:
        sitemap(client)
    assert seen
    for statement in seen:
        assert not {"body_md", "lead_html", "rest_html", "title"} & set(
            re.findall(r"\w+", statement)
        ), statement


def test_sitemap_parts_do_not_exist_while_one_file_holds_everything(client, site):
    assert client.get("/sitemaps/1.xml").status_code == 404


def test_large_sitemap_becomes_an_index_of_parts_listing_each_url_once(
    client, site, add_article, monkeypatch
):
    fillers = [
        add_article(f"Filler {number}", section="Africa", published=hours_ago(10 + number))
        for number in range(6)
    ]
    # Saved long ago, so that each is dated by its own publication time, hours apart.
    db.session.execute(db.update(Article).values(updated_at=utcnow() - timedelta(days=30)))
    db.session.commit()
    articles = {
        f"{SITE}/articles/{article.slug}": w3c(article.published_at)
        for article in [*site.values(), *fillers]
    }
    listings = {
        f"{SITE}{path}"
        for path in [
            "/",
            "/latest",
            "/authors",
            "/qiosk",
            "/sections/africa",
            "/sections/asia",
            "/sections/europe",
            "/types/analysis",
            "/types/news",
            "/types/opinion",
            "/tags/baltic",
            "/tags/energy",
            "/tags/shipping",
            "/authors/ada-writer",
            "/authors/adam-brandt",
            "/authors/ken-ito",
            "/authors/zoe-marlow",
        ]
    }
    monkeypatch.setattr(sitemaps, "SITEMAP_LIMIT", 5)

    root = read_xml(client, "/sitemap.xml")
    assert root.tag == f"{{{NS['s']}}}sitemapindex"
    index = {
        part.findtext("s:loc", namespaces=NS): part.findtext("s:lastmod", namespaces=NS)
        for part in root.findall("s:sitemap", NS)
    }
    parts = list(index)
    count = -(-(len(listings) + len(articles)) // 5)
    assert parts == [f"{SITE}/sitemaps/{n}.xml" for n in range(1, count + 1)]

    seen: dict[str, str] = {}
    for part in parts:
        urls = sitemap(client, part.removeprefix(SITE))
        assert 1 <= len(urls) <= 5
        assert not set(urls) & set(seen), "a URL is in two parts"
        # Each part is dated by the newest change among its URLs (all the same format, in UTC).
        assert index[part] == max(urls.values())
        seen |= urls
    assert set(seen) == listings | set(articles)
    assert {url: seen[url] for url in articles} == articles
    assert client.get(f"/sitemaps/{count + 1}.xml").status_code == 404


@pytest.mark.parametrize(
    "url", ["/sitemaps/0.xml", "/sitemaps/-1.xml", "/sitemaps/x.xml", "/sitemaps/99999999999.xml"]
)
def test_bad_sitemap_part_is_404(client, site, monkeypatch, url):
    monkeypatch.setattr(sitemaps, "SITEMAP_LIMIT", 2)
    assert client.get(url).status_code == 404


# --- /sitemaps/news.xml -------------------------------------------------------------------------


def test_news_sitemap_has_the_last_two_days_for_google_news(app, client, site, hidden):
    root = read_xml(client, "/sitemaps/news.xml")
    entries = {
        url.findtext("s:loc", namespaces=NS): url.find("news:news", NS)
        for url in root.findall("s:url", NS)
    }
    recent = [site["gas"], site["straits"], site["berth"]]
    assert list(entries) == [f"{SITE}/articles/{article.slug}" for article in recent]
    for article in recent:
        news = entries[f"{SITE}/articles/{article.slug}"]
        assert news.findtext("news:publication/news:name", namespaces=NS) == app.config["SITE_NAME"]
        assert news.findtext("news:publication/news:language", namespaces=NS) == "en"
        assert news.findtext("news:publication_date", namespaces=NS) == w3c(article.published_at)
        assert news.findtext("news:title", namespaces=NS) == article.title


# --- /robots.txt --------------------------------------------------------------------------------


def test_robots_txt_allows_readers_pages_and_points_to_the_sitemaps(client, site):
    response = client.get("/robots.txt")
    assert response.status_code == 200
    assert response.content_type == "text/plain; charset=utf-8"
    lines = response.get_data(as_text=True).strip().splitlines()
    assert lines[0] == "User-agent: *"
    assert {line for line in lines if line.startswith("Disallow:")} == {
        "Disallow: /editor/",
        "Disallow: /articles/*/more",
        "Disallow: /articles/*/less",
    }
    sitemaps = [line.removeprefix("Sitemap: ") for line in lines if line.startswith("Sitemap:")]
    assert sitemaps == [f"{SITE}/sitemap.xml", f"{SITE}/sitemaps/news.xml"]
    for url in sitemaps:
        assert client.get(url.removeprefix(SITE)).status_code == 200


def first_match(robots_txt: str):
    """Python's own parser: the first rule whose path starts the URL's decides, no wildcards."""
    parser = RobotFileParser()
    parser.parse(robots_txt.splitlines())
    return lambda url: parser.can_fetch("ExampleBot", url)


def longest_match(robots_txt: str):
    """RFC 9309, as search engines read it: the longest matching rule decides, `*` wildcards."""
    parser = Protego.parse(robots_txt)
    return lambda url: parser.can_fetch(url, "ExampleBot")


@pytest.mark.parametrize("parse", [first_match, longest_match])
def test_robots_txt_lets_crawlers_read_the_site_but_not_the_editor(app, client, site, parse):
    allowed = parse(client.get("/robots.txt").get_data(as_text=True))
    readers = [
        *sitemap(client),
        *(f"{SITE}{path}" for path in ("/feeds/all.atom", "/feeds/sections/europe.atom")),
        *(f"{SITE}{path}" for path in ("/sitemaps/news.xml", "/search?q=gas", "/newsletter")),
    ]
    assert f"{SITE}/articles/gas-storage-after-the-winter" in readers
    assert f"{SITE}/sections/europe" in readers
    assert [url for url in readers if not allowed(url)] == []
    editor = [
        f"{SITE}{rule.rule}"
        for rule in app.url_map.iter_rules()
        if rule.endpoint.startswith("editor.") and not rule.arguments
    ]
    assert f"{SITE}/editor/sign-in" in editor
    assert [url for url in [*editor, f"{SITE}/editor/articles/1"] if allowed(url)] == []


def test_robots_txt_keeps_crawlers_that_read_wildcards_out_of_the_fragments(client, site):
    # Python's urllib.robotparser has no wildcards: it refuses only what starts with /editor/.
    allowed = longest_match(client.get("/robots.txt").get_data(as_text=True))
    slug = "gas-storage-after-the-winter"
    assert not allowed(f"{SITE}/articles/{slug}/more")
    assert not allowed(f"{SITE}/articles/{slug}/less")
    assert allowed(f"{SITE}/articles/{slug}")
    assert allowed(f"{SITE}/articles/more-about-less")


# --- Canonical links and descriptions -----------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "canonical"),
    [
        ("/", "/"),
        ("/?utm_source=newsletter&fbclid=abc", "/"),
        ("/articles/gas-storage-after-the-winter", "/articles/gas-storage-after-the-winter"),
        (
            "/articles/gas-storage-after-the-winter?utm_campaign=x&hx-request=true",
            "/articles/gas-storage-after-the-winter",
        ),
        ("/sections/europe", "/sections/europe"),
        ("/sections/europe?page=1", "/sections/europe"),
        ("/sections/europe?page=2&utm_medium=social", "/sections/europe?page=2"),
        ("/tags/energy?page=2", "/tags/energy?page=2"),
        ("/latest?page=2&as_of=2030-01-01T00:00:00", "/latest?page=2"),
        ("/qiosk", "/qiosk"),
        ("/newsletter", "/newsletter"),
    ],
)
def test_page_has_one_absolute_canonical_link(app, client, site, url, canonical):
    app.config["ARTICLES_PER_PAGE"] = 1
    app.config["LATEST_PER_PAGE"] = 1
    assert page_head(client, url).link("canonical") == [f"{SITE}{canonical}"]


def test_error_page_has_no_canonical_link(client, site):
    response = client.get("/articles/no-such-article")
    assert response.status_code == 404
    assert head_of(response).link("canonical") == []


def test_article_description_is_its_dek(client, site):
    head = page_head(client, "/articles/gas-storage-after-the-winter")
    assert head.one("description") == "Europe refilled its tanks. The bill arrives next."


def test_article_without_a_dek_is_described_by_its_opening(client, site):
    head = page_head(client, "/articles/shipping-through-the-straits")
    assert head.one("description") == (
        "Insurers have raised premiums again. Owners are weighing the detour."
    )


def test_long_opening_is_cut_to_a_search_result_length(client, add_article):
    add_article("Long opening", body=" ".join(["word"] * 200) + "\n")
    description = page_head(client, "/articles/long-opening").one("description")
    assert len(description) <= 160
    assert description.endswith("word…")


@pytest.mark.parametrize(
    "url",
    ["/", "/latest", "/qiosk", "/sections/asia", "/types/news", "/tags/energy", "/authors/ken-ito"],
)
def test_every_page_has_a_description(client, site, url):
    assert page_head(client, url).one("description").strip()


# --- Open Graph and Twitter cards ---------------------------------------------------------------


def test_article_open_graph_tags(app, client, site):
    article = site["gas"]
    head = page_head(client, f"/articles/{article.slug}")
    photo = article.photo
    assert head.one("og:type") == "article"
    assert head.one("og:title") == "Gas storage after the winter"
    assert head.one("og:description") == "Europe refilled its tanks. The bill arrives next."
    assert head.one("og:url") == f"{SITE}/articles/{article.slug}"
    assert head.one("og:site_name") == app.config["SITE_NAME"]
    # The 1000 by 600 photo cut to the shape of a link card, not enlarged.
    assert head.one("og:image") == f"{SITE}/photos/{photo.digest}-1000x525.jpg"
    assert head.one("og:image:type") == "image/jpeg"
    assert (head.one("og:image:width"), head.one("og:image:height")) == ("1000", "525")
    assert head.one("og:image:alt") == "Gas tanks at a port"
    assert head.one("og:locale") == "en_GB"
    assert head.one("article:published_time") == w3c(article.published_at)
    assert head.one("article:modified_time") == w3c(article.updated_at)
    assert head.one("article:section") == "Europe"
    assert head.meta["article:tag"] == ["Baltic", "Energy"]
    assert_serves_the_stated_jpeg(client, head)


def assert_serves_the_stated_jpeg(client, head) -> None:
    response = client.get(head.one("og:image").removeprefix(SITE))
    assert response.status_code == 200
    assert response.mimetype == "image/jpeg"
    with Image.open(io.BytesIO(response.data)) as image:
        assert image.format == "JPEG"
        assert image.size == (int(head.one("og:image:width")), int(head.one("og:image:height")))


def test_a_photo_larger_than_a_link_card_is_cut_to_1200_by_630(client, add_article):
    add_article("Wide harbour", image=jpeg(2400, 1800), image_alt="Cranes at dusk")
    head = page_head(client, "/articles/wide-harbour")
    assert head.one("og:image").endswith("-1200x630.jpg")
    assert_serves_the_stated_jpeg(client, head)


def test_a_photo_stored_before_previews_gets_one_when_its_page_is_read(app, client, site):
    photo = site["gas"].photo
    preview = Path(app.config["PHOTO_FOLDER"]) / f"{photo.digest}-1000x525.jpg"
    preview.unlink()
    head = page_head(client, "/articles/gas-storage-after-the-winter")
    assert head.one("og:image") == f"{SITE}/photos/{preview.name}"
    assert_serves_the_stated_jpeg(client, head)


def test_a_photo_whose_files_are_gone_is_previewed_with_a_drawn_card(app, client, site):
    for path in Path(app.config["PHOTO_FOLDER"]).glob(f"{site['gas'].photo.digest}-*"):
        path.unlink()
    head = page_head(client, "/articles/gas-storage-after-the-winter")
    assert re.fullmatch(
        rf"{SITE}/articles/gas-storage-after-the-winter/card-[0-9a-f]{{16}}\.jpg",
        head.one("og:image"),
    )
    assert_serves_the_stated_jpeg(client, head)
    news, _ = head.json_ld()
    assert "image" not in news


def test_og_locale_is_a_language_and_a_territory(app, client, site):
    assert re.fullmatch(
        r"[a-z]{2}_[A-Z]{2}",
        page_head(client, "/articles/gas-storage-after-the-winter").one("og:locale"),
    )
    app.config["LOCALE"] = "de_AT"
    assert page_head(client, "/articles/port-berth-tender-opens").one("og:locale") == "de_AT"


def test_article_with_a_photo_has_a_large_image_twitter_card(client, site):
    head = page_head(client, "/articles/gas-storage-after-the-winter")
    assert head.one("twitter:card") == "summary_large_image"
    assert head.one("twitter:title") == "Gas storage after the winter"
    assert head.one("twitter:description") == "Europe refilled its tanks. The bill arrives next."
    assert head.one("twitter:image") == head.one("og:image")
    assert head.one("twitter:image:alt") == "Gas tanks at a port"


@pytest.mark.parametrize(
    "slug", ["shipping-through-the-straits", "port-berth-tender-opens"], ids=["article", "qiosk"]
)
def test_article_without_a_photo_is_previewed_with_a_card_of_its_headline(app, client, site, slug):
    head = page_head(client, f"/articles/{slug}")
    assert re.fullmatch(rf"{SITE}/articles/{slug}/card-[0-9a-f]{{16}}\.jpg", head.one("og:image"))
    assert head.one("og:image:type") == "image/jpeg"
    assert (head.one("og:image:width"), head.one("og:image:height")) == ("1200", "630")
    assert head.one("og:image:alt") == head.one("og:title")
    # Each article its own card: another headline, another file.
    other = (
        "port-berth-tender-opens"
        if slug != "port-berth-tender-opens"
        else "shipping-through-the-straits"
    )
    assert page_head(client, f"/articles/{other}").one("og:image") != head.one("og:image")
    assert head.one("twitter:card") == "summary"
    assert head.one("twitter:image") == head.one("og:image")
    assert_serves_the_stated_jpeg(client, head)


def drawn_cards(app) -> list[str]:
    return sorted(path.name for path in Path(app.config["PHOTO_FOLDER"]).glob("card-*.jpg"))


def test_a_headline_card_is_drawn_when_it_is_asked_for_not_when_the_page_is_made(app, client, site):
    """A crawler reading the archive makes every page without a photo: none draws a card."""
    head = page_head(client, "/articles/shipping-through-the-straits")
    assert drawn_cards(app) == []
    assert_serves_the_stated_jpeg(client, head)
    assert drawn_cards(app) == [head.one("og:image").rsplit("/", 1)[1]]
    response = client.get(head.one("og:image").removeprefix(SITE))
    assert "max-age=31536000" in response.headers["Cache-Control"]


def test_only_the_card_of_a_visible_articles_headline_is_drawn(app, client, site, hidden):
    card = page_head(client, "/articles/shipping-through-the-straits").one("og:image")
    other_words = card.replace("/card-", "/card-0").removeprefix(SITE)[:-5] + ".jpg"
    assert client.get(other_words).status_code == 404
    assert client.get("/articles/shipping-through-the-straits/card-x.jpg").status_code == 404
    for article in hidden:
        name = headline_card_name(article.title)
        assert client.get(f"/articles/{article.slug}/{name}").status_code == 404
    assert drawn_cards(app) == []


def test_a_renamed_site_gets_a_card_of_its_own(app, client, site):
    before = page_head(client, "/articles/port-berth-tender-opens").one("og:image")
    site_settings.save({**site_settings.current(), "name": "The Tailwind Weekly"}, None)
    db.session.commit()
    head = page_head(client, "/articles/port-berth-tender-opens")
    assert head.one("og:image") != before
    assert_serves_the_stated_jpeg(client, head)


# --- JSON-LD ------------------------------------------------------------------------------------


def test_article_json_ld_is_a_news_article(app, client, site):
    article = site["gas"]
    news, _ = page_head(client, f"/articles/{article.slug}").json_ld()
    url = f"{SITE}/articles/{article.slug}"
    assert news["@context"] == "https://schema.org"
    assert news["@type"] == "NewsArticle"
    assert news["headline"] == "Gas storage after the winter"
    assert news["description"] == "Europe refilled its tanks. The bill arrives next."
    # The photo in the three shapes search engines ask for: 1:1, 4:3 and 16:9.
    digest = article.photo.digest
    assert news["image"] == [
        f"{SITE}/photos/{digest}-{size}.jpg" for size in ("600x600", "800x600", "1000x562")
    ]
    for crop_url in news["image"]:
        with Image.open(io.BytesIO(client.get(crop_url.removeprefix(SITE)).data)) as crop:
            assert crop.format == "JPEG"
            assert f"{crop.width}x{crop.height}" in crop_url
    assert news["datePublished"] == w3c(article.published_at)
    assert news["dateModified"] == w3c(article.updated_at)
    assert news["author"] == [
        {"@type": "Person", "name": "Zoe Marlow", "url": f"{SITE}/authors/zoe-marlow"},
        {"@type": "Person", "name": "Adam Brandt", "url": f"{SITE}/authors/adam-brandt"},
    ]
    assert news["publisher"]["@type"] == "Organization"
    assert news["publisher"]["name"] == app.config["SITE_NAME"]
    logo = news["publisher"]["logo"]
    assert logo["url"].startswith(f"{SITE}/static/") and logo["url"].endswith(".png")
    response = client.get(logo["url"].removeprefix(SITE))
    assert response.status_code == 200 and response.mimetype == "image/png"
    with Image.open(io.BytesIO(response.data)) as image:
        assert (image.format, image.size) == ("PNG", (logo["width"], logo["height"]))
    assert news["articleSection"] == "Europe"
    assert news["keywords"] == ["Baltic", "Energy"]
    assert news["mainEntityOfPage"] == {"@type": "WebPage", "@id": url}


def test_article_json_ld_has_breadcrumbs_home_section_article(client, site):
    _, breadcrumbs = page_head(client, "/articles/gas-storage-after-the-winter").json_ld()
    assert breadcrumbs["@type"] == "BreadcrumbList"
    assert [
        (item["position"], item["name"], item["item"]) for item in breadcrumbs["itemListElement"]
    ] == [
        (1, "Home", f"{SITE}/"),
        (2, "Europe", f"{SITE}/sections/europe"),
        (3, "Gas storage after the winter", f"{SITE}/articles/gas-storage-after-the-winter"),
    ]


def test_qiosk_item_breadcrumb_goes_through_the_qiosk_page(client, site):
    _, breadcrumbs = page_head(client, "/articles/port-berth-tender-opens").json_ld()
    assert breadcrumbs["itemListElement"][1]["item"] == f"{SITE}/qiosk"


def test_article_without_photo_has_no_json_ld_image(client, site):
    news, _ = page_head(client, "/articles/shipping-through-the-straits").json_ld()
    assert "image" not in news


def test_hostile_title_stays_inside_the_json_ld(client, add_article):
    hostile = "</script><script>alert(1)</script> & <!-- 'quoted' -->"
    add_article(hostile, slug="hostile", dek=hostile)
    response = client.get("/articles/hostile")
    head = head_of(response)
    news, breadcrumbs = head.json_ld()
    assert news["headline"] == hostile and news["description"] == hostile
    assert breadcrumbs["itemListElement"][2]["name"] == hostile
    # Had the title closed the element, its alert would be the text of a script of its own.
    assert not [text for attrs, text in head.scripts if "alert" in text and not attrs.get("type")]
    assert "<script>alert(1)" not in response.get_data(as_text=True)


def test_pages_other_than_articles_have_no_json_ld(client, site):
    assert page_head(client, "/sections/europe").json_ld() == []


# --- More from the section ----------------------------------------------------------------------


def more_from(client, slug: str) -> tuple[str, list[str]]:
    """The heading and teaser titles of the related articles under an article."""
    page = client.get(f"/articles/{slug}").get_data(as_text=True)
    if 'class="more-articles"' not in page:
        return "", []
    block = page.split('class="more-articles"', 1)[1].split("</section>", 1)[0]
    heading = re.search(r'id="more-heading"[^>]*>(.*?)</h2>', block).group(1)
    titles = re.findall(r'class="teaser-title"[^>]*><a [^>]*>(.*?)</a>', block)
    return unescape(heading), [unescape(title) for title in titles]


@pytest.fixture
def section_mates(add_article):
    """An article in Europe and others around it, sharing none, one or two of its tags."""
    return [
        add_article("Baltic cables", tags=["Baltic", "Energy", "Cables"], published=hours_ago(50)),
        add_article("Newest, no shared tag", tags=["Trade"], published=hours_ago(1)),
        add_article("Two shared, old", tags=["Baltic", "Energy"], published=hours_ago(90)),
        add_article("One shared, new", tags=["Energy"], published=hours_ago(2)),
        add_article("One shared, older", tags=["Baltic"], published=hours_ago(60)),
        add_article("No tags, newer", published=hours_ago(3)),
        add_article("Elsewhere, two shared", section="Asia", tags=["Baltic", "Energy"]),
    ]


def test_related_articles_rank_shared_tags_then_recency(client, section_mates):
    heading, titles = more_from(client, "baltic-cables")
    assert heading == "More from Europe"
    assert titles == [
        "Two shared, old",
        "One shared, new",
        "One shared, older",
        "Newest, no shared tag",
    ]


def test_related_articles_fall_back_to_the_newest_of_the_section(client, section_mates):
    _, titles = more_from(client, "no-tags-newer")
    assert titles == [
        "Newest, no shared tag",
        "One shared, new",
        "Baltic cables",
        "One shared, older",
    ]


def test_related_articles_leave_out_hidden_ones(client, site, hidden):
    _, titles = more_from(client, "gas-storage-after-the-winter")
    assert titles == ["An older look at the grid"]


def test_article_alone_in_its_section_has_no_related_block(client, site):
    assert more_from(client, "shipping-through-the-straits") == ("", [])


def test_related_articles_cost_the_same_queries_however_many(client, add_article):
    add_article("Lonely", tags=["Energy"], published=hours_ago(1))
    add_article("First mate", tags=["Energy"], published=hours_ago(2))
    assert len(more_from(client, "lonely")[1]) == 1
    with statements() as one_related:
        client.get("/articles/lonely")
    for number in range(3):
        add_article(f"Mate {number}", tags=["Energy"], authors=[f"Writer {number}"])
    assert len(more_from(client, "lonely")[1]) == 4
    with statements() as four_related:
        client.get("/articles/lonely")
    assert len(four_related) == len(one_related)


@pytest.mark.parametrize("url", ["/feeds/all.atom", "/sitemap.xml", "/sitemaps/news.xml"])
def test_hidden_articles_are_in_no_machine_readable_list(client, site, hidden, url):
    text = client.get(url).get_data(as_text=True)
    for article in hidden:
        assert article.slug not in text
