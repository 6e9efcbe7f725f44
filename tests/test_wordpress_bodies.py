"""WordPress post content to our Markdown: blocks, classic HTML, shortcodes, photos, embeds and
footnotes, and the check that readers get the same text."""

from types import SimpleNamespace

import pytest

from rsflask import markup
from rsflask.wordpress import blocks, bodies
from rsflask.wordpress.wxr import Attachment

ATTACHMENTS = {
    5: Attachment(5, "https://old.example/wp-content/uploads/2024/03/wheat.jpg", alt="Wheat"),
    6: Attachment(6, "https://old.example/wp-content/uploads/2024/03/ship.jpg", caption="A ship"),
}


class Photos:
    """Stands in for the images module: every image is found, as photo 100, 101..., unless its
    address says "missing"."""

    def __init__(self) -> None:
        self.asked: list[tuple[str, int | None, str]] = []

    def __call__(self, url: str, attachment_id: int | None, alt: str):
        self.asked.append((url, attachment_id, alt))
        if "missing" in url:
            return None
        return SimpleNamespace(id=99 + len(self.asked), alt="Library alt")


def convert(content: str, reusable=None, footnotes="", post_id=1) -> tuple[bodies.Body, Photos]:
    problems: list[str] = []
    html = blocks.prepare(content, post_id, reusable or {}, ATTACHMENTS, problems)
    photos = Photos()
    body = bodies.convert(html, photos, footnotes)
    body.problems[:0] = problems
    return body, photos


def test_block_comments_are_stripped_and_the_blocks_become_markdown(app):
    body, _ = convert(
        "<!-- wp:heading -->\n<h2>What changed</h2>\n<!-- /wp:heading -->\n\n"
        '<!-- wp:paragraph {"fontSize":"small"} -->\n<p class="has-small-font-size">One '
        '<strong>bold</strong> and <em>quiet</em> <a href="https://example.org/a_b">link</a>.'
        "</p>\n<!-- /wp:paragraph -->\n\n"
        "<!-- wp:list -->\n<ul><!-- wp:list-item -->\n<li>first</li>\n<!-- /wp:list-item -->"
        "\n<!-- wp:list-item -->\n<li>second</li>\n<!-- /wp:list-item --></ul>\n<!-- /wp:list -->"
        '\n\n<!-- wp:quote -->\n<blockquote class="wp-block-quote"><p>Said once.</p>'
        "<cite>Someone</cite></blockquote>\n<!-- /wp:quote -->"
    )
    assert body.markdown == (
        "## What changed\n\n"
        "One **bold** and *quiet* [link](https://example.org/a_b).\n\n"
        "- first\n- second\n\n"
        "> Said once.\n>\n> <cite>Someone</cite>\n"
    )
    assert body.problems == []
    assert bodies.text_lost(body, markup.render(body.markdown)) is None


def test_classic_content_gets_paragraphs_and_line_breaks_as_wordpress_shows_it(app):
    body, _ = convert(
        "First paragraph, which runs on.\n\nSecond one\nwith a line break.\n"
        "<h2>A heading</h2>\nText right after it.\n<ul>\n\t<li>one</li>\n</ul>\nAfter the list."
    )
    assert body.markdown == (
        "First paragraph, which runs on.\n\nSecond one  \nwith a line break.\n\n"
        "## A heading\n\nText right after it.\n\n- one\n\nAfter the list.\n"
    )


def test_text_that_looks_like_markdown_stays_text(app):
    body, _ = convert(
        "<p>2024. A year of *stars*, [brackets], back\\slash, &lt;b&gt;, 5 &gt; 3 &amp; "
        "&amp;amp; under_scores</p><p># not a heading</p><p>- not a list</p>"
    )
    rendered = markup.render(body.markdown)
    assert "<b>" not in rendered
    assert "<h2>" not in rendered and "<li>" not in rendered
    assert bodies.text_lost(body, rendered) is None


def test_images_become_photo_snippets_with_their_captions_on_lines_of_their_own(app):
    body, photos = convert(
        '<!-- wp:image {"id":5} -->\n<figure class="wp-block-image size-large">'
        '<img src="https://old.example/wp-content/uploads/2024/03/wheat-1024x683.jpg" '
        'alt="Rows of wheat" class="wp-image-5"/><figcaption class="wp-element-caption">'
        "In the <em>field</em>.</figcaption></figure>\n<!-- /wp:image -->\n\n"
        '<!-- wp:paragraph -->\n<p>Before <img src="https://old.example/inline.png" alt=""> '
        "after.</p>\n<!-- /wp:paragraph -->"
    )
    assert photos.asked == [
        ("https://old.example/wp-content/uploads/2024/03/wheat-1024x683.jpg", 5, "Rows of wheat"),
        ("https://old.example/inline.png", None, ""),
    ]
    assert body.markdown == (
        '![Rows of wheat](photo:100 "In the field.")\n\n'
        "Before after.\n\n"
        "![Library alt](photo:101)\n"
    )


def test_a_caption_shortcode_and_a_gallery_shortcode_become_photos(app):
    body, photos = convert(
        '[caption id="attachment_9" align="alignright" width="300"]<img class="wp-image-9" '
        'src="https://old.example/wp-content/uploads/map-300x197.png" alt="A map" /> The coast.'
        '[/caption]\n\n[gallery ids="6,5"]'
    )
    assert [(url, attachment) for url, attachment, _ in photos.asked] == [
        ("https://old.example/wp-content/uploads/map-300x197.png", 9),
        (ATTACHMENTS[6].url, 6),
        (ATTACHMENTS[5].url, 5),
    ]
    assert body.markdown == (
        '![A map](photo:100 "The coast.")\n\n'
        '![Library alt](photo:101 "A ship")\n\n'
        "![Wheat](photo:102)\n"
    )


def test_a_missing_image_is_left_out_with_its_caption(app):
    body, _ = convert(
        '<figure class="wp-block-image"><img src="https://old.example/missing.jpg" alt="Gone">'
        "<figcaption>Its caption</figcaption></figure><p>The text goes on.</p>"
    )
    assert body.markdown == "The text goes on.\n"


@pytest.mark.parametrize(
    "content",
    [
        '<!-- wp:embed {"url":"https://www.youtube.com/watch?v=Qm4tXw2pL9s"} -->\n'
        '<figure class="wp-block-embed is-provider-youtube"><div class="wp-block-embed__wrapper">'
        "\nhttps://www.youtube.com/watch?v=Qm4tXw2pL9s\n</div></figure>\n<!-- /wp:embed -->",
        "[embed]https://www.youtube.com/watch?v=Qm4tXw2pL9s[/embed]",
        "Before.\n\nhttps://www.youtube.com/watch?v=Qm4tXw2pL9s\n\nAfter.",
        '<p><iframe src="https://www.youtube.com/embed/Qm4tXw2pL9s" width="560"></iframe></p>',
        '[video src="https://www.youtube.com/watch?v=Qm4tXw2pL9s"][/video]',
    ],
    ids=["embed block", "embed shortcode", "bare url", "iframe", "video shortcode"],
)
def test_a_provider_address_becomes_our_embed(app, content):
    body, _ = convert(content)
    assert "https://www.youtube.com/watch?v=Qm4tXw2pL9s\n" in body.markdown or (
        "https://www.youtube.com/embed/Qm4tXw2pL9s\n" in body.markdown
    )
    rendered = markup.render(body.markdown)
    assert 'data-provider="YouTube"' in rendered
    assert "<iframe" not in rendered
    assert body.problems == []


def test_hand_made_footnotes_and_wordpress_footnotes_become_markdown_footnotes(app):
    body, _ = convert(
        '<p>A claim.<sup><a href="#note-1" id="ref-1">1</a></sup> Another.<sup data-fn="abc" '
        'class="fn"><a href="#abc" id="abc-link">2</a></sup></p>'
        '<p id="note-1"><sup>1</sup> The source, <em>page 4</em>. <a href="#ref-1">↩</a></p>',
        footnotes='[{"content":"Second <strong>note</strong>.","id":"abc"}]',
    )
    assert body.markdown == (
        "A claim.[^1] Another.[^2]\n\n[^1]: The source, *page 4*.\n\n[^2]: Second **note**.\n"
    )
    rendered = markup.render(body.markdown)
    assert 'class="footnote"' in rendered
    assert bodies.text_lost(body, rendered) is None
    assert body.problems == []


def test_a_table_keeps_its_cells_and_a_pipe_inside_one(app):
    body, _ = convert(
        "<table><thead><tr><th>Month</th><th>Ships</th></tr></thead><tbody>"
        "<tr><td>January | early</td><td>41</td></tr></tbody></table>"
    )
    rendered = markup.render(body.markdown)
    assert "<td>January | early</td>" in rendered
    assert bodies.text_lost(body, rendered) is None


def test_what_the_site_cannot_show_is_reported_not_silently_lost(app):
    body, _ = convert(
        '<p>Text <u>underlined</u> and <font color="red">red</font>.</p>'
        '<script>alert(1)</script><iframe src="https://maps.example/embed?x=1"></iframe>'
        '<form action="/subscribe"><input name="email"></form>'
        '<p><a href="tel:+123">Call us</a> or <a href="#top">go up</a>.</p>'
        '<p>Read <a href="https://old.example/wp-content/uploads/2024/report.pdf">it</a>. <a '
        'href="https://old.example/wp-content/uploads/a.jpg"><img src="https://old.example/a.jpg">'
        "</a></p>"
        '<!-- wp:latest-posts /-->[contact-form-7 id="12" title="Contact"]'
        '[audio src="https://old.example/talk.mp3"]<!-- wp:block {"ref":77} /-->'
    )
    assert body.problems == [
        "the reusable block 77 is not in the export: left out",
        "the block 'latest-posts' is drawn by WordPress when a page is shown and has no text in "
        "the export: left out",
        "a [audio] (https://old.example/talk.mp3) is left out: the site plays no audio or video "
        "files of its own; link to it, or put it on a video or audio service and paste the link",
        "the shortcode [contact-form-7] of a WordPress plugin is left in the text as it was "
        "written: edit or remove it",
        "a <script> is left out: the site does not show one",
        "a <iframe> (https://maps.example/embed?x=1) is left out: the site does not show one",
        "a <form> (/subscribe) is left out: the site does not show one",
        "kept the text but not the formatting of <font> (1), <u> (1)",
        "the link 'Call us' (tel:+123) is kept as text: the site links only to web and email "
        "addresses",
        "the link 'go up' to #top within the text leads nowhere now: the site keeps no anchors "
        "in a body",
        "the link 'it' leads to a file of the old site "
        "(https://old.example/wp-content/uploads/2024/report.pdf), which is not imported: it "
        "breaks once the old domain points here, so put the file somewhere and change the link",
    ]
    assert "alert" not in body.markdown
    assert "Call us" in body.markdown and "tel:" not in body.markdown


def test_reusable_blocks_are_put_in_where_they_are_used(app):
    body, _ = convert(
        "<!-- wp:paragraph -->\n<p>Main.</p>\n<!-- /wp:paragraph -->\n"
        '<!-- wp:block {"ref":12} /-->',
        reusable={12: "<!-- wp:paragraph -->\n<p>Sign up, it is free.</p>\n<!-- /wp:paragraph -->"},
    )
    assert body.markdown == "Main.\n\nSign up, it is free.\n"


def test_a_text_changed_by_the_conversion_is_described(app):
    body = bodies.Body("", source_text="One two three four five six")
    lost = bodies.text_lost(body, "<p>One two three five six</p>")
    assert lost == "after “…One two three” the text said “four”, and now says “(nothing)”"
    # Python-Markdown's smarty extension makes typography of plain quotes, dashes and dots.
    smart = "It\u2019s \u201cquoted\u201d \u2013 and\u2026"
    assert bodies.text_lost(bodies.Body("", smart), '<p>It\'s "quoted" -- and...</p>') is None


def test_a_photo_that_does_not_show_is_counted_as_lost(app):
    body = bodies.Body("Text.\n\n![A](photo:7)\n", source_text="Text.")
    assert bodies.text_lost(body, "<p>Text.</p>") == "0 of the 1 photos in the text show"
