"""What a reader does in the browser, for tests that need the page as a reader sees it."""

from playwright.sync_api import expect


def expect_swap_settled(region) -> None:
    """Wait until htmx has settled what it swapped into `region` (call once the swap is seen).

    New content shows at once, but htmx only processes it (until then Show less or More is a
    plain link) and applies its `autofocus` (which moves focus and scrolls) when it settles, 20 ms
    later or more on a busy machine. A test that clicks, moves focus or presses a key in between
    follows that plain link, has its focus taken back, or has the page scroll under its click.
    No reader is that quick; a test can be.
    """
    expect(region.locator(".htmx-added, .htmx-settling")).to_have_count(0)


def scroll_to_signup_form(page) -> None:
    """Scroll the newsletter block, and the form in it, into view."""
    block = page.locator(".newsletter-block")
    block.scroll_into_view_if_needed()
    expect(block.locator("#signup form")).to_be_visible()


def scroll_to_sidebar_fragments(page) -> None:
    """Scroll LATEST, where a page has it, into view and wait for what htmx loads into it then;
    then the newsletter block, whose form is in the page itself."""
    latest = page.locator(".latest .latest-list")
    if latest.count():
        latest.scroll_into_view_if_needed()
        expect(latest.get_by_role("link", name="See the latest articles")).to_have_count(0)
    if page.locator(".newsletter-block").count():
        scroll_to_signup_form(page)
