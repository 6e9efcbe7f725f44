"""The photo library at /editor/photos: every photo with its sizes, where it is used and its
snippet; search, pages, uploads, a snippet with a caption, alt text and credit, deletion."""

import re
from pathlib import Path

import pytest

from rsflask import markup
from rsflask.db import db, utcnow
from rsflask.models import Article, Author, Digest, Photo
from rsflask.photos import CROP_RATIOS, add_missing_crops, photo_folder, store_photo
from tests.conftest import htmx
from tests.editor_helpers import image_bytes, make_user, prepare_editor_tests, sign_in, upload
from tests.page_helpers import make_page


@pytest.fixture(autouse=True)
def editor_tests(app, monkeypatch):
    prepare_editor_tests(app, monkeypatch)


@pytest.fixture
def editor(client):
    make_user("editor@example.org", role="editor")
    sign_in(client, "editor@example.org")
    return client


@pytest.fixture
def writer(client):
    make_user("writer@example.org", role="writer")
    sign_in(client, "writer@example.org")
    return client


@pytest.fixture
def crane(app) -> Photo:
    photo = store_photo(image_bytes(size=(1800, 1200)), "A harbour crane at dawn", "Ines Varga")
    db.session.commit()
    return photo


def text_of(response) -> str:
    return response.get_data(as_text=True)


def files_of(photo_digest: str) -> list[Path]:
    return sorted(photo_folder().glob(f"{photo_digest}-*"))


def add_photo_rows(count: int) -> list[Photo]:
    """Library rows without files, oldest first, for what only the list reads."""
    photos = [
        Photo(
            digest=f"{number:032x}",
            width=800,
            height=600,
            variant_widths="480,800",
            alt=f"Test photo {number}",
            created_at=utcnow().replace(year=2020, month=1, day=1, hour=0, minute=number),
        )
        for number in range(count)
    ]
    db.session.add_all(photos)
    db.session.commit()
    return photos


# --- The list ---------------------------------------------------------------------------------


def test_the_library_shows_each_photo_with_its_size_alt_text_credit_and_snippet(editor, crane):
    page = text_of(editor.get("/editor/photos"))
    assert "<h1>Photos</h1>" in page
    assert f'src="/photos/{crane.digest}-480.webp"' in page
    assert "1800 \u00d7 1200 pixels; variants 480, 800, 1200, 1600 wide" in page
    assert "A harbour crane at dawn" in page and "Ines Varga" in page
    snippet = f"![A harbour crane at dawn](photo:{crane.id} &#34;| Ines Varga&#34;)"
    assert f'id="snippet-{crane.id}" class="snippet" type="text" readonly value="{snippet}"' in page
    assert "Not used anywhere yet." in page


def test_newest_photos_come_first_twenty_a_page(editor):
    photos = add_photo_rows(25)
    first = text_of(editor.get("/editor/photos"))
    shown = [int(n) for n in re.findall(r'id="snippet-(\d+)"', first)]
    assert shown == [photo.id for photo in reversed(photos)][:20]
    assert "25 photos in the library, page 1 of 2." in first
    second = text_of(editor.get("/editor/photos?page=2"))
    assert [int(n) for n in re.findall(r'id="snippet-(\d+)"', second)] == [
        photo.id for photo in reversed(photos[:5])
    ]
    assert 'rel="prev" href="/editor/photos?page=1"' in second
    assert editor.get("/editor/photos?page=3").status_code == 404


@pytest.mark.parametrize("query", ["CRANE", "ines", "varga", "harbour crane"])
def test_search_finds_photos_by_alt_text_or_credit_in_any_case(editor, crane, query):
    other = store_photo(image_bytes(size=(900, 600)), "A ferry", "Rolf Ek")
    db.session.commit()
    page = text_of(editor.get("/editor/photos", query_string={"q": query}))
    assert f'id="snippet-{crane.id}"' in page and f'id="snippet-{other.id}"' not in page
    assert f"1 photo matches “{query}”" in page
    assert f'value="{query}"' in page


def test_search_takes_percent_and_underscore_literally(editor, crane):
    page = text_of(editor.get("/editor/photos?q=%25"))
    assert f'id="snippet-{crane.id}"' not in page
    assert "No photo\u2019s alt text or credit has “%” in it." in page


def test_htmx_gets_the_list_alone_and_a_browser_the_page(editor, crane):
    fragment = editor.get("/editor/photos?q=crane", headers=htmx())
    html = text_of(fragment)
    assert "<html" not in html and "<h1>" not in html
    assert html.lstrip().startswith('<p class="photo-count" role="status">')
    assert f'id="snippet-{crane.id}"' in html
    assert "HX-Request" in fragment.headers["Vary"]
    page = editor.get("/editor/photos?q=crane")
    assert "<html" in text_of(page) and "HX-Request" in page.headers["Vary"]


def test_the_search_is_a_get_form_that_htmx_runs_as_you_type(editor):
    page = text_of(editor.get("/editor/photos"))
    form = re.search(r'<form class="photo-search".*?</form>', page, re.S).group(0)
    assert 'method="get" action="/editor/photos"' in form
    assert 'data-hx-get="/editor/photos"' in form and 'data-hx-target="#photo-list"' in form
    assert 'name="q"' in form
    assert '<div id="photo-list">' in page


def test_the_pager_of_the_list_loads_the_next_page_in_place_with_htmx(editor):
    add_photo_rows(21)
    html = text_of(editor.get("/editor/photos?q=test", headers=htmx()))
    assert (
        '<a rel="next" href="/editor/photos?page=2&amp;q=test"'
        ' data-hx-get="/editor/photos?page=2&amp;q=test" data-hx-target="#photo-list">'
    ) in html


# --- Where each photo is used -----------------------------------------------------------------


def use_photo(kind: str, photo: Photo, add_article) -> tuple[str, str]:
    """Use the photo one way; gives the words the library shows for it and the link's path."""
    snippet = f"Text.\n\n![Cranes](photo:{photo.id})\n"
    slug = "cranes-" + kind.replace(" ", "-")
    if kind == "top photo":
        article = add_article("Cranes at work", slug=slug)
        article.photo, article.photo_alt = photo, "Cranes"
        db.session.commit()
        return "Top photo of article", f"/editor/articles/{article.id}"
    if kind == "social image":
        article = add_article("Cranes at work", slug=slug)
        article.social_image = photo
        db.session.commit()
        return "Social image of article", f"/editor/articles/{article.id}"
    if kind == "article text":
        article = add_article("Cranes at work", slug=slug, body=snippet)
        return "In the text of article", f"/editor/articles/{article.id}"
    if kind == "page text":
        page = make_page("Cranes at work", slug=slug, body=snippet)
        return "In the text of page", f"/editor/pages/{page.id}"
    if kind in ("round-up draft", "round-up sent"):
        digest = Digest(subject="Cranes at work", intro_md=snippet)
        if kind == "round-up sent":
            digest.status, digest.started_at, digest.sent_at = "sent", utcnow(), utcnow()
        db.session.add(digest)
        db.session.commit()
        path = "/editor/newsletter/digest" if kind == "round-up draft" else None
        return "In the intro of round-up", path or f"/newsletter/archive/{digest.id}"
    author = Author(name="Cranes at work", slug="cranes-at-work", photo=photo)
    db.session.add(author)
    db.session.commit()
    return "Photo of author", f"/editor/authors/{author.id}"


USES = [
    "top photo",
    "social image",
    "article text",
    "page text",
    "round-up draft",
    "round-up sent",
    "author",
]


@pytest.mark.parametrize("kind", USES)
def test_the_library_says_where_a_photo_is_used_with_a_link_to_its_form(
    editor, crane, add_article, kind
):
    words, path = use_photo(kind, crane, add_article)
    for url in ("/editor/photos", f"/editor/photos/{crane.id}"):
        page = text_of(editor.get(url))
        assert "Used in 1 place:" in page
        assert f'{words} <a href="{path}">Cranes at work</a>' in page


def test_a_photo_used_several_ways_lists_each_use(editor, crane, add_article):
    for kind in USES:
        use_photo(kind, crane, add_article)
    page = text_of(editor.get(f"/editor/photos/{crane.id}"))
    assert f"Used in {len(USES)} places:" in page
    assert "(sent)" in page and "(draft)" in page


# --- Upload -----------------------------------------------------------------------------------


def upload_form(data: bytes, alt="Cranes over the harbour", **fields) -> dict:
    fields = {"caption": "", "credit": "", **fields}
    return {
        "upload-photo": upload(data),
        "upload-alt": alt,
        **{f"upload-{name}": value for name, value in fields.items()},
    }


def test_an_uploaded_photo_joins_the_library_and_the_answer_is_its_snippet(editor):
    data = image_bytes(size=(2000, 1000))
    form = upload_form(data, caption="The port at six", credit="Ines Varga")
    response = editor.post("/editor/photos/upload", data=form)
    assert response.status_code == 200
    photo = db.session.scalars(db.select(Photo)).one()
    assert (photo.alt, photo.credit) == ("Cranes over the harbour", "Ines Varga")
    assert (photo.width, photo.height, photo.widths) == (2000, 1000, [480, 800, 1200, 1600])
    snippet = f"![Cranes over the harbour](photo:{photo.id} &#34;The port at six | Ines Varga&#34;)"
    page = text_of(response)
    assert f'readonly value="{snippet}" data-photo-snippet' in page
    assert "copy it into the body, on a line of its own" in page and "<html" in page
    assert [p.name for p in files_of(photo.digest)] == sorted(
        [f"{photo.digest}-{w}.webp" for w in (480, 800, 1200, 1600)]
        + [f"{photo.digest}-2000.jpg", f"{photo.digest}-1200x630.jpg"]
    )


def test_htmx_gets_the_upload_form_and_its_answer_as_fragments(editor):
    form = text_of(editor.get("/editor/photos/upload", headers=htmx()))
    assert "<html" not in form
    assert (
        'enctype="multipart/form-data"' in form and 'data-hx-post="/editor/photos/upload"' in form
    )
    assert 'id="upload-photo"' in form and 'id="upload-alt"' in form
    answer = editor.post("/editor/photos/upload", data=upload_form(image_bytes()), headers=htmx())
    assert answer.status_code == 200 and "<html" not in text_of(answer)
    assert "data-photo-snippet" in text_of(answer)
    assert "<html" in text_of(editor.get("/editor/photos/upload"))


def test_an_upload_with_only_the_file_and_alt_text_posted_is_stored(editor):
    data = {"upload-photo": upload(image_bytes()), "upload-alt": "Cranes"}
    response = editor.post("/editor/photos/upload", data=data)
    assert response.status_code == 200
    photo = db.session.scalars(db.select(Photo)).one()
    assert f'value="![Cranes](photo:{photo.id})"' in text_of(response)
    assert photo.credit == ""


def test_a_file_that_is_not_an_image_is_refused_with_pillows_reason(editor):
    response = editor.post(
        "/editor/photos/upload", data=upload_form(b"GIF89a not really"), headers=htmx()
    )
    assert response.status_code == 422
    html = text_of(response)
    assert "That file is not a JPEG, PNG or WebP image." in html
    assert 'value="Cranes over the harbour"' in html
    assert db.session.scalar(db.select(Photo)) is None


def test_an_image_of_a_kind_we_do_not_take_is_refused(editor):
    response = editor.post("/editor/photos/upload", data=upload_form(image_bytes("GIF")))
    assert response.status_code == 422
    assert "Only JPEG, PNG and WebP photos are accepted." in text_of(response)


def test_an_upload_without_alt_text_is_refused_and_nothing_is_stored(editor):
    response = editor.post("/editor/photos/upload", data=upload_form(image_bytes(), alt="  "))
    assert response.status_code == 422
    assert "Describe the photo for readers who cannot see it." in text_of(response)
    assert db.session.scalar(db.select(Photo)) is None
    assert not photo_folder().exists() or not list(photo_folder().iterdir())


def test_an_upload_without_a_file_is_refused(editor):
    response = editor.post("/editor/photos/upload", data={"upload-alt": "Cranes"})
    assert response.status_code == 422
    assert "Choose a photo to upload." in text_of(response)


def test_uploading_a_photo_the_library_has_keeps_its_alt_text_and_credit(editor, crane):
    data = image_bytes(size=(1800, 1200))
    response = editor.post("/editor/photos/upload", data=upload_form(data, alt="Another view"))
    assert response.status_code == 200
    assert db.session.scalars(db.select(Photo)).all() == [crane]
    assert crane.alt == "A harbour crane at dawn"
    assert f"![Another view](photo:{crane.id})" in text_of(response)


# --- A library photo with a caption of its own ------------------------------------------------


def test_a_library_photo_gets_a_snippet_with_its_own_caption(editor, crane):
    form = text_of(editor.get(f"/editor/photos/{crane.id}/insert"))
    assert f'name="photo-{crane.id}-alt"' in form and 'value="A harbour crane at dawn"' in form
    assert 'value="Ines Varga"' in form
    fields = {"alt": "A crane", "caption": "Dawn", "credit": "Ines Varga"}
    data = {f"photo-{crane.id}-{name}": value for name, value in fields.items()}
    response = editor.post(f"/editor/photos/{crane.id}/insert", data=data, headers=htmx())
    assert response.status_code == 200
    snippet = f"![A crane](photo:{crane.id} &#34;Dawn | Ines Varga&#34;)"
    assert f'value="{snippet}" data-photo-snippet' in text_of(response)


def test_a_snippet_needs_only_its_alt_text_posted_and_keeps_the_librarys_credit(editor, crane):
    data = {f"photo-{crane.id}-alt": "Cranes"}
    response = editor.post(f"/editor/photos/{crane.id}/insert", data=data)
    assert response.status_code == 200
    assert f'value="![Cranes](photo:{crane.id} &#34;| Ines Varga&#34;)"' in text_of(response)


def test_a_snippet_without_alt_text_is_refused(editor, crane):
    data = {f"photo-{crane.id}-alt": "", f"photo-{crane.id}-caption": "Dawn"}
    response = editor.post(f"/editor/photos/{crane.id}/insert", data=data)
    assert response.status_code == 422
    assert "Describe the photo for readers who cannot see it." in text_of(response)


def test_each_photo_in_the_list_has_its_insert_form_filled_from_the_library(editor, crane):
    page = text_of(editor.get("/editor/photos"))
    assert f'data-hx-post="/editor/photos/{crane.id}/insert"' in page
    assert f'id="photo-{crane.id}-credit"' in page


def test_an_unknown_photo_is_404(editor):
    for url in ("/editor/photos/999", "/editor/photos/999/insert", "/editor/photos/999/delete"):
        assert editor.get(url).status_code == 404


# --- The library's alt text and credit --------------------------------------------------------


def test_an_editor_changes_the_alt_text_and_credit_the_library_offers(editor, crane):
    response = editor.post(
        f"/editor/photos/{crane.id}", data={"alt": " Two cranes ", "credit": "I. Varga"}
    )
    assert response.status_code == 303
    db.session.refresh(crane)
    assert (crane.alt, crane.credit) == ("Two cranes", "I. Varga")
    page = text_of(editor.get(response.location))
    assert "The photo&#39;s alt text and credit are saved." in page
    assert f"![Two cranes](photo:{crane.id} &#34;| I. Varga&#34;)" in page


def test_a_post_without_the_credit_leaves_it_as_it_was(editor, crane):
    assert editor.post(f"/editor/photos/{crane.id}", data={"alt": "Cranes"}).status_code == 303
    db.session.refresh(crane)
    assert (crane.alt, crane.credit) == ("Cranes", "Ines Varga")


def test_alt_text_over_the_limit_is_refused(editor, crane):
    response = editor.post(f"/editor/photos/{crane.id}", data={"alt": "x" * 501, "credit": ""})
    assert response.status_code == 422
    db.session.refresh(crane)
    assert crane.alt == "A harbour crane at dawn"


# --- Delete -----------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", USES)
def test_a_photo_in_use_is_not_deleted_and_the_answer_says_where_it_is_used(
    editor, crane, add_article, kind
):
    words, path = use_photo(kind, crane, add_article)
    asked = text_of(editor.get(f"/editor/photos/{crane.id}/delete"))
    assert "cannot be deleted while it is in use" in asked and 'class="danger"' not in asked
    response = editor.post(f"/editor/photos/{crane.id}/delete")
    assert response.status_code == 409
    page = text_of(response)
    assert "This photo cannot be deleted while it is in use." in page
    assert f'{words} <a href="{path}">Cranes at work</a>' in page
    db.session.expire_all()
    assert db.session.get(Photo, crane.id) is not None
    assert len(files_of(crane.digest)) == 6


def test_an_unused_photo_is_deleted_once_asked_with_every_file_it_had(editor, crane):
    add_missing_crops(crane)
    other = store_photo(image_bytes(size=(900, 600)), "A ferry")
    db.session.commit()
    digest, kept = crane.digest, files_of(other.digest)
    assert len(files_of(digest)) == 6 + len(CROP_RATIOS)
    asked = text_of(editor.get(f"/editor/photos/{crane.id}/delete"))
    assert "Nothing uses this photo." in asked
    assert f'action="/editor/photos/{crane.id}/delete"' in asked
    response = editor.post(f"/editor/photos/{crane.id}/delete")
    assert response.status_code == 303 and response.location == "/editor/photos"
    db.session.expire_all()
    assert db.session.get(Photo, crane.id) is None
    assert files_of(digest) == []
    assert files_of(other.digest) == kept
    assert f"Photo {crane.id} is deleted, with its files." in text_of(editor.get("/editor/photos"))


def test_after_a_text_stops_using_a_photo_it_can_be_deleted(editor, crane, add_article):
    article = add_article("Cranes", body=f"![Cranes](photo:{crane.id})")
    assert editor.post(f"/editor/photos/{crane.id}/delete").status_code == 409
    markup.set_body(db.session.get(Article, article.id), "No photo now.")
    db.session.commit()
    assert editor.post(f"/editor/photos/{crane.id}/delete").status_code == 303


# --- Who may do what --------------------------------------------------------------------------


def test_a_writer_sees_the_library_uploads_and_inserts_but_has_no_delete_or_edit(writer, crane):
    page = text_of(writer.get("/editor/photos"))
    assert '<a href="/editor/photos">Photos</a>' in page
    assert f'id="snippet-{crane.id}"' in page
    assert "/delete" not in page
    details = text_of(writer.get(f"/editor/photos/{crane.id}"))
    assert 'name="alt"' not in details and "A harbour crane at dawn" in details
    response = writer.post("/editor/photos/upload", data=upload_form(image_bytes()))
    assert response.status_code == 200 and "data-photo-snippet" in text_of(response)


@pytest.mark.parametrize(
    ("method", "path"),
    [("GET", "/delete"), ("POST", "/delete"), ("POST", "")],
)
def test_a_writer_may_not_delete_a_photo_or_change_its_alt_text(writer, crane, method, path):
    response = writer.open(
        f"/editor/photos/{crane.id}{path}", method=method, data={"alt": "Changed"}
    )
    assert response.status_code == 403
    db.session.expire_all()
    stored = db.session.get(Photo, crane.id)
    assert stored is not None and stored.alt == "A harbour crane at dawn"


def test_the_library_asks_visitors_to_sign_in(client):
    response = client.get("/editor/photos")
    assert response.status_code == 302 and "/editor/sign-in" in response.location


@pytest.fixture
def csrf_on(app, editor, crane):
    app.config["WTF_CSRF_ENABLED"] = True
    return editor


def test_every_post_of_the_library_needs_the_forms_token(app, csrf_on, crane):
    client = csrf_on
    for path, data in [
        ("/editor/photos/upload", upload_form(image_bytes(size=(700, 500)))),
        (f"/editor/photos/{crane.id}/insert", {f"photo-{crane.id}-alt": "Cranes"}),
        (f"/editor/photos/{crane.id}", {"alt": "Forged", "credit": ""}),
        (f"/editor/photos/{crane.id}/delete", {}),
    ]:
        response = client.post(path, data=data)
        assert response.status_code == 400, path
        assert "The form expired" in text_of(response)
    db.session.expire_all()
    assert db.session.scalars(db.select(Photo)).all() == [crane]
    assert crane.alt == "A harbour crane at dawn"


def test_the_token_from_the_page_is_accepted(app, csrf_on, crane):
    client = csrf_on
    page = text_of(client.get(f"/editor/photos/{crane.id}/delete"))
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    response = client.post(f"/editor/photos/{crane.id}/delete", data={"csrf_token": token})
    assert response.status_code == 303
    library = text_of(client.get("/editor/photos"))
    upload_token = re.search(r'id="upload-csrf_token"[^>]*value="([^"]+)"', library)
    response = client.post(
        "/editor/photos/upload",
        data={**upload_form(image_bytes()), "upload-csrf_token": upload_token.group(1)},
    )
    assert response.status_code == 200


# --- Insert photo on the article and page forms -----------------------------------------------


def test_the_article_and_page_forms_link_the_library_and_hold_the_dialog_outside_the_form(
    editor, add_article
):
    article = add_article("Cranes")
    page = make_page("About")
    for url, form_id in [
        (f"/editor/articles/{article.id}", "article-form"),
        (f"/editor/pages/{page.id}", "page-form"),
    ]:
        html = text_of(editor.get(url))
        form = re.search(rf'<form id="{form_id}".*?</form>', html, re.S).group(0)
        assert '<a href="/editor/photos" target="_blank"' in form
        assert 'data-opens-dialog="insert-photo" aria-haspopup="dialog" hidden' in form
        assert "<dialog" not in form
        dialog = re.search(r"<dialog.*?</dialog>", html, re.S).group(0)
        assert 'aria-labelledby="insert-photo-heading"' in dialog
        assert 'data-insert-into="body"' in dialog
        assert 'data-hx-get="/editor/photos/upload"' in dialog
        assert '<script src="/static/js/insert_photo.js?v=' in html
