"""Texts that would take the renderer too long are refused with a reason; real articles are not.

No test here times anything: each asserts which check refuses a shape (or that none does), and
the CPU-time backstop is tested with a budget far below what the text needs.
"""

import gc
import re
import signal
from pathlib import Path

import markdown
import pytest

from rsflask import embeds, inline_photos, markup, markup_budget
from rsflask.article_files import split_header

BODY_LIMIT = markup_budget.MAX_CHARACTERS
DEMO_ARTICLES = sorted((Path(markup.__file__).parent / "demo" / "articles").glob("*.md"))


def at_limit(unit: str, tail: str = "") -> str:
    return unit * ((BODY_LIMIT - len(tail)) // len(unit)) + tail


# Quadratic in Python-Markdown: refused by check_markdown before any rendering.
MARKDOWN_SHAPES = {
    "open brackets": at_limit("["),
    "open image brackets": at_limit("!["),
    "a footnote referred to again and again": at_limit("[^1]", "\n\n[^1]: A note."),
    "links without a closing parenthesis": at_limit("[a]("),
    "deeply nested brackets": "[" * (BODY_LIMIT // 2) + "]" * (BODY_LIMIT // 2),
    "emphasis of brackets": at_limit("*["),
    "abbreviations": at_limit("*[A]: An abbreviation\n"),
}
# Quadratic in the sanitiser, which no signal can stop: refused by check_html before it runs.
HTML_SHAPES = {
    "nested raw HTML blocks": "<div>" * 1_000,
    "nested quotes": "<blockquote>" * 1_000,
    "ampersands in one paragraph": "<p>" + "&amp;" * 20_000 + "</p>",
    "no-break spaces in one paragraph": "<p>" + "&nbsp;" * 20_000 + "</p>",
    "bare ampersands in raw HTML": "<div>" + "&" * 20_000 + "</div>",
}


NH3_ADDED = re.compile(r' (?:loading="lazy"|decoding="async")')


def unguarded(text: str) -> str:
    """The pipeline without the budget: Python-Markdown, the sanitiser, then embeds and photos."""
    html = markdown.markdown(
        text,
        extensions=markup.MARKDOWN_EXTENSIONS,
        extension_configs=markup.MARKDOWN_CONFIG,
        output_format="html",
    )
    html = embeds.expand(markup.sanitise(markup.top_heading_level_2(html)))
    return inline_photos.expand(html).html


@pytest.mark.parametrize("text", MARKDOWN_SHAPES.values(), ids=MARKDOWN_SHAPES.keys())
def test_a_quadratic_markdown_shape_at_the_body_limit_is_refused_before_rendering(text):
    with pytest.raises(markup.TooComplex, match=r"^This text is too complex to format: "):
        markup_budget.check_markdown(text)


@pytest.mark.parametrize("html", HTML_SHAPES.values(), ids=HTML_SHAPES.keys())
def test_a_quadratic_html_shape_is_refused_before_the_sanitiser(html):
    with pytest.raises(markup.TooComplex, match=r"^This text is too complex to format: "):
        markup_budget.check_html(html)


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("[" * 5000, "too many brackets"),
        ("[^1]" * 8000 + "\n\n[^1]: A note.", "the footnote [^1] is referred to 8,000 times"),
        ("> " * 1000 + "Deep.", "nests quotes, lists or HTML blocks more than 100 deep"),
        ("&" * 20_000, "more than 10,000 & signs"),
        ("- " * 1000 + "A list in a list in a list...", "more than 100 deep"),
    ],
)
def test_render_says_why_it_refuses_a_text(text, reason):
    with pytest.raises(markup.TooComplex, match="too complex to format") as refused:
        markup.render(text)
    assert reason in str(refused.value)


def test_a_render_over_its_cpu_budget_is_refused_and_leaves_no_timer_behind(monkeypatch):
    monkeypatch.setattr(markup_budget, "SECONDS_FREE", 0.001)
    monkeypatch.setattr(markup_budget, "SECONDS_PER_CHARACTER", 0)
    handler = signal.getsignal(signal.SIGPROF)
    with pytest.raises(markup.TooComplex, match="it would take too long to format"):
        markup.render("*a" * 50_000)
    assert signal.getitimer(signal.ITIMER_PROF) == (0.0, 0.0)
    assert signal.getsignal(signal.SIGPROF) is handler


def test_a_render_within_its_budget_leaves_no_timer_behind():
    handler = signal.getsignal(signal.SIGPROF)
    assert markup.render("*Hello*") == "<p><em>Hello</em></p>"
    assert signal.getitimer(signal.ITIMER_PROF) == (0.0, 0.0)
    assert signal.getsignal(signal.SIGPROF) is handler


def test_entities_the_sanitiser_handles_in_linear_time_are_not_counted():
    entities = "&lt;&gt;&quot;&rsquo;&#8217;" * 20_000
    markup_budget.check_html(f"<pre><code>{entities}</code></pre>")


def test_links_whose_brackets_close_at_once_pass_the_bracket_check_however_many():
    markup_budget.check_markdown("[a link](https://example.org/a/page) and text " * 4_000)


def test_brackets_left_open_are_forgotten_at_the_end_of_their_paragraph():
    markup_budget.check_markdown("A [ten [brackets [never [closed [[[[[[.\n\n" + "word " * 35_000)


@pytest.mark.parametrize("path", DEMO_ARTICLES, ids=[path.stem for path in DEMO_ARTICLES])
def test_every_demo_article_renders_exactly_as_without_the_budget(path):
    body = split_header(path.read_text(encoding="utf-8"))[1]
    rendered, expected = markup.render(body), unguarded(body)
    # nh3 adds an image's loading and decoding attributes in either order.
    assert sorted(NH3_ADDED.findall(rendered)) == sorted(NH3_ADDED.findall(expected))
    assert NH3_ADDED.sub("", rendered) == NH3_ADDED.sub("", expected)


def test_an_article_at_the_length_limit_passes_the_checks_within_about_200_ms():
    bodies = [split_header(path.read_text(encoding="utf-8"))[1] for path in DEMO_ARTICLES]
    text = "\n\n".join(bodies * 10)[:BODY_LIMIT]
    assert markup.word_count(text) > 25_000
    markup_budget.check_markdown(text)
    markup_budget.check_html(unguarded(text))
    assert markup_budget.seconds_for(text) <= 0.25


def test_a_text_over_the_length_limit_is_refused_with_its_length():
    with pytest.raises(markup_budget.TooComplex, match="200,001 characters long; at most 200,000"):
        markup.render("a" * (BODY_LIMIT + 1))


def test_a_garbage_collection_never_runs_on_a_renders_budget():
    """A full collection of a large heap can cost more than the budget, and the signal would be
    lost inside one of its callbacks: collection waits until the render is done."""
    assert gc.isenabled()
    with markup_budget.cpu_seconds(1.0):
        assert not gc.isenabled()
    assert gc.isenabled()
