"""Pages of the site in the browser: a reader on a phone finds them in the footer."""

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


def test_a_reader_on_a_phone_reaches_about_from_the_footer(page, live_server):
    page.set_viewport_size({"width": 390, "height": 800})
    page.goto(live_server + "/articles/story-4")
    footer = page.get_by_role("navigation", name="Footer")
    footer.get_by_role("link", name="About us").click()
    expect(page).to_have_url(live_server + "/about")
    expect(page.get_by_role("heading", name="About us", level=1)).to_be_visible()
    page.get_by_role("link", name="Masthead").click()
    expect(page).to_have_url(live_server + "/about/masthead")
    expect(page.get_by_role("heading", name="Masthead", level=1)).to_be_visible()


def test_footer_links_are_big_enough_to_tap_on_a_phone(page, live_server):
    """WCAG 2.2's minimum target: 24 by 24 CSS pixels, or that much space around a smaller one."""
    page.set_viewport_size({"width": 320, "height": 700})
    page.goto(live_server + "/about")
    links = page.get_by_role("navigation", name="Footer").get_by_role("link")
    for box in [link.bounding_box() for link in links.all()]:
        assert box["height"] >= 24, box
