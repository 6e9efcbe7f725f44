"""The Settings page in a real browser, with JavaScript on and off: an admin renames the site,
adds, removes and reorders follow links, chooses and orders the pages of the main navigation,
and is told what to fix when a link is refused."""

import pytest
from playwright.sync_api import expect

from rsflask.db import db
from rsflask.generation import bump_generation
from rsflask.models import Page, SiteSettings, User
from tests.editor_helpers import PASSWORD

pytestmark = pytest.mark.browser

ADMIN = "settings-admin@example.org"


@pytest.fixture
def admin(live_server):
    """An admin on the shared live server; afterwards the account and its saves go, so that the
    other browser tests find the site with its first settings."""
    with live_server.app.app_context():
        user = User(email=ADMIN, role="admin", name="Settings Admin")
        user.set_password(PASSWORD)
        db.session.add(user)
        db.session.commit()
    yield
    with live_server.app.app_context():
        db.session.execute(db.delete(SiteSettings))
        db.session.execute(db.delete(User).filter_by(email=ADMIN))
        # Bulk deletes pass by the ORM's flush, which moves the generation on any other change.
        bump_generation(db.session)
        db.session.commit()


def open_settings(page, live_server) -> None:
    page.goto(live_server + "/editor/sign-in")
    page.get_by_label("Email").fill(ADMIN)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("link", name="Settings").click()
    expect(page.get_by_role("heading", name="Settings", exact=True)).to_be_visible()


def test_an_admin_renames_the_site_and_rearranges_its_links(page, live_server, admin):
    open_settings(page, live_server)
    page.get_by_label("Site name").fill("The Long Read Review")
    # Bluesky out, RSS first, and a new link in a row that "Add a link" gave.
    page.get_by_label("Remove link 2").check()
    page.get_by_label("Position of link 4").fill("0")
    page.get_by_label("Position of link 4").fill("1")
    page.get_by_label("Position of link 1").fill("5")
    page.get_by_role("button", name="Add a link").click()
    # The form comes back as typed, with a third empty row.
    expect(page.get_by_label("Site name")).to_have_value("The Long Read Review")
    expect(page.get_by_label("Remove link 2")).to_be_checked()
    page.get_by_label("Name of link 7").fill("Podcast")
    page.get_by_label("Address of link 7").fill("https://pod.example/long")
    page.get_by_label("Position of link 7").fill("2")
    page.get_by_role("button", name="Save settings").click()
    expect(page.get_by_text("Settings saved")).to_be_visible()

    page.goto(live_server + "/")
    expect(page.locator(".masthead .site-name")).to_have_text("The Long Read Review")
    follow = page.locator("footer nav.follow a")
    expect(follow).to_have_text(["RSS", "Podcast", "LinkedIn", "Mastodon"])

    page.goto(live_server + "/editor/settings/history")
    expect(page.locator(".settings-history li")).to_have_count(1)
    expect(page.locator(".settings-history")).to_contain_text("by Settings Admin")
    expect(page.locator(".settings-history")).to_contain_text("The Long Read Review")


@pytest.fixture
def navigation_kept(live_server):
    """Afterwards the pages are back in the menus the live server started with."""
    with live_server.app.app_context():
        before = {page.id: (page.nav_position, page.footer_position) for page in all_pages()}
    yield
    with live_server.app.app_context():
        for page in all_pages():
            page.nav_position, page.footer_position = before[page.id]
        db.session.commit()


def all_pages() -> list[Page]:
    return db.session.scalars(db.select(Page)).all()


def test_an_admin_chooses_and_orders_the_pages_of_the_main_navigation(
    page, live_server, admin, navigation_kept
):
    page.goto(live_server + "/about")
    nav = page.get_by_role("navigation", name="Sections").get_by_role("link")
    expect(nav.last).to_have_text("About us")
    open_settings(page, live_server)
    page.get_by_label("Show Privacy policy in the main navigation").check()
    page.get_by_label("Position of Privacy policy in the main navigation").fill("1")
    page.get_by_label("Position of About us in the main navigation").fill("2")
    page.get_by_role("button", name="Save settings").click()
    expect(page.get_by_text("Settings saved")).to_be_visible()
    # The form lists the menu in its new order.
    expect(page.get_by_label("Position of Privacy policy in the main navigation")).to_have_value(
        "1"
    )

    page.goto(live_server + "/about")
    nav = page.get_by_role("navigation", name="Sections").get_by_role("link")
    expect(nav.nth(-2)).to_have_text("Privacy policy")
    expect(nav.last).to_have_text("About us")
    expect(nav.last).to_have_attribute("aria-current", "page")
    # The footer keeps its own order.
    footer = page.get_by_role("navigation", name="Footer").get_by_role("link")
    expect(footer.filter(has_text="About us")).to_have_count(1)

    page.goto(live_server + "/editor/settings/history")
    expect(page.locator(".settings-history")).to_contain_text("Privacy policy, About us")


def test_a_refused_link_is_explained_next_to_it_and_nothing_is_saved(page, live_server, admin):
    page.expected_console_errors = ["422 (UNPROCESSABLE ENTITY)"]
    open_settings(page, live_server)
    page.get_by_label("Tagline").fill("Typed, kept, not saved")
    page.get_by_label("Donate link").fill("javascript:alert(1)")
    page.get_by_role("button", name="Save settings").click()
    expect(page.get_by_role("alert")).to_contain_text("Nothing was saved")
    expect(page.locator("#donate_url-error")).to_contain_text("starting with https://")
    expect(page.get_by_label("Donate link")).to_have_attribute("aria-invalid", "true")
    expect(page.get_by_label("Tagline")).to_have_value("Typed, kept, not saved")
    page.goto(live_server + "/")
    expect(page.locator(".masthead .tagline")).not_to_have_text("Typed, kept, not saved")
    expect(page.locator(".donate-button")).to_have_count(0)


def test_a_file_over_the_limit_is_refused_next_to_its_field(page, live_server, admin, tmp_path):
    page.expected_console_errors = ["422 (UNPROCESSABLE ENTITY)"]
    huge = tmp_path / "huge.png"
    huge.write_bytes(b"\0" * (50 * 1024 * 1024))
    open_settings(page, live_server)
    page.get_by_label("Tagline").fill("Typed, kept, not saved")
    page.get_by_label("Publisher logo").set_input_files(huge)
    page.get_by_role("button", name="Save settings").click()
    expect(page.get_by_role("alert")).to_contain_text("Nothing was saved")
    expect(page.locator("#logo-error")).to_have_text(
        "This file is 50 MB; the largest we take is 16 MB."
    )
    expect(page.get_by_label("Publisher logo")).to_have_attribute("aria-invalid", "true")
    expect(page.get_by_label("Tagline")).to_have_value("Typed, kept, not saved")
