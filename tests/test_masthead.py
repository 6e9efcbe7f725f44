"""The masthead at /authors, the role line on author pages, the author form's masthead fields."""

import re
from datetime import timedelta

import pytest
from sqlalchemy import event

from rsflask.db import db, utcnow
from rsflask.models import Author
from rsflask.page_store import MemoryStore
from rsflask.photos import store_photo
from tests.editor_helpers import image_bytes, make_user, prepare_editor_tests, sign_in, upload
from tests.test_reader import parse
from tests.test_seo import SITE, assert_serves_the_stated_jpeg, page_head, sitemap, w3c


def staff(name: str, position: int = 100, role_line: str = "", **fields) -> Author:
    slug = name.lower().replace(" ", "-")
    author = Author(
        name=name,
        slug=slug,
        is_staff=True,
        staff_position=position,
        role_line=role_line,
        **fields,
    )
    db.session.add(author)
    db.session.commit()
    return author


def masthead(client) -> dict[str, list[str]]:
    """The names under each heading of /authors, in the order shown."""
    response = client.get("/authors")
    assert response.status_code == 200
    page = parse(response)
    return {
        group.find("h2").text: [h3.text for h3 in group.find_all("h3", class_="person-name")]
        for group in page.find_all("section", class_="masthead-group")
    }


def test_staff_come_first_by_their_order_then_name_and_contributors_by_name(client, add_article):
    add_article("One", authors=["Zoe Marlow", "adam Brandt"])
    add_article("Two", authors=["Ken Ito"])
    staff("Rita Desk", position=2)
    staff("Olaf Chief", position=1)
    staff("Bea Copy", position=2)
    assert masthead(client) == {
        "Staff": ["Olaf Chief", "Bea Copy", "Rita Desk"],
        "Contributors": ["adam Brandt", "Ken Ito", "Zoe Marlow"],
    }


def test_a_staff_member_who_also_writes_is_listed_once_among_the_staff(client, add_article):
    add_article("One", authors=["Ada Writer"])
    author = db.session.scalars(db.select(Author).filter_by(slug="ada-writer")).one()
    author.is_staff = True
    db.session.commit()
    assert masthead(client) == {"Staff": ["Ada Writer"]}


@pytest.mark.parametrize("status", ["draft", "review", "trash", "scheduled"])
def test_an_author_with_no_article_readers_may_see_is_not_named(client, add_article, status):
    add_article("Visible", authors=["Ada Writer"])
    if status == "scheduled":
        add_article("Later", authors=["Ghost Writer"], published=utcnow() + timedelta(days=1))
    else:
        add_article("Hidden", authors=["Ghost Writer"], status=status)
    assert masthead(client) == {"Contributors": ["Ada Writer"]}
    assert "Ghost Writer" not in client.get("/authors").get_data(as_text=True)


def test_a_masthead_with_no_one_on_it_says_so(client, add_article):
    add_article("Hidden", authors=["Ghost Writer"], status="draft")
    response = client.get("/authors")
    assert response.status_code == 200
    assert parse(response).find("p", class_="empty").text == "No authors yet."


def test_each_person_has_photo_name_linking_to_their_page_role_line_and_bio(client, add_article):
    chief = staff(
        "Olaf Chief",
        role_line="Editor-in-chief",
        bio="Olaf has edited the Review since its first issue.",
        photo=store_photo(image_bytes(size=(900, 600))),
    )
    add_article("One", authors=["Ada Writer"])
    page = parse(client.get("/authors"))
    [first, second] = page.find_all("li", class_="person")
    assert first.find("h3").links() == ["/authors/olaf-chief"]
    assert first.find("p", class_="role-line").text == "Editor-in-chief"
    assert first.find("p", class_="person-bio").text == chief.bio
    img = first.find("img")
    photo = chief.photo
    assert img.attrs["src"] == f"/photos/{photo.filename(photo.widths[0])}"
    assert img.attrs["srcset"] == ", ".join(
        f"/photos/{photo.filename(w)} {w}w" for w in photo.widths
    )
    # The name is right beside it: the photo says nothing more to a screen reader.
    assert img.attrs["alt"] == ""
    assert (img.attrs["width"], img.attrs["height"]) == ("96", "96")
    # An author without photo, role line or bio gets none of the three, nor empty elements.
    assert second.find_all("img") == [] and second.find_all("p") == []
    assert second.find("h3").links() == ["/authors/ada-writer"]


def test_masthead_queries_do_not_grow_with_the_people_on_it(app, client, add_article):
    app.extensions["page_cache"].store = MemoryStore(0)
    engine = db.engine

    def queries() -> int:
        statements = []

        def record(conn, cursor, statement, *args):
            statements.append(statement)

        event.listen(engine, "before_cursor_execute", record)
        try:
            assert client.get("/authors").status_code == 200
        finally:
            event.remove(engine, "before_cursor_execute", record)
        return len(statements)

    def add_people(start: int, count: int) -> None:
        for number in range(start, start + count):
            staff(f"Staff {number}", photo=store_photo(image_bytes(size=(200 + number, 200))))
            add_article(f"Story {number}", authors=[f"Writer {number}"])
        for author in db.session.scalars(db.select(Author).filter(Author.slug.like("writer-%"))):
            author.photo = author.photo or store_photo(image_bytes(size=(300, 200 + author.id)))
        db.session.commit()

    add_people(1, 2)
    few = queries()
    add_people(3, 8)
    assert queries() == few


# --- Author pages -------------------------------------------------------------------------------


def test_the_author_page_shows_the_role_line_under_the_name(client, add_article):
    add_article("One", authors=["Ada Writer"])
    author = db.session.scalars(db.select(Author).filter_by(slug="ada-writer")).one()
    author.role_line = "Contributing writer"
    db.session.commit()
    header = parse(client.get("/authors/ada-writer")).find("header", class_="page-header")
    texts = [child.text for child in header.children if not isinstance(child, str)]
    assert texts[texts.index("Ada Writer") + 1] == "Contributing writer"


def test_an_author_page_without_a_role_line_has_no_empty_line(client, add_article):
    add_article("One", authors=["Ada Writer"])
    page = parse(client.get("/authors/ada-writer"))
    assert page.find_all("p", class_="role-line") == []


def test_a_staff_member_without_articles_has_a_page_without_a_feed(client):
    staff("Cy Desk", role_line="Night editor", bio="Cy keeps the late shift.")
    response = client.get("/authors/cy-desk")
    assert response.status_code == 200
    page = parse(response)
    assert page.find("h1").text == "Cy Desk"
    assert page.find("p", class_="role-line").text == "Night editor"
    assert page.find("p", class_="listing-description").text == "Cy keeps the late shift."
    assert page.find("div", class_="teasers").text == "No articles yet."
    assert page_head(client, "/authors/cy-desk").link("alternate") == []
    # No second page, and no feed: there is nothing to put in them.
    assert client.get("/authors/cy-desk?page=2").status_code == 404
    assert client.get("/feeds/authors/cy-desk.atom").status_code == 404


def test_an_author_who_is_not_staff_and_has_no_visible_article_has_no_page(client, add_article):
    add_article("Hidden", authors=["Ghost Writer"], status="draft")
    assert client.get("/authors/ghost-writer").status_code == 404


# --- Search engines, link previews, the page cache ----------------------------------------------


def test_masthead_has_canonical_description_and_link_preview(app, client, add_article):
    add_article("One", authors=["Ada Writer"])
    head = page_head(client, "/authors?utm_source=x")
    assert head.link("canonical") == [f"{SITE}/authors"]
    assert app.config["SITE_NAME"] in head.one("description")
    assert head.one("og:type") == "website"
    assert head.one("og:url") == f"{SITE}/authors"
    assert head.one("og:title") == f"Authors | {app.config['SITE_NAME']}"
    assert head.one("og:description") == head.one("description")
    assert head.one("og:site_name") == app.config["SITE_NAME"]
    assert head.one("twitter:card") == "summary"
    assert_serves_the_stated_jpeg(client, head)


def test_masthead_is_a_public_page_that_changes_when_an_author_does(client, add_article):
    add_article("One", authors=["Ada Writer"])
    first = client.get("/authors")
    assert first.cache_control.public
    author = db.session.scalars(db.select(Author).filter_by(slug="ada-writer")).one()
    author.role_line = "Contributing writer"
    db.session.commit()
    assert "Contributing writer" in client.get("/authors").get_data(as_text=True)


def test_the_sitemap_lists_the_masthead_and_each_staff_members_page_once(client, add_article):
    article = add_article("One", authors=["Ada Writer"])
    staff("Cy Desk")
    ada = db.session.scalars(db.select(Author).filter_by(slug="ada-writer")).one()
    ada.is_staff = True
    db.session.commit()
    xml = client.get("/sitemap.xml").get_data(as_text=True)
    locs = re.findall(r"<loc>([^<]+)</loc>", xml)
    for path in ("/authors", "/authors/cy-desk", "/authors/ada-writer"):
        assert locs.count(f"{SITE}{path}") == 1, path
    assert sitemap(client)[f"{SITE}/authors/cy-desk"] == w3c(article.updated_at)


def test_every_page_links_to_the_masthead_in_its_footer(client, add_article):
    add_article("One")
    footer = parse(client.get("/articles/one")).find("footer", class_="site-footer")
    assert "/authors" in footer.links()


# --- The author form ----------------------------------------------------------------------------


@pytest.fixture
def admin(app, client, monkeypatch):
    prepare_editor_tests(app, monkeypatch)
    make_user("admin@example.org", role="admin")
    sign_in(client, "admin@example.org")
    return client


def author_data(**changes) -> dict:
    return {
        "name": "Olaf Chief",
        "slug": "",
        "role_line": "Editor-in-chief",
        "is_staff": "y",
        "staff_position": "1",
        "bio": "",
        **changes,
    }


def test_admin_sets_role_line_staff_and_order_and_the_list_shows_them(admin):
    response = admin.post("/editor/authors/new", data=author_data())
    assert response.status_code == 303
    author = db.session.scalars(db.select(Author).filter_by(slug="olaf-chief")).one()
    assert (author.role_line, author.is_staff, author.staff_position) == (
        "Editor-in-chief",
        True,
        1,
    )
    item = parse(admin.get("/editor/authors")).find("ul", class_="taxonomy-list").find("li")
    assert item.find("p", class_="hint").text == "Editor-in-chief · Staff, order 1"
    # The form shows what is stored; unticking the box leaves the staff.
    form = parse(admin.get(f"/editor/authors/{author.id}"))
    assert form.find("input", id="role_line").attrs["value"] == "Editor-in-chief"
    assert "checked" in form.find("input", id="is_staff").attrs
    assert form.find("input", id="staff_position").attrs["value"] == "1"
    data = author_data(slug="olaf-chief", role_line="Contributing writer")
    del data["is_staff"]
    assert admin.post(f"/editor/authors/{author.id}", data=data).status_code == 303
    db.session.refresh(author)
    assert (author.role_line, author.is_staff) == ("Contributing writer", False)


def test_a_new_author_is_not_staff_and_has_the_default_order(admin):
    data = {"name": "Ken Ito", "slug": "", "bio": ""}
    assert admin.post("/editor/authors/new", data=data).status_code == 303
    author = db.session.scalars(db.select(Author).filter_by(slug="ken-ito")).one()
    assert (author.role_line, author.is_staff, author.staff_position) == ("", False, 100)


def test_saving_an_author_without_the_order_field_keeps_the_stored_order(admin):
    assert (
        admin.post("/editor/authors/new", data=author_data(staff_position="7")).status_code == 303
    )
    author = db.session.scalars(db.select(Author).filter_by(slug="olaf-chief")).one()
    data = author_data(slug="olaf-chief")
    del data["staff_position"]
    assert admin.post(f"/editor/authors/{author.id}", data=data).status_code == 303
    db.session.refresh(author)
    assert author.staff_position == 7


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"staff_position": "first"}, "A whole number, from 0 to 1000000."),
        ({"staff_position": "-1"}, "A whole number, from 0 to 1000000."),
        ({"staff_position": "9" * 30}, "A whole number, from 0 to 1000000."),
        ({"staff_position": "\u00b2"}, "A whole number, from 0 to 1000000."),
        ({"staff_position": ""}, "A whole number, from 0 to 1000000."),
        ({"role_line": "x" * 201}, "Field cannot be longer than 200 characters."),
    ],
)
def test_bad_masthead_fields_are_refused_with_a_message_and_kept(admin, changes, message):
    data = author_data(**changes)
    response = admin.post("/editor/authors/new", data=data)
    assert response.status_code == 422
    page = parse(response)
    assert message in page.find("p", class_="field-error").text
    field = next(iter(changes))
    assert page.find("input", id=field).attrs["value"] == data[field]
    assert db.session.scalar(db.select(Author)) is None


def test_the_masthead_fields_reach_the_masthead(admin, add_article):
    add_article("One", authors=["Ada Writer"])
    assert (
        admin.post("/editor/authors/new", data=author_data(photo=upload(image_bytes()))).status_code
        == 303
    )
    assert masthead(admin) == {"Staff": ["Olaf Chief"], "Contributors": ["Ada Writer"]}


@pytest.mark.parametrize("role", ["editor", "writer"])
def test_only_admins_may_change_authors(app, client, monkeypatch, add_article, role):
    prepare_editor_tests(app, monkeypatch)
    add_article("One", authors=["Ada Writer"])
    author = db.session.scalars(db.select(Author).filter_by(slug="ada-writer")).one()
    make_user(f"{role}@example.org", role=role)
    sign_in(client, f"{role}@example.org")
    assert client.get(f"/editor/authors/{author.id}").status_code == 403
    response = client.post(f"/editor/authors/{author.id}", data=author_data(name="Ada Writer"))
    assert response.status_code == 403
    db.session.refresh(author)
    assert (author.role_line, author.is_staff) == ("", False)
