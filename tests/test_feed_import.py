"""`flask import-feed`: the RSS feed a real WordPress 6.1 wrote (tests/data/wordpress/hand), a
hand-written Atom feed in the shape newsletter platforms write (tests/data/feeds), feeds read
from a web server, re-runs, dry runs and files that are not feeds."""

from datetime import datetime
from pathlib import Path

import pytest
from sqlalchemy import func

from rsflask.db import db
from rsflask.models import Article, ImportedItem, Photo, Revision
from tests.image_server import Handler, ImageServer, jpeg

DATA = Path(__file__).parent / "data"
WORDPRESS_FEED = DATA / "wordpress" / "hand" / "wordpress-feed.xml"
UPLOADS = DATA / "wordpress" / "uploads"
ATOM = DATA / "feeds" / "magazine.atom"


@pytest.fixture
def image_server():
    with ImageServer() as address:
        yield address


def run(runner, source, *args):
    return runner.invoke(args=["import-feed", str(source), *args])


def imported(runner, source, *args) -> str:
    result = run(runner, source, *args)
    assert result.exit_code == 0, result.output
    return result.output


def article(slug: str) -> Article:
    db.session.expire_all()
    return db.session.scalar(db.select(Article).filter_by(slug=slug))


def count(model) -> int:
    return db.session.scalar(db.select(func.count()).select_from(model))


def wordpress_feed(folder: Path, server: str) -> Path:
    """The WordPress feed with its pictures on `server`, which serves the copied uploads."""
    for path in UPLOADS.rglob("*.*"):
        Handler.files[f"/wp-content/uploads/{path.relative_to(UPLOADS)}"] = path.read_bytes()
    copy = folder / "feed.xml"
    text = WORDPRESS_FEED.read_text()
    copy.write_text(text.replace("https://old.example.org/wp-content/", f"{server}/wp-content/"))
    return copy


def atom_feed(folder: Path, server: str) -> Path:
    for path in ("/lead/ferry-quay.jpg", "/body/council-hall.jpg", "/lead/harbour-office.jpg"):
        Handler.files[path] = jpeg(1200, 800)
    copy = folder / "magazine.atom"
    copy.write_text(ATOM.read_text().replace("IMAGES", server))
    return copy


def test_a_wordpress_feed_s_items_become_articles(runner, client):
    output = imported(runner, WORDPRESS_FEED)
    assert "RSS 2.0 feed" in output and "created: 9 (8 published, 1 draft)" in output
    accord = article("harbour-accord-one-year")
    assert accord.title == "The Harbour Accord, one year on"
    # The feed's description is the post's excerpt: the dek.
    assert accord.dek.startswith("A year after Valdoria and the Kestrel Islands signed")
    assert accord.published_at == datetime(2024, 3, 4, 9, 15)
    assert [author.name for author in accord.authors] == ["Mara Hartwell"]
    # A feed names categories and tags alike: the first is the section, the others tags.
    assert accord.section.name == "Europe"
    assert {tag.name for tag in accord.tags} == {"World", "diplomacy", "Ports & Shipping"}
    assert accord.article_type.name == "News"
    assert "## What the accord promised" in accord.body_md
    assert "[^1]: The ferry was later renamed *Concord*." in accord.body_md
    response = client.get("/2024/03/harbour-accord-one-year/")
    assert response.status_code == 301
    assert response.location.removeprefix("http://localhost") == "/articles/harbour-accord-one-year"
    page = client.get("/articles/harbour-accord-one-year").get_data(as_text=True)
    assert "Few people expected it to survive its first winter." in page


def test_a_text_cut_short_or_behind_a_password_is_said_in_the_report(runner):
    output = imported(runner, WORDPRESS_FEED)
    # WordPress gives the password form for its text: a draft, for an editor to complete.
    briefing = article("members-briefing-the-border-talks")
    assert briefing.status == "draft"
    assert "password-protected on the old site: imported as a draft" in output
    sanctions = article("why-sanctions-rarely-work-alone")
    assert "(more" not in sanctions.body_md and "more-link" not in sanctions.body_html
    assert (
        "entry “Why sanctions rarely work alone”: the feed has only the start of it: "
        "the rest is not imported"
    ) in output


def test_pictures_are_downloaded_with_fetch(runner, image_server, tmp_path):
    output = imported(runner, wordpress_feed(tmp_path, image_server), "--fetch")
    accord = article("harbour-accord-one-year")
    [photo] = accord.inline_photos
    # The original, not the 1024-pixel size variant the text shows.
    assert (photo.width, photo.height) == (1280, 853)
    assert photo.alt.startswith("Three harbour cranes and a loaded ship")
    assert f'](photo:{photo.id} "Cranes over the eastern quay.' in accord.body_md
    assert '<figure class="inline-photo">' in accord.body_html
    assert "Missing images (the items were imported without them): none" in output


def test_an_atom_feed_s_entries_with_their_top_photos(runner, image_server, tmp_path, client):
    output = imported(runner, atom_feed(tmp_path, image_server), "--fetch")
    assert "Atom 1.0 feed" in output and "of The Lantern Letter" in output
    councils = article("why-the-island-councils-said-no")
    assert (
        councils.dek
        == "Three councils, one ferry timetable, and a vote that surprised the capital."
    )
    assert councils.published_at == datetime(2025, 2, 10, 5, 30)
    assert [author.name for author in councils.authors] == ["Ilse Varga", "Tomás Reyner"]
    assert councils.section.name == "Island politics"
    assert [tag.name for tag in councils.tags] == ["Referendums"]
    assert (councils.photo.width, councils.photo.height) == (1200, 800)
    assert councils.photo_credit == "Ilse Varga for The Lantern Letter"
    # The top photo was in the text too: it is shown once, at the top.
    assert councils.body_md.count("](photo:") == 1
    assert "A council hall with wooden benches" in councils.body_md
    assert "> We were asked about sovereignty. We answered about Tuesdays." in councils.body_md
    assert "its top photo was in its text too: kept at the top only" in output
    assert "its top photo has no alt text: write one in the editor" in output
    assert Handler.asked.count("/lead/ferry-quay.jpg") == 1

    census = article("winter-census")
    assert census.title == "Notes & numbers: the winter census"
    assert census.section.name == "Archive" and census.authors == []
    assert census.published_at == datetime(2025, 1, 20, 12, 0)
    assert "Paying subscribers get the whole count." in census.body_md
    assert "the feed has only the start of it: the rest is not imported" in output

    # Its address is on another host: no old address of the site, a slug from its title.
    retirement = article("a-harbour-masters-retirement")
    assert (retirement.photo.width, retirement.photo.height) == (1200, 800)
    assert "/story/8841 ->" not in output

    for old, new in {
        "/p/why-the-island-councils-said-no": "/articles/why-the-island-councils-said-no",
        "/p/winter-census": "/articles/winter-census",
        "/feed": "/feeds/all.atom",
    }.items():
        response = client.get(old)
        assert response.status_code == 301, old
        assert response.location.removeprefix("http://localhost") == new


def test_a_feed_from_its_address(runner, image_server):
    Handler.files["/feed"] = ATOM.read_bytes().replace(b"IMAGES", image_server.encode())
    output = imported(runner, f"{image_server}/feed", "--section", "Dispatches")
    assert "created: 3 (3 published)" in output
    councils = article("why-the-island-councils-said-no")
    # --section files every entry in it; their categories become tags.
    assert councils.section.name == "Dispatches"
    assert {tag.name for tag in councils.tags} == {"Island politics", "Referendums"}
    # Without --fetch no picture is looked for, and each is listed as missing.
    assert councils.photo is None
    assert "/lead/ferry-quay.jpg: not looked for: give --fetch" in output


def test_running_it_again_makes_nothing_twice_and_keeps_what_editors_changed(runner, tmp_path):
    imported(runner, WORDPRESS_FEED)
    before = {model: count(model) for model in (Article, Photo, Revision, ImportedItem)}
    output = imported(runner, WORDPRESS_FEED)
    assert {model: count(model) for model in before} == before
    assert "unchanged since the last import: 9 (8 published, 1 draft)" in output

    accord = article("harbour-accord-one-year")
    accord.title = "The Harbour Accord at one"
    db.session.commit()
    changed = tmp_path / "feed.xml"
    changed.write_text(
        WORDPRESS_FEED.read_text().replace("Notes from the grain corridor", "Grain corridor notes")
    )
    output = imported(runner, changed)
    assert article("harbour-accord-one-year").title == "The Harbour Accord at one"
    assert "left as editors changed them: 1 (1 published)" in output
    assert "updated: 1 (1 published)" in output
    corridor = article("notes-from-the-grain-corridor-ports-patience")
    assert corridor.title == "Grain corridor notes: ports & patience"
    output = imported(runner, changed, "--overwrite")
    assert article("harbour-accord-one-year").title == "The Harbour Accord, one year on"
    assert count(Article) == 9


def test_a_dry_run_prints_the_report_and_stores_nothing(runner, image_server, tmp_path, app):
    output = imported(runner, atom_feed(tmp_path, image_server), "--fetch", "--dry-run")
    assert "Dry run: nothing was stored" in output and "created: 3 (3 published)" in output
    assert "/feed -> /feeds/all.atom" in output
    assert {count(m) for m in (Article, Photo, Revision, ImportedItem)} == {0}
    photos = Path(app.config["PHOTO_FOLDER"])
    assert not photos.exists() or not any(photos.iterdir())


@pytest.mark.parametrize(
    ("source", "message"),
    [
        (DATA / "wordpress" / "hand" / "truncated.xml", "not well-formed XML"),
        (DATA / "wordpress" / "hand" / "billion-laughs.xml", "it declares XML entities"),
        (DATA / "wordpress" / "hand" / "external-entity.xml", "it declares XML entities"),
        (DATA / "wordpress" / "export.xml", "a WordPress export, not a feed"),
        (DATA / "wordpress" / "missing.xml", "no such file"),
        (Path(__file__), "not well-formed XML"),
    ],
)
def test_what_is_not_a_whole_feed_stops_with_a_message_and_stores_nothing(runner, source, message):
    result = run(runner, source)
    assert result.exit_code == 1
    assert message in result.output and "Nothing was imported." in result.output
    assert count(Article) == 0 and count(ImportedItem) == 0


def test_an_html_page_or_an_address_that_fails_is_not_a_feed(runner, image_server, tmp_path):
    page = tmp_path / "page.html"
    page.write_text("<html><head><title>Hi</title></head><body><p>Not a feed</p></body></html>")
    result = run(runner, page)
    assert result.exit_code == 1 and "not an RSS or Atom feed" in result.output
    result = run(runner, f"{image_server}/no-such-feed")
    assert result.exit_code == 1 and "the server answered 404" in result.output
    assert count(Article) == 0
