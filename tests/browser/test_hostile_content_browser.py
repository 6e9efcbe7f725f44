"""What an editor writes can never run script or drive htmx, shown in the real browser.

An article whose body holds some of the nastiest payloads is published on the live server. Its
page, and its teaser expanded by Keep reading (a swap, which is where htmx would process
attributes), open no dialog, load nothing from javascript: or data: URLs, and fire none of the
htmx requests written into the content. Any CSP violation would also fail the test through the
console-error check: the sanitiser, not only the policy, must stop them.
"""

import pytest
from playwright.sync_api import expect

from rsflask.article_files import ArticleFile
from rsflask.article_import import save_article
from rsflask.db import db, utcnow
from rsflask.demo import demo_photo
from rsflask.models import Article
from rsflask.photos import store_photo
from tests.browser.test_accessibility import editor_account, sign_in  # noqa: F401 (a fixture)

pytestmark = pytest.mark.browser

SVG_ONLOAD = "PHN2ZyBvbmxvYWQ9ImFsZXJ0KDEpIj48L3N2Zz4="
HOSTILE_BODY = f"""Opening paragraph of the hostile story.

<div hx-get="/hx-probe/teaser" hx-trigger="load">An htmx request written into the teaser.</div>

<script>alert("script")</script>

<img src="/static/img/favicon.svg" onload="alert('onload')" onerror="alert('onerror')"> An
image with handlers (its file exists, so that a broken image is not what the test sees).

<svg><script>alert("svg")</script>
<animate onbegin="alert('animate')" attributeName="x" dur="1s"/></svg>

<math><mtext><table><mglyph><style><img src=/static/img/favicon.svg onload=alert('mxss')>
</style></mglyph></table></mtext></math>

[A javascript link](javascript:alert('link')) and
[an encoded one](&#106;&#97;&#118;&#97;&#115;&#99;&#114;&#105;&#112;&#116;&#58;alert('encoded'))
and <a href="jav&#x09;ascript:alert('tab')">a tabbed one</a>.

![A data image](data:image/svg+xml;base64,{SVG_ONLOAD})

<iframe src="javascript:alert('iframe')"></iframe>
<object data="javascript:alert('object')"></object>
<form action="javascript:alert('form')"><button>Press me</button></form>

<div data-hx-get="/hx-probe/data" data-hx-trigger="load">An htmx request in data- form.</div>

<a href="#end" hx-get="/hx-probe/hover" hx-trigger="mouseover"
   hx-on:click="alert('hx-on')">Hover me</a>

<details open ontoggle="alert('toggle')"><summary>Details</summary>Inside.</details>

<style>body {{ background: url("javascript:alert('css')") }}</style>

"""
# Photo snippets and a raw figure (PHOTO_ID is a photo of the library): handlers in the alt text,
# the caption and the credit, a caption that closes its paragraph, Markdown's attribute list.
HOSTILE_BODY += "\n\n".join(
    [
        # (No single quotes in the words in double quotes: Markdown would take them for the end
        # of the snippet, and make no figure to test.)
        '![Cranes" onerror="alert(11)](photo:PHOTO_ID "Dawn\\" onmouseover=\\"alert(12) |'
        ' <img src=x onerror=alert(13)>")',
        '<figure class="inline-photo" onclick="alert(14)"><img src="photo:PHOTO_ID"'
        ' srcset="javascript:alert(15) 1x" onerror="alert(16)" alt="Raw"><figcaption'
        ' onmouseover="alert(17)" style="position:fixed">A raw figure</figcaption></figure>',
        '![Cranes](photo:PHOTO_ID "x ></p><script>alert(18)</script><p> | Ines")'
        '{: onload="alert(19)" hx-get="/hx-probe/figure" hx-trigger="load" }',
        "Closing paragraph of the hostile story.\n",
    ]
)
# A correction as hostile as the body, shown under it.
HOSTILE_NOTE = (
    "<img src=/static/img/favicon.svg onload=alert('note')> A [javascript link in a note]"
    "(javascript:alert('note-link')) and <span hx-get='/hx-probe/note' hx-trigger='load'"
    " style='position:fixed'>an htmx one</span>."
)


@pytest.fixture
def hostile_article(live_server):
    """Published on the live server for this test only, so that other tests' lists stay as
    they were."""
    with live_server.app.app_context():
        photo = store_photo(demo_photo("hostile-story", width=800, height=450)[0], "Cranes", "")
        db.session.commit()
        save_article(
            ArticleFile(
                title="A hostile story",
                slug="hostile-story",
                body=HOSTILE_BODY.replace("PHOTO_ID", str(photo.id)),
                section="Europe",
                type="Analysis",
                authors=["Ada Writer"],
                published=utcnow(),
                notes=[(utcnow(), "correction", HOSTILE_NOTE)],
            )
        )
        db.session.commit()
    yield "hostile-story"
    with live_server.app.app_context():
        db.session.delete(
            db.session.scalars(db.select(Article).filter_by(slug="hostile-story")).one()
        )
        db.session.commit()


def watch(page) -> tuple[list[str], list[str]]:
    dialogs: list[str] = []
    requests: list[str] = []

    def on_dialog(dialog) -> None:
        dialogs.append(dialog.message)
        dialog.dismiss()

    page.on("dialog", on_dialog)
    page.on("request", lambda request: requests.append(request.url))
    return dialogs, requests


def assert_nothing_ran(dialogs: list[str], requests: list[str]) -> None:
    assert dialogs == []
    assert [url for url in requests if url.startswith(("javascript:", "data:"))] == []
    assert [url for url in requests if "hx-probe" in url] == []


def poke_at_the_content(page, container) -> None:
    """Hover, focus and click what is left of the payloads, as a curious reader would."""
    container.get_by_text("Hover me").hover()
    for text in ("A javascript link", "an encoded one", "a tabbed one", "Hover me"):
        container.get_by_text(text).click()
    for figure in container.locator("figure").all():
        figure.hover()
        figure.click()
    # Let any request or dialog that the content could start arrive.
    page.wait_for_load_state("networkidle")


def test_hostile_content_on_its_article_page_does_nothing(js_page, live_server, hostile_article):
    page = js_page
    dialogs, requests = watch(page)
    page.goto(f"{live_server}/articles/{hostile_article}")
    page.wait_for_load_state("networkidle")
    body = page.locator(".article-body")
    expect(body).to_contain_text("Closing paragraph of the hostile story.")
    # The two snippets on lines of their own are figures; the raw figure's photo is gone.
    expect(body.locator("figure.inline-photo img")).to_have_count(2)
    notes = page.locator("#notes")
    expect(notes).to_contain_text("an htmx one")
    poke_at_the_content(page, body)
    notes.get_by_text("javascript link in a note").click()
    notes.get_by_text("an htmx one").hover()
    page.wait_for_load_state("networkidle")
    assert_nothing_ran(dialogs, requests)
    # Photos came from the site's own photo files.
    photos = [url for url in requests if "/photos/" in url]
    assert photos and all(url.startswith(f"{live_server}/photos/") for url in photos)
    # What reached the page holds no script, handler, style, frame, form or htmx attribute
    # (but the data-hx-disable of the notes' own container).
    for container in (body, notes):
        left = container.evaluate(
            """container => [...container.querySelectorAll("*")].flatMap(element => [
                ...["SCRIPT", "IFRAME", "OBJECT", "FORM", "STYLE", "SVG", "MATH"]
                    .filter(tag => element.tagName.toUpperCase() === tag),
                ...[...element.attributes].map(attribute => attribute.name)
                    .filter(name => /^(on|hx-|data-hx-(?!disable$)|style$)/.test(name)),
            ])"""
        )
        assert left == []


def test_hostile_content_swapped_in_by_keep_reading_does_nothing(
    js_page, live_server, hostile_article
):
    page = js_page
    dialogs, requests = watch(page)
    page.goto(live_server + "/")
    teaser = page.locator(f"#teaser-{hostile_article}")
    expect(teaser.get_by_text("An htmx request written into the teaser.")).to_be_visible()
    teaser.get_by_role("link", name="Keep reading").click()
    expect(teaser.get_by_text("Closing paragraph of the hostile story.")).to_be_visible()
    poke_at_the_content(page, teaser)
    assert_nothing_ran(dialogs, requests)


def test_the_browser_enforces_the_content_security_policy(js_page, live_server):
    """Even script that got into a page some other way would not run."""
    page = js_page
    page.expected_console_errors = ["Content Security Policy"]
    page.goto(live_server + "/")
    directive = page.evaluate(
        """() => new Promise(resolve => {
            document.addEventListener("securitypolicyviolation", event => resolve(
                event.effectiveDirective));
            const script = document.createElement("script");
            script.textContent = "window.injected = true";
            document.body.append(script);
        })"""
    )
    assert directive == "script-src-elem"
    assert page.evaluate("() => window.injected") is None


def test_htmx_runs_without_eval_script_tags_or_history_snapshots(
    js_page,
    live_server,
    editor_account,  # noqa: F811 (the fixture imported above)
):
    """The settings in <meta name="htmx-config"> are in force on editor pages (a typo there
    would silently leave htmx's defaults)."""
    page = js_page
    sign_in(page, live_server)
    page.goto(f"{live_server}/editor/articles/{editor_account}")
    page.wait_for_load_state("networkidle")
    config = page.evaluate(
        """() => ({eval: htmx.config.allowEval, scripts: htmx.config.allowScriptTags,
                   history: htmx.config.historyCacheSize,
                   sameOrigin: htmx.config.selfRequestsOnly})"""
    )
    assert config == {"eval": False, "scripts": False, "history": 0, "sameOrigin": True}


def test_pushing_a_url_keeps_no_snapshot_of_the_page_in_browser_storage(js_page, live_server):
    """Search pushes each query's URL; htmx would keep the page it leaves in storage."""
    page = js_page
    page.goto(live_server + "/search")
    page.get_by_label("Search articles", exact=True).fill("story")
    expect(page).to_have_url(live_server + "/search?q=story")
    page.get_by_label("Search articles", exact=True).fill("brief")
    expect(page).to_have_url(live_server + "/search?q=brief")
    stored = page.evaluate("() => [...Object.keys(localStorage), ...Object.keys(sessionStorage)]")
    assert "htmx-history-cache" not in stored
