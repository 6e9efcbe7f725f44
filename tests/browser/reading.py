"""What a reader does in the browser, for tests that need the whole page as a reader sees it."""

from playwright.sync_api import expect


def scroll_to_sidebar_fragments(page) -> None:
    """Scroll LATEST and the newsletter block into view and wait for what htmx loads into them:
    both arrive only once they come into view."""
    latest = page.locator(".latest .latest-list")
    if latest.count():
        latest.scroll_into_view_if_needed()
        expect(latest.get_by_role("link", name="See the latest articles")).to_have_count(0)
    newsletter = page.locator(".newsletter-block")
    if newsletter.count():
        newsletter.scroll_into_view_if_needed()
        expect(newsletter.locator("form")).to_be_visible()
