"""The three htmx interactions in a real browser, each with JavaScript on and off."""

import pytest
from playwright.sync_api import expect

from rsflask.db import db
from rsflask.models import Subscriber, published
from tests.browser.reading import (
    expect_swap_settled,
    scroll_to_sidebar_fragments,
    scroll_to_signup_form,
)

pytestmark = pytest.mark.browser


def test_keep_reading_then_show_less(page, live_server):
    page.goto(live_server + "/")
    teaser = page.locator("#teaser-story-3")
    control = teaser.get_by_role("link", name="Keep reading")
    hidden_paragraph = teaser.get_by_text("Third paragraph of story 3")
    expect(hidden_paragraph).to_have_count(0)
    expect(control).to_have_attribute("aria-expanded", "false")

    control.click()

    if not page.js_enabled:
        # Without JavaScript, Keep reading is a plain link to the whole article.
        expect(page).to_have_url(live_server + "/articles/story-3")
        expect(page.get_by_text("Closing paragraph of story 3.")).to_be_visible()
        return
    expect(hidden_paragraph).to_be_visible()
    expect_swap_settled(teaser)
    expect(page).to_have_url(live_server + "/")
    show_less = teaser.get_by_role("link", name="Show less")
    expect(show_less).to_have_attribute("aria-expanded", "true")
    expect(teaser.locator(".fold-rest")).to_be_focused()

    show_less.click()

    expect(hidden_paragraph).to_have_count(0)
    folded = teaser.get_by_role("link", name="Keep reading")
    expect(folded).to_have_attribute("aria-expanded", "false")
    expect(folded).to_be_focused()
    expect(teaser.get_by_role("heading", name="Story number 3")).to_be_in_viewport()


def test_keep_reading_works_from_the_keyboard(js_page, live_server):
    page = js_page
    page.goto(live_server + "/")
    teaser = page.locator("#teaser-story-4")
    teaser.get_by_role("link", name="Keep reading").focus()
    page.keyboard.press("Enter")
    hidden_paragraph = teaser.get_by_text("Third paragraph of story 4")
    expect(hidden_paragraph).to_be_visible()
    expect_swap_settled(teaser)
    # Focus is in the text just revealed; the next Tab reaches Show less.
    expect(teaser.locator(".fold-rest")).to_be_focused()
    show_less = teaser.get_by_role("link", name="Show less")
    page.keyboard.press("Tab")
    expect(show_less).to_be_focused()
    page.keyboard.press("Enter")
    expect(hidden_paragraph).to_have_count(0)
    expect(page).to_have_url(live_server + "/")
    expect(teaser.get_by_role("link", name="Keep reading")).to_be_focused()


def latest_links(page) -> list[str]:
    return page.locator(".latest-list li:not(.latest-more) > a").evaluate_all(
        "links => links.map(a => a.href)"
    )


def test_latest_list_loads_and_more_appends_without_duplicates(page, live_server):
    page.goto(live_server + "/")
    if not page.js_enabled:
        page.locator(".latest").get_by_role("link", name="See the latest articles").click()
        expect(page).to_have_url(live_server + "/latest")
        first_page = latest_links(page)
        page.get_by_role("link", name="More latest articles").click()
        assert "page=2" in page.url
        second_page = latest_links(page)
        assert len(first_page) == 5 and len(second_page) == 5
        assert not set(first_page) & set(second_page)
        return
    # Other browser tests publish into the same site: count what is visible now.
    with live_server.app.app_context():
        visible = len(db.session.scalars(published()).all())
    latest = page.locator(".latest .latest-list")
    expect(latest.locator("li:not(.latest-more) > a")).to_have_count(5)
    for shown in [*range(10, visible, 5), visible]:
        expect_swap_settled(latest)
        latest.get_by_role("link", name="More latest articles").click()
        expect(latest.locator("li:not(.latest-more) > a")).to_have_count(shown)
    expect(latest.get_by_text("You have reached the end of the list.")).to_be_visible()
    expect(latest.get_by_role("link", name="More latest articles")).to_have_count(0)
    links = latest_links(page)
    assert len(links) == len(set(links)) == visible
    expect(page).to_have_url(live_server + "/")


def open_signup_form(page, live_server, path: str = "/"):
    """The form in the newsletter block, there with JavaScript or without."""
    page.goto(live_server + path)
    scroll_to_signup_form(page)
    return page.locator(".newsletter-block #signup")


def test_the_sidebar_asks_for_latest_only_once_the_reader_scrolls_to_it(js_page, live_server):
    page = js_page
    page.set_viewport_size({"width": 390, "height": 800})
    asked = []
    page.on("request", lambda request: asked.append(request.url.removeprefix(live_server)))
    page.goto(live_server + "/articles/story-3")
    page.wait_for_load_state("networkidle")
    assert "/latest" not in asked
    scroll_to_sidebar_fragments(page)
    expect(page.locator(".latest .latest-list li:not(.latest-more) > a")).to_have_count(5)
    # The signup form is in the page: nothing is fetched for it.
    assert asked.count("/latest") == 1 and "/newsletter" not in asked


def test_signup_with_a_bad_address_says_what_is_wrong_and_keeps_it(page, live_server):
    # The form comes back with 422 Unprocessable Content, which Chromium logs as a failed load.
    page.expected_console_errors = ["status of 422"]
    form = open_signup_form(page, live_server)
    form.get_by_label("Email address").fill("not an address")
    form.get_by_role("button", name="Subscribe").click()
    expect(page.get_by_role("alert")).to_contain_text("valid email address")
    expect(page.get_by_label("Email address")).to_have_value("not an address")
    expect(page.get_by_label("Email address")).to_have_attribute("aria-invalid", "true")


@pytest.fixture
def live_mail(live_server, mail_server):
    """The live site's email goes to the test SMTP server for one test."""
    config = live_server.app.config
    before = config["MAIL_SERVER"], config["MAIL_PORT"]
    config.update(MAIL_SERVER=mail_server.host, MAIL_PORT=mail_server.port)
    yield mail_server
    config["MAIL_SERVER"], config["MAIL_PORT"] = before


@pytest.mark.parametrize("path", ["/", "/articles/story-3"], ids=["front", "article"])
def test_signup_from_a_page_thanks_the_reader_and_sends_the_confirmation(
    page, live_server, live_mail, path
):
    js = "js" if page.js_enabled else "nojs"
    address = f"reader-{js}-{path.strip('/').replace('/', '-') or 'front'}@example.org"
    form = open_signup_form(page, live_server, path)
    url_before = page.url
    form.get_by_label("Email address").fill(address)
    form.get_by_role("button", name="Subscribe").click()
    expect(page.get_by_text("Thank you. Please check your inbox")).to_be_visible()
    if page.js_enabled:
        expect(page).to_have_url(url_before)
    else:
        expect(page).to_have_url(live_server + "/newsletter/thanks")
    with live_server.app.app_context():
        subscriber = db.session.scalar(db.select(Subscriber).filter_by(email=address))
        assert subscriber is not None and subscriber.status == "pending"
    [message] = live_mail.messages
    assert message["To"] == address and message["Subject"].startswith("Please confirm")


def test_back_and_reload_after_swaps_show_whole_pages(js_page, live_server):
    page = js_page
    page.goto(live_server + "/")
    teaser = page.locator("#teaser-story-5")
    teaser.get_by_role("link", name="Keep reading").click()
    expect(page.get_by_text("Third paragraph of story 5")).to_be_visible()
    expect_swap_settled(teaser)
    latest = page.locator(".latest")
    latest.get_by_role("link", name="More latest articles").click()
    # The first item of the next page takes focus, scrolling the page to it.
    first_new_item = latest.locator("li[autofocus]")
    expect(first_new_item).to_have_count(1)
    expect_swap_settled(latest)
    expect(first_new_item).to_be_focused()
    page.get_by_role("link", name="Story number 6").first.click()
    expect(page).to_have_url(live_server + "/articles/story-6")
    page.go_back()
    expect(page).to_have_url(live_server + "/")
    expect(page.locator("header.masthead")).to_be_visible()
    expect(page.locator("#teaser-story-5")).to_be_visible()
    page.reload()
    expect(page.locator("header.masthead")).to_be_visible()
    expect(page.get_by_text("Third paragraph of story 5")).to_have_count(0)
    page.go_forward()
    expect(page).to_have_url(live_server + "/articles/story-6")
    expect(page.locator("h1")).to_have_text("Story number 6")


def test_fragment_urls_opened_directly_give_whole_pages(page, live_server):
    page.goto(live_server + "/articles/story-7/more")
    expect(page).to_have_url(live_server + "/articles/story-7")
    expect(page.locator("header.masthead")).to_be_visible()
    page.goto(live_server + "/latest?page=2")
    expect(page.locator("header.masthead")).to_be_visible()
    expect(page.locator("h1")).to_have_text("Latest")


def expect_whole_page(page, heading: str) -> None:
    expect(page.locator("header.masthead")).to_be_visible()
    expect(page.locator("main h1")).to_have_text(heading)


def test_urls_the_sidebar_fetched_as_fragments_stay_whole_pages(js_page, live_server):
    """The sidebar fetches /latest and /newsletter as fragments: the browser's cache and history
    must never show those in place of the pages at the same URLs."""
    page = js_page
    page.goto(live_server + "/")
    expect(page.locator(".latest .latest-list li:not(.latest-more) > a")).to_have_count(5)
    scroll_to_signup_form(page)
    pages = [
        ("/latest", page.locator("#latest-heading").get_by_role("link"), "Latest"),
        (
            "/newsletter",
            page.get_by_role("navigation", name="Footer").get_by_role("link", name="Newsletter"),
            "Subscribe to our weekly round-up",
        ),
    ]
    for url, link, heading in pages:
        link.click()
        expect(page).to_have_url(live_server + url)
        expect_whole_page(page, heading)
        page.go_back()
        expect(page).to_have_url(live_server + "/")
        expect(page.locator("header.masthead")).to_be_visible()
        expect(page.locator("#teaser-story-1")).to_be_visible()
        page.go_forward()
        expect(page).to_have_url(live_server + url)
        expect_whole_page(page, heading)
        page.reload()
        expect_whole_page(page, heading)
        page.go_back()
        expect(page).to_have_url(live_server + "/")


def byline_separator(page, live_server, slug: str) -> str:
    page.goto(f"{live_server}/articles/{slug}")
    return page.locator(".article-header .byline time").evaluate(
        "time => getComputedStyle(time, '::before').content"
    )


def test_a_byline_without_authors_starts_with_its_date(page, live_server):
    """QIOSK items have no author: their byline is the date alone, not "· 3 December 2026"."""
    assert byline_separator(page, live_server, "brief-1") == "none"
    assert byline_separator(page, live_server, "story-1") == '" · "'
