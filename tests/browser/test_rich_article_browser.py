"""An article holding every kind of content a story may have: a top photo, photos inside the body
(one with a caption and a credit, one with a credit only), embeds of each shape (video, audio,
post, chart, link card), a table, a footnote, a correction and an update. axe finds nothing on
it in light or dark, it fits a phone, and its photos load as the page asks them to.
"""

from datetime import timedelta

import pytest
from playwright.sync_api import expect

from rsflask.article_files import ArticleFile
from rsflask.article_import import save_article
from rsflask.db import db, utcnow
from rsflask.demo import demo_photo
from rsflask.models import Article
from rsflask.photos import store_photo
from tests.browser.test_accessibility import axe_source, axe_violations
from tests.browser.test_embeds_browser import requests_elsewhere

pytestmark = pytest.mark.browser

BODY = """The harbour authority's figures arrive late every spring, and this year they tell an odd
story: more ships, fewer tonnes.[^bulletin]

![Container cranes on the east quay at dawn, two of them idle](photo:FIRST "The east quay at six \
in the morning | Ines Varga")

Half the cranes on the east quay stood idle through March while the night shifts waited for
ships that were running a week late.

| Quarter | Ships | Tonnes |
| --- | ---: | ---: |
| First | 412 | 1.2m |
| Second | 398 | 1.1m |

[The harbour master on the spring figures](https://www.youtube.com/watch?v=Ab3_dE-9xYz)

https://soundcloud.com/crosswind/episode-12

https://mastodon.example/@harbour/112233445566

https://datawrapper.dwcdn.net/Xy7Zq/2/

[The port authority's annual report](https://example.org/reports/2026)

![A tug pushing a barge past the breakwater](photo:SECOND "| Port authority")

The authority expects the summer to look like the spring.

[^bulletin]: From the authority's own quarterly bulletin, which counts a ship once per call.
"""


@pytest.fixture
def rich_article(live_server):
    """Published on the live server for one test, a day ago so that it leads no list."""
    with live_server.app.app_context():
        first, second = (
            store_photo(demo_photo(f"rich-{name}", width=1600, height=900)[0], name, "")
            for name in ("first", "second")
        )
        db.session.commit()
        top_photo, top_alt = demo_photo("rich-top")
        published = utcnow() - timedelta(days=1)
        save_article(
            ArticleFile(
                title="A story with everything in it",
                slug="rich-story",
                dek="Every kind of content a story may hold, on one page.",
                body=BODY.replace("FIRST", str(first.id)).replace("SECOND", str(second.id)),
                section="Europe",
                type="Analysis",
                authors=["Ada Writer"],
                published=published,
                image=top_photo,
                image_alt=top_alt,
                image_credit="Test illustration",
                notes=[
                    (published + timedelta(hours=2), "correction", "The tonnage was *1.2m*."),
                    (published + timedelta(hours=5), "update", "The authority confirmed it."),
                ],
            )
        )
        db.session.commit()
    yield f"{live_server}/articles/rich-story"
    with live_server.app.app_context():
        db.session.delete(db.session.scalars(db.select(Article).filter_by(slug="rich-story")).one())
        db.session.commit()


def test_the_rich_article_holds_every_kind_of_content(page, live_server, rich_article):
    elsewhere = requests_elsewhere(page, live_server)
    page.goto(rich_article)
    body = page.locator(".article-body")
    expect(page.locator("figure.top-photo img")).to_have_count(1)
    figures = body.locator("figure.inline-photo")
    expect(figures).to_have_count(2)
    expect(figures.first.locator("figcaption")).to_have_text(
        "The east quay at six in the morning Photo: Ines Varga"
    )
    expect(figures.last.locator("figcaption")).to_have_text("Photo: Port authority")
    for kind in ("video", "audio", "post", "chart", "card"):
        expect(body.locator(f"figure.embed-{kind}")).to_have_count(1)
    expect(body.locator("table")).to_have_count(1)
    expect(body.locator(".footnote li")).to_have_count(1)
    expect(page.locator("#notes li")).to_have_count(2)
    page.wait_for_load_state("networkidle")
    assert elsewhere == []


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_axe_finds_no_violation_on_the_rich_article(js_page, live_server, rich_article, scheme):
    page = js_page
    requests_elsewhere(page, live_server)
    page.emulate_media(color_scheme=scheme)
    page.add_init_script(script=axe_source())
    page.goto(rich_article)
    # Every photo loaded (the lazy ones too), so that axe judges the page as read.
    page.locator(".article-notes").scroll_into_view_if_needed()
    page.wait_for_load_state("networkidle")
    expect(page.locator(".embed-play")).to_have_count(4)
    violations = axe_violations(page)
    assert violations == [], "\n".join(violations)


def test_the_rich_article_fits_a_phone(page, live_server, rich_article):
    page.set_viewport_size({"width": 320, "height": 700})
    page.goto(rich_article)
    widths = page.evaluate(
        "() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]"
    )
    assert widths[0] == widths[1]


def test_photos_in_the_body_load_in_the_columns_width_and_move_nothing(
    js_page, live_server, rich_article
):
    """On a phone each figure takes the smallest width that fills the column, and nothing in the
    article moves as the photos arrive (their width and height hold their place). The sidebar
    below it, which htmx fills as the reader nears it, is another matter."""
    page = js_page
    page.set_viewport_size({"width": 412, "height": 823})
    page.add_init_script(
        script="""window.layoutShift = 0;
        new PerformanceObserver(list => list.getEntries().forEach(entry => {
            const inArticle = entry.sources.some(source => {
                const node = source.node;
                const element = node && (node.closest ? node : node.parentElement);
                return element && element.closest("article.article");
            });
            if (inArticle && !entry.hadRecentInput) window.layoutShift += entry.value;
        })).observe({type: "layout-shift", buffered: true});"""
    )
    asked: list[str] = []
    page.on("request", lambda request: asked.append(request.url))
    # The photos are held back until the page is laid out without them.
    held = []
    page.route("**/photos/*", lambda route: held.append(route))
    page.goto(rich_article, wait_until="domcontentloaded")
    boxes = page.locator("figure.inline-photo img").evaluate_all(
        "images => images.map(image => [image.clientWidth, image.clientHeight])"
    )
    assert [height for _, height in boxes] == [round(width * 900 / 1600) for width, _ in boxes]
    for route in held:
        route.continue_()
    page.unroute("**/photos/*")
    page.locator(".article-notes").scroll_into_view_if_needed()
    page.wait_for_load_state("networkidle")
    figure_images = page.locator("figure.inline-photo img")
    expect(figure_images).to_have_count(2)
    for n in range(2):
        expect(figure_images.nth(n)).to_have_js_property("complete", True)
    srcsets = figure_images.evaluate_all("images => images.map(image => image.srcset)")
    digests = [srcset.split("/photos/")[1].split("-")[0] for srcset in srcsets]
    loaded = [url for url in asked if any(digest in url for digest in digests)]
    assert sorted(url.rsplit("-", 1)[1] for url in loaded) == ["480.webp", "480.webp"]
    assert page.evaluate("() => window.layoutShift") == 0
