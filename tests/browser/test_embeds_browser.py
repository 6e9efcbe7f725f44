"""Embeds in the real browser: an article with one of every kind loads nothing from any other
host, with JavaScript on or off; pressed (or reached by keyboard and pressed), a facade swaps in
its player, as tightly sandboxed as the provider allows; axe finds nothing in light or dark."""

from urllib.parse import urlsplit

import pytest
from playwright.sync_api import expect

from rsflask.article_files import ArticleFile
from rsflask.article_import import save_article
from rsflask.db import db, utcnow
from rsflask.models import Article
from tests.browser.test_accessibility import axe_source, axe_violations
from tests.test_embeds import PROVIDER_LINKS

pytestmark = pytest.mark.browser

BODY = "\n\n".join(
    [
        "Opening paragraph of the story with embeds.",
        "[Ministers at the port, on camera](https://youtu.be/Ab3_dE-9xYz)",
        *(url for url, _, _ in PROVIDER_LINKS[2:]),
        "https://bsky.app/profile/crosswind.example/post/3kxyzabc",
        "[The ministry's report](https://example.org/reports/2026)",
        "Closing paragraph of the story with embeds.",
    ]
)


@pytest.fixture
def embeds_article(live_server):
    with live_server.app.app_context():
        save_article(
            ArticleFile(
                title="A story with every embed",
                slug="embeds-story",
                body=BODY,
                section="Europe",
                type="Analysis",
                authors=["Ada Writer"],
                published=utcnow(),
            )
        )
        db.session.commit()
    yield f"{live_server}/articles/embeds-story"
    with live_server.app.app_context():
        db.session.delete(
            db.session.scalars(db.select(Article).filter_by(slug="embeds-story")).one()
        )
        db.session.commit()


def requests_elsewhere(page, live_server) -> list[str]:
    """Every request the page makes to a host other than the site's; answered with nothing."""
    own = urlsplit(live_server).netloc
    elsewhere: list[str] = []

    def handle(route) -> None:
        if urlsplit(route.request.url).netloc == own:
            route.continue_()
        else:
            elsewhere.append(route.request.url)
            route.fulfill(status=204)

    page.context.route("**/*", handle)
    return elsewhere


def test_an_article_with_every_kind_of_embed_asks_no_other_host(page, live_server, embeds_article):
    elsewhere = requests_elsewhere(page, live_server)
    page.goto(embeds_article)
    page.wait_for_load_state("networkidle")
    figures = page.locator(".article-body figure.embed")
    expect(figures).to_have_count(len(PROVIDER_LINKS) - 1 + 2)
    expect(page.locator(".article-body iframe")).to_have_count(0)
    # Each facade names its provider and links to the provider's own page.
    expect(figures.first).to_contain_text("YouTube")
    expect(figures.first).to_contain_text("Ministers at the port, on camera")
    buttons = page.locator(".article-body .embed-play")
    # A button for every embed with a player (Bluesky by handle and the card have none), and
    # only where JavaScript can act on it.
    expect(buttons).to_have_count(len(PROVIDER_LINKS) - 1 if page.js_enabled else 0)
    assert elsewhere == []


def test_pressing_play_swaps_in_the_sandboxed_player_in_place(js_page, live_server, embeds_article):
    page = js_page
    elsewhere = requests_elsewhere(page, live_server)
    page.goto(embeds_article)
    figure = page.locator(".article-body figure.embed").first
    figure.get_by_role("button", name="Play video").click()
    frame = figure.locator("iframe")
    expect(frame).to_have_attribute(
        "src", "https://www.youtube-nocookie.com/embed/Ab3_dE-9xYz?autoplay=1"
    )
    expect(frame).to_have_attribute("title", "YouTube: Ministers at the port, on camera")
    expect(frame).to_have_attribute(
        "sandbox",
        "allow-scripts allow-same-origin allow-popups allow-popups-to-escape-sandbox "
        "allow-presentation",
    )
    expect(frame).to_have_attribute(
        "allow", "autoplay; encrypted-media; fullscreen; picture-in-picture"
    )
    expect(frame).to_have_attribute("referrerpolicy", "strict-origin-when-cross-origin")
    expect(figure.get_by_role("button")).to_have_count(0)
    page.wait_for_load_state("networkidle")
    # Only the player asked for was contacted, and the page's policy let it in.
    assert {urlsplit(url).netloc for url in elsewhere} == {"www.youtube-nocookie.com"}


def test_a_facade_works_from_the_keyboard_alone(js_page, live_server, embeds_article):
    page = js_page
    requests_elsewhere(page, live_server)
    page.goto(embeds_article)
    chart = page.locator('.article-body figure[data-provider="Datawrapper"]').first
    chart.get_by_role("button", name="Show chart").focus()
    page.keyboard.press("Enter")
    expect(chart.locator("iframe")).to_have_attribute("title", "Datawrapper chart")
    # The reader lands in the player they asked for.
    assert page.evaluate("document.activeElement.tagName") == "IFRAME"


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_axe_finds_no_violation_on_an_article_with_every_embed(
    js_page, live_server, embeds_article, scheme
):
    page = js_page
    requests_elsewhere(page, live_server)
    page.emulate_media(color_scheme=scheme)
    page.add_init_script(script=axe_source())
    page.goto(embeds_article)
    page.wait_for_load_state("networkidle")
    violations = axe_violations(page)
    assert violations == [], "\n".join(violations)
