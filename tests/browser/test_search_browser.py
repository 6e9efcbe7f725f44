"""Search in a real browser: from the masthead, then refined on the results page."""

from urllib.parse import parse_qs, urlsplit

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


def wait_for_query(page, query: str) -> None:
    """Until the address bar searches for `query`, however encoded (htmx and forms differ)."""

    def searches(url: str) -> bool:
        parts = urlsplit(url)
        return parts.path == "/search" and parse_qs(parts.query).get("q") == [query]

    page.wait_for_url(searches)


def test_search_from_the_masthead_then_refine(page, live_server):
    page.goto(live_server + "/sections/europe")
    page.locator(".masthead").get_by_role("searchbox", name="Search articles").fill("story")
    page.keyboard.press("Enter")

    expect(page).to_have_url(live_server + "/search?q=story")
    # The page's scripts have run (htmx wires the form when the document is parsed): typing
    # before that would reach no listener, as no reader types that fast.
    page.wait_for_load_state("load")
    results = page.locator("#search-results")
    expect(results.get_by_text("20 results for “story”, page 1 of 2")).to_be_visible()
    expect(results.locator("mark").first).to_have_text("story")

    box = page.get_by_role("searchbox", name="Search articles")
    expect(box).to_have_value("story")
    box.fill("story number 7")
    if not page.js_enabled:
        # Without JavaScript the same form submits as a plain GET.
        page.keyboard.press("Enter")
    # With JavaScript the results follow the typing, in place, and the address keeps up.
    expect(results.get_by_text("1 result for “story number 7”")).to_be_visible()
    expect(results.get_by_role("link", name="Story number 7")).to_be_visible()
    wait_for_query(page, "story number 7")
    if page.js_enabled:
        expect(box).to_be_focused()

    page.go_back()
    expect(page).to_have_url(live_server + "/search?q=story")
    expect(results.get_by_text("20 results for “story”, page 1 of 2")).to_be_visible()


def test_nothing_found_is_said_in_place(js_page, live_server):
    page = js_page
    page.goto(live_server + "/search")
    expect(page.get_by_text("Search titles, standfirsts, text, tags and authors.")).to_be_visible()
    page.get_by_role("searchbox", name="Search articles").fill('"zzz (((')
    expect(page.get_by_text('Nothing found for “"zzz (((”.')).to_be_visible()
    wait_for_query(page, '"zzz (((')
