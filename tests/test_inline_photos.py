"""Photos inside a body: the snippet `![alt](photo:ID "Caption | Credit")` becomes a responsive
figure, a photo that is not there becomes nothing, and the editor's preview says why."""

import re
from html import escape

import pytest

from rsflask import markup
from rsflask.db import db
from rsflask.inline_photos import caption_and_credit, snippet
from rsflask.models import Digest, Page
from rsflask.photos import store_photo
from tests.conftest import htmx
from tests.editor_helpers import image_bytes, make_user, prepare_editor_tests, sign_in


@pytest.fixture
def photo(app):
    stored = store_photo(image_bytes(size=(1800, 1200)), "A harbour crane", "Ines Varga")
    db.session.commit()
    return stored


@pytest.fixture
def editor(app, client, monkeypatch):
    prepare_editor_tests(app, monkeypatch)
    make_user("editor@example.org")
    sign_in(client, "editor@example.org")
    return client


def figures(html: str) -> list[str]:
    return re.findall(r"<figure class=\"inline-photo\">.*?</figure>", html)


def test_a_snippet_on_its_own_line_is_a_responsive_figure_with_caption_and_credit(photo):
    snippet_line = f'![Cranes at dawn](photo:{photo.id} "The port at six | Ines Varga")'
    body = f"Before.\n\n{snippet_line}\n\nAfter."
    html = markup.render(body)
    [figure] = figures(html)
    for width in (480, 800, 1200, 1600):
        assert f"/photos/{photo.digest}-{width}.webp {width}w" in figure
    assert f'src="/photos/{photo.digest}-800.webp"' in figure
    assert 'sizes="(min-width: 42rem) 40rem, 100vw"' in figure
    assert 'width="1800" height="1200"' in figure
    assert 'alt="Cranes at dawn"' in figure
    assert 'loading="lazy"' in figure and 'decoding="async"' in figure
    assert (
        '<figcaption>The port at six <span class="credit">Photo: Ines Varga</span></figcaption>'
        in figure
    )
    assert html.startswith("<p>Before.</p>") and html.endswith("<p>After.</p>")


def test_a_figure_that_opens_the_body_loads_at_once_and_later_ones_lazily(photo):
    snippet_line = f"![Cranes](photo:{photo.id})"
    first, second = figures(markup.render(f"{snippet_line}\n\nText.\n\n{snippet_line}"))
    assert "loading=" not in first and 'decoding="async"' in first
    assert 'loading="lazy"' in second


@pytest.mark.parametrize(
    ("title", "caption", "credit"),
    [
        ("", "", ""),
        ("Only a caption", "Only a caption", ""),
        ("| Only a credit", "", "Only a credit"),
        ("A | B | C", "A | B", "C"),
        ("Pipes | in a caption |", "Pipes | in a caption", ""),
    ],
)
def test_the_words_in_quotes_split_at_their_last_bar(photo, title, caption, credit):
    assert caption_and_credit(title) == (caption, credit)
    html = markup.render(f'![Cranes](photo:{photo.id} "{title}")')
    [figure] = figures(html)
    if caption or credit:
        shown = re.search(r"<figcaption>(.*)</figcaption>", figure)[1]
        assert re.sub(r"<[^>]+>", "", shown) == " ".join(
            filter(None, [caption, f"Photo: {credit}" if credit else ""])
        )
    else:
        assert "<figcaption>" not in figure


def test_a_snippet_keeps_any_alt_caption_and_credit_through_rendering(photo):
    alt, caption, credit = 'A [bracketed] "quoted" \\ alt', 'Caption with "quotes" | a bar', "R&D"
    text = snippet(photo, alt, caption, credit)
    [figure] = figures(markup.render(text))
    assert 'alt="A [bracketed] &quot;quoted&quot; \\ alt"' in figure
    assert "<figcaption>Caption with &quot;quotes&quot; | a bar " in figure
    assert "Photo: R&amp;D" in figure


@pytest.mark.parametrize(
    "caption",
    ["The port ('new') at dawn", "'Quoted')", "A 'b' ) c", 'Say "hi")', "Back\\slash)", "(Only)"],
)
def test_a_snippet_keeps_quotes_and_brackets_in_its_caption(photo, caption):
    [figure] = figures(markup.render(snippet(photo, "Cranes", caption, "Ines")))
    assert f'<figcaption>{escape(caption)} <span class="credit">Photo: Ines</span>' in figure


def test_snippets_read_as_the_docs_show_them(photo):
    assert snippet(photo, "Cranes", "The port", "Ines Varga") == (
        f'![Cranes](photo:{photo.id} "The port | Ines Varga")'
    )
    assert snippet(photo, "Cranes") == f"![Cranes](photo:{photo.id})"
    assert snippet(photo, "Cranes", credit="Ines Varga") == (
        f'![Cranes](photo:{photo.id} "| Ines Varga")'
    )


def test_a_missing_photo_renders_nothing_and_the_preview_says_so(editor, photo):
    body = f"Before.\n\n![Gone](photo:{photo.id + 100})\n\nAfter."
    assert markup.render(body) == "<p>Before.</p>\n\n<p>After.</p>"
    preview = editor.post("/editor/preview", data={"body": body}, headers=htmx())
    text = preview.get_data(as_text=True)
    assert preview.status_code == 200
    assert f"Photo {photo.id + 100} is not in the photo library" in text
    assert "readers will see nothing in its place" in text


@pytest.mark.parametrize("number", [2**31, 999_999_999_999_999_999])
def test_a_number_past_any_photo_id_is_missing_too_not_a_failure(editor, number):
    """PostgreSQL refuses to compare its integer ids with such a number; it names no photo."""
    body = f"Before.\n\n![Gone](photo:{number})\n\nAfter."
    assert markup.render(body) == "<p>Before.</p>\n\n<p>After.</p>"
    preview = editor.post("/editor/preview", data={"body": body}, headers=htmx())
    assert preview.status_code == 200
    assert f"Photo {number} is not in the photo library" in preview.get_data(as_text=True)


def test_a_snippet_inside_other_text_renders_nothing_and_the_preview_says_so(editor, photo):
    body = (
        f"A sentence ![Cranes](photo:{photo.id}) with a photo.\n\n- ![In a list](photo:{photo.id})"
    )
    html = markup.render(body)
    assert "photo:" not in html and "<img" not in html and "<figure" not in html
    text = editor.post("/editor/preview", data={"body": body}).get_data(as_text=True)
    assert "works only on a line of its own" in text
    assert "2 inside other text will not show" in text


def test_a_photo_without_alt_text_is_shown_and_the_preview_asks_for_one(editor, photo):
    body = f"![](photo:{photo.id})"
    [figure] = figures(markup.render(body))
    assert 'alt=""' in figure
    text = editor.post("/editor/preview", data={"body": body}, headers=htmx()).get_data(True)
    assert f"Photo {photo.id} has no alt text" in text


@pytest.mark.parametrize(
    "body",
    [
        "[a link](photo:1)",
        '<a href="photo:1">raw</a>',
        "![x](PHOTO:1)",
        "![x]( photo:1)",
        "![x](photo:1x)",
        "![x](photo:-1)",
        '<img src="photo:1" onerror="alert(1)">',
    ],
)
def test_the_photo_scheme_means_nothing_outside_a_well_formed_image(app, photo, body):
    html = markup.render(body.replace("photo:1", f"photo:{photo.id}"))
    assert "photo:" not in html.lower() and "onerror" not in html


def test_an_article_page_shows_the_figure_and_the_article_knows_the_photo(
    app, client, add_article, photo
):
    article = add_article("Harbour", body=f'Lead.\n\n![Cranes](photo:{photo.id} "Dawn | Ines")')
    assert article.inline_photos == [photo]
    page = client.get(f"/articles/{article.slug}").get_data(as_text=True)
    assert f"/photos/{photo.digest}-480.webp 480w" in page
    assert '<span class="credit">Photo: Ines</span>' in page


def test_pages_and_round_up_intros_know_their_photos_too(app, photo):
    page = Page(title="About", slug="about")
    markup.set_body(page, f"![Cranes](photo:{photo.id})")
    digest = Digest(subject="Weekly", intro_md=f"Hello.\n\n![Cranes](photo:{photo.id})")
    db.session.add_all([page, digest])
    db.session.commit()
    assert page.inline_photos == [photo] and digest.inline_photos == [photo]
    assert figures(digest.intro_html)
    markup.set_body(page, "No photo any more.")
    db.session.commit()
    assert page.inline_photos == []


def test_a_photo_keeps_the_alt_text_and_credit_it_was_first_stored_with(app, photo):
    again = store_photo(image_bytes(size=(1800, 1200)), "Another description", "Someone else")
    assert again is photo
    assert (photo.alt, photo.credit) == ("A harbour crane", "Ines Varga")
