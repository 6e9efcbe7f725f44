"""Photos inside a story, in a real browser: with JavaScript, Insert photo opens a dialog whose
upload or choice lands in the body at the cursor; without it, the library opens in a new tab and
its snippet is copied into the body by hand. Either way readers get the figure."""

import re
from urllib.parse import parse_qs

import pytest
from playwright.sync_api import expect

from rsflask.db import db
from rsflask.models import Article, Page, Photo, Revision, User
from rsflask.photos import remove_photo_files, store_photo
from tests.browser.conftest import open_page
from tests.browser.test_accessibility import axe_source, axe_violations
from tests.editor_helpers import PASSWORD, image_bytes

pytestmark = pytest.mark.browser
# How long an upload may take to answer on a busy test machine (it takes well under one).
UPLOAD_SECONDS = 20


@pytest.fixture
def editor_account(live_server):
    """An editor on the shared live server; the articles, pages and photos made in the test go
    afterwards, so that the other browser tests find the site as the live server made it."""
    made = {}

    def add(email: str) -> int:
        with live_server.app.app_context():
            user = User(email=email, role="editor", name=email.split("@")[0])
            user.set_password(PASSWORD)
            db.session.add(user)
            db.session.commit()
            made["user"] = user.id
            made["photos"] = set(db.session.scalars(db.select(Photo.id)))
            return user.id

    yield add
    with live_server.app.app_context():
        user_id = made["user"]
        for model in (Article, Page):
            for row in db.session.scalars(db.select(model).filter_by(created_by_id=user_id)):
                db.session.delete(row)
        db.session.delete(db.session.get(User, user_id))
        new = db.session.scalars(db.select(Photo).where(Photo.id.not_in(made["photos"]))).all()
        digests = [photo.digest for photo in new]
        for photo in new:
            db.session.delete(photo)
        db.session.commit()
        for digest in digests:
            remove_photo_files(digest)


@pytest.fixture
def nojs_page(browser):
    yield from open_page(browser, False)


@pytest.fixture
def lighthouse(live_server) -> int:
    """A photo in the library, to be found by its alt text."""
    with live_server.app.app_context():
        photo = store_photo(
            image_bytes(size=(1300, 900)), "A lighthouse on a grey cliff", "Mara Holm"
        )
        db.session.commit()
        photo_id, digest = photo.id, photo.digest
    yield photo_id
    with live_server.app.app_context():
        db.session.execute(db.delete(Photo).filter_by(id=photo_id))
        db.session.commit()
        remove_photo_files(digest)


def sign_in(page, live_server, email: str) -> None:
    page.goto(live_server + "/editor/sign-in")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(live_server + "/editor/")


def new_article(page, title: str, body_text: str):
    page.get_by_role("button", name="New article").click()
    expect(page.get_by_role("heading", name="Edit article")).to_be_visible()
    page.get_by_label("Title", exact=True).fill(title)
    body = page.get_by_label("Body (Markdown)")
    body.fill(body_text)
    return body


def cursor_after(body, text: str) -> None:
    """Put the cursor in the body right after `text`, as a click there would."""
    body.evaluate(
        "(area, text) => { area.focus(); const at = area.value.indexOf(text) + text.length;"
        " area.setSelectionRange(at, at); }",
        text,
    )


def test_a_photo_uploaded_in_the_dialog_lands_at_the_cursor_and_in_the_preview(
    js_page, live_server, editor_account
):
    page = js_page
    user_id = editor_account("insert-upload@example.org")
    sign_in(page, live_server, "insert-upload@example.org")
    body = new_article(page, "Lights of the coast", "The first paragraph.\n\nThe second one.")
    cursor_after(body, "The first paragraph.")

    expect(page.get_by_role("link", name=re.compile("^Insert photo"))).to_be_hidden()
    opener = page.get_by_role("button", name="Insert photo")
    opener.click()
    dialog = page.get_by_role("dialog", name="Insert photo")
    expect(dialog).to_be_visible()
    upload = dialog.locator("form.photo-upload-form")
    upload.get_by_label("Photo file").set_input_files(
        {"name": "harbour.jpg", "mimeType": "image/jpeg", "buffer": image_bytes(size=(1400, 900))}
    )
    upload.get_by_label("Caption").fill("The harbour at night")
    upload.get_by_label("Credit").fill("Ola Berg")
    # Without alt text the browser keeps the form; the server would refuse it too.
    upload.get_by_role("button", name="Upload").click()
    expect(dialog).to_be_visible()
    upload.get_by_label("Alt text").fill("Boats moored under harbour lights")
    # The autosave follows the inserted snippet, as it follows typing.
    with page.expect_response(autosave_holding("photo:"), timeout=UPLOAD_SECONDS * 1000):
        upload.get_by_role("button", name="Upload").click()
        # Storing the variants takes a while on a busy machine.
        expect(dialog).to_be_hidden(timeout=UPLOAD_SECONDS * 1000)
    expect(body).to_be_focused()
    photo_id = newest_photo_id(live_server)
    snippet = (
        f'![Boats moored under harbour lights](photo:{photo_id} "The harbour at night | Ola Berg")'
    )
    expect(body).to_have_value(f"The first paragraph.\n\n{snippet}\n\nThe second one.")
    cursor = body.evaluate("area => area.selectionStart")
    assert cursor == len(f"The first paragraph.\n\n{snippet}")

    assert snippet in autosaved_body(live_server, user_id)
    # So does the preview.
    figure = page.get_by_role("region", name="Preview").locator("figure.inline-photo")
    expect(figure.get_by_alt_text("Boats moored under harbour lights")).to_be_visible()
    expect(figure.locator("figcaption")).to_have_text("The harbour at night Photo: Ola Berg")
    # The upload did not send the article form: the article is as New article made it.
    with live_server.app.app_context():
        article = db.session.scalar(db.select(Article).filter_by(created_by_id=user_id))
        assert (article.title, article.body_md) == ("Untitled draft", "")


def test_a_library_photo_is_chosen_with_a_caption_of_its_own_on_the_page_form(
    js_page, live_server, editor_account, lighthouse
):
    page = js_page
    # axe, to check the dialog as it is open (an init script: the page's CSP does not apply).
    page.add_init_script(script=axe_source())
    user_id = editor_account("insert-choose@example.org")
    sign_in(page, live_server, "insert-choose@example.org")
    page.get_by_role("link", name="Pages", exact=True).click()
    page.get_by_role("button", name="New page").click()
    body = page.get_by_label("Body (Markdown)")
    body.fill("About our pictures.")
    cursor_after(body, "About our pictures.")

    opener = page.get_by_role("button", name="Insert photo")
    opener.click()
    dialog = page.get_by_role("dialog", name="Insert photo")
    dialog.get_by_label("Search alt text and credits").fill("LIGHTHOUSE")
    expect(dialog.locator(".photo-count")).to_contain_text("1 photo matches")
    dialog.get_by_text("Insert with a caption").click()
    choice = dialog.locator("form.photo-insert-form")
    expect(choice.get_by_label("Alt text")).to_have_value("A lighthouse on a grey cliff")
    expect(choice.get_by_label("Credit")).to_have_value("Mara Holm")
    choice.get_by_label("Caption").fill("Kept lit since 1880")

    violations = axe_violations(page)
    assert violations == [], "\n".join(violations)

    with page.expect_response(autosave_holding(f"photo:{lighthouse}")):
        choice.get_by_role("button", name=re.compile("^Insert")).click()
        expect(dialog).to_be_hidden()
    expect(body).to_be_focused()
    snippet = (
        f'![A lighthouse on a grey cliff](photo:{lighthouse} "Kept lit since 1880 | Mara Holm")'
    )
    expect(body).to_have_value(f"About our pictures.\n\n{snippet}\n")
    figure = page.get_by_role("region", name="Preview").locator("figure.inline-photo")
    expect(figure.locator("figcaption")).to_have_text("Kept lit since 1880 Photo: Mara Holm")
    assert snippet in autosaved_body(live_server, user_id)


def test_escape_closes_the_dialog_and_the_focus_goes_back_to_the_button(
    js_page, live_server, editor_account
):
    page = js_page
    editor_account("insert-escape@example.org")
    sign_in(page, live_server, "insert-escape@example.org")
    with page.expect_response(autosave_holding("Just words.")):
        body = new_article(page, "Nothing to insert", "Just words.")
        opener = page.get_by_role("button", name="Insert photo")
        opener.focus()
        page.keyboard.press("Enter")
        dialog = page.get_by_role("dialog", name="Insert photo")
        expect(dialog).to_be_visible()
        expect(dialog.locator("form.photo-upload-form")).to_be_visible()
        page.keyboard.press("Escape")
        expect(dialog).to_be_hidden()
        expect(opener).to_be_focused()
    expect(body).to_have_value("Just words.")


def test_without_javascript_the_library_opens_in_a_tab_and_its_snippet_is_pasted(
    nojs_page, live_server, editor_account
):
    page = nojs_page
    editor_account("insert-nojs@example.org")
    sign_in(page, live_server, "insert-nojs@example.org")
    title = "Lamps of the north (no JavaScript)"
    body = new_article(page, title, "Before the photo.")
    expect(page.get_by_role("button", name="Insert photo")).to_be_hidden()

    with page.context.expect_page() as opened:
        page.get_by_role("link", name=re.compile("^Insert photo")).click()
    library = opened.value
    expect(library.get_by_role("heading", name="Photos", level=1)).to_be_visible()
    form = library.locator("form.photo-upload-form")
    form.get_by_label("Photo file").set_input_files(
        {"name": "lamp.png", "mimeType": "image/png", "buffer": image_bytes("PNG", (1100, 800))}
    )
    form.get_by_label("Alt text").fill("An oil lamp on a windowsill")
    form.get_by_label("Credit").fill("Test Studio")
    form.get_by_role("button", name="Upload").click()
    snippet_field = library.get_by_label(re.compile("^Snippet of photo"))
    expect(snippet_field).to_be_visible(timeout=UPLOAD_SECONDS * 1000)
    photo_id = newest_photo_id(live_server)
    snippet = f'![An oil lamp on a windowsill](photo:{photo_id} "| Test Studio")'
    expect(snippet_field).to_have_value(snippet)

    # Copied by hand, as a person would, into the form left open in the first tab.
    body.fill(f"Before the photo.\n\n{snippet_field.input_value()}\n\nAfter it.")
    page.get_by_role("button", name="Publish").click()
    expect(page.get_by_text("Published.")).to_be_visible()
    page.goto(live_server + "/articles/lamps-of-the-north-no-javascript")
    figure = page.locator(".article-body figure.inline-photo")
    expect(figure.get_by_alt_text("An oil lamp on a windowsill")).to_be_visible()
    expect(figure.locator("figcaption")).to_have_text("Photo: Test Studio")


def newest_photo_id(live_server) -> int:
    with live_server.app.app_context():
        return db.session.scalar(db.select(Photo.id).order_by(Photo.id.desc()).limit(1))


def autosave_holding(text: str):
    """For page.expect_response: the answer to an autosave whose body holds `text`. Waited for
    before a test ends: the request goes on after storing the text, and the end of the test
    removes its account."""

    def matches(response) -> bool:
        sent = parse_qs(response.request.post_data or "")
        return "/autosave" in response.url and any(text in body for body in sent.get("body", []))

    return matches


def autosaved_body(live_server, user_id: int) -> str | None:
    with live_server.app.app_context():
        return db.session.scalar(
            db.select(Revision.body_md).filter_by(kind="autosave", user_id=user_id)
        )
