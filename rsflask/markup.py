"""Markdown to safe HTML: the only place where HTML that the site trusts is made.

Python-Markdown passes raw HTML through untouched (it has no safe mode any more), so its output
always goes through nh3, an allowlist sanitiser. nh3 replaces bleach, which is unmaintained.
"""

import re
from typing import NamedTuple

from flask import current_app

from rsflask import embeds, inline_photos, markup_budget
from rsflask.models.photos import Photo
from rsflask.stored_html import top_level_ends

# What render() raises, named here for the views that catch it.
TooComplex = markup_budget.TooComplex

ALLOWED_TAGS = {
    "p",
    "br",
    "hr",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "strong",
    "em",
    "b",
    "i",
    "s",
    "del",
    "ins",
    "sub",
    "sup",
    "small",
    "mark",
    "abbr",
    "cite",
    "q",
    "ul",
    "ol",
    "li",
    "dl",
    "dt",
    "dd",
    "blockquote",
    "a",
    "img",
    "figure",
    "figcaption",
    "table",
    "thead",
    "tbody",
    "tfoot",
    "tr",
    "th",
    "td",
    "caption",
    "code",
    "pre",
    "kbd",
    "samp",
    "div",
    "span",
}
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "img": {"src", "alt", "title", "width", "height"},
    "abbr": {"title"},
    "ol": {"start"},
    "th": {"colspan", "rowspan", "scope"},
    "td": {"colspan", "rowspan"},
    "li": {"id"},
    "sup": {"id"},
}
# Only the footnote extension's own ids and classes survive, so that text can't clobber the page's.
# (Classes are listed apart: nh3 refuses "class" in ALLOWED_ATTRIBUTES beside allowed_classes.)
FOOTNOTE_ID = re.compile(r"fn(ref\d*)?:[\w .:-]{1,100}")
ALLOWED_CLASSES = {"div": {"footnote"}, "code": {"language-" + x for x in ("python", "json")}}
# "photo" names a photo of the library (inline_photos.py), and only in an <img src>.
URL_SCHEMES = {"http", "https", "mailto", "photo"}

MARKDOWN_EXTENSIONS = ["extra", "sane_lists", "smarty"]
MARKDOWN_CONFIG = {"footnotes": {"BACKLINK_TEXT": "↩"}}
HEADING_TAG = re.compile(r"<(/?)h([1-6])\b", re.IGNORECASE)


# A browser drops tabs and line breaks anywhere in a URL, and controls and spaces around it: to
# it "pho&#9;to:1" is photo:1 (nh3 reads the scheme that way too, and lets it through).
URL_IGNORED_INSIDE = re.compile(r"[\t\n\r]")
URL_IGNORED_AROUND = "".join(map(chr, range(0x21)))


def _url_as_read(value: str) -> str:
    return URL_IGNORED_INSIDE.sub("", value).strip(URL_IGNORED_AROUND).lower()


def _keep_attribute(element: str, attribute: str, value: str) -> str | None:
    if attribute in ("href", "src") and _url_as_read(value).startswith(inline_photos.SCHEME):
        is_snippet = element == "img" and attribute == "src"
        return value if is_snippet and re.fullmatch(r"photo:\d{1,18}", value) else None
    if attribute == "id":
        return value if FOOTNOTE_ID.fullmatch(value) else None
    return value


def sanitise(html: str) -> str:
    """Keep only allowlisted tags, attributes, classes and URL schemes."""
    import nh3  # (see render_text)

    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        clean_content_tags={"script", "style", "template", "textarea", "noscript", "iframe"},
        attributes=ALLOWED_ATTRIBUTES,
        attribute_filter=_keep_attribute,
        allowed_classes=ALLOWED_CLASSES,
        url_schemes=URL_SCHEMES,
        link_rel="noopener noreferrer",
        set_tag_attribute_values={"img": {"loading": "lazy", "decoding": "async"}},
    )


class Rendered(NamedTuple):
    html: str
    # The library photos the text shows, and what the editor's preview should warn about.
    photos: list[Photo]
    problems: list[str]


def render(text: str) -> str:
    """Markdown source to sanitised HTML; TooComplex (with a reason for the editor) instead when
    it would take Python-Markdown or the sanitiser too long (see markup_budget.py)."""
    return render_text(text).html


def render_text(text: str) -> Rendered:
    """render(), with the photos the text shows and the problems an editor should see."""
    # Imported on first use: readers' pages show stored HTML, and a worker that only serves them
    # is spared the 3 MB that Python-Markdown and nh3 take.
    import markdown

    markup_budget.check_markdown(text)
    with markup_budget.cpu_seconds(markup_budget.seconds_for(text)):
        try:
            html = markdown.markdown(
                text,
                extensions=MARKDOWN_EXTENSIONS,
                extension_configs=MARKDOWN_CONFIG,
                output_format="html",
            )
        except RecursionError:
            # Python-Markdown recurses once per level of nested lists and quotes.
            raise markup_budget.TooComplex(markup_budget.TOO_DEEP) from None
        markup_budget.check_html(html)
        # Embeds and figures come after the sanitiser: their markup is ours.
        html = embeds.expand(sanitise(top_heading_level_2(html)))
    return Rendered(*inline_photos.expand(html))


def top_heading_level_2(html: str) -> str:
    """Shift a body's headings so that its highest is an <h2>, keeping their relative levels.

    The page's headline is its only <h1>, and screen-reader users move by heading level: a body
    whose sections are "## ..." (or "# ...", or "### ...") must not jump from h1 to h3.
    """
    levels = [int(level) for _, level in HEADING_TAG.findall(html)]
    if not levels or min(levels) == 2:
        return html
    shift = 2 - min(levels)
    return HEADING_TAG.sub(lambda m: f"<{m.group(1)}h{min(int(m.group(2)) + shift, 6)}", html)


def set_body(article, text: str) -> None:
    """Give `article` the Markdown `text` as its body, with the sanitised HTML (split where the
    teaser ends) and the word count that readers' pages show: made when an article is saved, never
    per request. TooComplex leaves the article as it was. Works on a page too."""
    rendered = render_text(text)
    lead_html, rest_html = split_teaser(rendered.html, current_app.config["TEASER_BLOCKS"])
    article.lead_html, article.rest_html = lead_html, rest_html
    article.inline_photos = rendered.photos
    article.word_count = word_count(text)
    article.body_md = text


def split_teaser(html: str, blocks: int) -> tuple[str, str]:
    """Split sanitised HTML after its first `blocks` top-level elements: (lead, rest)."""
    ends = top_level_ends(html)
    if len(ends) <= blocks:
        return html, ""
    cut = ends[blocks - 1]
    return html[:cut], html[cut:]


def word_count(text: str) -> int:
    return len(re.findall(r"\w+", text))
