"""What an article page costs a reader on a phone: bytes over the wire and requests."""

import gzip

from tests.browser.reading import scroll_to_sidebar_fragments

BUDGET_BYTES = 35 * 1024
BUDGET_REQUESTS = 5


def wire_bytes(response) -> int:
    """The response as the shipped nginx sends it: text compressed at its gzip level (5)."""
    headers = sum(len(h["name"]) + len(h["value"]) + 4 for h in response.headers_array())
    body = response.body()
    if response.headers.get("content-type", "").startswith(("text/", "application/javascript")):
        body = gzip.compress(body, 5)
    return headers + len(body)


def test_an_article_page_fits_the_budget_without_its_photos(js_page, live_server):
    page = js_page
    page.set_viewport_size({"width": 390, "height": 844})
    responses = []
    page.on("response", lambda response: responses.append(response))
    page.goto(live_server + "/articles/story-2")
    # htmx loads LATEST once a reader scrolls to it: it counts.
    scroll_to_sidebar_fragments(page)
    page.wait_for_load_state("networkidle")
    counted = [r for r in responses if "/photos/" not in r.url]
    summary = [(r.url.removeprefix(live_server), wire_bytes(r)) for r in counted]
    assert len(counted) <= BUDGET_REQUESTS, summary
    assert sum(size for _, size in summary) <= BUDGET_BYTES, summary


def test_no_script_blocks_rendering_and_only_the_top_photo_is_eager(page, live_server):
    page.goto(live_server + "/articles/story-2")
    # JSON-LD scripts are data, not code: they never block.
    scripts = page.locator("head script:not([type='application/ld+json'])")
    assert scripts.count() > 0
    for script in scripts.all():
        attributes = script.evaluate("s => s.getAttributeNames()")
        assert "defer" in attributes or "async" in attributes
    top = page.locator("main figure img").first
    assert top.get_attribute("fetchpriority") == "high"
    assert top.get_attribute("loading") != "lazy"
    others = page.locator("img:not([fetchpriority=high])")
    assert others.count() > 0
    assert all(img.get_attribute("loading") == "lazy" for img in others.all())
