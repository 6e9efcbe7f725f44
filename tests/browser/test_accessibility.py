"""Accessibility in the real browser: axe-core on every kind of page in light and dark, the
keyboard alone, reduced motion, colour schemes and print.

axe-core is vendored under axe/ (version in the file name, MPL-2.0 licence and sha256 beside
it), so the tests need no npm. It is added as an init script, which the page's CSP does not
apply to: the pages are checked under the same policy that readers get.
"""

import hashlib
from pathlib import Path

import pytest
from playwright.sync_api import expect

from rsflask import redirects
from rsflask.db import db
from rsflask.models import Article, User
from tests.browser.reading import expect_swap_settled, scroll_to_sidebar_fragments
from tests.editor_helpers import PASSWORD, make_user

pytestmark = pytest.mark.browser

AXE = Path(__file__).parent / "axe" / "axe-4.14.1.min.js"
WCAG_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
EDITOR_EMAIL = "a11y-editor@example.org"


def axe_source() -> str:
    source = AXE.read_bytes()
    expected = AXE.with_name(AXE.name + ".sha256").read_text().split()[0]
    assert hashlib.sha256(source).hexdigest() == expected, "axe-core differs from its sha256"
    return source.decode()


def axe_violations(page) -> list[str]:
    """axe-core's WCAG 2.0/2.1 A and AA violations on the page as it is now, one line each."""
    return page.evaluate(
        """async (tags) => {
            const results = await axe.run(document, {
                runOnly: {type: "tag", values: tags}, resultTypes: ["violations"],
            });
            return results.violations.flatMap(violation => violation.nodes.map(node =>
                `${violation.id} (${violation.impact}) ${node.target.join(" ")}: ` +
                node.failureSummary.replace(/\\s+/g, " ")));
        }""",
        WCAG_AA,
    )


@pytest.fixture(scope="module")
def editor_account(live_server) -> int:
    """An admin account in the live server's database; gives the id of an article to edit."""
    with live_server.app.app_context():
        if db.session.scalar(db.select(User).filter_by(email=EDITOR_EMAIL)) is None:
            make_user(EDITOR_EMAIL, role="admin")
            # Rows for the Redirects list: to an article, and to another site.
            redirects.add("/2019/04/story-one/", "/articles/story-1", source="wordpress")
            redirects.add("/shop/", "https://shop.example/", status=302)
            db.session.commit()
        return db.session.scalars(db.select(Article.id).filter_by(slug="story-1")).one()


def top_photo_id(live_server, article_id: int) -> int:
    with live_server.app.app_context():
        return db.session.get(Article, article_id).photo_id


def sign_in(page, live_server) -> None:
    page.goto(live_server + "/editor/sign-in")
    page.get_by_label("Email").fill(EDITOR_EMAIL)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(live_server + "/editor/")


READER_PAGES = {
    "front": "/",
    "article": "/articles/story-1",
    "section": "/sections/europe",
    "page": "/about",
    "search": "/search?q=europe",
    "newsletter": "/newsletter",
    "sign-in": "/editor/sign-in",
}
EDITOR_PAGES = {
    "dashboard": "/editor/",
    "article-form": "/editor/articles/{article_id}",
    "settings": "/editor/settings",
    "settings-history": "/editor/settings/history",
    "redirects": "/editor/redirects",
    "redirect-form": "/editor/redirects/new",
    "redirect-import": "/editor/redirects/import",
    "photo-library": "/editor/photos",
    "photo": "/editor/photos/{photo_id}",
}


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("name", [*READER_PAGES, *EDITOR_PAGES])
def test_axe_finds_no_wcag_aa_violations(js_page, live_server, editor_account, name, scheme):
    page = js_page
    page.emulate_media(color_scheme=scheme)
    page.add_init_script(script=axe_source())
    if name in EDITOR_PAGES:
        sign_in(page, live_server)
        url = EDITOR_PAGES[name].format(
            article_id=editor_account, photo_id=top_photo_id(live_server, editor_account)
        )
    else:
        url = READER_PAGES[name]
    response = page.goto(live_server + url)
    assert response.status == 200, f"{url} answered {response.status}"
    # Let htmx finish what it loads on its own (the editor's preview) and what it loads as the
    # reader scrolls (LATEST).
    page.wait_for_load_state("networkidle")
    scroll_to_sidebar_fragments(page)
    violations = axe_violations(page)
    assert violations == [], "\n".join(violations)


# --- The keyboard alone ---------------------------------------------------------------------


def focused(page, selector: str) -> bool:
    return page.evaluate("selector => document.activeElement.matches(selector)", selector)


def tab_to(page, selector: str, limit: int = 250) -> None:
    """Press Tab until `selector` has focus; every link and button passed on the way must show
    its focus."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        outline = page.evaluate(
            """() => {
                const element = document.activeElement;
                if (!element.matches("a, button, input, select, textarea")) return null;
                const style = getComputedStyle(element);
                return {style: style.outlineStyle, width: style.outlineWidth,
                        what: element.outerHTML.slice(0, 120)};
            }"""
        )
        if outline:
            assert outline["style"] != "none" and outline["width"] != "0px", outline["what"]
        if focused(page, selector):
            return
    raise AssertionError(f"{selector} never got the focus in {limit} presses of Tab")


def test_the_first_tab_reaches_the_skip_link_which_moves_focus_to_main(page, live_server):
    page.goto(live_server + "/articles/story-2")
    skip = page.get_by_role("link", name="Skip to content")
    page.keyboard.press("Tab")
    expect(skip).to_be_focused()
    expect(skip).to_be_in_viewport()
    page.keyboard.press("Enter")
    expect(page).to_have_url(live_server + "/articles/story-2#main")
    expect(page.locator("main")).to_be_focused()
    # The next Tab starts inside the content, past the masthead.
    page.keyboard.press("Tab")
    assert page.evaluate("() => document.querySelector('main').contains(document.activeElement)")


def test_keep_reading_and_show_less_with_the_keyboard_alone(js_page, live_server):
    page = js_page
    page.goto(live_server + "/")
    teaser = page.locator("#teaser-story-6")
    tab_to(page, "#teaser-story-6 .fold-control")
    page.keyboard.press("Enter")
    expect(teaser.get_by_text("Third paragraph of story 6")).to_be_visible()
    # Chromium may focus the autofocus text at once, and htmx focuses it again when the swap
    # settles: tabbing on before that would have the focus taken back.
    expect_swap_settled(teaser)
    expect(teaser.locator(".fold-rest")).to_be_focused()
    tab_to(page, "#teaser-story-6 .fold-control")
    expect(teaser.get_by_role("link", name="Show less")).to_be_focused()
    page.keyboard.press("Enter")
    expect(teaser.get_by_text("Third paragraph of story 6")).to_have_count(0)
    expect(teaser.get_by_role("link", name="Keep reading")).to_be_focused()


def test_newsletter_signup_with_the_keyboard_alone(page, live_server):
    address = f"keyboard-{'js' if page.js_enabled else 'nojs'}@example.org"
    page.goto(live_server + "/")
    tab_to(page, "#signup-email")
    page.keyboard.type(address)
    page.keyboard.press("Tab")
    expect(page.get_by_role("button", name="Subscribe")).to_be_focused()
    page.keyboard.press("Space")
    expect(page.get_by_text("Thank you. Please check your inbox")).to_be_visible()


# --- Colour schemes, motion, print ----------------------------------------------------------


@pytest.mark.parametrize(
    ("scheme", "background"), [("light", "rgb(253, 252, 249)"), ("dark", "rgb(20, 20, 23)")]
)
def test_the_colour_scheme_follows_the_readers_setting(page, live_server, scheme, background):
    page.emulate_media(color_scheme=scheme)
    page.goto(live_server + "/")
    color = page.evaluate("() => getComputedStyle(document.body).backgroundColor")
    assert color == background


@pytest.mark.parametrize(("motion", "duration"), [("no-preference", "2s"), ("reduce", "0s")])
def test_reduced_motion_switches_off_any_transition(js_page, live_server, motion, duration):
    """Whatever moves (a later style, a swap class), the reduced-motion rule stops it."""
    page = js_page
    page.emulate_media(reduced_motion=motion)
    page.goto(live_server + "/")
    shown = page.evaluate(
        """() => {
            const element = document.createElement("div");
            element.style.transition = "opacity 2s";
            document.querySelector("main").append(element);
            return getComputedStyle(element).transitionDuration;
        }"""
    )
    assert shown == duration


def test_an_article_prints_without_navigation_or_sidebar(page, live_server):
    page.goto(live_server + "/articles/story-8")
    page.emulate_media(media="print")
    expect(page.locator(".article-body")).to_be_visible()
    expect(page.get_by_role("heading", name="Story number 8", level=1)).to_be_visible()
    expect(page.locator(".sidebar")).to_be_hidden()
    expect(page.locator("nav.sections")).to_be_hidden()
    expect(page.locator(".site-footer")).to_be_hidden()
    page.emulate_media(media="screen")
    expect(page.locator("nav.sections")).to_be_visible()


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize(
    "button",
    [
        '<button class="secondary">Restore</button>',
        '<input class="secondary" type="submit" value="Discard">',
        '<button class="danger">Move to trash</button>',
        '<input type="submit" value="Save draft">',
    ],
)
def test_a_hovered_button_keeps_its_text_readable(js_page, live_server, scheme, button):
    """Hovering changes a button's shade only: its text keeps the colour of its variant."""
    page = js_page
    page.emulate_media(color_scheme=scheme)
    page.goto(live_server + "/")
    page.evaluate(
        "html => document.querySelector('main').insertAdjacentHTML('afterbegin', html)", button
    )
    probe = page.locator("main > :first-child")
    style = (
        "element => [getComputedStyle(element).color, getComputedStyle(element).backgroundColor]"
    )
    at_rest = probe.evaluate(style)
    probe.hover()
    hovered = probe.evaluate(style)
    assert hovered == at_rest
    assert probe.evaluate("element => getComputedStyle(element).filter") != "none"


@pytest.mark.parametrize("url", [*READER_PAGES.values(), "/latest", "/qiosk"])
def test_no_reader_page_scrolls_sideways_on_a_phone(page, live_server, url):
    """Everything fits a 320-pixel screen: a wide photo or a long word shrinks or wraps."""
    page.set_viewport_size({"width": 320, "height": 700})
    page.goto(live_server + url)
    widths = page.evaluate(
        "() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]"
    )
    assert widths[0] == widths[1], f"{url} is {widths[0]} pixels wide on a {widths[1]} screen"
