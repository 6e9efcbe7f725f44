"""An editor's account in a real browser: signing out everywhere from the Account page."""

import re

import pytest
from playwright.sync_api import expect

from tests.browser.test_editor_browser import add_user, sign_in  # noqa: F401 (a fixture)

pytestmark = pytest.mark.browser


def test_sign_out_everywhere_ends_the_session_on_another_device(
    page,
    browser,
    live_server,
    add_user,  # noqa: F811 (the fixture imported above)
):
    email = f"devices-{'js' if page.js_enabled else 'nojs'}@example.org"
    add_user(email, "editor")
    phone = browser.new_context()
    try:
        phone_page = phone.new_page()
        sign_in(phone_page, live_server, email)
        sign_in(page, live_server, email)

        page.get_by_role("link", name="Account").click()
        expect(page.get_by_role("heading", name="Your account")).to_be_visible()
        page.get_by_role("button", name="Sign out everywhere").click()
        expect(page).to_have_url(live_server + "/editor/sign-in")
        expect(page.get_by_text("You are signed out on every device")).to_be_visible()

        phone_page.goto(live_server + "/editor/")
        expect(phone_page).to_have_url(re.compile(r"/editor/sign-in\?next="))
    finally:
        phone.close()
