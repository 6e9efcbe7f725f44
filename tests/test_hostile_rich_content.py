"""The hostile corpus aimed at what rich stories added: photo snippets (the alt text, the caption
and credit, the photo: address itself, raw figures) and corrections and updates.

Each input is judged on the HTML stored and on the page readers are served: no script, no event
handler, no style, no javascript: or data: address, no htmx attribute, and each inline-photo
figure exactly as inline_photos.figure() writes it for its photo, alt text, caption and credit;
everything else only allowlisted markup (test_markup.assert_safe). The same checks for embeds
are in test_embeds.py; tests/browser/test_hostile_content_browser.py shows some of these in a
real browser.
"""

import json
import re
from html import unescape
from html.parser import HTMLParser

import pytest

from rsflask.db import db
from rsflask.inline_photos import figure
from rsflask.models import ArticleNote, Photo
from rsflask.photos import store_photo
from rsflask.stored_html import plain_text
from tests.editor_helpers import image_bytes, make_user, prepare_editor_tests, sign_in
from tests.test_markup import HTML_SCRIPT_B64, SVG_SCRIPT_B64, Elements, assert_safe, url_scheme


def fullwidth(text: str) -> str:
    """The same letters from the Unicode block of full-width forms, which look alike."""
    return "".join(chr(ord(letter) + 0xFEE0) for letter in text)


# In each input, {ID} is the number of a photo in the library.
PHOTO_SNIPPETS = {
    # The photo: address itself.
    "address-quote-breakout": '![Cranes](photo:{ID}" onerror="alert(1))',
    "address-quote-breakout-html": '<img src="photo:{ID}" onerror="alert(1)" alt="Cranes">',
    "address-fragment-script": '![Cranes](photo:{ID}#"><script>alert(1)</script>)',
    "address-query-javascript": "![Cranes](photo:{ID}?javascript:alert(1))",
    "address-entity-encoded-scheme": "![Cranes](&#112;&#104;&#111;&#116;&#111;:{ID})",
    "address-tab-inside-scheme-link": '<a href="pho&#9;to:{ID}">a photo, as a link</a>',
    "address-tab-inside-scheme-image": '<img src="pho&#x09;to:{ID}" alt="Cranes">',
    "address-newline-inside-scheme": '<img src="photo&#10;:{ID}" alt="Cranes">',
    "address-arabic-digits": "![Cranes](photo:{ARABIC_ID})",
    "address-fullwidth-scheme": f"![Cranes]({fullwidth('photo')}:{{ID}})",
    "address-huge-number": "![Cranes](photo:999999999999999999)",
    "address-in-angle-brackets": "![Cranes](<photo:{ID}>)",
    "address-by-reference": '![Cranes][p]\n\n[p]: photo:{ID} "Caption | <script>alert(1)</script>"',
    "address-javascript-with-photo-title": '![Cranes](javascript:alert(1) "photo:{ID}")',
    "address-data-svg": f"![Cranes](data:image/svg+xml;base64,{SVG_SCRIPT_B64})",
    # The alt text.
    "alt-quote-breakout": '![Cranes" onerror="alert(1)](photo:{ID})',
    "alt-markup": "![<img src=x onerror=alert(1)>](photo:{ID})",
    "alt-javascript-fullwidth": f"![{fullwidth('javascript')}:alert(1)](photo:{{ID}})",
    "alt-angle-brackets": '![a > b <script>alert(1)</script>](photo:{ID} "x")',
    # The caption and credit.
    "caption-quote-breakout": '![Cranes](photo:{ID} "Dawn\\" onmouseover=\\"alert(1) | Ines")',
    "credit-quote-breakout": '![Cranes](photo:{ID} "Dawn | Ines\\" onfocus=\\"alert(1)")',
    "caption-closes-the-paragraph": (
        '![Cranes](photo:{ID} "x ></p><script>alert(1)</script><p> | Ines")'
    ),
    "caption-javascript-and-script-credit": (
        '![Cranes](photo:{ID} "javascript:alert(1) | <script>alert(1)</script>")'
    ),
    "caption-htmx-words": '![Cranes](photo:{ID} "hx-get=/editor/ | data-hx-trigger=load")',
    "caption-entities": '![Cranes](photo:{ID} "&#124; &#x3C;img src=x onerror=alert(1)&#x3E;")',
    "caption-single-quotes": "![Cranes](photo:{ID} 'Dawn' onload='alert(1) | Ines')",
    "caption-bars-and-span": (
        '![Cranes](photo:{ID} "a | b | <span class=credit style=color:red>c</span>")'
    ),
    "caption-right-to-left-override": '![Cranes](photo:{ID} "\u202egpj.exe | \u202eInes")',
    "caption-zero-width-and-line-separator": (
        '![Cranes](photo:{ID} "Da\u200bwn\u2028<script>alert(1)</script> | In\u200bes")'
    ),
    "caption-very-long": '![Cranes](photo:{ID} "' + "A long caption, " * 800 + '| Ines")',
    # Raw HTML that pretends to be a figure, or to be ours.
    "raw-figure-with-handlers-and-styles": (
        '<figure class="inline-photo" style="position:fixed" onclick="alert(1)">'
        '<img src="photo:{ID}" srcset="data:image/svg+xml,x 1x" onerror="alert(1)" alt="x">'
        '<figcaption style="color:red" onmouseover="alert(1)">Cap '
        '<span class="credit" style="x">Cred</span></figcaption></figure>'
    ),
    "raw-paragraph-image-with-htmx": (
        '<p><img src="photo:{ID}" alt="Cranes" title="Dawn | Ines" hx-get="/editor/" '
        'data-hx-trigger="load" hx-on:load="alert(1)"></p>'
    ),
    "raw-image-srcset-sizes": (
        '<img src="photo:{ID}" srcset="javascript:alert(1) 1x, photo:{ID} 2x" '
        'sizes="100vw" loading="eager" width="1" height="1" alt="Cranes">'
    ),
    "raw-image-then-script": '<p><img src="photo:{ID}" alt="Cranes"><script>alert(1)</script></p>',
    "raw-picture-source": (
        f'<picture><source srcset="data:text/html;base64,{HTML_SCRIPT_B64}">'
        '<img src="photo:{ID}" alt="Cranes"></picture>'
    ),
    "raw-figure-data-attributes": (
        '<figure data-embed-src="https://evil.example/" data-frame-hosts="evil.example">'
        "![Cranes](photo:{ID})</figure>"
    ),
    # Markdown's own ways to add attributes, and snippets nested where they do not show.
    "attribute-list-everything": (
        '![Cranes](photo:{ID}){: onload="alert(1)" style="color:red" hx-get="/editor/" '
        'class="inline-photo" srcset="javascript:alert(1) 1x" }'
    ),
    "attribute-list-on-the-paragraph": (
        '![Cranes](photo:{ID})\n{: onclick="alert(1)" data-hx-get="/editor/" }'
    ),
    "nested-in-javascript-link": "[![Cranes](photo:{ID})](javascript:alert(1))",
    "nested-in-embed-link": "[![Cranes](photo:{ID})](https://youtu.be/Ab3_dE-9xYz)",
    "nested-in-markdown-div": '<div markdown="1" style="color:red">![Cranes](photo:{ID})</div>',
    "nested-in-footnote": 'Text[^1]\n\n[^1]: ![Cranes](photo:{ID} "<script>alert(1)</script>")',
    "nested-in-table": '| a |\n|---|\n| ![Cranes](photo:{ID} "x | <b onclick=alert(1)>y</b>") |',
}

# Corrections and updates, as an editor types them (at most 2,000 characters).
NOTES = {
    "script": "The port's tonnage was wrong. <script>alert(1)</script>",
    "script-end-for-json-ld": "It is 1.2m, not 2m. </script><script>alert(1)</script>",
    "image-handler": "Corrected figure: <img src=x onerror=alert(1)>",
    "javascript-link": "See [the ministry's statement](javascript:alert(1)).",
    "entity-encoded-link": "See [the statement](&#106;avascript:alert(1)).",
    "data-link": f"See [the statement](data:text/html;base64,{HTML_SCRIPT_B64}).",
    "style-attribute": '<span style="position:fixed;inset:0">We regret the error.</span>',
    "htmx-attributes": '<p hx-get="/editor/" hx-trigger="load" data-hx-post="/x">Update.</p>',
    "attribute-list": 'We regret the error.\n{: onclick="alert(1)" style="color:red" }',
    "photo-snippet": '![Cranes](photo:{ID} "The port | <img src=x onerror=alert(1)>")',
    "photo-address-as-link": "[the photo](photo:{ID}) and <a href='pho&#9;to:{ID}'>again</a>",
    "embed-with-quote-breakout": 'https://youtu.be/Ab3_dE-9xYz"onmouseover="alert(1)',
    "iframe-and-form": (
        '<iframe src="https://evil.example"></iframe>'
        '<form action="https://evil.example"><input name="password"></form>'
    ),
    "svg-and-math": "<svg onload=alert(1)></svg><math><mtext><table><mglyph><style>"
    "<img src=x onerror=alert(1)>",
    "footnote-payload": "Corrected.[^1]\n\n[^1]: <img src=x onerror=alert(1)>",
    "long-with-payloads": ("We regret the error. " * 80) + '<a href="javascript:alert(1)">x</a>',
}
ARABIC_DIGITS = str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩")
FIGURE_TAGS = ["figure", "img", "figcaption", "span"]
INLINE_FIGURE = re.compile(r'<figure class="inline-photo">.*?</figure>', re.S)
SAFE_SCHEMES = {None, "http", "https", "mailto"}


@pytest.fixture
def photo(app):
    stored = store_photo(image_bytes(size=(1800, 1200)), "A harbour crane", "Ines Varga")
    db.session.commit()
    return stored


def with_photo(text: str, photo: Photo) -> str:
    arabic = str(photo.id).translate(ARABIC_DIGITS)
    return text.replace("{ID}", str(photo.id)).replace("{ARABIC_ID}", arabic)


class FigureParts(HTMLParser):
    """What a reader's browser reads in one inline-photo figure: its tags, and the caption and
    credit as text."""

    def __init__(self, html: str) -> None:
        super().__init__(convert_charrefs=True)
        self.start_tags: list[tuple[str, dict[str, str | None]]] = []
        self.open: list[str] = []
        self.caption = ""
        self.credit = ""
        self.feed(html)
        self.close()

    def handle_starttag(self, tag, attrs) -> None:
        self.start_tags.append((tag, dict(attrs)))
        if tag != "img":
            self.open.append(tag)

    def handle_endtag(self, tag) -> None:
        self.open.pop()

    def handle_data(self, data) -> None:
        if self.open[-1:] == ["span"]:
            self.credit += data
        elif self.open[-1:] == ["figcaption"]:
            self.caption += data


def assert_figure_as_written(html: str) -> None:
    """The figure is what figure() writes for the photo it shows and the words it holds: no
    attribute, element or address that did not come from there."""
    parts = FigureParts(html)
    tags = [tag for tag, _ in parts.start_tags]
    assert tags in (FIGURE_TAGS[:2], FIGURE_TAGS[:3], FIGURE_TAGS), html
    img = parts.start_tags[1][1]
    ours = re.fullmatch(r"/photos/([0-9a-f]+)-[0-9]+\.webp", img["src"] or "")
    assert ours, html
    photo = db.session.scalars(db.select(Photo).filter_by(digest=ours[1])).one()
    credit = ""
    if "span" in tags:
        assert parts.credit.startswith("Photo: "), html
        credit = parts.credit.removeprefix("Photo: ")
    caption = parts.caption.removesuffix(" ") if credit else parts.caption
    eager = "loading" not in img
    assert html == figure(photo, img["alt"] or "", caption, credit, eager=eager)


def assert_nothing_runs(html: str) -> None:
    """No script, event handler, style, htmx attribute or javascript:/data: address, as a
    browser parses the HTML (character references decoded)."""
    assert "<script" not in html.lower(), html
    for tag, attrs in Elements(html).start_tags:
        assert tag not in ("script", "style", "iframe", "object", "embed", "form"), html
        for name, value in attrs:
            assert not name.startswith("on"), f"<{tag} {name}> in {html!r}"
            assert name != "style", f"<{tag} style> in {html!r}"
            assert not name.startswith(("hx-", "data-hx-")), f"<{tag} {name}> in {html!r}"
            if name in ("href", "src"):
                assert url_scheme(value or "") in SAFE_SCHEMES, f"{name}={value!r} in {html!r}"
            if name == "srcset":
                for candidate in (value or "").split(","):
                    address = candidate.split()[0]
                    # Feeds serve the site's own addresses absolute.
                    address = address.removeprefix("http://localhost")
                    assert url_scheme(address) is None and address.startswith("/photos/"), html


def assert_harmless(html: str) -> None:
    assert_nothing_runs(html)
    for found in INLINE_FIGURE.findall(html):
        assert_figure_as_written(found)
    assert_safe(INLINE_FIGURE.sub("", html))


def article_body(page: str) -> str:
    return page.split('class="prose article-body" data-hx-disable>', 1)[1].split("</article>")[0]


def note_texts(page: str) -> list[str]:
    """The text of each note on a page (article or corrections log), inside its container."""
    return re.findall(r'<div class="prose" data-hx-disable>(.*?)</div>\n\s*</li>', page, re.S)


def test_the_corpus_aims_at_least_30_inputs_at_photos_and_more_at_notes():
    assert len(PHOTO_SNIPPETS) >= 30 and len(NOTES) >= 10


def test_the_checks_catch_what_they_should(photo):
    """Each kind of leak, in or around a figure, would fail the checks above."""
    good = figure(photo, "Cranes", "Dawn", "Ines")
    leaks = [
        good.replace("<figure ", '<figure style="color:red" '),
        good.replace("<figure ", '<figure data-hx-get="/x" '),
        good.replace("<img ", '<img onerror="alert(1)" '),
        good.replace("<img ", '<img title="extra" '),
        good.replace("<figcaption>", '<figcaption class="x">'),
        good.replace("Dawn", "Dawn<b>!</b>"),
        good.replace('sizes="', 'srcset="javascript:alert(1) 1x" sizes="'),
        good.replace('srcset="', 'srcset="data:image/png;base64,AA 1x, '),
        good.replace("/photos/", "https://evil.example/photos/", 1),
        good + '<p hx-get="/x">a</p>',
        good + '<a href="jav&#x09;ascript:x">a</a>',
        good + '<img src="data:image/png;base64,AA">',
        good + "<script>x</script>",
    ]
    assert_harmless(good)
    for leak in leaks:
        with pytest.raises(AssertionError):
            assert_harmless(leak)


@pytest.mark.parametrize("name", PHOTO_SNIPPETS)
def test_a_hostile_photo_snippet_is_harmless_stored_and_served(client, add_article, photo, name):
    # First and further down: a figure among the first blocks is written to load at once.
    snippet = with_photo(PHOTO_SNIPPETS[name], photo)
    body = f"{snippet}\n\nA paragraph between.\n\nAnother one.\n\n{snippet}\n\nThe end.\n"
    article = add_article("A hostile figure", slug="hostile-figure", body=body)
    assert_harmless(article.lead_html + article.rest_html)
    page = client.get("/articles/hostile-figure")
    assert page.status_code == 200
    assert_harmless(article_body(page.get_data(as_text=True)))


def test_the_corpus_reaches_the_figure_it_aims_at(add_article, photo):
    """Inputs that are well-formed snippets still make figures, so the checks above judged the
    figure's words and not an empty page."""
    for name in ("caption-quote-breakout", "caption-closes-the-paragraph", "caption-very-long"):
        body = with_photo(PHOTO_SNIPPETS[name], photo)
        html = add_article(slug=name, body=body).lead_html
        assert len(INLINE_FIGURE.findall(html)) == 1, name
        assert "<figcaption>" in html and 'class="credit"' in html, name


# --- Corrections and updates ------------------------------------------------------------------


@pytest.fixture
def editor(app, client, monkeypatch):
    prepare_editor_tests(app, monkeypatch)
    make_user("editor@example.org", role="editor")
    sign_in(client, "editor@example.org")
    return client


def corrections_feed_contents(feed: str) -> list[str]:
    return [unescape(found) for found in re.findall(r"<content [^>]*>(.*?)</content>", feed, re.S)]


@pytest.mark.parametrize("name", NOTES)
def test_a_hostile_correction_is_harmless_stored_and_served(editor, add_article, photo, name):
    article = add_article("The grain corridor", slug="grain")
    text = with_photo(NOTES[name], photo)
    response = editor.post(
        f"/editor/articles/{article.id}/notes", data={"kind": "correction", "text": text}
    )
    assert response.status_code == 303
    [note] = db.session.scalars(db.select(ArticleNote)).all()
    assert_harmless(note.text_html)
    page = editor.get("/articles/grain").get_data(as_text=True)
    [on_the_article] = note_texts(page)
    assert on_the_article == note.text_html
    assert_harmless(on_the_article)
    [in_the_log] = note_texts(editor.get("/corrections").get_data(as_text=True))
    assert_harmless(in_the_log)
    # The feed's copy has absolute addresses, so it is not figure()'s to the letter.
    [content] = corrections_feed_contents(editor.get("/feeds/corrections.atom").get_data(True))
    assert_nothing_runs(content)
    # The JSON-LD stays data: it parses (a "</script>" in it would cut it short), and its
    # correction is the note's text.
    news = json.loads(re.search(r'<script type="application/ld\+json">(.*?)</script>', page)[1])
    [correction] = news["correction"]
    assert correction["text"] == plain_text(note.text_html).strip()


@pytest.mark.parametrize("kind", ["<script>alert(1)</script>", 'correction" onclick="alert(1)'])
def test_a_hostile_kind_of_note_is_refused_and_nothing_stored(editor, add_article, kind):
    article = add_article("The grain corridor", slug="grain")
    response = editor.post(
        f"/editor/articles/{article.id}/notes", data={"kind": kind, "text": "A correction."}
    )
    assert response.status_code == 422
    assert "<script>alert" not in response.get_data(as_text=True)
    assert db.session.scalar(db.select(db.func.count(ArticleNote.id))) == 0


def test_hostile_note_lines_in_an_imported_file_are_harmless(runner, tmp_path, photo):
    one_line = [text for text in NOTES.values() if "\n" not in text]
    lines = [f"note: 2026-11-2{n % 8 + 1} 10:0{n % 10} | correction | " for n in range(99)]
    header = "title: The grain corridor\nslug: grain\npublished: 2026-11-20 09:00\n"
    notes = "".join(
        f"{prefix}{with_photo(text, photo)}\n"
        for prefix, text in zip(lines, one_line, strict=False)
    )
    path = tmp_path / "grain.md"
    path.write_text(header + notes + "\nThe body.\n", encoding="utf-8")
    result = runner.invoke(args=["import-article", str(path)])
    assert result.exit_code == 0, result.output
    stored = db.session.scalars(db.select(ArticleNote)).all()
    assert len(stored) == len(one_line)
    for note in stored:
        assert_harmless(note.text_html)
