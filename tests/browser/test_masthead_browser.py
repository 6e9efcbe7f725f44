"""The masthead (/authors) in the browser: on a phone, and checked by axe in light and dark."""

import pytest
from playwright.sync_api import expect

from rsflask.db import db
from rsflask.demo import demo_photo
from rsflask.models import Author
from rsflask.photos import store_photo
from tests.browser.reading import scroll_to_sidebar_fragments
from tests.browser.test_accessibility import axe_source, axe_violations

pytestmark = pytest.mark.browser

STAFF = [
    ("Olaf Chief", "Editor-in-chief", 1),
    ("Bea Copy-Desk", "Chief sub-editor and keeper of the style guide", 2),
]


@pytest.fixture(scope="module")
def masthead(live_server) -> None:
    """Two staff members with photos, role lines and bios beside the live site's writer."""
    with live_server.app.app_context():
        for name, role_line, position in STAFF:
            slug = name.lower().replace(" ", "-")
            if db.session.scalar(db.select(Author).filter_by(slug=slug)) is not None:
                continue
            portrait, _ = demo_photo(slug, width=640, height=800)
            db.session.add(
                Author(
                    name=name,
                    slug=slug,
                    role_line=role_line,
                    is_staff=True,
                    staff_position=position,
                    bio=f"{name} has worked on the Review since its first issue, and reads "
                    "every article twice before it goes out.",
                    photo=store_photo(portrait),
                )
            )
        writer = db.session.scalars(db.select(Author).filter_by(slug="ada-writer")).one()
        writer.role_line = "Contributing writer"
        db.session.commit()


def test_the_masthead_reads_well_on_a_phone(page, live_server, masthead):
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(live_server + "/authors")
    widths = page.evaluate(
        "() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]"
    )
    assert widths[0] == widths[1], f"/authors is {widths[0]} pixels wide on a {widths[1]} screen"
    headings = page.get_by_role("heading", level=2)
    expect(headings.filter(has_text="Staff")).to_be_visible()
    names = page.locator(".person-name").all_inner_texts()
    assert names[:3] == ["Olaf Chief", "Bea Copy-Desk", "Ada Writer"]
    chief = page.locator(".person").first
    photo = chief.locator("img")
    photo.scroll_into_view_if_needed()
    # Loaded, square, and beside the words rather than above them.
    page.wait_for_function(
        "img => img.complete && img.naturalWidth > 0", arg=photo.element_handle()
    )
    box, words = photo.bounding_box(), chief.locator(".person-text").bounding_box()
    assert box["width"] == box["height"] == 96
    assert words["x"] >= box["x"] + box["width"]
    expect(chief.get_by_text("Editor-in-chief")).to_be_visible()
    chief.get_by_role("link", name="Olaf Chief").click()
    expect(page).to_have_url(live_server + "/authors/olaf-chief")
    expect(page.get_by_role("heading", level=1)).to_have_text("Olaf Chief")
    expect(page.get_by_text("Editor-in-chief")).to_be_visible()


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_axe_finds_no_wcag_aa_violations_on_the_masthead(js_page, live_server, masthead, scheme):
    page = js_page
    page.emulate_media(color_scheme=scheme)
    page.add_init_script(script=axe_source())
    response = page.goto(live_server + "/authors")
    assert response.status == 200
    page.wait_for_load_state("networkidle")
    scroll_to_sidebar_fragments(page)
    violations = axe_violations(page)
    assert violations == [], "\n".join(violations)
