"""Redirects in a real browser, with JavaScript on and off: an editor adds one, finds it by
searching (live with htmx, a plain GET without), follows it as a reader, and deletes it (asked
in its row with htmx, on a page of its own without)."""

import pytest
from playwright.sync_api import expect

from rsflask.db import db
from rsflask.models import Redirect
from tests.browser import test_pages_editor_browser
from tests.browser.test_pages_editor_browser import sign_in

pytestmark = pytest.mark.browser

# Accounts made on the live server for the test, and gone after it.
add_user = test_pages_editor_browser.add_user


def stored_old_paths(live_server) -> set[str]:
    with live_server.app.app_context():
        return set(db.session.scalars(db.select(Redirect.old_path)))


def test_an_editor_adds_finds_and_deletes_a_redirect(page, live_server, add_user):
    mode = "js" if page.js_enabled else "nojs"
    old_path = f"/2019/04/story-one-{mode}/"
    add_user(f"redirect-editor-{mode}@example.org", "editor")
    sign_in(page, live_server, f"redirect-editor-{mode}@example.org")

    page.get_by_role("link", name="Redirects", exact=True).click()
    page.get_by_role("link", name="New redirect").click()
    page.get_by_label("Old address").fill(old_path)
    page.get_by_label("Send readers to").fill("/articles/story-1")
    page.get_by_label("Kind").select_option(label="Permanent (301)")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text(f"Saved: {old_path} → /articles/story-1.")).to_be_visible()

    reader = page.context.new_page()
    reader.goto(live_server + old_path + "?utm_source=old-newsletter")
    expect(reader).to_have_url(live_server + "/articles/story-1")
    reader.close()

    page.goto(live_server + "/editor/redirects")
    page.wait_for_load_state("load")
    box = page.get_by_role("searchbox", name="Search old addresses and targets")
    box.fill(f"story-one-{mode}")
    if not page.js_enabled:
        page.keyboard.press("Enter")
    listed = page.locator("#redirect-list")
    expect(listed.get_by_text(f"1 redirect matching “story-one-{mode}”.")).to_be_visible()
    row = listed.locator("tr", has_text=old_path)
    expect(row.locator("td").nth(3)).to_have_text("1")
    if page.js_enabled:
        expect(box).to_be_focused()

    row.get_by_role("link", name=f"Delete the redirect from {old_path}").click()
    if page.js_enabled:
        # Asked in the row itself; Keep it puts the row back as it was.
        row.get_by_role("link", name="Keep it").click()
        expect(row.get_by_role("link", name=f"Edit the redirect from {old_path}")).to_be_visible()
        row.get_by_role("link", name=f"Delete the redirect from {old_path}").click()
        row.get_by_role("button", name=f"Delete the redirect from {old_path}").click()
        expect(row.get_by_role("status")).to_have_text(f"The redirect from {old_path} is deleted.")
    else:
        expect(page.get_by_role("heading", name="Delete a redirect")).to_be_visible()
        page.get_by_role("button", name="Delete").click()
        expect(page.get_by_text(f"The redirect from {old_path} is deleted.")).to_be_visible()
    assert old_path not in stored_old_paths(live_server)
