"""Public pages say what they read: the page cache keys each on the query arguments its view
declares (`@public_page`), and a view that reads another fails while testing."""

from datetime import timedelta

import pytest
from flask import Flask, request, request_started

from rsflask import sitemaps
from rsflask.db import db, utcnow
from rsflask.models import Article
from rsflask.public_pages import public_page
from tests.conftest import htmx
from tests.page_helpers import make_page

# A value of each argument that some public view declares, different from what no argument means.
DECLARED_VALUES = {
    "page": "2",
    "q": "canal",
    "as_of": "2026-01-01T00:00:00",
    # An old WordPress address of a post (the front page looks its redirect up).
    "p": "123",
    "page_id": "123",
}
UNDECLARED = "sort=oldest&utm_source=social&fbclid=reader-one&_=123"
# Views that answer htmx with a fragment and a browser with a redirect to the article.
FRAGMENT_ONLY = {"reader.keep_reading", "reader.show_less"}
# The pages of the site the fixture makes, at the top level and under another.
PAGES = {
    "pages.page": {"slug": "about"},
    "pages.child_page": {"parent_slug": "about", "slug": "masthead"},
}


@pytest.fixture
def public_urls(app, add_article, monkeypatch):
    """Every public view's URL, with the slug of something readers can see where it takes one."""
    # Sitemap parts exist only for a sitemap too large for one file.
    monkeypatch.setattr(sitemaps, "SITEMAP_LIMIT", 2)
    add_article(
        "Canal report", section="Europe", type="Analysis", tags=["Water"], authors=["Ada Writer"]
    )
    add_article("Brief", section="QIOSK", type="News", published=utcnow() - timedelta(days=2))
    article = db.session.scalar(db.select(Article).filter_by(slug="canal-report"))
    about = make_page("About", slug="about")
    make_page("Masthead", slug="masthead", parent=about)
    slugs = {
        "slug": None,
        "section": article.section.slug,
        "article_type": article.article_type.slug,
        "tag": article.tags[0].slug,
        "author": article.authors[0].slug,
    }
    urls = {}
    for rule in app.url_map.iter_rules():
        view = app.view_functions[rule.endpoint]
        if not hasattr(view, "public_query"):
            continue
        values = {}
        if "slug" in rule.arguments:
            kind = rule.endpoint.split(".")[1]
            values["slug"] = slugs.get(kind) or article.slug
        if rule.endpoint in PAGES:
            values = PAGES[rule.endpoint]
        if "number" in rule.arguments:
            values["number"] = 1
        with app.test_request_context():
            url = app.url_for(rule.endpoint, **values)
        headers = htmx() if rule.endpoint in FRAGMENT_ONLY else {}
        urls[rule.endpoint] = (url, headers, view.public_query)
    return urls


def reached_flask(app, client, url: str, headers: dict) -> bool:
    started = []

    def record(sender, **extra):
        started.append(request.full_path)

    with request_started.connected_to(record, app):
        client.get(url, headers=headers)
    return bool(started)


def test_the_public_views_are_the_readers(public_urls):
    reader_pages = {"reader.index", "reader.article", "reader.latest", "search.results"}
    assert reader_pages <= public_urls.keys()
    assert "feeds.site" in public_urls and "feeds.sitemap" in public_urls
    assert not any(endpoint.startswith(("editor.", "newsletter.")) for endpoint in public_urls)


def test_every_public_page_ignores_arguments_its_view_does_not_read(app, client, public_urls):
    for endpoint, (url, headers, _) in public_urls.items():
        first = client.get(url, headers=headers)
        assert first.status_code == 200, url
        tracked = f"{url}?{UNDECLARED}"
        assert not reached_flask(app, client, tracked, headers), endpoint
        assert client.get(tracked, headers=headers).data == first.data


def test_every_argument_a_public_view_reads_makes_its_own_entry(app, client, public_urls):
    checked = set()
    for endpoint, (url, headers, query) in public_urls.items():
        client.get(url, headers=headers)
        for name in query:
            asked = f"{url}?{name}={DECLARED_VALUES[name]}"
            assert reached_flask(app, client, asked, headers), endpoint
            checked.add(name)
    assert checked == DECLARED_VALUES.keys()


def test_a_public_view_reading_an_argument_it_did_not_declare_fails_while_testing():
    app = Flask(__name__)
    app.testing = True

    @app.get("/sorted")
    @public_page(query=("page",))
    def sorted_list():
        return f"page {request.args.get('page', '1')}, {request.args.get('sort', 'newest')}"

    @app.get("/every")
    @public_page()
    def every_argument():
        return ", ".join(request.args)

    with pytest.raises(LookupError, match=r"reads \?sort="):
        app.test_client().get("/sorted?page=2")
    with pytest.raises(LookupError, match="reads every query argument"):
        app.test_client().get("/every")


def test_a_public_view_marks_its_page_public_and_an_error_stays_private(app, client, add_article):
    add_article("Story")
    assert client.get("/articles/story").cache_control.public
    missing = client.get("/articles/no-such-story")
    assert missing.status_code == 404 and not missing.cache_control.public


def test_a_public_page_that_sets_a_cookie_is_never_kept(app, client):
    @public_page()
    def greeting():
        response = app.make_response("Hello")
        response.set_cookie("seen", "yes")
        return response

    app.add_url_rule("/greeting", view_func=greeting)
    client.get("/greeting")
    assert reached_flask(app, client, "/greeting", {})
