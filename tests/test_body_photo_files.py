"""Photos inside a body as files beside an exported article or page: export writes them into
photos/, import stores them in the photo library, and an export imports back to the same body."""

import re
import sqlite3
from pathlib import Path

import pytest
from PIL import Image
from sqlalchemy.exc import OperationalError

from rsflask.article_files import split_header
from rsflask.db import db
from rsflask.models import Page, Photo
from rsflask.photos import full_size_file, store_photo
from tests.editor_helpers import image_bytes
from tests.test_article_files import (
    article_by_slug,
    import_files,
    make_image,
    photo_files,
    stored,
    write_article,
)


@pytest.fixture
def wide_photo(app):
    """A photo wider than the largest variant: its full-size copy is a JPEG."""
    photo = store_photo(image_bytes(size=(1800, 1200)), "A harbour crane", "Ines Varga")
    db.session.commit()
    return photo


@pytest.fixture
def small_photo(app):
    """A photo no wider than the largest variant: that variant, a WebP, is its full size."""
    photo = store_photo(image_bytes("PNG", size=(900, 600)), "A tug", "")
    db.session.commit()
    return photo


def body_with(*photos: Photo) -> str:
    lines = ["The quay at dawn."]
    for number, photo in enumerate(photos, start=1):
        lines.append(f'![Photo number {number}](photo:{photo.id} "Caption {number} | Credit")')
        lines.append(f"Paragraph {number}.")
    return "\n\n".join(lines) + "\n"


def export(runner, slug: str, folder: Path, *options: str):
    return runner.invoke(args=["export-article", *options, slug, "-o", str(folder)])


def exported_body(path: Path) -> str:
    return split_header(path.read_text(encoding="utf-8"))[1]


def figures(html: str) -> list[str]:
    return re.findall(r"<figure class=\"inline-photo\">.*?</figure>", html)


# Export.


def test_export_writes_each_photo_of_the_body_beside_the_file_and_points_its_snippet_there(
    runner, tmp_path, add_article, wide_photo, small_photo
):
    add_article("Harbour", body=body_with(wide_photo, small_photo, wide_photo))
    result = export(runner, "harbour", tmp_path)
    assert result.exit_code == 0, result.output
    assert result.stderr == ""
    body = exported_body(tmp_path / "harbour.md")
    assert body == (
        "The quay at dawn.\n\n"
        '![Photo number 1](photos/harbour-1.jpg "Caption 1 | Credit")\n\nParagraph 1.\n\n'
        '![Photo number 2](photos/harbour-2.webp "Caption 2 | Credit")\n\nParagraph 2.\n\n'
        '![Photo number 3](photos/harbour-1.jpg "Caption 3 | Credit")\n\nParagraph 3.\n'
    )
    assert sorted(p.name for p in (tmp_path / "photos").iterdir()) == [
        "harbour-1.jpg",
        "harbour-2.webp",
    ]
    assert (tmp_path / "photos/harbour-1.jpg").read_bytes() == full_size_file(
        wide_photo
    ).read_bytes()
    with Image.open(tmp_path / "photos/harbour-1.jpg") as full:
        assert (full.format, full.size) == ("JPEG", (1800, 1200))
    with Image.open(tmp_path / "photos/harbour-2.webp") as full:
        assert (full.format, full.size) == ("WEBP", (900, 600))


def test_export_of_a_snippet_whose_photo_is_gone_keeps_it_as_it_is_and_warns(
    runner, tmp_path, add_article, wide_photo
):
    gone = wide_photo.id + 50
    add_article("Harbour", body=f"Lead.\n\n![Gone](photo:{gone})\n\n![Here](photo:{wide_photo.id})")
    result = export(runner, "harbour", tmp_path)
    assert result.exit_code == 0, result.output
    path = tmp_path / "harbour.md"
    assert result.stdout.strip() == str(path)
    lines = path.read_text(encoding="utf-8").split("\n")
    number = lines.index(f"![Gone](photo:{gone})") + 1
    assert result.stderr == (
        f"Warning: {path}: line {number}: photo {gone} is not in the photo library any more\n"
    )
    assert "![Here](photos/harbour-1.jpg)" in lines


def test_export_of_a_photo_that_lost_its_file_keeps_the_snippet_and_warns(
    runner, tmp_path, add_article, small_photo
):
    add_article("Harbour", body=f"![Tug](photo:{small_photo.id})")
    full_size_file(small_photo).unlink()
    result = export(runner, "harbour", tmp_path)
    assert result.exit_code == 0, result.output
    assert f"photo {small_photo.id} is missing" in result.stderr
    assert exported_body(tmp_path / "harbour.md") == f"![Tug](photo:{small_photo.id})\n"
    assert not (tmp_path / "photos").exists()


def test_snippets_in_code_and_inside_sentences_are_exported_as_written(
    runner, tmp_path, add_article, wide_photo
):
    body = (
        f"Write it so: ![Crane](photo:{wide_photo.id}) in a sentence shows nothing.\n\n"
        f"```\n![Crane](photo:{wide_photo.id})\n```\n\n"
        f"    ![Crane](photo:{wide_photo.id})\n"
    )
    add_article("Howto", body=body)
    assert export(runner, "howto", tmp_path).exit_code == 0
    assert exported_body(tmp_path / "howto.md") == body
    assert not (tmp_path / "photos").exists()


# The round trip.


def snapshot(slug: str) -> dict:
    article = article_by_slug(slug)
    return {
        "body_html": article.body_html,
        "photos": sorted(photo.digest for photo in article.inline_photos),
    }


def test_an_export_imports_back_to_the_same_body_and_photos_without_a_copy(
    app, runner, tmp_path, add_article, wide_photo, small_photo
):
    add_article("Harbour", body=body_with(wide_photo, small_photo, wide_photo))
    original = snapshot("harbour")
    assert len(original["photos"]) == 2
    export(runner, "harbour", tmp_path)
    before = stored(app)
    for _ in range(2):
        result = import_files(runner, tmp_path / "harbour.md")
        assert result.exit_code == 0, result.output
        assert snapshot("harbour") == original
        assert stored(app) == before
    assert article_by_slug("harbour").body_md == body_with(wide_photo, small_photo, wide_photo)


def test_an_export_imported_after_the_article_was_deleted_shows_the_same_photos(
    app, runner, tmp_path, add_article, wide_photo
):
    add_article("Harbour", body=body_with(wide_photo))
    original = snapshot("harbour")
    export(runner, "harbour", tmp_path)
    db.session.delete(article_by_slug("harbour"))
    db.session.commit()
    result = import_files(runner, tmp_path / "harbour.md")
    assert result.exit_code == 0, result.output
    assert snapshot("harbour") == original
    assert stored(app)["Photo"] == 1


def test_on_a_site_without_the_photo_an_export_stores_it_once(
    app, client, runner, tmp_path, add_article, wide_photo
):
    add_article("Harbour", body=body_with(wide_photo))
    export(runner, "harbour", tmp_path)
    # As on another site: neither the article nor the photo is there.
    db.session.delete(article_by_slug("harbour"))
    db.session.delete(wide_photo)
    db.session.commit()
    for path in photo_files(app):
        path.unlink()
    for _ in range(2):
        result = import_files(runner, tmp_path / "harbour.md")
        assert result.exit_code == 0, result.output
        assert stored(app)["Photo"] == 1
    [photo] = article_by_slug("harbour").inline_photos
    assert (photo.width, photo.height) == (1800, 1200)
    assert (photo.alt, photo.credit) == ("Photo number 1", "Credit")
    page = client.get("/articles/harbour").get_data(as_text=True)
    [figure] = figures(page)
    assert f"/photos/{photo.digest}-1600.webp 1600w" in figure
    assert "Caption 1" in figure and "Photo: Credit" in figure


def test_a_page_exports_its_body_photos_and_imports_back_the_same(
    app, runner, tmp_path, wide_photo
):
    source = tmp_path / "source.md"
    source.write_text(f"kind: page\ntitle: About\n\n{body_with(wide_photo)}", encoding="utf-8")
    assert import_files(runner, source).exit_code == 0
    page = db.session.scalar(db.select(Page).filter_by(slug="about"))
    html, photos = page.body_html, list(page.inline_photos)
    assert photos == [wide_photo]
    result = export(runner, "about", tmp_path / "out", "--page")
    assert result.exit_code == 0, result.output
    assert '![Photo number 1](photos/about-1.jpg "Caption 1 | Credit")' in exported_body(
        tmp_path / "out" / "about.md"
    )
    assert (tmp_path / "out/photos/about-1.jpg").exists()
    result = import_files(runner, tmp_path / "out" / "about.md")
    assert result.exit_code == 0, result.output
    db.session.expire_all()
    page = db.session.scalar(db.select(Page).filter_by(slug="about"))
    assert (page.body_html, page.inline_photos) == (html, photos)
    assert stored(app)["Photo"] == 1


# Importing files written by hand.


def test_import_stores_a_photo_file_a_body_names_and_points_the_snippet_at_it(
    app, client, runner, tmp_path
):
    (tmp_path / "pictures" / "quay").mkdir(parents=True)
    make_image(tmp_path / "pictures" / "quay" / "tug.png", (700, 500))
    make_image(tmp_path / "crane.jpg", (500, 500), "JPEG")
    body = (
        "Lead.\n\n"
        '![A tug, pushing](pictures/quay/tug.png "Early | Jo Lens")\n\n'
        "![A crane](./crane.jpg)\n\n"
        "![On the web](https://example.org/chart.png)\n"
    )
    path = write_article(tmp_path, "story.md", {"title": "Story"}, body)
    result = import_files(runner, path)
    assert result.exit_code == 0, result.output
    assert result.stderr == ""
    article = article_by_slug("story")
    tug, crane = article.inline_photos
    assert article.body_md == (
        "Lead.\n\n"
        f'![A tug, pushing](photo:{tug.id} "Early | Jo Lens")\n\n'
        f"![A crane](photo:{crane.id})\n\n"
        "![On the web](https://example.org/chart.png)\n"
    )
    assert ((tug.width, tug.height), tug.alt, tug.credit) == (
        (700, 500),
        "A tug, pushing",
        "Jo Lens",
    )
    page = client.get("/articles/story").get_data(as_text=True)
    assert len(figures(page)) == 2
    assert '<span class="credit">Photo: Jo Lens</span>' in page
    assert 'src="https://example.org/chart.png"' in page


def test_a_photo_path_inside_code_is_text_not_a_file(runner, tmp_path):
    body = "Write:\n\n```\n![alt](photos/x.jpg)\n```\n\n    ![alt](photos/y.jpg)\n"
    path = write_article(tmp_path, "howto.md", {"title": "Howto"}, body)
    result = import_files(runner, path)
    assert result.exit_code == 0, result.output
    assert article_by_slug("howto").body_md == body


def test_a_photo_id_snippet_is_kept_when_the_photo_exists_and_else_left_out_with_a_warning(
    runner, tmp_path, wide_photo
):
    gone = wide_photo.id + 7
    body = f"![Crane](photo:{wide_photo.id})\n\nMiddle.\n\n![Gone](photo:{gone})\n\nEnd.\n"
    path = write_article(tmp_path, "story.md", {"title": "Story", "dek": "A dek"}, body)
    result = import_files(runner, path)
    assert result.exit_code == 0, result.output
    assert result.stdout.strip() == "http://localhost/articles/story"
    # Two header lines, a blank one, then the body: its fifth line is the file's eighth.
    assert result.stderr == (
        f"Warning: {path}: line 8: photo {gone} is not in the photo library: left out\n"
    )
    article = article_by_slug("story")
    assert f"photo:{wide_photo.id}" in article.body_md and f"photo:{gone}" not in article.body_md
    assert article.inline_photos == [wide_photo]


# The file's header has three lines, then a blank one and a good photo's: the body below starts on
# line 7.
BAD_BODIES = {
    "parent-folder": (
        "Lead.\n\n![x](../outside.png)\n",
        "line 9: the photo '../outside.png' is outside",
    ),
    "parent-inside-path": ("![x](photos/../../outside.png)\n", "line 7: the photo 'photos/../../"),
    "absolute": ("![x](/etc/outside.png)\n", "line 7: the photo '/etc/outside.png' is an absolute"),
    "windows-absolute": ("![x](C:\\outside.png)\n", "line 7: the photo 'C:\\\\outside.png' is an"),
    "missing": ("![x](photos/none.png)\n", "line 7: photo 'photos/none.png' not found"),
    "not-an-image": ("![x](notes.jpg)\n", "line 7: photo 'notes.jpg': That file is not a JPEG"),
    "gif": ("![x](anim.gif)\n", "line 7: photo 'anim.gif': Only JPEG, PNG and WebP"),
}


@pytest.mark.parametrize(("body", "problem"), BAD_BODIES.values(), ids=BAD_BODIES.keys())
def test_a_bad_body_photo_stops_the_import_naming_file_and_line_and_stores_nothing(
    app, runner, tmp_path, add_article, body, problem
):
    add_article("Already there")
    folder = tmp_path / "in"
    (folder / "photos").mkdir(parents=True)
    make_image(tmp_path / "outside.png")
    make_image(folder / "good.png")
    make_image(folder / "anim.gif", (20, 20), "GIF")
    (folder / "notes.jpg").write_text("not an image\n")
    # A good top photo and a good body photo come before the bad one: neither is kept.
    header = {"title": "Bad", "image": "good.png", "image_alt": "Good"}
    path = write_article(folder, "bad.md", header, "![Good](good.png)\n\n" + body)
    before = stored(app)
    result = import_files(runner, path)
    assert result.exit_code != 0
    assert f"Error: {path}: " in result.output and problem in result.output
    assert "Traceback" not in result.output
    assert stored(app) == before


def test_a_path_through_a_link_out_of_the_folder_is_refused(app, runner, tmp_path):
    make_image(tmp_path / "secret.png")
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "link.png").symlink_to(tmp_path / "secret.png")
    path = write_article(tmp_path / "in", "a.md", {"title": "T"}, "![x](link.png)\n")
    result = import_files(runner, path)
    assert result.exit_code != 0
    assert "line 3: the photo 'link.png' is outside this file's folder" in result.output
    assert stored(app)["Photo"] == 0


def test_a_database_error_leaves_no_file_of_the_new_body_photos(
    app, runner, tmp_path, monkeypatch, wide_photo
):
    make_image(tmp_path / "new.png")
    kept = photo_files(app)
    body = f"![New](new.png)\n\n![Old](photo:{wide_photo.id})\n"
    path = write_article(tmp_path, "a.md", {"title": "T"}, body)

    def locked():
        raise OperationalError("COMMIT", {}, sqlite3.OperationalError("database is locked"))

    monkeypatch.setattr(db.session, "commit", locked)
    result = import_files(runner, path)
    monkeypatch.undo()
    assert result.exit_code != 0
    assert "the database refused it: database is locked" in result.output
    assert photo_files(app) == kept
    assert stored(app)["Photo"] == 1
