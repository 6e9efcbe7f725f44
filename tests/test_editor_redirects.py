"""The editors' Redirects page: admins and editors only; the list with search, pages, hits and
who made each; add, edit and delete (asked first, with or without JavaScript); CSRF."""

import re

import pytest

from rsflask import redirects
from rsflask.db import db
from rsflask.models import Redirect
from tests.conftest import htmx
from tests.editor_helpers import make_user, prepare_editor_tests, sign_in


@pytest.fixture(autouse=True)
def editor_tests(app, monkeypatch):
    prepare_editor_tests(app, monkeypatch)


@pytest.fixture
def editor(app, client):
    make_user("editor@example.org", role="editor")
    sign_in(client, "editor@example.org")
    return client


def stored_redirects() -> dict[str, tuple[str, int, str]]:
    """{old path: (target, status, source)}, as committed."""
    db.session.rollback()
    found = {
        r.old_path: (redirects.target_text(r), r.status, r.source)
        for r in db.session.scalars(db.select(Redirect))
    }
    db.session.rollback()
    return found


def add(old_path: str, target: str, **options) -> Redirect:
    redirect = redirects.add(old_path, target, **options)
    db.session.commit()
    return redirect


@pytest.mark.parametrize("role", ["admin", "editor"])
def test_admins_and_editors_see_the_redirects_page_and_its_link(app, client, role):
    make_user(f"{role}@example.org", role=role)
    sign_in(client, f"{role}@example.org")
    assert 'href="/editor/redirects"' in client.get("/editor/").get_data(as_text=True)
    assert client.get("/editor/redirects").status_code == 200


def test_writers_get_403_at_every_redirects_address(app, client):
    make_user("writer@example.org", role="writer")
    sign_in(client, "writer@example.org")
    kept = add("/old/", "/latest")
    assert 'href="/editor/redirects"' not in client.get("/editor/").get_data(as_text=True)
    gets = ["", "/new", f"/{kept.id}", f"/{kept.id}/delete", f"/{kept.id}/row", ".csv", "/import"]
    for path in gets:
        assert client.get(f"/editor/redirects{path}").status_code == 403, path
    posts = [
        ("/new", {"old_path": "/x", "target": "/latest", "status": "301"}),
        (f"/{kept.id}", {"old_path": "/y", "target": "/latest", "status": "301"}),
        (f"/{kept.id}/delete", {}),
    ]
    for path, data in posts:
        assert client.post(f"/editor/redirects{path}", data=data).status_code == 403, path
    assert stored_redirects() == {"/old/": ("/latest", 301, "editor")}


def test_anonymous_visitors_are_sent_to_sign_in(client):
    response = client.get("/editor/redirects")
    assert response.status_code == 302 and "/editor/sign-in" in response.location


def test_the_list_shows_each_target_kind_hits_last_hit_and_maker(editor, add_article):
    add_article("Grid politics")
    add("/2019/04/grid/", "/articles/grid-politics", source="wordpress")
    add("/shop/", "https://shop.example/", status=302)
    editor.get("/2019/04/grid/")
    editor.get("/2019/04/grid/")
    html = editor.get("/editor/redirects").get_data(as_text=True)
    assert "2 redirects." in html
    grid = re.search(r'<tr id="redirect-\d+">(?:(?!</tr>).)*/2019/04/grid/.*?</tr>', html, re.S)
    cells = re.findall(r"<td[^>]*>(.*?)</td>", grid.group(0), re.S)
    assert "Grid politics" in cells[1] and "/articles/grid-politics" in cells[1]
    assert [cell.strip() for cell in cells[2:4]] == ["301", "2"]
    assert "<time datetime=" in cells[4] and cells[5].strip() == "wordpress"
    assert "https://shop.example/" in html and "never" in html


def test_search_finds_by_old_address_or_target_and_htmx_gets_the_list_alone(editor, add_article):
    add_article("Grid politics")
    add("/2019/04/grid/", "/articles/grid-politics")
    add("/caf%C3%A9/", "/latest")
    add("/feed/", "/feeds/all.atom")
    for query, found, missed in [
        ("grid", "/2019/04/grid/", "/feed/"),
        ("Grid Politics", "/2019/04/grid/", "/feed/"),
        ("all.atom", "/feed/", "/2019/04/grid/"),
        ("café", "/caf%C3%A9/", "/feed/"),
        ("100%", None, "/feed/"),
    ]:
        html = editor.get(f"/editor/redirects?q={query}").get_data(as_text=True)
        assert "<html" in html and 'id="redirect-search"' in html
        assert (found is None or found in html) and missed not in html, query
    fragment = editor.get("/editor/redirects?q=feed", headers=htmx()).get_data(as_text=True)
    assert "<html" not in fragment and 'id="redirect-search"' not in fragment
    assert "/feed/" in fragment and "1 redirect matching “feed”." in fragment


def test_the_list_pages_by_fifty(editor, app):
    for number in range(51):
        db.session.add(Redirect(old_path=f"/old/{number}", match_path=f"/old/{number}",
                                target_url="/latest"))  # fmt: skip
    db.session.commit()
    first = editor.get("/editor/redirects").get_data(as_text=True)
    assert first.count('<tr id="redirect-') == 50 and "Page 1 of 2" in first
    second = editor.get("/editor/redirects?page=2").get_data(as_text=True)
    assert second.count('<tr id="redirect-') == 1
    assert editor.get("/editor/redirects?page=0").status_code == 404


def test_adding_a_redirect_stores_it_and_lists_it(editor):
    form = {"old_path": "https://old.example/2019/04/post/?x=1", "target": "/latest",
            "status": "302"}  # fmt: skip
    response = editor.post("/editor/redirects/new", data=form)
    assert response.status_code == 303
    page = editor.get(response.location).get_data(as_text=True)
    assert "Saved: /2019/04/post/ → /latest." in page
    assert stored_redirects() == {"/2019/04/post/": ("/latest", 302, "editor")}


@pytest.mark.parametrize(
    ("form", "field", "message"),
    [
        ({"old_path": "/latest", "target": "/"}, "old_path", "is a live address of the site"),
        ({"old_path": "/a", "target": "/a/"}, "target", "would make a loop"),
        ({"old_path": "/a", "target": "javascript:alert(1)"}, "target", "must be a path"),
        ({"old_path": "", "target": "/latest"}, "old_path", "Give the old address."),
        ({"old_path": "/taken", "target": "/latest"}, "old_path", "There is already a redirect"),
        ({"old_path": "/a", "target": "/latest", "status": "307"}, "status", "Not a valid choice"),
    ],
)
def test_a_refused_redirect_says_why_under_its_field_and_keeps_the_form(
    editor, form, field, message
):
    add("/taken/", "/search")
    response = editor.post("/editor/redirects/new", data={"status": "301", **form})
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    error = re.search(rf'<p class="field-error" id="{field}-error">([^<]*)</p>', html)
    assert error and message in error.group(1).replace("&#39;", "'")
    if form["old_path"]:
        assert f'value="{form["old_path"]}"' in html
    assert stored_redirects() == {"/taken/": ("/search", 301, "editor")}


def test_saving_a_target_that_is_not_there_yet_warns(editor, add_article):
    add_article("Plan", status="draft")
    editor.post("/editor/redirects/new", data={"old_path": "/a", "target": "/nowhere"})
    assert "Nothing is at that address yet (404)" in editor.get("/editor/redirects").text
    editor.post("/editor/redirects/new", data={"old_path": "/b", "target": "/articles/plan"})
    assert "once the article is published" in editor.get("/editor/redirects").text


def test_editing_changes_the_redirect_and_keeps_its_hits(editor):
    kept = add("/old/", "/latest", source="wordpress")
    editor.get("/old/")
    form = editor.get(f"/editor/redirects/{kept.id}").get_data(as_text=True)
    assert 'value="/old/"' in form and 'value="/latest"' in form
    assert "Made by wordpress; followed 1 time" in form
    changed = {"old_path": "/older/", "target": "/search", "status": "301"}
    response = editor.post(f"/editor/redirects/{kept.id}", data=changed)
    assert response.status_code == 303
    assert stored_redirects() == {"/older/": ("/search", 301, "editor")}
    assert db.session.get(Redirect, kept.id).hit_count == 1
    db.session.rollback()
    assert editor.get(f"/editor/redirects/{kept.id + 1}").status_code == 404


def test_deleting_asks_first_without_javascript(editor):
    kept = add("/old/", "/latest")
    page = editor.get(f"/editor/redirects/{kept.id}/delete").get_data(as_text=True)
    assert "<html" in page and "Delete the redirect from <strong" in page
    assert '<form method="post"' in page and 'href="/editor/redirects?q=/old/"' in page
    response = editor.post(f"/editor/redirects/{kept.id}/delete")
    assert response.status_code == 303
    assert "The redirect from /old/ is deleted." in editor.get(response.location).text
    assert stored_redirects() == {}
    assert editor.get("/old/").status_code == 404


def test_deleting_in_the_row_with_htmx(editor, add_article):
    add_article("Grid politics")
    kept = add("/old/", "/articles/grid-politics")
    asked = editor.get(f"/editor/redirects/{kept.id}/delete", headers=htmx()).text
    assert asked.startswith(f'<tr id="redirect-{kept.id}">') and "<html" not in asked
    assert f'data-hx-post="/editor/redirects/{kept.id}/delete"' in asked
    assert "Grid politics" in asked
    kept_row = editor.get(f"/editor/redirects/{kept.id}/row", headers=htmx()).text
    assert kept_row.startswith(f'<tr id="redirect-{kept.id}">') and "Edit" in kept_row
    # A browser asking for the row gets the list, searched for it.
    assert editor.get(f"/editor/redirects/{kept.id}/row").location.endswith("?q=/old/")
    done = editor.post(f"/editor/redirects/{kept.id}/delete", headers=htmx()).text
    assert '<p role="status">The redirect from /old/ is deleted.</p>' in done
    assert "Grid politics" in done
    assert "<html" not in done and stored_redirects() == {}


def test_forms_without_the_csrf_token_are_refused_and_change_nothing(app, editor):
    kept = add("/old/", "/latest")
    app.config["WTF_CSRF_ENABLED"] = True
    posts = [
        ("/editor/redirects/new", {"old_path": "/x", "target": "/latest", "status": "301"}),
        (f"/editor/redirects/{kept.id}", {"old_path": "/y", "target": "/", "status": "301"}),
        (f"/editor/redirects/{kept.id}/delete", {}),
        ("/editor/redirects/import", {}),
    ]
    for path, data in posts:
        response = editor.post(path, data=data)
        assert response.status_code == 400, path
        assert "The form expired" in response.text
    assert stored_redirects() == {"/old/": ("/latest", 301, "editor")}
    page = editor.get(f"/editor/redirects/{kept.id}/delete").text
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    assert editor.post(f"/editor/redirects/{kept.id}/delete",
                       data={"csrf_token": token}).status_code == 303  # fmt: skip
    assert stored_redirects() == {}
