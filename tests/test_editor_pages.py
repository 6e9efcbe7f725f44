"""Pages in the editor: the list, the form, slugs the site keeps for itself, parents one level
deep, the menus, preview, autosave, revisions, conflicts, old addresses, the trash; editors and
admins only."""

import re

import pytest
from werkzeug.routing import Rule

from rsflask.db import db
from rsflask.models import Page, PageRedirect, Revision
from rsflask.page_slugs import reserved_slugs
from tests.conftest import htmx
from tests.editor_helpers import make_user, prepare_editor_tests, sign_in
from tests.test_editor_articles import input_value, selected_option, textarea_value


@pytest.fixture(autouse=True)
def editor_tests(app, monkeypatch):
    prepare_editor_tests(app, monkeypatch)


@pytest.fixture
def people(app):
    return {
        "admin": make_user("admin@example.org", role="admin", name="Ada Admin"),
        "editor": make_user("editor@example.org", role="editor", name="Edda Editor"),
        "writer": make_user("writer@example.org", role="writer", name="Wim Writer"),
    }


@pytest.fixture
def editor(client, people):
    sign_in(client, "editor@example.org")
    return client


def client_of(app, email: str):
    client = app.test_client()
    sign_in(client, email)
    return client


def stored(page_id: int) -> Page:
    """The page as the database has it now, not as this session last saw it."""
    db.session.expire_all()
    return db.session.get(Page, page_id)


def start_page(client) -> int:
    response = client.post("/editor/pages")
    assert response.status_code == 303
    return int(response.location.rsplit("/", 1)[1])


def form_fields(page: Page, **changes) -> dict:
    """What the page form would post for the page, with some fields changed."""
    fields = {
        "title": page.title,
        "slug": page.slug,
        "dek": page.dek,
        "parent": "" if page.parent_id is None else str(page.parent_id),
        "page_type": page.page_type,
        "body": page.body_md,
        "version": str(page.version),
    }
    if page.nav_position is not None:
        fields["in_nav"] = "y"
    if page.footer_position is not None:
        fields["in_footer"] = "y"
    return {k: v for k, v in {**fields, **changes}.items() if v is not None}


BUTTONS = {"save": "Save draft", "preview": "Preview", "publish": "Publish"}


def post_page(client, page_id: int, button: str = "save", **changes):
    """Press a button of the page form, as loaded now, after changing some fields."""
    data = form_fields(stored(page_id), **changes)
    return client.post(f"/editor/pages/{page_id}", data={**data, button: BUTTONS[button]})


def write_page(client, title: str, button: str = "save", **changes) -> Page:
    page_id = start_page(client)
    changes.setdefault("slug", "")
    response = post_page(client, page_id, button, title=title, **changes)
    errors = re.findall(r'class="field-error[^"]*"[^>]*>(.*?)</p>', response.text)
    assert response.status_code == 303, errors
    return stored(page_id)


def autosave(client, page: Page, **changes):
    """What the form's autosave element posts, some fields changed."""
    data = form_fields(page, **changes)
    data.pop("in_nav", None), data.pop("in_footer", None)
    return client.post(f"/editor/pages/{page.id}/autosave", data=data, headers=htmx())


def field_error(page: str, name: str) -> str:
    match = re.search(rf'<p class="field-error" id="{name}-error">(.*?)</p>', page, re.S)
    return match.group(1) if match else ""


def listed_titles(page: str) -> list[str]:
    return re.findall(r'<td><a href="/editor/pages/\d+">(.*?)</a></td>', page)


def saved_revisions(page_id: int) -> list[Revision]:
    return db.session.scalars(
        db.select(Revision).filter_by(page_id=page_id, kind="save").order_by(Revision.id)
    ).all()


# --- Who may ---------------------------------------------------------------------------------


def page_urls(app, page_id: int, revision_id: int) -> list[tuple[str, str]]:
    """(method, url) of every page view in the editor, from the URL map."""
    urls = app.url_map.bind("localhost")
    values = {"page_id": page_id, "revision_id": revision_id}
    return [
        (method, urls.build(rule.endpoint, {k: values[k] for k in rule.arguments}))
        for rule in app.url_map.iter_rules()
        if rule.rule.startswith("/editor/pages")
        for method in rule.methods - {"HEAD", "OPTIONS"}
    ]


def test_writers_are_refused_every_page_view_and_see_no_pages_link(app, client, people):
    editor = client_of(app, "editor@example.org")
    page = write_page(editor, "About us", body="Who we are.")
    revision = saved_revisions(page.id)[0]
    sign_in(client, "writer@example.org")
    urls = page_urls(app, page.id, revision.id)
    assert len(urls) >= 10
    for method, url in urls:
        response = client.open(url, method=method, data={"title": "Mine now", "body": "x"})
        assert response.status_code == 403, (method, url)
    assert stored(page.id).title == "About us"
    assert len(db.session.scalars(db.select(Page)).all()) == 1
    assert "/editor/pages" not in client.get("/editor/").get_data(as_text=True)


@pytest.mark.parametrize("email", ["editor@example.org", "admin@example.org"])
def test_editors_and_admins_find_pages_in_the_editor_navigation(app, people, email):
    nav = client_of(app, email).get("/editor/").get_data(as_text=True)
    assert '<a href="/editor/pages">Pages</a>' in nav


def test_anonymous_visitors_are_sent_to_sign_in(client, people):
    response = client.get("/editor/pages")
    assert response.status_code == 302 and "/editor/sign-in" in response.location


def test_an_unknown_page_is_404(editor):
    assert editor.get("/editor/pages/999").status_code == 404
    assert editor.post("/editor/pages/999", data={"title": "x"}).status_code == 404


# --- The list and a new page -----------------------------------------------------------------


def test_new_page_starts_a_draft_with_an_empty_slug_field(editor):
    page_id = start_page(editor)
    page = stored(page_id)
    assert page.status == "draft" and page.slug.startswith("untitled-page")
    form = editor.get(f"/editor/pages/{page_id}").get_data(as_text=True)
    assert input_value(form, "slug") == ""
    assert input_value(form, "title") == "Untitled page"
    # A second new page gets a placeholder of its own.
    assert stored(start_page(editor)).slug == "untitled-page-2"


def test_the_list_shows_path_status_and_menus_and_filters_by_status(editor):
    about = write_page(editor, "About us", "publish", in_nav="y")
    write_page(editor, "Team", parent=str(about.id), in_footer="y")
    gone = write_page(editor, "Old notice")
    editor.post(f"/editor/pages/{gone.id}/trash")
    listed = editor.get("/editor/pages").get_data(as_text=True)
    assert sorted(listed_titles(listed)) == ["About us", "Team"]
    assert "<td>/about-us/team</td>" in listed and "<td>/about-us</td>" in listed
    assert "<td>navigation</td>" in listed and "<td>footer</td>" in listed
    for status, titles in [
        ("draft", ["Team"]),
        ("published", ["About us"]),
        ("trash", ["Old notice"]),
    ]:
        page = editor.get(f"/editor/pages?status={status}").get_data(as_text=True)
        assert listed_titles(page) == titles, status
    assert listed_titles(editor.get("/editor/pages?q=team").get_data(as_text=True)) == ["Team"]
    assert editor.get("/editor/pages?status=scheduled").status_code == 404


def test_save_then_publish_sets_the_first_publication_time_once(editor):
    page = write_page(editor, "Contact", body="Write to us.", page_type="ContactPage")
    assert (page.status, page.slug, page.page_type) == ("draft", "contact", "ContactPage")
    assert page.published_at is None and "Write to us." in page.body_html
    response = post_page(editor, page.id, "publish")
    assert "Published." in editor.get(response.location).get_data(as_text=True)
    first = stored(page.id).published_at
    assert stored(page.id).status == "published" and first is not None
    form = editor.get(f"/editor/pages/{page.id}").get_data(as_text=True)
    assert 'value="Update"' in form and 'name="publish"' not in form
    response = post_page(editor, page.id, body="Write to us, or call.")
    assert "Updated. Readers see the changes now." in editor.get(response.location).text
    assert stored(page.id).published_at == first


# --- Slugs -----------------------------------------------------------------------------------


def first_static_segments(app) -> set[str]:
    """What no page may be called, worked out here from the URL map on its own."""
    segments = set()
    for rule in app.url_map.iter_rules():
        first = rule.rule.split("/")[1]
        if first and not first.startswith("<") and "<" not in first:
            segments.add(first)
    return segments


def test_every_first_segment_of_the_sites_addresses_is_refused_as_a_slug(app, editor):
    segments = first_static_segments(app)
    assert {"articles", "editor", "latest", "search", "static", "robots.txt"} <= segments
    assert reserved_slugs() == segments
    page = write_page(editor, "Somewhere", body="Kept text.")
    for segment in sorted(segments):
        response = post_page(editor, page.id, slug=segment, body="Typed text.")
        assert response.status_code == 422, segment
        text = response.get_data(as_text=True)
        if re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", segment):
            assert f"/{segment} is an address of the site itself" in field_error(text, "slug")
        assert textarea_value(text, "body") == "Typed text."
    assert (stored(page.id).slug, stored(page.id).body_md) == ("somewhere", "Kept text.")


def test_a_title_that_would_make_a_reserved_slug_is_refused_too(editor):
    page_id = start_page(editor)
    response = post_page(editor, page_id, title="Latest", slug="")
    assert response.status_code == 422
    assert "/latest is an address of the site itself" in response.get_data(as_text=True)


def test_a_route_added_later_is_reserved_but_one_starting_with_a_variable_reserves_nothing(app):
    before = reserved_slugs()
    app.url_map.add(Rule("/<slug:slug>", endpoint="probe.page"))
    app.url_map.add(Rule("/<slug:parent>/<slug:slug>", endpoint="probe.child"))
    app.url_map.add(Rule("/corrections", endpoint="probe.corrections"))
    assert reserved_slugs() == before | {"corrections"}


@pytest.mark.parametrize(
    ("slug", "message"),
    [
        ("Not A Slug", "Use lowercase letters, digits and single hyphens."),
        ("double--hyphen", "Use lowercase letters, digits and single hyphens."),
        ("a" * 81, "Field cannot be longer than 80 characters."),
    ],
)
def test_a_malformed_slug_is_refused_and_the_text_is_kept(editor, slug, message):
    page = write_page(editor, "Shaped", body="Saved.")
    response = post_page(editor, page.id, slug=slug, body="Typed.")
    assert response.status_code == 422
    text = response.get_data(as_text=True)
    assert message in field_error(text, "slug")
    assert input_value(text, "slug") == slug and textarea_value(text, "body") == "Typed."
    assert stored(page.id).slug == "shaped"


def test_slug_must_be_unique_among_pages(editor):
    write_page(editor, "About")
    other = write_page(editor, "Other")
    response = post_page(editor, other.id, slug="about")
    assert response.status_code == 422
    assert "Another page (“About”) uses this address" in response.get_data(as_text=True)
    assert stored(other.id).slug == "other"


# --- Bad input -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"title": ""}, "title", "This field is required."),
        ({"title": "t" * 301}, "title", "Field cannot be longer than 300 characters."),
        ({"dek": "d" * 501}, "dek", "Field cannot be longer than 500 characters."),
        ({"page_type": "NewsArticle"}, "page_type", "Choose one of the listed page types."),
        ({"parent": "999"}, "parent", "That page does not exist (any more)."),
        ({"parent": "abc"}, "parent", "That page does not exist (any more)."),
        ({"parent": "-1"}, "parent", "That page does not exist (any more)."),
        ({"parent": "9" * 30}, "parent", "That page does not exist (any more)."),
    ],
)
def test_bad_input_is_refused_next_to_its_field_and_the_form_kept(editor, changes, field, message):
    page = write_page(editor, "Sturdy", body="Saved.")
    response = post_page(editor, page.id, body="Typed, not lost.", **changes)
    assert response.status_code == 422
    text = response.get_data(as_text=True)
    assert message in field_error(text, field)
    assert textarea_value(text, "body") == "Typed, not lost."
    page = stored(page.id)
    assert (page.title, page.body_md, page.parent_id) == ("Sturdy", "Saved.", None)


def test_control_characters_typed_into_the_page_form_are_not_stored(editor):
    page_id = start_page(editor)
    response = post_page(
        editor, page_id, title="Ab\x00out\x1b", slug="", dek="One\x08 line", body="Hi\x0c there.\n"
    )
    assert response.status_code == 303
    page = stored(page_id)
    assert (page.title, page.slug, page.dek, page.body_md) == (
        "About",
        "about",
        "One line",
        "Hi there.\n",
    )


def test_control_characters_are_not_autosaved(editor):
    page = write_page(editor, "Clean")
    autosave(editor, page, title="Dirty\x00", body="Typed\x1b.")
    kept = db.session.scalar(db.select(Revision).filter_by(kind="autosave"))
    assert (kept.title, kept.body_md) == ("Dirty", "Typed.")


def test_a_body_too_complex_to_format_is_refused_and_kept_as_typed(editor):
    page = write_page(editor, "Brackets", body="Saved text.")
    for button in ("save", "preview", "publish"):
        response = post_page(editor, page.id, button, body="Typed " + "[" * 5000)
        assert response.status_code == 422, button
        text = response.get_data(as_text=True)
        assert "too many brackets" in text
        assert textarea_value(text, "body") == "Typed " + "[" * 5000
    assert stored(page.id).body_md == "Saved text." and stored(page.id).status == "draft"


# --- Parents ---------------------------------------------------------------------------------


def test_a_page_under_a_parent_has_its_path_below_it(editor):
    about = write_page(editor, "About")
    team = write_page(editor, "Team", parent=str(about.id))
    assert stored(team.id).path == "about/team"
    form = editor.get(f"/editor/pages/{team.id}").get_data(as_text=True)
    assert selected_option(form, "parent") == "About"


def test_the_parent_list_holds_top_level_pages_but_itself(editor):
    about = write_page(editor, "About")
    write_page(editor, "Team", parent=str(about.id))
    write_page(editor, "Contact")
    form = editor.get(f"/editor/pages/{about.id}").get_data(as_text=True)
    select = re.search(r'<select[^>]* name="parent"[^>]*>(.*?)</select>', form, re.S).group(1)
    assert re.findall(r">([^<]*)</option>", select) == ["None: a top-level page", "Contact"]


def test_a_page_cannot_be_its_own_parent(editor):
    about = write_page(editor, "About")
    response = post_page(editor, about.id, parent=str(about.id))
    assert response.status_code == 422
    assert "A page cannot be under itself." in field_error(response.text, "parent")


def test_a_parent_must_be_a_top_level_page(editor):
    about = write_page(editor, "About")
    team = write_page(editor, "Team", parent=str(about.id))
    history = write_page(editor, "History")
    response = post_page(editor, history.id, parent=str(team.id))
    assert response.status_code == 422
    message = field_error(response.get_data(as_text=True), "parent")
    assert "“Team” is itself under “About”, and pages go one level deep." in message
    assert stored(history.id).parent_id is None


def test_a_page_with_pages_under_it_cannot_get_a_parent(editor):
    about = write_page(editor, "About")
    write_page(editor, "Team", parent=str(about.id))
    contact = write_page(editor, "Contact")
    form = editor.get(f"/editor/pages/{about.id}").get_data(as_text=True)
    assert "Pages are under this one, so it stays at the top level." in form
    response = post_page(editor, about.id, parent=str(contact.id), body="Typed.")
    assert response.status_code == 422
    message = field_error(response.get_data(as_text=True), "parent")
    assert "this page has pages under it (“Team”)" in message
    assert stored(about.id).parent_id is None


# --- Menus -----------------------------------------------------------------------------------


def test_navigation_and_footer_boxes_put_the_page_last_and_take_it_out(editor):
    first = write_page(editor, "First", in_nav="y", in_footer="y")
    second = write_page(editor, "Second", in_nav="y")
    assert (stored(first.id).nav_position, stored(first.id).footer_position) == (1, 1)
    assert (stored(second.id).nav_position, stored(second.id).footer_position) == (2, None)
    form = editor.get(f"/editor/pages/{second.id}").get_data(as_text=True)
    assert re.search(r'<input checked[^>]*name="in_nav"', form)
    assert not re.search(r'<input checked[^>]*name="in_footer"', form)
    # A later save keeps the place; unchecking takes the page out.
    assert post_page(editor, second.id, title="Second, renamed").status_code == 303
    assert stored(second.id).nav_position == 2
    assert post_page(editor, first.id, in_nav=None).status_code == 303
    assert (stored(first.id).nav_position, stored(first.id).footer_position) == (None, 1)


# --- Preview ---------------------------------------------------------------------------------


def test_preview_shows_the_sanitised_body_without_saving(editor):
    page = write_page(editor, "Previewed", body="Saved.")
    response = post_page(editor, page.id, "preview", body="**Bold** <script>alert(1)</script>")
    assert response.status_code == 200
    text = response.get_data(as_text=True)
    pane = text.split('id="body-preview"', 1)[1]
    assert "<strong>Bold</strong>" in pane and "<script>alert(1)" not in pane
    assert stored(page.id).body_md == "Saved."


def test_the_form_previews_live_through_the_shared_preview_endpoint(editor):
    page_id = start_page(editor)
    form = editor.get(f"/editor/pages/{page_id}").get_data(as_text=True)
    assert 'data-hx-post="/editor/preview"' in form
    live = editor.post("/editor/preview", data={"body": "*Hi*"}, headers=htmx())
    assert live.get_data(as_text=True) == "<p><em>Hi</em></p>"


# --- Autosave --------------------------------------------------------------------------------


def test_autosave_keeps_every_field_without_changing_the_page(editor):
    about = write_page(editor, "About")
    page = write_page(editor, "Contact", "publish", body="Published text.")
    typed = {"title": "Contact us", "slug": "write-to-us", "dek": "How.", "body": "Half-typed"}
    response = autosave(editor, page, parent=str(about.id), page_type="ContactPage", **typed)
    assert response.status_code == 200 and "Kept at" in response.get_data(as_text=True)
    assert stored(page.id).body_md == "Published text."
    form = editor.get(f"/editor/pages/{page.id}").get_data(as_text=True)
    assert "We restored text you typed" in form
    for name in ("title", "slug"):
        assert input_value(form, name) == typed[name]
    assert textarea_value(form, "body") == "Half-typed"
    assert selected_option(form, "parent") == "About"
    assert selected_option(form, "page_type") == "Contact page"


def test_autosave_refuses_a_page_type_that_does_not_exist(editor):
    page = write_page(editor, "Forged")
    assert autosave(editor, page, page_type="Evil").status_code == 400
    assert db.session.scalar(db.select(Revision).filter_by(kind="autosave")) is None


def test_discarding_the_autosave_and_saving_both_end_it(editor):
    page = write_page(editor, "Second thoughts", body="Saved.")
    autosave(editor, page, body="Unwanted.")
    response = editor.post(f"/editor/pages/{page.id}/autosave/discard")
    assert response.status_code == 303
    form = editor.get(response.location).get_data(as_text=True)
    assert "We restored text" not in form and textarea_value(form, "body") == "Saved."
    autosave(editor, page, body="Wanted.")
    assert post_page(editor, page.id, body="Wanted.").status_code == 303
    assert db.session.scalar(db.select(Revision).filter_by(kind="autosave")) is None


def test_autosaved_text_survives_someone_elses_later_save(app, editor, people):
    page = write_page(editor, "Shared", body="Common start.")
    about = write_page(editor, "About")
    loaded = str(page.version)
    autosave(editor, page, body="Common start.\n\nMine.", parent=str(about.id), version=loaded)
    admin = client_of(app, "admin@example.org")
    assert post_page(admin, page.id, body="Common start.\n\nTheirs.").status_code == 303
    response = autosave(
        editor, page, body="Common start.\n\nMine.", parent=str(about.id), version=loaded
    )
    assert "Someone else has saved a newer version." in response.get_data(as_text=True)

    form = editor.get(f"/editor/pages/{page.id}").get_data(as_text=True)
    assert "The page has changed since." in form
    assert "Ada Admin saved the page at" in form
    assert textarea_value(form, "body") == "Common start.\n\nMine."
    assert '<span class="diff-del">\u2212 Theirs.</span>' in form
    assert '<span class="diff-add">+ Mine.</span>' in form
    assert "<h2>Parent page</h2>" in form and '<span class="diff-add">+ About</span>' in form


def test_the_second_of_two_conflicting_saves_is_refused_and_keeps_its_text(app, editor, people):
    page = write_page(editor, "Shared piece", body="Common start.")
    admin = client_of(app, "admin@example.org")
    mine = form_fields(stored(page.id), body="My version.")
    theirs = form_fields(stored(page.id), body="Their version.")
    assert admin.post(f"/editor/pages/{page.id}", data={**theirs, "save": "x"}).status_code == 303
    response = editor.post(f"/editor/pages/{page.id}", data={**mine, "save": "x"})
    assert response.status_code == 409
    text = response.get_data(as_text=True)
    assert "Not saved: Ada Admin saved this page at" in text
    assert textarea_value(text, "body") == "My version."
    assert stored(page.id).body_md == "Their version."
    again = {**mine, "version": input_value(text, "version"), "save": "x"}
    assert editor.post(f"/editor/pages/{page.id}", data=again).status_code == 303
    assert stored(page.id).body_md == "My version."


# --- Revisions -------------------------------------------------------------------------------


def test_revisions_are_listed_diffed_and_restored(editor):
    about = write_page(editor, "About")
    page = write_page(editor, "Version one", body="Line one.\nLine two.\n")
    post_page(
        editor, page.id, title="Version two", body="Line one.\nLine 2.\n", parent=str(about.id)
    )
    listed = editor.get(f"/editor/pages/{page.id}/revisions").get_data(as_text=True)
    assert "“Version one”" in listed and "“Version two”" in listed and "by Edda Editor" in listed
    first = saved_revisions(page.id)[0]
    diff = editor.get(f"/editor/pages/{page.id}/revisions/{first.id}").get_data(as_text=True)
    assert '<span class="diff-del">\u2212 Line two.</span>' in diff
    assert '<span class="diff-add">+ Line 2.</span>' in diff
    assert "<h2>Parent page</h2>" in diff and "<h2>Slug</h2>" not in diff
    response = editor.post(f"/editor/pages/{page.id}/revisions/{first.id}/restore")
    assert response.status_code == 303
    page = stored(page.id)
    assert (page.title, page.body_md) == ("Version one", "Line one.\nLine two.\n")
    assert len(saved_revisions(page.id)) == 3


def test_a_revision_of_another_page_or_of_an_article_is_404(editor, add_article):
    first = write_page(editor, "First")
    second = write_page(editor, "Second")
    revision = saved_revisions(first.id)[0]
    assert editor.get(f"/editor/pages/{second.id}/revisions/{revision.id}").status_code == 404
    restore = f"/editor/pages/{second.id}/revisions/{revision.id}/restore"
    assert editor.post(restore).status_code == 404
    article = add_article("An article")
    db.session.add(Revision(article_id=article.id, kind="save", title="Article text"))
    db.session.commit()
    of_article = db.session.scalar(db.select(Revision.id).filter_by(article_id=article.id))
    assert editor.get(f"/editor/pages/{first.id}/revisions/{of_article}").status_code == 404
    assert stored(second.id).title == "Second"


# --- Old addresses ---------------------------------------------------------------------------


def redirects() -> dict[str, int]:
    db.session.expire_all()
    return {r.old_path: r.page_id for r in db.session.scalars(db.select(PageRedirect))}


def test_a_published_pages_new_slug_and_parent_leave_its_old_paths(editor):
    about = write_page(editor, "About", "publish")
    team = write_page(editor, "Team", "publish", parent=str(about.id))
    assert post_page(editor, team.id, slug="people").status_code == 303
    assert redirects() == {"about/team": team.id}
    assert post_page(editor, team.id, parent="").status_code == 303
    assert redirects() == {"about/team": team.id, "about/people": team.id}
    # The page under a renamed parent keeps its old path too.
    assert post_page(editor, team.id, parent=str(about.id)).status_code == 303
    assert post_page(editor, about.id, slug="who-we-are").status_code == 303
    assert redirects() == {
        "about/team": team.id,
        "people": team.id,
        "about": about.id,
        "about/people": team.id,
    }


def test_a_path_taken_again_is_no_longer_an_old_address(editor):
    about = write_page(editor, "About", "publish")
    post_page(editor, about.id, slug="about-us")
    assert redirects() == {"about": about.id}
    other = write_page(editor, "Other")
    assert post_page(editor, other.id, slug="about").status_code == 303
    assert redirects() == {}
    post_page(editor, about.id, slug="who")
    assert redirects() == {"about-us": about.id}
    assert post_page(editor, about.id, slug="about-us").status_code == 303
    assert redirects() == {"who": about.id}


def test_a_draft_slug_change_leaves_no_old_address(editor):
    page = write_page(editor, "Draft name")
    post_page(editor, page.id, slug="better-name")
    assert redirects() == {}


# --- Trash -----------------------------------------------------------------------------------


def test_trash_and_restore_bring_back_the_status_it_had(editor):
    page = write_page(editor, "Regretted", "publish")
    response = editor.post(f"/editor/pages/{page.id}/trash")
    assert response.status_code == 303
    assert "is in the trash" in editor.get(response.location).get_data(as_text=True)
    assert stored(page.id).status == "trash"
    form = editor.get(f"/editor/pages/{page.id}").get_data(as_text=True)
    assert "This page is in the trash" in form
    assert "Move to trash" not in form and 'value="Update"' not in form
    response = post_page(editor, page.id, body="Typed in the trash.")
    assert response.status_code == 409 and "this page is in the trash" in response.text
    trash = editor.get("/editor/pages?status=trash").get_data(as_text=True)
    assert f'action="/editor/pages/{page.id}/restore"' in trash
    response = editor.post(f"/editor/pages/{page.id}/restore")
    assert response.status_code == 303 and stored(page.id).status == "published"
    draft = write_page(editor, "A draft")
    editor.post(f"/editor/pages/{draft.id}/trash")
    editor.post(f"/editor/pages/{draft.id}/restore")
    assert stored(draft.id).status == "draft"


def test_a_save_overtaken_between_its_check_and_its_write_is_refused(app, editor, monkeypatch):
    """Another save can land after the version check passed: the write itself then fails."""
    from rsflask.editor import pages

    page = write_page(editor, "Raced", body="Common start.")
    checked = pages.apply_form

    def overtaken(form, page) -> bool:
        # The row changes under the loaded page, as another save would change it.
        db.session.execute(
            db.update(Page).where(Page.id == page.id).values(version=Page.version + 1),
            execution_options={"synchronize_session": False},
        )
        return checked(form, page)

    monkeypatch.setattr(pages, "apply_form", overtaken)
    response = post_page(editor, page.id, body="Mine, overtaken.")
    assert response.status_code == 409
    text = response.get_data(as_text=True)
    assert "Not saved: Edda Editor saved this page at" in text
    assert textarea_value(text, "body") == "Mine, overtaken."
    assert input_value(text, "version") == str(stored(page.id).version)
    assert stored(page.id).body_md == "Common start."
