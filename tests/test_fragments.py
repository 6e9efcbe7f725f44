"""Fragment endpoints: what htmx gets, what a browser gets for the same URL, and bad input."""

from html.parser import HTMLParser

import pytest

from rsflask.db import db
from tests.conftest import htmx, make_app


def test_keep_reading_fragment_is_the_rest_of_the_body_only(client, add_article):
    add_article("Long read", body="One.\n\nTwo.\n\nThree, revealed.\n\nFour, revealed.\n")
    response = client.get("/articles/long-read/more", headers=htmx())
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "<p>Three, revealed.</p>" in html and "<p>Four, revealed.</p>" in html
    assert "<p>One.</p>" not in html and "<html" not in html
    assert 'aria-expanded="true"' in html and "Show less" in html
    assert "data-hx-disable" in html


def test_show_less_fragment_is_the_keep_reading_control(client, add_article):
    add_article("Long read", body="One.\n\nTwo.\n\nThree.\n")
    html = client.get("/articles/long-read/less", headers=htmx()).get_data(as_text=True)
    assert "Keep reading" in html and 'aria-expanded="false"' in html
    assert 'href="/articles/long-read"' in html
    assert "Three." not in html


@pytest.mark.parametrize("fragment", ["more", "less"])
def test_a_browser_asking_for_a_fragment_gets_the_article(client, add_article, fragment):
    add_article("Long read")
    response = client.get(f"/articles/long-read/{fragment}")
    assert response.status_code == 302
    assert response.location == "/articles/long-read"


def test_a_history_restore_gets_the_page_not_the_fragment(client, add_article):
    add_article("Long read")
    restore = htmx(**{"HX-History-Restore-Request": "true"})
    response = client.get("/latest", headers=restore)
    assert "<html" in response.get_data(as_text=True)


def test_responses_that_depend_on_htmx_headers_say_so_in_vary(client, add_article):
    add_article("Long read")
    for url in ("/latest", "/articles/long-read/more", "/newsletter"):
        for headers in ({}, htmx()):
            vary = client.get(url, headers=headers).headers.get("Vary", "")
            assert "HX-Request" in vary and "HX-History-Restore-Request" in vary


def test_keep_reading_fragment_answers_304_when_unchanged(client, add_article):
    add_article("Long read")
    first = client.get("/articles/long-read/more", headers=htmx())
    assert first.headers["ETag"]
    again = client.get(
        "/articles/long-read/more", headers=htmx(**{"If-None-Match": first.headers["ETag"]})
    )
    assert again.status_code == 304 and again.data == b""


def test_teaser_without_more_text_has_no_keep_reading(client, add_article):
    add_article("Short one", body="Only one paragraph.\n")
    add_article("Lead story")
    html = client.get("/").get_data(as_text=True)
    start = html.index('id="teaser-short-one"')
    teaser = html[start : html.index("</article>", start)]
    assert "Only one paragraph." in teaser and "Keep reading" not in teaser


@pytest.mark.parametrize("fragment", ["more", "less"])
@pytest.mark.parametrize("slug", ["no-such-article", "x" * 3000, "%00", "..%2F..", "caf%C3%A9"])
def test_fold_fragment_of_an_unknown_slug_is_a_small_404(client, slug, fragment):
    response = client.get(f"/articles/{slug}/{fragment}", headers=htmx())
    assert response.status_code == 404
    html = response.get_data(as_text=True)
    assert "Page not found" in html and "<html" not in html


@pytest.mark.parametrize("fragment", ["more", "less"])
def test_fold_fragment_of_a_removed_article_is_410(client, add_article, fragment):
    article = add_article("Gone soon")
    article.status = "trash"
    db.session.commit()
    assert client.get(f"/articles/gone-soon/{fragment}", headers=htmx()).status_code == 410


@pytest.mark.parametrize("fragment", ["more", "less"])
def test_fold_fragment_of_a_draft_is_404(client, add_article, fragment):
    add_article("Not yet", status="draft")
    assert client.get(f"/articles/not-yet/{fragment}", headers=htmx()).status_code == 404


class FoldControls(HTMLParser):
    """The teasers of a page, each with the attributes of its fold control (None if it has none)."""

    def __init__(self, html: str):
        super().__init__()
        self.teasers: dict[str, dict | None] = {}
        self._teaser = ""
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "article" and "teaser" in (attrs.get("class") or "").split():
            self._teaser = attrs["id"].removeprefix("teaser-")
            self.teasers[self._teaser] = None
        elif tag == "a" and attrs.get("class") == "fold-control" and self._teaser:
            self.teasers[self._teaser] = attrs


@pytest.mark.parametrize(
    "url, expected",
    [
        ("/sections/europe", {"story-0", "story-1", "story-2", "story-3"}),
        ("/types/analysis", {"story-0", "story-1", "story-2", "story-3"}),
        ("/tags/energy", {"story-0", "story-1", "story-2", "story-3"}),
        ("/authors/ada-writer", {"story-0", "story-1", "story-2", "story-3"}),
        ("/articles/story-0", {"story-1", "story-2", "story-3"}),
    ],
    ids=["section", "type", "tag", "author", "more-from-under-an-article"],
)
def test_every_teaser_page_has_keep_reading_on_each_teaser(client, add_article, url, expected):
    for number in range(4):
        add_article(f"Story {number}", tags=["Energy"])
    teasers = FoldControls(client.get(url).get_data(as_text=True)).teasers
    assert set(teasers) == expected
    for slug, control in teasers.items():
        assert control is not None, f"no Keep reading under {slug}"
        assert control["href"] == f"/articles/{slug}"
        assert control["data-hx-get"] == f"/articles/{slug}/more"
        assert control["aria-expanded"] == "false"


def latest_item_links(html: str) -> list[str]:
    return [
        line.split('"')[1]
        for line in html.splitlines()
        if line.strip().startswith('<a href="/articles/')
    ]


def test_latest_fragment_pages_append_without_duplicates_and_end_clearly(app, client, add_article):
    app.config["LATEST_PER_PAGE"] = 3
    for number in range(7):
        add_article(f"Story {number}")
    first = client.get("/latest", headers=htmx()).get_data(as_text=True)
    assert "<html" not in first and "<li" in first
    seen = latest_item_links(first)
    url = first.split('data-hx-get="')[1].split('"')[0].replace("&amp;", "&")
    # An article published between two clicks must not push an old one onto the next page.
    add_article("Breaking while reading", published=None)
    while url:
        html = client.get(url, headers=htmx()).get_data(as_text=True)
        seen += latest_item_links(html)
        url = (
            html.split('data-hx-get="')[1].split('"')[0].replace("&amp;", "&")
            if "data-hx-get" in html
            else ""
        )
    assert len(seen) == len(set(seen)) == 7
    assert "You have reached the end of the list." in html


def test_latest_more_is_a_real_link_to_the_next_page(app, client, add_article):
    app.config["LATEST_PER_PAGE"] = 2
    for number in range(3):
        add_article(f"Story {number}")
    html = client.get("/latest").get_data(as_text=True)
    assert '<a href="/latest?page=2&amp;as_of=' in html
    page_two = client.get("/latest?page=2").get_data(as_text=True)
    assert "<html" in page_two and "Story 2" in page_two and "Story 0" not in page_two


@pytest.mark.parametrize(
    "query",
    [
        "page=abc",
        "page=0",
        "page=-1",
        "page=99999",
        "as_of=yesterday",
        "as_of=2026-01-01T00:00+02:00",
    ],
)
def test_latest_bad_query_is_404(client, add_article, query):
    add_article("Story")
    for headers in ({}, htmx()):
        assert client.get(f"/latest?{query}", headers=headers).status_code == 404


def test_latest_when_nothing_is_published(client):
    html = client.get("/latest", headers=htmx()).get_data(as_text=True)
    assert "Nothing has been published yet." in html


def latest_blocks(html: str) -> list[str]:
    """Each LATEST block of a page: the list loaded as a fragment over its link to /latest."""
    blocks = html.split('<section class="block latest"')[1:]
    return [block[: block.index("</section>")] for block in blocks]


@pytest.mark.parametrize(
    "url, status",
    [
        ("/", 200),
        ("/articles/story", 200),
        ("/sections/europe", 200),
        ("/qiosk", 200),
        ("/search?q=story", 200),
        ("/newsletter", 200),
        ("/newsletter/thanks", 200),
        ("/newsletter/archive", 200),
        ("/newsletter/confirm/not-a-token", 400),
        ("/no-such-page", 404),
    ],
)
def test_every_readers_page_has_one_latest_block(client, add_article, url, status):
    add_article("Story")
    response = client.get(url)
    assert response.status_code == status
    [block] = latest_blocks(response.get_data(as_text=True))
    assert 'data-hx-get="/latest" data-hx-trigger="intersect once"' in block
    assert '<a href="/latest">See the latest articles</a>' in block


@pytest.mark.parametrize("url", ["/latest", "/editor/sign-in"])
def test_latest_itself_and_the_editor_have_no_latest_block(client, url):
    assert latest_blocks(client.get(url).get_data(as_text=True)) == []


def test_the_503_page_has_the_latest_block_without_a_database(tmp_path):
    """The block needs no query (htmx loads the list), so the 503 page can still show it."""
    app = make_app(tmp_path / "instance", f"sqlite:///{tmp_path / 'no-such-folder' / 'x.sqlite3'}")
    response = app.test_client().get("/")
    assert response.status_code == 503
    assert len(latest_blocks(response.get_data(as_text=True))) == 1


def test_an_article_page_names_its_two_follow_navigations_apart(client, add_article):
    add_article("Story")
    html = client.get("/articles/story").get_data(as_text=True)
    labels = [part.split('"')[0] for part in html.split('<nav class="follow" aria-label="')[1:]]
    assert labels == ["Follow us", "Follow us elsewhere"]
    assert '<a href="/feeds/all.atom">RSS</a>' in html
    assert 'href="https://mastodon.example/@crosswind" rel="me noopener"' in html
