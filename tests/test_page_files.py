"""Pages as Markdown files (`kind: page`): import, export, the round trip, and refused files."""

import sqlite3
from datetime import datetime
from pathlib import Path

import pytest
from sqlalchemy.exc import OperationalError

from rsflask.article_files import split_header
from rsflask.db import db
from rsflask.models import Article, Page, PageRedirect, Revision
from rsflask.page_addresses import reserved_slugs
from rsflask.times import utc_from_local
from tests.test_article_files import export, import_files, write_article

ABOUT = {
    "kind": "page",
    "title": "About the Review",
    "dek": "Who we are, and why we read slowly.",
    "slug": "about",
    "page_type": "AboutPage",
    "status": "published",
    "published": "2026-03-14 09:30",
    "nav_position": "0",
    "footer_position": "2",
}
ABOUT_BODY = "We started in **2019**.\n\n## Our rules\n\n- Read twice\n- Write once\n"
TEAM = {"kind": "page", "title": "The team", "parent": "about", "footer_position": "3"}


def page_file(folder: Path, header: dict[str, str], body: str = "A page.\n") -> Path:
    name = header.get("slug") or header["title"].lower().replace(" ", "-")
    return write_article(folder, f"{name}.md", header, body)


def page_by_slug(slug: str) -> Page | None:
    db.session.expire_all()
    return db.session.scalar(db.select(Page).filter_by(slug=slug))


def counts() -> tuple[int, int, int]:
    db.session.expire_all()
    return tuple(
        db.session.scalar(db.select(db.func.count()).select_from(model))
        for model in (Page, Revision, Article)
    )


def imported(runner, *paths: Path) -> None:
    result = import_files(runner, *paths)
    assert result.exit_code == 0, result.output


# A good import.


def test_import_of_a_page_prints_its_address(runner, tmp_path):
    result = import_files(runner, page_file(tmp_path, ABOUT, ABOUT_BODY))
    assert result.exit_code == 0, result.output
    assert result.output.strip() == "http://localhost/about"


def test_import_of_a_page_stores_every_field(runner, tmp_path):
    imported(runner, page_file(tmp_path, ABOUT, ABOUT_BODY))
    page = page_by_slug("about")
    assert (page.title, page.dek, page.page_type, page.status) == (
        "About the Review",
        "Who we are, and why we read slowly.",
        "AboutPage",
        "published",
    )
    assert page.published_at == utc_from_local(datetime(2026, 3, 14, 9, 30))
    assert (page.nav_position, page.footer_position, page.parent) == (0, 2, None)
    assert page.body_md == ABOUT_BODY
    assert "<strong>2019</strong>" in page.body_html and "<li>Read twice</li>" in page.body_html
    assert page.word_count > 0
    assert counts()[2] == 0, "a page file makes no article"


def test_a_minimal_page_file_is_a_published_web_page_in_no_menu(runner, tmp_path):
    imported(runner, page_file(tmp_path, {"kind": "page", "title": "Contact us"}))
    page = page_by_slug("contact-us")
    assert (page.page_type, page.status, page.nav_position, page.footer_position) == (
        "WebPage",
        "published",
        None,
        None,
    )
    assert page.published_at is not None


def test_a_draft_page_has_no_publication_time(runner, tmp_path):
    imported(runner, page_file(tmp_path, {"kind": "page", "title": "Soon", "status": "Draft"}))
    page = page_by_slug("soon")
    assert (page.status, page.published_at) == ("draft", None)


def test_page_type_is_understood_in_any_case(runner, tmp_path):
    imported(runner, page_file(tmp_path, {**ABOUT, "page_type": "contactpage"}))
    assert page_by_slug("about").page_type == "ContactPage"


def test_a_child_page_goes_under_its_parent_and_prints_its_address(runner, tmp_path):
    imported(runner, page_file(tmp_path, ABOUT))
    result = import_files(runner, page_file(tmp_path, TEAM))
    assert result.exit_code == 0, result.output
    assert result.output.strip() == "http://localhost/about/the-team"
    team = page_by_slug("the-team")
    assert team.parent.slug == "about" and team.footer_position == 3


def test_an_import_records_a_saved_revision_so_the_history_starts(runner, tmp_path):
    imported(runner, page_file(tmp_path, ABOUT))
    imported(runner, page_file(tmp_path, TEAM, "First text.\n"))
    team = page_by_slug("the-team")
    [revision] = db.session.scalars(db.select(Revision).filter_by(page_id=team.id)).all()
    assert (revision.kind, revision.article_id, revision.user_id) == ("save", None, None)
    assert (revision.title, revision.body_md, revision.slug) == (
        "The team",
        "First text.\n",
        "the-team",
    )
    assert (revision.page_parent_id, revision.page_type) == (team.parent_id, "WebPage")
    assert revision.base_version == team.version
    # Importing it again is another save: another copy, of the new text.
    imported(runner, page_file(tmp_path, TEAM, "Second text.\n"))
    saves = db.session.scalars(
        db.select(Revision.body_md).filter_by(page_id=team.id).order_by(Revision.id)
    ).all()
    assert saves == ["First text.\n", "Second text.\n"]


def test_reimporting_a_slug_updates_the_page_without_a_duplicate(runner, tmp_path):
    imported(runner, page_file(tmp_path, ABOUT))
    imported(runner, page_file(tmp_path, TEAM))
    changed = {**TEAM, "title": "Our team", "slug": "the-team", "parent": ""}
    del changed["footer_position"]
    imported(runner, page_file(tmp_path, changed, "New words.\n"))
    team = page_by_slug("the-team")
    assert (team.title, team.parent, team.footer_position) == ("Our team", None, None)
    assert team.body_md == "New words.\n"
    assert counts()[0] == 2


def test_control_characters_in_a_page_file_are_dropped(runner, tmp_path):
    header = {**ABOUT, "title": "About\x07 us\x1b"}
    imported(runner, page_file(tmp_path, header, "Bell\x07 and \x00null.\n"))
    page = page_by_slug("about")
    assert (page.title, page.body_md) == ("About us", "Bell and null.\n")


def test_articles_and_pages_are_imported_in_one_command(runner, tmp_path):
    article = write_article(tmp_path, "story.md", {"title": "A story"})
    result = import_files(runner, page_file(tmp_path, ABOUT), article)
    assert result.exit_code == 0, result.output
    assert result.output.split() == [
        "http://localhost/about",
        "http://localhost/articles/a-story",
    ]


# Refused files: a message naming the file and the problem, and nothing stored.


@pytest.mark.parametrize(
    ("changes", "problem"),
    [
        ({"section": "Europe"}, "'section' is for articles: a page has none"),
        ({"tags": "Energy"}, "'tags' is for articles: a page has none"),
        ({"authors": "Ada Writer"}, "'authors' is for articles: a page has none"),
        ({"type": "Analysis"}, "'type' is for articles: a page has none"),
        ({"image": "x.png"}, "'image' is for articles: a page has none"),
        ({"colour": "red"}, "unknown key 'colour'; a page's keys are: kind, title"),
        ({"kind": "poster"}, "bad kind 'poster'; use one of: article, page"),
        ({"title": ""}, "no title"),
        ({"title": "x" * 301}, "'title' is longer than 300 characters"),
        ({"status": "review"}, "bad status 'review'; a page's is one of: draft, published, trash"),
        ({"status": "scheduled"}, "bad status 'scheduled'"),
        ({"page_type": "FAQPage"}, "bad page_type 'FAQPage'; use one of: WebPage, AboutPage"),
        ({"nav_position": "first"}, "bad nav_position 'first': a whole number from 0"),
        ({"footer_position": "-1"}, "bad footer_position '-1': a whole number from 0"),
        ({"published": "14 March"}, "bad date '14 March': write it as YYYY-MM-DD HH:MM"),
        ({"slug": "About Us"}, "bad slug 'About Us'"),
        ({"parent": "Not A Slug"}, "bad parent 'Not A Slug'"),
        ({"parent": "about"}, "a page cannot be its own parent"),
        ({"parent": "nowhere"}, "no page has the parent's slug 'nowhere': import the parent first"),
    ],
)
def test_a_bad_page_file_is_refused_naming_file_and_problem(runner, tmp_path, changes, problem):
    path = page_file(tmp_path, {**ABOUT, **changes})
    result = import_files(runner, path)
    assert result.exit_code != 0
    assert f"Error: {path}: {problem}" in result.output
    assert "Traceback" not in result.output
    assert counts() == (0, 0, 0)


@pytest.mark.parametrize("slug", ["authors", "articles", "editor", "feeds", "newsletter", "static"])
def test_a_page_cannot_take_an_address_of_the_site(runner, tmp_path, slug):
    path = page_file(tmp_path, {**ABOUT, "slug": slug})
    result = import_files(runner, path)
    assert result.exit_code != 0
    assert f"Error: {path}: /{slug} is an address of the site itself" in result.output
    assert counts() == (0, 0, 0)


def test_a_child_of_a_child_is_refused(runner, tmp_path):
    imported(runner, page_file(tmp_path, ABOUT), page_file(tmp_path, TEAM))
    before = counts()
    path = page_file(tmp_path, {"kind": "page", "title": "Desk", "parent": "the-team"})
    result = import_files(runner, path)
    assert result.exit_code != 0
    assert f"Error: {path}: the parent 'the-team' is itself under 'about'" in result.output
    assert counts() == before and page_by_slug("desk") is None


def test_a_page_with_children_cannot_go_under_another(runner, tmp_path):
    imported(runner, page_file(tmp_path, ABOUT), page_file(tmp_path, TEAM))
    imported(runner, page_file(tmp_path, {"kind": "page", "title": "Help"}))
    before = counts()
    path = page_file(tmp_path, {**ABOUT, "parent": "help"})
    result = import_files(runner, path)
    assert result.exit_code != 0
    assert f"Error: {path}: the page 'about' has pages under it" in result.output
    assert counts() == before and page_by_slug("about").parent is None


def test_a_page_key_in_an_article_file_says_it_is_for_pages(runner, tmp_path):
    path = write_article(tmp_path, "story.md", {"title": "A story", "parent": "about"})
    result = import_files(runner, path)
    assert result.exit_code != 0
    assert f"Error: {path}: 'parent' is for pages: an article has none" in result.output
    assert counts() == (0, 0, 0)


def test_a_database_error_on_a_page_is_a_message_naming_the_file(runner, tmp_path, monkeypatch):
    path = page_file(tmp_path, ABOUT)

    def locked():
        raise OperationalError("COMMIT", {}, sqlite3.OperationalError("database is locked"))

    monkeypatch.setattr(db.session, "commit", locked)
    result = import_files(runner, path)
    monkeypatch.undo()
    assert result.exit_code != 0
    assert f"Error: {path}: the database refused it: database is locked" in result.output
    assert counts() == (0, 0, 0)


# Export, and the round trip.


def export_page(runner, slug: str, folder: Path):
    return runner.invoke(args=["export-article", "--page", slug, "-o", str(folder)])


def snapshot(page: Page) -> dict[str, object]:
    return {
        "title": page.title,
        "dek": page.dek,
        "slug": page.slug,
        "parent": page.parent.slug if page.parent else None,
        "page_type": page.page_type,
        "status": page.status,
        "published_at": page.published_at,
        "nav_position": page.nav_position,
        "footer_position": page.footer_position,
        "body_md": page.body_md,
        "body_html": page.body_html,
        "word_count": page.word_count,
    }


def test_export_of_a_page_writes_its_file_and_prints_the_path(runner, tmp_path):
    imported(runner, page_file(tmp_path, ABOUT, ABOUT_BODY), page_file(tmp_path, TEAM))
    out = tmp_path / "out"
    result = export_page(runner, "the-team", out)
    assert result.exit_code == 0, result.output
    assert result.output.strip() == str(out / "the-team.md")
    meta, body = split_header((out / "the-team.md").read_text(encoding="utf-8"))
    assert (meta["kind"], meta["parent"], meta["footer_position"]) == ("page", "about", "3")
    assert "nav_position" not in meta
    assert body == "A page.\n"


@pytest.mark.parametrize(
    "changes",
    [
        {},
        {"status": "draft", "published": ""},
        {"status": "trash", "nav_position": "", "footer_position": "0"},
        {"page_type": "ContactPage", "dek": ""},
    ],
)
def test_export_then_import_gives_back_the_same_pages(runner, tmp_path, changes):
    imported(
        runner,
        page_file(tmp_path, {**ABOUT, **changes}, ABOUT_BODY),
        page_file(tmp_path, TEAM, "The people.\n"),
    )
    originals = {slug: snapshot(page_by_slug(slug)) for slug in ("about", "the-team")}
    out = tmp_path / "out"
    for slug in originals:
        assert export_page(runner, slug, out).exit_code == 0
    for page in db.session.scalars(db.select(Page)).all():
        db.session.delete(page)
    db.session.commit()
    imported(runner, out / "about.md", out / "the-team.md")
    assert {slug: snapshot(page_by_slug(slug)) for slug in originals} == originals


def test_export_of_an_unknown_page_fails_with_a_message(runner, tmp_path):
    result = export_page(runner, "nowhere", tmp_path)
    assert result.exit_code != 0
    assert "no page with the slug 'nowhere'" in result.output


def test_export_of_a_page_slug_as_an_article_points_to_the_page_option(runner, tmp_path):
    imported(runner, page_file(tmp_path, ABOUT))
    result = export(runner, "about", tmp_path / "out")
    assert result.exit_code != 0
    assert "no article with the slug 'about'; a page has it: export-article --page about" in (
        result.output
    )


# Reserved slugs, from the URL map.


def test_reserved_slugs_are_the_first_segments_of_the_sites_routes(app):
    reserved = reserved_slugs()
    for slug in ("articles", "authors", "sections", "latest", "qiosk", "editor", "healthz"):
        assert slug in reserved, slug
    assert "about" not in reserved


def test_a_route_added_later_reserves_its_first_segment_and_a_catch_all_nothing(app):
    app.add_url_rule("/brand-new/<int:number>", "brand_new", lambda number: "")
    app.add_url_rule("/<slug>/<child>", "catch_all", lambda slug, child: "")
    assert "brand-new" in reserved_slugs()
    assert "about" not in reserved_slugs()


def test_a_page_moved_under_a_parent_by_import_leaves_its_old_address(runner, tmp_path, client):
    team = {"kind": "page", "title": "The team", "slug": "team"}
    imported(runner, page_file(tmp_path, ABOUT, ABOUT_BODY), page_file(tmp_path, team))
    imported(runner, page_file(tmp_path, {**team, "parent": "about"}))
    assert db.session.get(PageRedirect, "team").page_id == page_by_slug("team").id
    response = client.get("/team?from=old")
    assert response.status_code == 301
    assert response.headers["Location"].endswith("/about/team")
