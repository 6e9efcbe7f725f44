"""Reading back stored, sanitised HTML: the teaser split points, absolute links, plain text."""

from rsflask.stored_html import plain_text, top_level_ends, with_absolute_links

HTML = '<p>Caf&eacute; &amp; <a href="/a?b=1&amp;c=2">bar</a></p>\n<hr>\n<p>One<br />two</p>'


def test_top_level_elements_end_where_their_closing_tag_does():
    ends = top_level_ends(HTML)
    assert [HTML[:end].rsplit("\n", 1)[-1] for end in ends] == [
        '<p>Caf&eacute; &amp; <a href="/a?b=1&amp;c=2">bar</a></p>',
        "<hr>",
        "<p>One<br />two</p>",
    ]
    assert top_level_ends("") == []


def test_links_become_absolute_and_everything_else_stays_as_written():
    absolute = with_absolute_links(HTML, "https://example.org/articles/x")
    assert absolute == HTML.replace(
        'href="/a?b=1&amp;c=2"', 'href="https://example.org/a?b=1&amp;c=2"'
    )


def test_each_address_of_a_srcset_becomes_absolute_and_the_widths_stay():
    html = (
        '<figure class="inline-photo"><img src="/photos/a-800.webp"'
        ' srcset="/photos/a-480.webp 480w, /photos/a-800.webp 800w"'
        ' sizes="(min-width: 42rem) 40rem, 100vw" width="800" height="600" alt="A"></figure>'
    )
    assert with_absolute_links(html, "https://example.org/articles/x") == html.replace(
        '"/photos/a-800.webp"', '"https://example.org/photos/a-800.webp"'
    ).replace(
        "/photos/a-480.webp 480w, /photos/a-800.webp 800w",
        "https://example.org/photos/a-480.webp 480w, https://example.org/photos/a-800.webp 800w",
    )


def test_plain_text_reads_entities_and_joins_inline_tags_only():
    assert " ".join(plain_text(HTML).split()) == "Café & bar One two"
    assert plain_text("<p>over<b>seas</b></p>").strip() == "overseas"
