"""Pages in the editor, in a real browser: an editor creates, previews and publishes a page; a
writer finds no Pages; axe finds nothing on the Pages list and the page form."""

import re

import pytest
from playwright.sync_api import expect

from rsflask.db import db
from rsflask.models import Page, User
from tests.browser.test_accessibility import axe_source, axe_violations
from tests.editor_helpers import PASSWORD

pytestmark = pytest.mark.browser


@pytest.fixture
def add_user(live_server):
    """Accounts on the shared live server; they and the pages they made go afterwards, so that
    the other browser tests find the site as the live server made it."""
    emails = []

    def add(email: str, role: str) -> None:
        with live_server.app.app_context():
            user = User(email=email, role=role, name=email.split("@")[0])
            user.set_password(PASSWORD)
            db.session.add(user)
            db.session.commit()
        emails.append(email)

    yield add
    with live_server.app.app_context():
        for email in emails:
            user = db.session.scalar(db.select(User).filter_by(email=email))
            for made in db.session.scalars(db.select(Page).filter_by(created_by_id=user.id)):
                db.session.delete(made)
            db.session.delete(user)
        db.session.commit()


def sign_in(browser_page, live_server, email: str) -> None:
    browser_page.goto(live_server + "/editor/sign-in")
    browser_page.get_by_label("Email").fill(email)
    browser_page.get_by_label("Password", exact=True).fill(PASSWORD)
    browser_page.get_by_role("button", name="Sign in").click()
    expect(browser_page).to_have_url(live_server + "/editor/")


def stored_page(live_server, title: str) -> Page | None:
    with live_server.app.app_context():
        return db.session.scalar(db.select(Page).filter_by(title=title))


def test_an_editor_creates_previews_and_publishes_a_page(page, live_server, add_user):
    mode = "js" if page.js_enabled else "nojs"
    email = f"page-editor-{mode}@example.org"
    title = f"About the review ({mode})"
    add_user(email, "editor")
    sign_in(page, live_server, email)

    page.get_by_role("link", name="Pages", exact=True).click()
    expect(page.get_by_role("heading", name="Pages")).to_be_visible()
    page.get_by_role("button", name="New page").click()
    expect(page.get_by_role("heading", name="Edit page")).to_be_visible()
    page.get_by_label("Title").fill(title)
    page.get_by_label("Slug").fill("latest")
    page.get_by_label("Page type").select_option(label="About page")
    body = page.get_by_label("Body (Markdown)")
    body.press_sequentially("We read the world **slowly**.")
    preview = page.get_by_role("region", name="Preview")
    if page.js_enabled:
        # The live preview follows the typing once it pauses, without pressing anything.
        expect(preview.locator("strong")).to_have_text("slowly")
    else:
        page.get_by_role("button", name="Preview").click()
        expect(preview.locator("strong")).to_have_text("slowly")
        expect(page.get_by_label("Title")).to_have_value(title)
    page.get_by_label("Show in the footer").check()

    # The site's own address is refused, and what was typed stays.
    page.expected_console_errors = ["422"]
    page.get_by_role("button", name="Publish").click()
    expect(page.get_by_text("/latest is an address of the site itself")).to_be_visible()
    expect(page.get_by_label("Body (Markdown)")).to_have_value("We read the world **slowly**.")
    expect(page.get_by_label("Show in the footer")).to_be_checked()
    page.get_by_label("Slug").fill(f"about-{mode}")
    page.get_by_role("button", name="Publish").click()
    expect(page.get_by_text("Published.")).to_be_visible()
    expect(page.locator(".article-state")).to_contain_text("published")

    page.get_by_role("link", name="Pages", exact=True).click()
    row = page.get_by_role("row", name=re.compile(re.escape(title)))
    expect(row).to_contain_text(f"/about-{mode}")
    expect(row).to_contain_text("footer")
    made = stored_page(live_server, title)
    assert (made.status, made.page_type, made.slug) == ("published", "AboutPage", f"about-{mode}")
    assert made.footer_position is not None and made.nav_position is None
    assert made.published_at is not None


def test_a_writer_finds_no_pages(page, live_server, add_user):
    email = f"page-writer-{'js' if page.js_enabled else 'nojs'}@example.org"
    add_user(email, "writer")
    sign_in(page, live_server, email)
    expect(page.get_by_role("link", name="Pages", exact=True)).to_have_count(0)
    page.expected_console_errors = ["403"]
    assert page.goto(live_server + "/editor/pages").status == 403


@pytest.fixture(scope="module")
def page_to_check(live_server):
    """An admin and a page under another one, so the form shows a parent; gone afterwards."""
    email = "pages-a11y@example.org"
    with live_server.app.app_context():
        admin = User(email=email, role="admin", name="Pages Checker")
        admin.set_password(PASSWORD)
        parent = Page(slug="a11y-parent", title="Parent page", body_md="")
        child = Page(slug="a11y-child", title="Child page", parent=parent, body_md="Some text.")
        db.session.add_all([admin, parent, child])
        db.session.commit()
        ids = (email, child.id)
    yield ids
    with live_server.app.app_context():
        db.session.execute(db.delete(Page).where(Page.slug.in_(["a11y-child", "a11y-parent"])))
        db.session.execute(db.delete(User).filter_by(email=email))
        db.session.commit()


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("url", ["/editor/pages", "/editor/pages/{page_id}"])
def test_axe_finds_no_wcag_aa_violations_on_the_pages_list_and_form(
    js_page, live_server, page_to_check, url, scheme
):
    email, page_id = page_to_check
    js_page.emulate_media(color_scheme=scheme)
    js_page.add_init_script(script=axe_source())
    sign_in(js_page, live_server, email)
    response = js_page.goto(live_server + url.format(page_id=page_id))
    assert response.status == 200
    js_page.wait_for_load_state("networkidle")
    violations = axe_violations(js_page)
    assert violations == [], "\n".join(violations)


def test_autosave_brings_back_a_pages_fields_after_the_tab_is_reloaded(
    js_page, live_server, add_user
):
    page = js_page
    add_user("page-autosaver@example.org", "editor")
    sign_in(page, live_server, "page-autosaver@example.org")
    page.goto(live_server + "/editor/pages")
    page.get_by_role("button", name="New page").click()
    page.get_by_label("Title").fill("Typed, never saved")
    page.get_by_label("Slug").fill("typed-never-saved")
    page.get_by_label("Page type").select_option(label="Contact page")
    with page.expect_response(lambda response: response.url.endswith("/autosave")) as saved:
        page.get_by_label("Body (Markdown)").fill("Write to us.")
    assert saved.value.ok

    page.reload()
    expect(page.get_by_text("We restored text you typed")).to_be_visible()
    expect(page.get_by_label("Title")).to_have_value("Typed, never saved")
    expect(page.get_by_label("Slug")).to_have_value("typed-never-saved")
    expect(page.get_by_label("Page type").locator("option:checked")).to_have_text("Contact page")
    expect(page.get_by_label("Body (Markdown)")).to_have_value("Write to us.")
    assert stored_page(live_server, "Typed, never saved") is None
