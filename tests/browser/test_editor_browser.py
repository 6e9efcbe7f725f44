"""The editor in a real browser: an editor publishes an article with a photo; a writer cannot."""

import re

import pytest
from playwright.sync_api import expect

from rsflask.db import db
from rsflask.models import Article, User
from tests.editor_helpers import PASSWORD, image_bytes

pytestmark = pytest.mark.browser


@pytest.fixture
def add_user(live_server):
    """Accounts on the shared live server; what they wrote goes with them afterwards, so that
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
            for article in db.session.scalars(db.select(Article).filter_by(created_by_id=user.id)):
                db.session.delete(article)
            db.session.delete(user)
        db.session.commit()


def sign_in(page, live_server, email: str) -> None:
    page.goto(live_server + "/editor/")
    expect(page).to_have_url(re.compile(r"/editor/sign-in\?next="))
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(live_server + "/editor/")
    expect(page.get_by_role("heading", name="Articles")).to_be_visible()


def stored_article(live_server, title: str) -> Article:
    with live_server.app.app_context():
        return db.session.scalar(db.select(Article).filter_by(title=title))


def test_an_editor_writes_previews_and_publishes_an_article_with_a_photo(
    page, live_server, add_user
):
    mode = "js" if page.js_enabled else "nojs"
    email = f"editor-{mode}@example.org"
    title = f"Ice roads of the north ({mode})"
    add_user(email, "editor")
    sign_in(page, live_server, email)

    page.get_by_role("button", name="New article").click()
    expect(page.get_by_role("heading", name="Edit article")).to_be_visible()
    page.get_by_label("Title", exact=True).fill(title)
    body = page.get_by_label("Body (Markdown)")
    body.press_sequentially("Trucks cross **frozen lakes** every winter.")
    body.press("Enter")
    preview = page.get_by_role("region", name="Preview")
    if page.js_enabled:
        # The live preview follows the typing once it pauses, without pressing anything.
        expect(preview.locator("strong")).to_have_text("frozen lakes")
    else:
        # Without JavaScript the Preview button posts the form and shows the same pane.
        page.get_by_role("button", name="Preview").click()
        expect(preview.locator("strong")).to_have_text("frozen lakes")
        expect(page.get_by_label("Title", exact=True)).to_have_value(title)

    page.get_by_label("Top photo").set_input_files(
        {"name": "ice-road.jpg", "mimeType": "image/jpeg", "buffer": image_bytes("JPEG")}
    )
    page.get_by_label("Photo alt text").fill("A truck on a frozen lake under a grey sky")
    if page.js_enabled:
        page.get_by_role("button", name="Preview").click()
        expect(preview.locator("strong")).to_have_text("frozen lakes")
        expect(page.get_by_label("Top photo")).to_have_value(re.compile("ice-road.jpg"))
    page.get_by_role("button", name="Publish").click()
    expect(page.get_by_text("Published.")).to_be_visible()

    page.get_by_role("link", name="View site").click()
    teaser = page.locator("article", has=page.get_by_role("link", name=title)).first
    expect(teaser).to_be_visible()
    expect(teaser.get_by_alt_text("A truck on a frozen lake under a grey sky")).to_be_visible()
    teaser.get_by_role("link", name=title).first.click()
    expect(page.get_by_role("heading", name=title, level=1)).to_be_visible()
    expect(page.locator(".article-body strong")).to_have_text("frozen lakes")
    article = stored_article(live_server, title)
    assert article.status == "published" and article.photo_id is not None


def test_a_writer_has_no_publish_button_and_a_forged_publish_is_refused(
    page, live_server, add_user
):
    mode = "js" if page.js_enabled else "nojs"
    email = f"writer-{mode}@example.org"
    title = f"Notes from the border ({mode})"
    add_user(email, "writer")
    sign_in(page, live_server, email)

    page.get_by_role("button", name="New article").click()
    page.get_by_label("Title", exact=True).fill(title)
    page.get_by_label("Body (Markdown)").fill("What the guards said.")
    expect(page.get_by_role("button", name="Publish")).to_have_count(0)
    expect(page.get_by_role("button", name="Schedule")).to_have_count(0)
    page.get_by_role("button", name="Submit for review").click()
    expect(page.get_by_text("Submitted for review.")).to_be_visible()
    expect(page.locator(".article-state")).to_contain_text("in review")

    # The form as the writer has it, with a Publish button added by hand.
    form = page.locator("#article-form")
    fields = {
        name: form.locator(f"[name={name}]").first.input_value()
        for name in ("csrf_token", "version", "title", "slug", "article_type", "section", "body")
    }
    response = page.request.post(page.url, form={**fields, "publish": "Publish"})
    assert response.status == 403
    article = stored_article(live_server, title)
    assert article.status == "review"
    assert page.request.get(f"{live_server}/articles/{article.slug}").status == 404


def test_a_writer_trashes_their_draft_and_restores_it(page, live_server, add_user):
    mode = "js" if page.js_enabled else "nojs"
    email = f"binner-{mode}@example.org"
    title = f"Second thoughts ({mode})"
    add_user(email, "writer")
    sign_in(page, live_server, email)

    page.get_by_role("button", name="New article").click()
    page.get_by_label("Title", exact=True).fill(title)
    page.get_by_role("button", name="Save draft").click()
    expect(page.get_by_text("Draft saved.")).to_be_visible()
    page.get_by_role("button", name="Move to trash").click()
    expect(page.get_by_text("is in the trash")).to_be_visible()

    page.get_by_role("link", name="Trash").click()
    page.get_by_role("link", name=title).click()
    expect(page.get_by_text("This article is in the trash")).to_be_visible()
    for label in ("Save draft", "Submit for review", "Move to trash"):
        expect(page.get_by_role("button", name=label)).to_have_count(0)

    page.get_by_role("link", name="Articles").first.click()
    page.get_by_role("link", name="Trash").click()
    page.get_by_role("button", name=f"Restore “{title}”").click()
    expect(page.get_by_text("is restored.")).to_be_visible()
    expect(page.locator(".article-state")).to_contain_text("draft")
    expect(page.get_by_role("button", name="Move to trash")).to_be_visible()
    assert stored_article(live_server, title).status == "draft"


def test_autosave_brings_back_every_field_after_the_tab_is_reloaded(js_page, live_server, add_user):
    page = js_page
    add_user("autosaver@example.org", "editor")
    sign_in(page, live_server, "autosaver@example.org")
    page.get_by_role("button", name="New article").click()
    page.get_by_label("Title", exact=True).fill("Typed, never saved")
    typed = {
        "Slug": "typed-never-saved",
        "Tags": "Harbours, Ice",
        "Authors": "Ann Author, Bo Byline",
        "Photo alt text": "A ferry in pack ice",
        "Photo credit": "Photo: C. Lens",
    }
    for label, value in typed.items():
        page.get_by_label(label).fill(value)
    page.get_by_label("Section").select_option(label="Asia")
    with page.expect_response(lambda response: response.url.endswith("/autosave")) as saved:
        page.get_by_label("Publish time").fill("2031-05-04T08:30")
    assert saved.value.ok

    page.reload()
    expect(page.get_by_text("We restored text you typed")).to_be_visible()
    for label, value in typed.items():
        expect(page.get_by_label(label)).to_have_value(value)
    expect(page.get_by_label("Section").locator("option:checked")).to_have_text("Asia")
    expect(page.get_by_label("Publish time")).to_have_value("2031-05-04T08:30")
    assert stored_article(live_server, "Typed, never saved") is None
