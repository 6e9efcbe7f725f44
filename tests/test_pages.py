"""Pages as readers get them: /<slug> and /<parent>/<slug>, old paths, removed pages, what
search engines and link previews read, the sitemap, search, the masthead and the footer."""

import contextlib
import re

import pytest
from sqlalchemy import event
from werkzeug.exceptions import MethodNotAllowed, NotFound
from werkzeug.routing import ValidationError

from rsflask import sitemaps
from rsflask.db import db
from rsflask.models import Page, PageRedirect
from rsflask.page_store import MemoryStore
from rsflask.pages import PageSlugConverter
from tests.conftest import htmx, statements
from tests.page_helpers import make_page
from tests.test_reader import Element, parse
from tests.test_seo import NS, SITE, page_head, read_xml, sitemap, w3c

PAGE_ENDPOINTS = {"pages.page", "pages.child_page"}


@pytest.fixture
def about(app):
    """A published About page with a published child (Masthead) and a draft child."""
    about = make_page(
        "About us",
        slug="about",
        dek="Who we are and why we write.",
        body="We write about **foreign policy**.\n\nSlowly, and at length.\n",
        page_type="AboutPage",
        nav_position=1,
        footer_position=1,
    )
    make_page("Masthead", parent=about, dek="The people who make the Review.")
    make_page("Jobs", parent=about, status="draft", dek="Not yet.")
    return about


# --- The page itself --------------------------------------------------------------------------


def test_a_published_page_is_shown_at_its_slug(client, about):
    response = client.get("/about")
    assert response.status_code == 200
    page = parse(response)
    assert page.find("h1").text == "About us"
    assert page.find("p", class_="dek").text == "Who we are and why we write."
    assert page.find(class_="prose").find("strong").text == "foreign policy"
    assert page.find("title").text == "About us | The Crosswind Review"


def test_a_page_has_no_byline_label_or_reading_time(client, about):
    page = parse(client.get("/about")).find("main")
    assert [e for e in page.descendants() if e.classes & {"byline", "label", "reading-time"}] == []


def test_a_page_says_when_it_was_last_updated(client, about):
    updated = parse(client.get("/about")).find(class_="updated").find("time")
    assert updated.attrs["datetime"] == w3c(about.updated_at)


def test_a_page_lists_its_published_children_with_their_deks(client, about):
    children = parse(client.get("/about")).find("nav", class_="child-pages").find_all("li")
    assert [
        (li.find("a").text, li.find("a").attrs["href"], li.find("p").text) for li in children
    ] == [("Masthead", "/about/masthead", "The people who make the Review.")]


def test_a_page_without_children_lists_none(client, about):
    assert parse(client.get("/about/masthead")).find_all(class_="child-pages") == []


def test_a_child_page_is_shown_under_its_parent_with_a_link_up(client, about):
    response = client.get("/about/masthead")
    assert response.status_code == 200
    page = parse(response)
    assert page.find("h1").text == "Masthead"
    assert page.find(class_="kicker").find("a").attrs["href"] == "/about"


@pytest.mark.parametrize("url", ["/masthead", "/contact/masthead", "/masthead/about", "/about/x"])
def test_a_page_anywhere_but_its_own_path_is_404(client, about, url):
    make_page("Contact", slug="contact")
    assert client.get(url).status_code == 404


def test_a_draft_page_is_404(client, about):
    make_page("Coming soon", status="draft")
    assert client.get("/coming-soon").status_code == 404
    assert client.get("/about/jobs").status_code == 404


def test_a_published_child_of_a_draft_parent_is_404(client):
    parent = make_page("Hidden parent", status="draft")
    make_page("Visible child", parent=parent)
    assert client.get("/hidden-parent/visible-child").status_code == 404
    assert client.get("/visible-child").status_code == 404


def test_a_trashed_page_readers_saw_is_410(client, about):
    about.status = "trash"
    db.session.commit()
    response = client.get("/about")
    assert response.status_code == 410
    page = parse(response)
    assert page.find("h1").text == "Page removed"
    assert "This page has been removed" in page.find("main").text


def test_a_trashed_page_never_published_is_404(client):
    make_page("Never out", status="trash", published_at=None)
    assert client.get("/never-out").status_code == 404


def test_a_trashed_child_readers_saw_is_410_at_its_path_only(client, about):
    masthead = db.session.scalar(db.select(Page).filter_by(slug="masthead"))
    masthead.status = "trash"
    db.session.commit()
    assert client.get("/about/masthead").status_code == 410
    assert client.get("/masthead").status_code == 404


@pytest.mark.parametrize(
    ("old", "new"),
    [("/who-we-are", "/about"), ("/who-we-are?utm_source=x", "/about"),
     ("/team", "/about/masthead"), ("/about/team", "/about/masthead")],
)  # fmt: skip
def test_an_old_path_answers_301_to_the_current_one_without_its_query(client, about, old, new):
    masthead = db.session.scalar(db.select(Page).filter_by(slug="masthead"))
    db.session.add_all(
        [
            PageRedirect(old_path="who-we-are", page_id=about.id),
            PageRedirect(old_path="team", page_id=masthead.id),
            PageRedirect(old_path="about/team", page_id=masthead.id),
        ]
    )
    db.session.commit()
    response = client.get(old)
    assert response.status_code == 301
    assert response.headers["Location"] == new


def test_an_old_path_of_a_page_readers_may_not_see_is_404(client, about):
    draft = db.session.scalar(db.select(Page).filter_by(slug="jobs"))
    db.session.add(PageRedirect(old_path="careers", page_id=draft.id))
    db.session.commit()
    assert client.get("/careers").status_code == 404


def test_a_page_is_public_and_cached_until_it_changes(client, about):
    first = client.get("/about")
    assert first.cache_control.public
    assert client.get("/about").get_data(as_text=True) == first.get_data(as_text=True)
    about.title = "About the Review"
    db.session.commit()
    assert parse(client.get("/about")).find("h1").text == "About the Review"


def test_a_page_answers_htmx_and_browsers_alike(client, about):
    assert parse(client.get("/about", headers=htmx())).find("h1").text == "About us"


# --- Every other route wins -------------------------------------------------------------------


def sample_path(rule) -> str:
    """A path that the rule matches, with a plausible value for each of its arguments."""
    values = {"path": "css/site.css", "int": "1", "any": None, "default": "abc"}

    def value(match: re.Match) -> str:
        converter = match.group(1).rpartition(":")[0]
        converter = converter.split("(")[0] or "default"
        if converter == "any":
            return match.group(1).split("(")[1].split(",")[0]
        return values.get(converter) or "some-slug"

    return re.sub(r"<([^>]+)>", value, rule.rule)


def test_every_other_route_still_answers_its_own_view(app, about):
    """Pages named like every other route's first part must take none of them."""
    urls = app.url_map.bind("localhost")
    rules = [rule for rule in app.url_map.iter_rules() if rule.endpoint not in PAGE_ENDPOINTS]
    for part in {rule.rule.split("/")[1] for rule in rules} - {""}:
        if "<" not in part and "." not in part:
            make_page(f"Page named {part}", slug=part)
    checked = set()
    for rule in rules:
        path = sample_path(rule)
        for method in rule.methods - {"OPTIONS"}:
            assert urls.match(path, method=method)[0] == rule.endpoint, f"{method} {path}"
        # A path only posted to keeps what a GET got (a 405, or another view): never a page.
        with contextlib.suppress(MethodNotAllowed, NotFound):
            assert urls.match(path, method="GET")[0] not in PAGE_ENDPOINTS, path
        checked.add(rule.endpoint)
    assert {"reader.latest", "feeds.robots", "feeds.sitemap", "health.healthz"} <= checked


@pytest.mark.parametrize(
    ("url", "status"),
    [("/latest", 200), ("/robots.txt", 200), ("/sitemap.xml", 200), ("/healthz", 200),
     ("/qiosk", 200), ("/search", 200), ("/newsletter", 200), ("/editor", 308),
     ("/editor/sign-out", 405), ("/editor/articles", 405), ("/static", 404),
     ("/articles", 404), ("/feeds/sections", 404)],
)  # fmt: skip
def test_addresses_of_other_views_keep_their_answers_with_pages_named_like_them(
    client, url, status
):
    for slug in ["latest", "search", "newsletter", "editor", "static", "articles", "feeds"]:
        make_page(f"A page called {slug}", slug=slug)
    editor = db.session.scalar(db.select(Page).filter_by(slug="editor"))
    make_page("Sign out", slug="sign-out", parent=editor)
    assert client.get(url).status_code == status


def test_the_page_slug_converter_refuses_the_first_part_of_other_routes(app):
    converter = PageSlugConverter(app.url_map)
    assert converter.to_python("about") == "about"
    for taken in ["articles", "editor", "latest", "newsletter", "feeds", "static", "healthz"]:
        with pytest.raises(ValidationError):
            converter.to_python(taken)


# --- What search engines and link previews read -----------------------------------------------


def test_a_page_has_an_absolute_canonical_link_without_its_query(client, about):
    head = page_head(client, "/about/masthead?utm_source=x")
    assert head.link("canonical") == [f"{SITE}/about/masthead"]


def test_a_page_is_described_by_its_dek(client, about):
    assert page_head(client, "/about").one("description") == "Who we are and why we write."


def test_a_page_without_a_dek_is_described_by_its_opening(client):
    make_page("Contact", body="Write to the desk at any hour.\n\nWe answer within days.\n")
    description = page_head(client, "/contact").one("description")
    assert description == "Write to the desk at any hour. We answer within days."


def test_a_page_is_previewed_as_a_website_with_the_sites_card(client, about):
    head = page_head(client, "/about")
    assert head.one("og:type") == "website"
    assert head.one("og:title") == "About us"
    assert head.one("og:url") == f"{SITE}/about"
    assert head.one("og:description") == "Who we are and why we write."
    assert re.fullmatch(rf"{SITE}/photos/site-[0-9a-f]{{16}}\.jpg", head.one("og:image"))
    assert head.one("twitter:card") == "summary"
    assert "article:published_time" not in head.meta


@pytest.mark.parametrize("page_type", ["WebPage", "AboutPage", "ContactPage"])
def test_a_pages_json_ld_names_its_type(client, page_type):
    page = make_page("Some page", page_type=page_type, dek="What it is.")
    [data] = page_head(client, "/some-page").json_ld()
    assert data["@type"] == page_type
    assert data["name"] == "Some page"
    assert data["url"] == f"{SITE}/some-page"
    assert data["description"] == "What it is."
    assert data["dateModified"] == w3c(page.updated_at)
    assert data["publisher"]["name"] == "The Crosswind Review"
    assert data["publisher"]["logo"]["url"] == f"{SITE}/static/img/logo.png"


def test_a_hostile_page_title_stays_inside_the_json_ld(client):
    make_page("</script><script>alert(1)</script>", slug="hostile")
    head = page_head(client, "/hostile")
    [data] = head.json_ld()
    assert data["name"] == "</script><script>alert(1)</script>"


# --- Sitemap, feeds, teasers ------------------------------------------------------------------


def test_sitemap_lists_published_pages_dated_by_their_last_change(client, about, add_article):
    add_article("A story")
    urls = sitemap(client)
    assert urls[f"{SITE}/about"] == w3c(about.updated_at)
    assert f"{SITE}/about/masthead" in urls
    assert f"{SITE}/about/jobs" not in urls


def test_sitemap_of_a_site_with_pages_only_lists_them(client, about):
    assert set(sitemap(client)) == {f"{SITE}/about", f"{SITE}/about/masthead"}


def test_sitemap_parts_list_each_page_once(client, about, add_article, monkeypatch):
    for number in range(4):
        make_page(f"Extra page {number}")
    for number in range(6):
        add_article(f"Story {number}")
    monkeypatch.setattr(sitemaps, "SITEMAP_LIMIT", 5)
    index = read_xml(client, "/sitemap.xml")
    parts = [part.findtext("s:loc", namespaces=NS) for part in index.findall("s:sitemap", NS)]
    seen = []
    for part in parts:
        seen += list(sitemap(client, part.removeprefix(SITE)))
    expected = {f"{SITE}/about", f"{SITE}/about/masthead"} | {
        f"{SITE}/extra-page-{number}" for number in range(4)
    }
    assert expected <= set(seen)
    assert len(seen) == len(set(seen)), "a URL is in two parts"


@pytest.mark.parametrize("url", ["/feeds/all.atom", "/sitemaps/news.xml"])
def test_no_feed_lists_pages(client, about, add_article, url):
    add_article("A story")
    text = client.get(url).get_data(as_text=True)
    assert "A story" in text
    assert "About us" not in text and "/about" not in text


@pytest.mark.parametrize("url", ["/", "/latest", "/qiosk"])
def test_pages_are_never_teasers_latest_or_qiosk_items(client, about, add_article, url):
    add_article("A story")
    add_article("A brief", section="QIOSK", type="News")
    main = parse(client.get(url)).find("main")
    assert "/about" not in main.links()
    assert "About us" not in main.text


# --- Search -----------------------------------------------------------------------------------


def search(client, query: str, **params) -> Element:
    response = client.get("/search", query_string={"q": query, **params})
    assert response.status_code == 200
    return parse(response)


def found_pages(results: Element) -> list[tuple[str, str, str]]:
    """(label, title, link) of each page in the results' Pages group."""
    group = results.find_all("section", class_="page-results")
    items = group[0].find_all("li") if group else []
    return [
        (li.find(class_="label").text, li.find("a").text, li.find("a").attrs["href"])
        for li in items
    ]


def test_search_shows_matching_pages_marked_as_pages_above_the_articles(client, about, add_article):
    add_article("Foreign policy at length", body="Foreign policy, slowly.\n")
    results = search(client, "FOREIGN policy")
    assert results.find("section", class_="page-results").find("h2").text == "Pages"
    assert found_pages(results) == [("Page", "About us", "/about")]
    articles = results.find("ol", class_="search-results")
    assert articles.find("h2").text == "Foreign policy at length"
    in_order = [e for e in results.descendants() if e.classes & {"page-results", "search-results"}]
    assert in_order[0].tag == "section" and in_order[-1].tag == "ol"


@pytest.mark.parametrize("query", ["about", "who we ARE", "slowly length", "people review", "mást"])
def test_search_matches_every_word_in_a_pages_title_dek_or_text(client, about, query):
    titles = [title for _, title, _ in found_pages(search(client, query))]
    assert titles and set(titles) <= {"About us", "Masthead"}


@pytest.mark.parametrize("query", ["about zebra", "jobs", "not yet"])
def test_search_leaves_out_pages_missing_a_word_and_drafts(client, about, query):
    results = search(client, query)
    assert found_pages(results) == []
    assert "Nothing found" in results.text


def test_search_with_only_a_page_found_says_so(client, about):
    results = search(client, "masthead")
    assert "No articles found for “masthead”; 1 page of the site matches." in results.text
    assert found_pages(results) == [("Page", "Masthead", "/about/masthead")]


def test_search_shows_pages_on_the_first_page_of_results_only(client, about, add_article):
    for number in range(12):
        add_article(f"Policy note {number}", body="Foreign policy note.\n")
    assert found_pages(search(client, "foreign policy"))
    assert found_pages(search(client, "foreign policy", page=2)) == []


def test_search_fragment_marks_pages_too(client, about):
    response = client.get("/search?q=masthead", headers=htmx())
    assert found_pages(parse(response)) == [("Page", "Masthead", "/about/masthead")]


# --- The masthead's navigation and the footer -------------------------------------------------


@pytest.fixture
def placed(about):
    """Pages in the footer and the navigation, in an order that is not their titles'."""
    make_page("Contact", footer_position=2, nav_position=2, page_type="ContactPage")
    make_page("Write for us", footer_position=2)
    make_page("Privacy policy", slug="privacy", footer_position=0)
    make_page("Unlisted", footer_position=None, nav_position=None)
    make_page("Draft in footer", status="draft", footer_position=0, nav_position=0)
    return about


def test_footer_links_its_pages_by_position_then_title(client, placed, add_article):
    add_article("A story")
    footer = parse(client.get("/")).find("nav", aria_label="Footer")
    links = [(a.text, a.attrs["href"]) for a in footer.find_all("a")]
    # After the footer's own links (Latest, QIOSK, Authors, Newsletter).
    assert links[-4:] == [
        ("Privacy policy", "/privacy"),
        ("About us", "/about"),
        ("Contact", "/contact"),
        ("Write for us", "/write-for-us"),
    ]


def test_main_navigation_lists_its_pages_after_the_sections(client, placed, add_article):
    add_article("A story")
    nav = parse(client.get("/")).find("nav", aria_label="Sections")
    links = [a.text for a in nav.find_all("a")]
    assert links == ["Europe", "Latest", "About us", "Contact"]


def test_main_navigation_marks_the_page_being_read(client, placed):
    nav = parse(client.get("/contact")).find("nav", aria_label="Sections")
    current = nav.find_all("a", aria_current="page")
    assert [a.text for a in current] == ["Contact"]


def test_footer_and_navigation_cost_one_query(app, client, placed, add_article):
    add_article("A story")
    app.extensions["page_cache"].store = MemoryStore(0)
    with statements() as seen:
        client.get("/latest")
    assert len([statement for statement in seen if "FROM pages" in statement]) == 1


def test_a_page_and_its_links_stay_few_queries(app, client, placed):
    app.extensions["page_cache"].store = MemoryStore(0)
    seen = []

    def record(conn, cursor, statement, *args):
        seen.append(statement)

    event.listen(db.engine, "before_cursor_execute", record)
    try:
        assert client.get("/about").status_code == 200
    finally:
        event.remove(db.engine, "before_cursor_execute", record)
    assert len([s for s in seen if not s.startswith("BEGIN")]) <= 6


def test_a_removed_page_leaves_the_footer_and_navigation(client, placed):
    contact = db.session.scalar(db.select(Page).filter_by(slug="contact"))
    contact.status = "trash"
    db.session.commit()
    assert "/contact" not in parse(client.get("/about")).links()


def test_each_request_reads_the_linked_pages_afresh(client):
    """The test app keeps one app context (and `g`) for every request, as a long-lived one would."""
    assert "/contact" not in parse(client.get("/newsletter")).links()
    make_page("Contact", footer_position=1)
    assert "/contact" in parse(client.get("/newsletter")).links()
