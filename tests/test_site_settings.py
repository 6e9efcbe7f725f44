"""The Settings page: what an admin saves there shows on every reader page at once, each save
is kept with who made it, and bad input is refused with the form kept as typed."""

import html
import io
import re
import tracemalloc
from html.parser import HTMLParser

import feedparser
import pytest
from flask import request, request_started
from PIL import Image
from sqlalchemy import event, func, select

from rsflask import site_settings, upload_limits
from rsflask.db import db, utcnow
from rsflask.editor.page_form import menu_position
from rsflask.models import Page, Section, SiteSettings, Subscriber
from rsflask.newsletter import digests, emails
from rsflask.page_store import MemoryStore
from tests.conftest import make_app
from tests.editor_helpers import image_bytes, make_user, prepare_editor_tests, sign_in, upload
from tests.page_helpers import make_page
from tests.test_seo import page_head


@pytest.fixture(autouse=True)
def editor_tests(app, monkeypatch):
    prepare_editor_tests(app, monkeypatch)


@pytest.fixture
def admin(client):
    make_user("admin@example.org", role="admin", name="Ada Admin")
    sign_in(client, "admin@example.org")
    return client


@pytest.fixture
def story(add_article):
    return add_article("Harbour cranes", slug="harbour-cranes", section="Europe")


class FormFields(HTMLParser):
    """What a browser sends for the settings form: every named field, ticked boxes only."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.fields: dict[str, str] = {}
        self.textarea: str | None = None

    def handle_starttag(self, tag, attrs) -> None:
        attrs = {name: value or "" for name, value in attrs}
        name, kind = attrs.get("name"), attrs.get("type", "text")
        if tag == "textarea":
            self.textarea = name
            self.fields[name] = ""
        elif tag == "input" and name and kind not in ("submit", "file", "checkbox"):
            self.fields[name] = attrs.get("value", "")
        elif tag == "input" and kind == "checkbox" and "checked" in attrs:
            self.fields[name] = attrs.get("value", "y")

    def handle_data(self, data) -> None:
        if self.textarea:
            self.fields[self.textarea] += data

    def handle_endtag(self, tag) -> None:
        if tag == "textarea":
            self.fields[self.textarea] = self.fields[self.textarea].removeprefix("\n")
            self.textarea = None


def fields_of(response) -> dict:
    parser = FormFields()
    parser.feed(response.get_data(as_text=True))
    return parser.fields


def post_settings(client, changes: dict | None = None, untick=(), **files):
    """Send the form as it is shown, with `changes` typed over it and `untick` boxes cleared."""
    fields = fields_of(client.get("/editor/settings"))
    fields.update(changes or {})
    for name in untick:
        fields.pop(name, None)
    return client.post("/editor/settings", data={**fields, **files})


def row_index(client, prefix: str, label: str) -> int:
    """The index of the row of the section or page called `label` in the form."""
    text = client.get("/editor/settings").get_data(as_text=True)
    match = re.search(rf"{re.escape(label)}<input id=\"{prefix}-(\d+)-item_id\"", text)
    assert match, label
    return int(match.group(1))


def text_of(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def saves() -> int:
    return db.session.scalar(select(func.count()).select_from(SiteSettings))


# --- Every setting shows at once on reader pages ------------------------------------------------


def test_name_tagline_and_description_show_everywhere_at_once(admin, story):
    # Pages the page cache keeps, asked for twice so that the second answer came from it.
    for url in ("/", "/articles/harbour-cranes", "/feeds/all.atom"):
        admin.get(url)
        assert "The Crosswind Review" in text_of(admin.get(url))
    response = post_settings(
        admin,
        {
            "name": "The Slow Review",
            "tagline": "Read it twice.",
            "description": "Essays on the world, at length.",
        },
    )
    assert response.status_code == 303
    front = text_of(admin.get("/"))
    assert "The Crosswind Review" not in front
    assert "<title>The Slow Review</title>" in front
    assert '<p class="tagline">Read it twice.</p>' in front
    assert '<meta name="description" content="Essays on the world, at length.">' in front
    article = page_head(admin, "/articles/harbour-cranes")
    assert article.one("og:site_name") == "The Slow Review"
    news, _ = article.json_ld()
    assert news["publisher"]["name"] == "The Slow Review"
    feed = feedparser.parse(admin.get("/feeds/all.atom").data).feed
    assert (feed.title, feed.subtitle) == ("The Slow Review", "Read it twice.")
    section_feed = feedparser.parse(admin.get("/feeds/sections/europe.atom").data).feed
    assert section_feed.title == "Europe | The Slow Review"


def test_a_save_shows_at_once_on_every_worker(app, admin, story, tmp_path):
    """Workers share the database alone: each keeps its own cached pages and settings."""
    # Ends this test's read, which holds SQLite's lock (see db.py), as a finished request would.
    db.session.rollback()
    other_worker = make_app(tmp_path / "other-worker", app.config["SQLALCHEMY_DATABASE_URI"])
    reader = other_worker.test_client()
    started = []

    def record(sender, **extra):
        started.append(request.path)

    try:
        with request_started.connected_to(record, other_worker):
            for url in ("/", "/articles/harbour-cranes"):
                reader.get(url)
            started.clear()
            for url in ("/", "/articles/harbour-cranes"):
                assert "The Crosswind Review" in text_of(reader.get(url))
            # Both answered from the other worker's own page cache.
            assert started == []
            assert post_settings(admin, {"name": "The Slow Review"}).status_code == 303
            db.session.rollback()
            for url in ("/", "/articles/harbour-cranes"):
                text = text_of(reader.get(url))
                assert "The Slow Review" in text and "The Crosswind Review" not in text
    finally:
        other_worker.extensions["page_cache"].close()
        with other_worker.app_context():
            db.engine.dispose()


def test_a_new_name_draws_a_new_card(admin, story):
    """An article without a photo is shared with a card holding the site's name and headline."""
    before = page_head(admin, "/articles/harbour-cranes").one("og:image")
    post_settings(admin, {"name": "The Slow Review"})
    head = page_head(admin, "/articles/harbour-cranes")
    assert head.one("og:image") != before
    assert head.one("og:image:alt") == story.title
    path = head.one("og:image").removeprefix("http://localhost")
    assert Image.open(io.BytesIO(admin.get(path).data)).size == (1200, 630)


def test_follow_links_donate_button_and_newsletter_text_show_at_once(admin, story):
    admin.get("/")
    response = post_settings(
        admin,
        {
            "links-0-name": "Fediverse",
            "links-0-url": "https://social.example/@slow",
            "donate_url": "https://give.example/slow",
            "newsletter_blurb": "One letter a week, on Sundays.",
        },
        untick=(),
    )
    assert response.status_code == 303
    front = text_of(admin.get("/"))
    assert '<a href="https://social.example/@slow" rel="me noopener">Fediverse</a>' in front
    assert "https://mastodon.example/@crosswind" not in front
    assert '<a class="donate-button" href="https://give.example/slow">Donate</a>' in front
    assert "One letter a week, on Sundays." in front
    assert "in your inbox every Friday" not in front
    article = text_of(admin.get("/articles/harbour-cranes"))
    assert "Fediverse" in article and "give.example/slow" in article


def test_without_a_donate_link_there_is_no_button(client, story):
    assert "donate-button" not in client.get("/").get_data(as_text=True)


def test_emails_and_the_round_up_take_the_stored_name(app, admin):
    post_settings(admin, {"name": "The Slow Review"})
    subscriber = Subscriber(email="reader@example.org", status="pending")
    db.session.add(subscriber)
    db.session.commit()
    message = emails.signup_message(subscriber)
    assert message["Subject"] == "Please confirm your subscription to The Slow Review"
    assert "The Slow Review" in message.get_body(("html",)).get_content()
    assert digests.default_subject().startswith("The Slow Review: the week's round-up")


def test_control_characters_are_dropped(admin):
    post_settings(admin, {"name": "The Slow\x00 Review\x1b", "links-0-name": "Mast\x07odon"})
    values = site_settings.current()
    assert values["name"] == "The Slow Review"
    assert values["social_links"][0][0] == "Mastodon"


# --- Follow links: add, remove, reorder without JavaScript --------------------------------------


def test_a_link_is_added_in_an_empty_row(admin):
    response = post_settings(admin, {"links-4-name": "Newsletter", "links-4-url": "/newsletter"})
    assert response.status_code == 303
    assert site_settings.current()["social_links"][-1] == ["Newsletter", "/newsletter"]


def test_add_a_link_gives_one_more_empty_row_and_keeps_what_was_typed(admin):
    fields = fields_of(admin.get("/editor/settings"))
    rows = len([name for name in fields if name.endswith("-url") and name.startswith("links-")])
    response = admin.post(
        "/editor/settings", data={**fields, "tagline": "Typed, not saved", "add_link": "Add a link"}
    )
    assert response.status_code == 200
    after = fields_of(response)
    assert len([n for n in after if n.endswith("-url") and n.startswith("links-")]) == rows + 1
    assert after["tagline"] == "Typed, not saved"
    assert saves() == 0


def test_a_link_is_removed_with_its_box(admin):
    post_settings(admin, {"links-1-remove": "y"})
    names = [name for name, _ in site_settings.current()["social_links"]]
    assert names == ["Mastodon", "LinkedIn", "RSS"]
    assert "bsky.example" not in admin.get("/").get_data(as_text=True)


def test_more_than_twenty_links_are_refused(admin):
    links = {}
    for number in range(21):
        links[f"links-{number}-name"] = f"Link {number}"
        links[f"links-{number}-url"] = f"/link-{number}"
    response = post_settings(admin, links)
    assert response.status_code == 422
    assert '<p class="field-error">At most 20 links.</p>' in response.get_data(as_text=True)
    assert saves() == 0


def test_links_are_reordered_by_their_positions(admin):
    post_settings(admin, {"links-3-position": "1", "links-0-position": "9"})
    names = [name for name, _ in site_settings.current()["social_links"]]
    assert names == ["RSS", "Bluesky", "LinkedIn", "Mastodon"]
    front = admin.get("/").get_data(as_text=True)
    assert front.index(">RSS</a>") < front.index(">Bluesky</a>") < front.index(">Mastodon</a>")


# --- Sections in the menu, pages in the navigation and the footer ---------------------------------


@pytest.fixture
def sections(add_article):
    for title, section in [("A", "Europe"), ("B", "Asia"), ("C", "Africa")]:
        add_article(f"Story {title}", section=section)
    db.session.add(Section(name="Drafts only", slug="drafts-only", position=1))
    db.session.commit()


def menu(client) -> list[str]:
    text = client.get("/").get_data(as_text=True)
    nav = re.search(r'<nav class="sections".*?</nav>', text, re.S).group(0)
    return re.findall(r">([^<>]+)</a>", nav)[:-1]


def test_the_menu_shows_the_sections_chosen_in_the_order_chosen(admin, sections):
    assert menu(admin) == ["Africa", "Asia", "Europe"]
    europe, asia = row_index(admin, "nav", "Europe"), row_index(admin, "nav", "Asia")
    drafts = row_index(admin, "nav", "Drafts only")
    response = post_settings(
        admin,
        {f"nav-{europe}-position": "1", f"nav-{drafts}-position": "2"},
        untick=[f"nav-{asia}-shown"],
    )
    assert response.status_code == 303
    # A section without an article readers may see stays out, chosen or not.
    assert menu(admin) == ["Europe", "Africa"]


def test_every_section_ticked_in_order_is_no_choice_at_all(admin, sections, add_article):
    post_settings(admin, {"name": "Renamed"})
    assert site_settings.current()["nav_sections"] is None
    add_article("Story D", section="Oceania")
    assert "Oceania" in menu(admin)


@pytest.fixture
def pages():
    """Three published pages and a draft, none in a menu yet."""
    made = [
        make_page(title, status=status, slug=slug)
        for slug, title, status in [
            ("about", "About us", "published"),
            ("privacy", "Privacy policy", "published"),
            ("contact", "Contact", "published"),
            ("draft", "Draft page", "draft"),
        ]
    ]
    return made


def nav_links(client, url: str = "/") -> list[str]:
    """Every link of the masthead's navigation on the page at `url`."""
    text = client.get(url).get_data(as_text=True)
    nav = re.search(r'<nav class="sections".*?</nav>', text, re.S).group(0)
    return re.findall(r">([^<>]+)</a>", nav)


def place(client, menu_name: str, order: list[str], untick=()) -> object:
    """Tick the pages titled `order` in one page menu of the form, numbered in that order."""
    changes = {}
    for number, title in enumerate(order, start=1):
        row = row_index(client, menu_name, title)
        changes |= {f"{menu_name}-{row}-shown": "y", f"{menu_name}-{row}-position": str(number)}
    gone = [f"{menu_name}-{row_index(client, menu_name, title)}-shown" for title in untick]
    return post_settings(client, changes, untick=gone)


@pytest.mark.parametrize(
    ("menu_name", "column"), [("footer_pages", "footer_position"), ("nav_pages", "nav_position")]
)
def test_menu_pages_are_placed_in_the_order_chosen(admin, pages, menu_name, column):
    text = admin.get("/editor/settings").get_data(as_text=True)
    assert "Draft page" not in text
    assert place(admin, menu_name, ["Privacy policy", "About us"]).status_code == 303
    db.session.expire_all()
    assert [getattr(p, column) for p in pages] == [2, 1, None, None]
    # The form lists the menu's pages first, in their order: the rows have moved.
    place(admin, menu_name, [], untick=["About us"])
    db.session.expire_all()
    assert [getattr(p, column) for p in pages] == [None, 1, None, None]


def test_pages_in_the_main_navigation_show_in_the_order_chosen_at_once(admin, pages, story):
    # Both asked for twice, so that the second answer came from the page cache.
    for url in ("/", "/about"):
        admin.get(url)
        assert nav_links(admin, url) == ["Europe", "Latest"]
    assert place(admin, "nav_pages", ["Contact", "About us"]).status_code == 303
    for url in ("/", "/about", "/articles/harbour-cranes"):
        assert nav_links(admin, url) == ["Europe", "Latest", "Contact", "About us"]
    place(admin, "nav_pages", ["About us", "Contact", "Privacy policy"])
    assert nav_links(admin, "/about") == [
        "Europe",
        "Latest",
        "About us",
        "Contact",
        "Privacy policy",
    ]
    # The footer is a menu of its own.
    assert "Contact</a>" not in re.search(
        r'<nav aria-label="Footer".*?</nav>', admin.get("/").get_data(as_text=True), re.S
    ).group(0)


def test_the_navigation_chosen_is_kept_in_the_history(admin, pages):
    place(admin, "nav_pages", ["Contact", "About us"])
    text = text_of(admin.get("/editor/settings/history"))
    assert "<dt>Pages in the main navigation</dt>" in text
    assert "now: </span>Contact, About us</ins>" in text
    place(admin, "nav_pages", ["About us"], untick=["Contact"])
    assert saves() == 2
    text = text_of(admin.get("/editor/settings/history"))
    assert "was: </span>Contact, About us</del>" in text and "now: </span>About us</ins>" in text
    # Menus nobody touched are not listed as changed from nothing to nothing.
    assert "<dt>Pages in the footer</dt>" not in text


def test_a_page_ticked_in_its_form_joins_the_navigation_last(admin, pages):
    """The page form's box and the Settings page move the same column: one order, two doors."""
    place(admin, "nav_pages", ["Contact", "About us"])
    pages[1].nav_position = menu_position(True, None, Page.nav_position)
    db.session.commit()
    assert nav_links(admin)[-3:] == ["Contact", "About us", "Privacy policy"]
    fields = fields_of(admin.get("/editor/settings"))
    shown = [name for name in fields if name.startswith("nav_pages-") and name.endswith("-shown")]
    assert len(shown) == 3
    # Taken out in its form, then ticked again here: placed again, though the last save's
    # record already named it.
    pages[0].nav_position = None
    db.session.commit()
    again = place(admin, "nav_pages", ["Contact", "About us"], untick=["Privacy policy"])
    assert again.status_code == 303
    assert nav_links(admin)[-3:] == ["Latest", "Contact", "About us"]
    assert saves() == 2


@pytest.mark.parametrize("forged", ["²", "-1", "99999999999999999999", "", "x"])
def test_forged_page_ids_are_ignored(admin, pages, forged):
    place(admin, "nav_pages", ["Contact"])
    fields = fields_of(admin.get("/editor/settings"))
    fields.update({"nav_pages-1-item_id": forged, "nav_pages-1-shown": "y"})
    fields.update({"footer_pages-0-item_id": forged, "footer_pages-0-shown": "y"})
    assert admin.post("/editor/settings", data=fields).status_code == 303
    db.session.expire_all()
    assert [p.nav_position for p in pages] == [None, None, 1, None]
    assert [p.footer_position for p in pages] == [None, None, None, None]
    assert nav_links(admin)[-1] == "Contact"


# --- Images -------------------------------------------------------------------------------------


def test_an_uploaded_logo_is_the_publisher_logo(admin, story):
    logo = image_bytes("JPEG", (2000, 1000))
    response = post_settings(admin, logo=upload(logo, "logo.jpg"))
    assert response.status_code == 303
    news, _ = page_head(admin, "/articles/harbour-cranes").json_ld()
    stored = news["publisher"]["logo"]
    assert re.fullmatch(r"http://localhost/photos/logo-[0-9a-f]{32}\.png", stored["url"])
    picture = Image.open(io.BytesIO(admin.get(stored["url"].removeprefix("http://localhost")).data))
    assert picture.format == "PNG"
    assert picture.size == (stored["width"], stored["height"]) == (1024, 512)
    post_settings(admin, {"remove_logo": "y"})
    news, _ = page_head(admin, "/articles/harbour-cranes").json_ld()
    assert news["publisher"]["logo"]["url"].endswith("/img/logo.png")


def test_emails_show_the_uploaded_logo_with_the_name_as_its_alt_text(admin):
    post_settings(admin, {"name": "The Slow Review"}, logo=upload(image_bytes("PNG", (800, 200))))
    subscriber = Subscriber(email="reader@example.org", status="pending")
    db.session.add(subscriber)
    db.session.commit()
    html_part = emails.signup_message(subscriber).get_body(("html",)).get_content()
    logo = re.search(r'<img src="http://localhost/photos/logo-[0-9a-f]{32}\.png"[^>]*>', html_part)
    assert logo and 'alt="The Slow Review"' in logo[0] and 'width="192"' in logo[0]
    post_settings(admin, {"remove_logo": "y"})
    html_part = emails.signup_message(subscriber).get_body(("html",)).get_content()
    assert "<img" not in html_part and "The Slow Review</p>" in html_part


def test_a_default_share_image_replaces_the_site_card(admin, story):
    response = post_settings(admin, share_image=upload(image_bytes("PNG", (1600, 900)), "x.png"))
    assert response.status_code == 303
    head = page_head(admin, "/articles/harbour-cranes")
    assert re.fullmatch(r"http://localhost/photos/share-[0-9a-f]{32}\.jpg", head.one("og:image"))
    assert head.one("twitter:image") == head.one("og:image")
    assert head.one("twitter:card") == "summary_large_image"
    news, _ = head.json_ld()
    assert news["image"] == [head.one("og:image")]
    picture = Image.open(
        io.BytesIO(admin.get(head.one("og:image")[len("http://localhost") :]).data)
    )
    assert (picture.format, picture.size) == ("JPEG", (1200, 630))


def test_a_default_share_image_is_the_link_preview_of_pages_too(admin):
    make_page("About us", slug="about")
    card = page_head(admin, "/about").one("og:image")
    post_settings(
        admin, {"name": "The Slow Review"}, share_image=upload(image_bytes("PNG", (1600, 900)))
    )
    head = page_head(admin, "/about")
    assert head.one("og:image") != card
    assert re.fullmatch(r"http://localhost/photos/share-[0-9a-f]{32}\.jpg", head.one("og:image"))
    assert (head.one("og:image:width"), head.one("og:image:height")) == ("1200", "630")
    assert head.one("og:image:alt") == "The Slow Review"
    assert head.one("twitter:image") == head.one("og:image")


# --- History ------------------------------------------------------------------------------------


def test_history_lists_saves_newest_first_with_who_when_and_what(admin):
    assert "have not been saved yet" in admin.get("/editor/settings/history").get_data(as_text=True)
    post_settings(admin, {"name": "The Slow Review"})
    post_settings(admin, {"tagline": "Read it twice.", "links-0-remove": "y"})
    text = text_of(admin.get("/editor/settings/history"))
    newest, oldest = text.index("Read it twice."), text.index("The Slow Review</ins>")
    assert newest < oldest
    assert text.count("by Ada Admin") == 2
    assert f"{utcnow():%d %B %Y}" in text
    assert "<dt>Tagline</dt>" in text
    assert "Foreign policy, read slowly.</del>" in text
    assert (
        "<dt>Follow links</dt>" in text and "Mastodon (https://mastodon.example/@crosswind)" in text
    )
    assert "The Crosswind Review</del>" in text
    assert "<dt>Description</dt>" not in text


def test_saving_nothing_new_stores_nothing(admin):
    post_settings(admin, {"name": "The Slow Review"})
    response = post_settings(admin)
    assert response.status_code == 303
    assert saves() == 1
    assert "Nothing changed." in admin.get("/editor/settings").get_data(as_text=True)


# --- Who may ------------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["editor", "writer"])
@pytest.mark.parametrize("url", ["/editor/settings", "/editor/settings/history"])
def test_only_admins_see_the_settings(client, role, url):
    make_user("someone@example.org", role=role)
    sign_in(client, "someone@example.org")
    assert client.get(url).status_code == 403
    assert client.post("/editor/settings", data={"name": "Taken over"}).status_code in (403, 405)
    assert saves() == 0
    assert "Settings</a>" not in client.get("/editor/").get_data(as_text=True)


def test_signed_out_visitors_are_sent_to_sign_in(client):
    response = client.get("/editor/settings")
    assert response.status_code == 302 and "/editor/sign-in" in response.location


def test_admins_find_the_page_in_the_editor_menu(admin):
    assert 'href="/editor/settings">Settings</a>' in admin.get("/editor/").get_data(as_text=True)


# --- Bad input ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"name": "   "}, "name", "The site needs a name."),
        ({"links-0-url": "javascript:alert(1)"}, "links-0-url", "starting with https://"),
        ({"links-0-url": "data:text/html,hi"}, "links-0-url", "starting with https://"),
        ({"links-0-url": "//evil.example/x"}, "links-0-url", "starts with one /"),
        ({"links-0-url": "https://"}, "links-0-url", "starting with https://"),
        ({"links-4-name": "Nameless"}, "links-4-url", "Give the link an address."),
        ({"links-4-url": "https://x.example"}, "links-4-name", "Give the link a name."),
        ({"links-0-position": "first"}, "links-0-position", "Not a valid integer value."),
        ({"donate_url": "javascript:alert(1)"}, "donate_url", "starting with https://"),
        ({"donate_url": "JaVaScRiPt:alert(1)"}, "donate_url", "starting with https://"),
        ({"name": "x" * 101}, "name", "longer than 100"),
    ],
)
def test_bad_input_is_refused_next_to_its_field_with_the_form_as_typed(
    admin, changes, field, message
):
    response = post_settings(admin, {"tagline": "Typed but not saved", **changes})
    assert response.status_code == 422
    text = text_of(response)
    assert re.search(rf'id="{field}-error">[^<]*{re.escape(message)}', text), text
    assert fields_of(response)["tagline"] == "Typed but not saved"
    assert "Nothing was saved" in text
    assert saves() == 0


@pytest.mark.parametrize("forged", ["²", "-1", "99999999999999999999", "", "x"])
def test_forged_section_ids_are_ignored(admin, sections, forged):
    fields = fields_of(admin.get("/editor/settings"))
    fields.update({"nav-0-item_id": forged, "nav-0-shown": "y"})
    assert admin.post("/editor/settings", data=fields).status_code == 303
    assert "Europe" in menu(admin)


@pytest.mark.parametrize("field", ["logo", "share_image"])
def test_a_file_that_is_not_an_image_is_refused(admin, field):
    response = post_settings(
        admin, {"tagline": "Typed but not saved"}, **{field: upload(b"%PDF-1.4 nope", "a.png")}
    )
    assert response.status_code == 422
    text = text_of(response)
    assert re.search(rf'id="{field}-error">That file is not a JPEG, PNG or WebP image', text)
    assert fields_of(response)["tagline"] == "Typed but not saved"
    assert saves() == 0


def test_a_file_over_the_limit_is_refused_next_to_its_field_with_the_form_as_typed(admin):
    huge = upload(b"\0" * (50 * 1024 * 1024), "huge.png")
    response = post_settings(admin, {"tagline": "Typed but not saved"}, share_image=huge)
    assert response.status_code == 422
    text = text_of(response)
    message = "This file is 50 MB; the largest we take is 16 MB."
    assert f'id="share_image-error">{message}</p>' in text
    assert "logo-error" not in text
    assert fields_of(response)["tagline"] == "Typed but not saved"
    assert "Nothing was saved" in text and "Files must be chosen again" in text
    assert saves() == 0


def test_files_too_large_together_are_refused_next_to_the_one_that_passed_the_limit(app, admin):
    app.config["MAX_CONTENT_LENGTH"] = 1024 * 1024
    logo = upload(image_bytes("PNG", (800, 200)), "logo.png")
    share = upload(b"\0" * (1024 * 1024), "share.png")
    response = post_settings(
        admin, {"tagline": "Typed but not saved"}, logo=logo, share_image=share
    )
    assert response.status_code == 422
    text = text_of(response)
    assert re.search(r'id="share_image-error">This file is 1 MB, and with the other files', text)
    assert "logo-error" not in text
    assert fields_of(response)["tagline"] == "Typed but not saved"
    assert saves() == 0


def test_a_file_over_the_limit_is_counted_and_never_stored(app):
    """What a 50 MB file costs the worker: its size counted, no copy in memory or on disk."""
    huge = b"\0" * (50 * 1024 * 1024)
    with app.test_request_context(
        "/editor/settings",
        method="POST",
        data={"name": "Kept", "logo": (io.BytesIO(huge), "huge.png")},
    ):
        del huge
        upload_limits.allow_large_form()
        tracemalloc.start()
        try:
            form, files = request.form, request.files
            peak = tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()
        stream = files["logo"].stream
        assert form["name"] == "Kept"
        assert (stream.size, stream.dropped) == (50 * 1024 * 1024, True)
        assert stream.seek(0, io.SEEK_END) == 0
        assert peak < 4 * 1024 * 1024


def test_a_body_over_the_larger_limit_of_the_settings_page_gets_the_413_page(app, admin):
    app.config["LARGE_FORM_CONTENT_LENGTH"] = 2 * 1024 * 1024
    response = post_settings(admin, logo=upload(b"\0" * (3 * 1024 * 1024), "huge.png"))
    assert response.status_code == 413
    text = response.get_data(as_text=True)
    assert "larger than we accept" in text and "The most is 2 MB at once" in text
    assert saves() == 0


def test_other_forms_keep_the_usual_limit(app, admin):
    app.config["MAX_CONTENT_LENGTH"] = 1024 * 1024
    page = make_page("About us")
    response = admin.post(f"/editor/pages/{page.id}", data={"body": "x" * (2 * 1024 * 1024)})
    assert response.status_code == 413
    assert "The most is 1 MB at once" in response.get_data(as_text=True)


# --- Read once per generation -------------------------------------------------------------------


def test_settings_are_read_once_per_generation(app, admin, story):
    app.extensions["page_cache"].store = MemoryStore(0)
    post_settings(admin, {"name": "The Slow Review"})
    statements = []

    def record(conn, cursor, statement, *args):
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", record)
    try:
        admin.get("/")
        first = [s for s in statements if "site_settings" in s]
        statements.clear()
        assert "The Slow Review" in admin.get("/articles/harbour-cranes").get_data(as_text=True)
        second = [s for s in statements if "site_settings" in s]
    finally:
        event.remove(db.engine, "before_cursor_execute", record)
    assert len(first) <= 1
    assert second == []


def test_the_settings_in_force_are_the_newest_saves_over_the_defaults(app):
    assert site_settings.current()["name"] == app.config["SITE_NAME"]
    site_settings.save({"name": "First"}, None)
    db.session.commit()
    assert site_settings.current()["name"] == "First"
    # A key missing from a stored row (a setting added since) takes its configured value.
    db.session.add(SiteSettings(values_json='{"name": "Second"}'))
    db.session.commit()
    values = site_settings.current()
    assert values["name"] == "Second"
    assert values["newsletter_blurb"] == app.config["NEWSLETTER_BLURB"]
