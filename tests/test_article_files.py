"""Articles as Markdown files: `flask import-article`, `flask export-article`, the header parser."""

import re
import sqlite3
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from PIL import Image
from sqlalchemy.exc import OperationalError

from rsflask.article_files import TIME_FORMAT, split_header
from rsflask.db import db, utcnow
from rsflask.models import Article, ArticleType, Author, Photo, Section, Tag

PUBLISHED = "2026-03-14 09:30"
FULL_HEADER = {
    "title": "Gas storage: Europe's quiet winter",
    "dek": "Why the tanks stayed full, and what could empty them.",
    "type": "Analysis",
    "section": "Energy Desk",
    "tags": "Gas, Storage, Winter",
    "authors": "Zoe Zimmer, Ada Abbott, Mia Moreau",
    "published": PUBLISHED,
    "slug": "europe-gas-storage",
    "status": "published",
    "image": "tanks.png",
    "image_alt": "Three white gas tanks under a grey sky",
    "image_credit": "Jane Lens / Agency",
}
FULL_BODY = (
    "The tanks were full by October.\n\n"
    "## What changed\n\n"
    "- More LNG terminals\n- Lower demand\n\n"
    "A second paragraph with a [link](https://example.com) and a note.[^1]\n\n"
    "[^1]: A source.\n"
)


def write_article(
    folder: Path, name: str, header: dict[str, str], body: str = "A body.\n", **kw
) -> Path:
    """A file in the import format: `key: value` lines, a blank line, the Markdown body."""
    lines = [f"{key}: {value}" for key, value in header.items()]
    path = folder / name
    path.write_text("\n".join(lines) + "\n\n" + body, encoding="utf-8", **kw)
    return path


def make_image(path: Path, size: tuple[int, int] = (640, 480), image_format: str = "PNG") -> Path:
    image = Image.new("RGB", size, (40, 90, 160))
    for x in range(0, size[0], 8):
        image.putpixel((x, x * size[1] // size[0]), (250, 200, 0))
    image.save(path, image_format)
    return path


def full_file(folder: Path, **changes: str) -> Path:
    make_image(folder / "tanks.png")
    header = {**FULL_HEADER, **changes}
    return write_article(folder, f"{header['slug']}.md", header, FULL_BODY)


def import_files(runner, *paths: Path):
    return runner.invoke(args=["import-article", *(str(path) for path in paths)])


def article_by_slug(slug: str) -> Article | None:
    db.session.expire_all()
    return db.session.scalar(db.select(Article).filter_by(slug=slug))


def photo_files(app) -> list[Path]:
    return sorted(Path(app.config["PHOTO_FOLDER"]).glob("*"))


def stored(app) -> dict[str, object]:
    """What an import could leave behind: rows of each kind and files in the photo folder."""
    db.session.expire_all()
    counts = {
        model.__name__: db.session.scalar(db.select(db.func.count()).select_from(model))
        for model in (Article, Tag, Author, Section, ArticleType, Photo)
    }
    return {**counts, "photo files": photo_files(app)}


def page_text(html: str) -> str:
    """The page's text with tags removed and whitespace collapsed, roughly as a reader sees it."""
    text = " ".join(re.sub(r"<[^>]+>", " ", html).split())
    return re.sub(r" ([,.])", r"\1", text)


# A good import.


def test_import_of_a_full_file_exits_0_and_prints_the_article_url(runner, tmp_path):
    result = import_files(runner, full_file(tmp_path))
    assert result.exit_code == 0, result.output
    assert result.output.strip() == "http://localhost/articles/europe-gas-storage"


def test_import_of_a_full_file_stores_every_field(runner, tmp_path):
    import_files(runner, full_file(tmp_path))
    article = article_by_slug("europe-gas-storage")
    assert article.title == "Gas storage: Europe's quiet winter"
    assert article.dek == "Why the tanks stayed full, and what could empty them."
    assert article.article_type.name == "Analysis"
    assert article.section.name == "Energy Desk"
    assert article.section.slug == "energy-desk"
    assert sorted(tag.name for tag in article.tags) == ["Gas", "Storage", "Winter"]
    assert article.status == "published"
    assert article.published_at == datetime(2026, 3, 14, 9, 30)
    assert article.body_md == FULL_BODY
    assert re.search(r"<h[23]>What changed</h[23]>", article.body_html)
    assert article.photo_alt == "Three white gas tanks under a grey sky"
    assert article.photo_credit == "Jane Lens / Agency"
    assert (article.photo.width, article.photo.height) == (640, 480)


def test_import_keeps_the_author_order_as_written(runner, tmp_path):
    import_files(runner, full_file(tmp_path))
    article = article_by_slug("europe-gas-storage")
    assert [author.name for author in article.authors] == ["Zoe Zimmer", "Ada Abbott", "Mia Moreau"]


def test_import_creates_missing_sections_types_tags_and_authors(app, runner, tmp_path):
    before = stored(app)
    import_files(runner, full_file(tmp_path))
    after = stored(app)
    assert after["Article"] == before["Article"] + 1
    assert after["Section"] == before["Section"] + 1
    assert after["ArticleType"] == before["ArticleType"] + 1
    assert after["Tag"] == before["Tag"] + 3
    assert after["Author"] == before["Author"] + 3
    assert db.session.scalar(db.select(Author).filter_by(slug="zoe-zimmer")).name == "Zoe Zimmer"


def test_import_files_under_existing_rows_matched_by_slug(app, runner, tmp_path, add_article):
    add_article(section="Energy Desk", type="Analysis", authors=["Ada Abbott"])
    before = stored(app)
    import_files(runner, full_file(tmp_path, section="energy desk", authors="ADA ABBOTT"))
    after = stored(app)
    assert after["Section"] == before["Section"]
    assert after["ArticleType"] == before["ArticleType"]
    assert after["Author"] == before["Author"]
    article = article_by_slug("europe-gas-storage")
    assert article.section.name == "Energy Desk"
    assert [author.name for author in article.authors] == ["Ada Abbott"]


def test_import_stores_tags_that_differ_only_in_case_once(runner, tmp_path):
    path = write_article(tmp_path, "a.md", {"title": "Tagged", "tags": "Gas, gas, GAS, Oil"})
    import_files(runner, path)
    assert sorted(tag.slug for tag in article_by_slug("tagged").tags) == ["gas", "oil"]


def test_import_stores_the_photo_as_webp_variants_in_the_photo_folder(app, runner, tmp_path):
    import_files(runner, full_file(tmp_path))
    photo = article_by_slug("europe-gas-storage").photo
    assert photo.widths == [480, 640]
    for width in photo.widths:
        path = Path(app.config["PHOTO_FOLDER"]) / photo.filename(width)
        with Image.open(path) as variant:
            assert variant.format == "WEBP"
            assert variant.width == width
    # The two variants and the link preview.
    assert len(photo_files(app)) == 3


def test_import_accepts_a_jpeg_photo(runner, tmp_path):
    make_image(tmp_path / "photo.jpg", (300, 200), "JPEG")
    header = {"title": "With a JPEG", "image": "photo.jpg", "image_alt": "A blue square"}
    result = import_files(runner, write_article(tmp_path, "a.md", header))
    assert result.exit_code == 0, result.output
    photo = article_by_slug("with-a-jpeg").photo
    assert (photo.width, photo.height) == (300, 200)


def test_imported_article_page_shows_title_dek_credit_alt_and_label(client, runner, tmp_path):
    import_files(runner, full_file(tmp_path))
    response = client.get("/articles/europe-gas-storage")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    text = page_text(html)
    assert "Gas storage: Europe&#39;s quiet winter" in html
    assert "Why the tanks stayed full, and what could empty them." in text
    assert "Top photo credit: Jane Lens / Agency" in text
    assert 'alt="Three white gas tanks under a grey sky"' in html
    assert "Analysis | Energy Desk" in text
    assert "By Zoe Zimmer, Ada Abbott and Mia Moreau" in text


def test_import_of_a_minimal_file_uses_the_defaults(runner, tmp_path):
    result = import_files(runner, write_article(tmp_path, "a.md", {"title": "Just a title"}))
    assert result.exit_code == 0, result.output
    article = article_by_slug("just-a-title")
    assert (article.article_type.name, article.section.name) == ("News", "World")
    assert article.status == "published"
    assert utcnow() - article.published_at < timedelta(minutes=2)
    assert article.photo is None


# Several files, and importing again.


def test_import_of_several_files_in_one_command(runner, tmp_path):
    paths = [write_article(tmp_path, f"{n}.md", {"title": f"Story number {n}"}) for n in (1, 2, 3)]
    result = import_files(runner, *paths)
    assert result.exit_code == 0, result.output
    assert result.output.split() == [
        f"http://localhost/articles/story-number-{n}" for n in (1, 2, 3)
    ]
    assert all(article_by_slug(f"story-number-{n}") for n in (1, 2, 3))


def test_reimporting_the_same_slug_updates_the_article_without_a_duplicate(app, runner, tmp_path):
    import_files(runner, full_file(tmp_path))
    count = stored(app)["Article"]
    changed = {**FULL_HEADER, "title": "A new headline", "tags": "Gas, Prices"}
    result = import_files(runner, write_article(tmp_path, "v2.md", changed, "A rewritten body.\n"))
    assert result.exit_code == 0, result.output
    assert stored(app)["Article"] == count
    article = article_by_slug("europe-gas-storage")
    assert article.title == "A new headline"
    assert article.body_md == "A rewritten body.\n"
    assert "A rewritten body." in article.body_html
    assert sorted(tag.name for tag in article.tags) == ["Gas", "Prices"]


def test_reimporting_keeps_the_author_order_of_the_new_file(runner, tmp_path):
    import_files(runner, full_file(tmp_path))
    import_files(runner, full_file(tmp_path, authors="Mia Moreau, Zoe Zimmer"))
    article = article_by_slug("europe-gas-storage")
    assert [author.name for author in article.authors] == ["Mia Moreau", "Zoe Zimmer"]


def test_reimporting_the_same_photo_stores_it_once(app, runner, tmp_path):
    import_files(runner, full_file(tmp_path))
    files = photo_files(app)
    import_files(runner, full_file(tmp_path, title="Retitled"))
    assert photo_files(app) == files
    assert stored(app)["Photo"] == 1


def test_two_files_with_non_latin_titles_make_two_articles(app, runner, tmp_path):
    first = write_article(tmp_path, "ja.md", {"title": "日本の外交政策"}, "日本.\n")
    second = write_article(tmp_path, "zh.md", {"title": "中国的经济"}, "中国.\n")
    before = stored(app)["Article"]
    result = import_files(runner, first, second)
    assert result.exit_code == 0, result.output
    assert stored(app)["Article"] == before + 2


# Bad files: a clear message naming the file, a non-zero exit, nothing stored.


def not_utf8(folder: Path) -> Path:
    path = folder / "latin1.md"
    path.write_bytes("title: Café society\n\nBody.\n".encode("latin-1"))
    return path


def text_renamed_jpg(folder: Path) -> Path:
    (folder / "fake.jpg").write_text("this is not an image\n")
    return write_article(folder, "a.md", {"title": "Fake", "image": "fake.jpg", "image_alt": "x"})


def svg_image(folder: Path) -> Path:
    (folder / "x.svg").write_text(
        '<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10">'
        "<script>alert(1)</script></svg>"
    )
    return write_article(folder, "a.md", {"title": "Svg", "image": "x.svg", "image_alt": "x"})


def gif_image(folder: Path) -> Path:
    make_image(folder / "x.gif", (20, 20), "GIF")
    return write_article(folder, "a.md", {"title": "Gif", "image": "x.gif", "image_alt": "x"})


def image_without_alt(folder: Path) -> Path:
    make_image(folder / "ok.png")
    return write_article(folder, "a.md", {"title": "No alt", "image": "ok.png"})


def past_time() -> str:
    return (utcnow() - timedelta(days=2)).strftime(TIME_FORMAT)


BAD_FILES = {
    "no-title": (lambda d: write_article(d, "a.md", {"dek": "A dek"}), "no title"),
    "empty-title": (lambda d: write_article(d, "a.md", {"title": "  "}), "no title"),
    "no-header-at-all": (lambda d: write_article(d, "a.md", {}, "Just prose.\n"), "no title"),
    "impossible-date": (
        lambda d: write_article(d, "a.md", {"title": "T", "published": "2026-13-45 10:00"}),
        "bad date '2026-13-45 10:00'",
    ),
    "date-in-words": (
        lambda d: write_article(d, "a.md", {"title": "T", "published": "yesterday"}),
        "bad date 'yesterday'",
    ),
    "unknown-key": (
        lambda d: write_article(d, "a.md", {"title": "T", "subtitle": "x"}),
        "unknown key 'subtitle'",
    ),
    "image-missing": (
        lambda d: write_article(d, "a.md", {"title": "T", "image": "gone.png", "image_alt": "x"}),
        "image 'gone.png' not found",
    ),
    "image-not-an-image": (text_renamed_jpg, "not a JPEG, PNG or WebP image"),
    "image-svg": (svg_image, "image 'x.svg'"),
    "image-gif": (gif_image, "Only JPEG, PNG and WebP"),
    "image-without-alt": (image_without_alt, "image_alt"),
    "bad-status": (
        lambda d: write_article(d, "a.md", {"title": "T", "status": "live"}),
        "bad status 'live'",
    ),
    "bad-slug": (
        lambda d: write_article(d, "a.md", {"title": "T", "slug": "Bad Slug!"}),
        "bad slug 'Bad Slug!'",
    ),
    "scheduled-without-time": (
        lambda d: write_article(d, "a.md", {"title": "T", "status": "scheduled"}),
        "status 'scheduled' needs a 'published:' time",
    ),
    "body-too-complex-to-format": (
        lambda d: write_article(d, "a.md", {"title": "T"}, "[" * 100_000 + "\n"),
        "This text is too complex to format: it has too many brackets",
    ),
    "not-utf8": (not_utf8, "cannot read the file"),
    "does-not-exist": (lambda d: d / "missing.md", "cannot read the file"),
}


@pytest.mark.parametrize(("make", "problem"), BAD_FILES.values(), ids=BAD_FILES.keys())
def test_a_bad_file_stops_with_a_message_naming_file_and_problem(runner, tmp_path, make, problem):
    path = make(tmp_path)
    result = import_files(runner, path)
    assert result.exit_code != 0
    assert f"Error: {path}: " in result.output
    assert problem in result.output
    assert "Traceback" not in result.output


@pytest.mark.parametrize(("make", "problem"), BAD_FILES.values(), ids=BAD_FILES.keys())
def test_a_bad_file_stores_nothing(app, runner, tmp_path, add_article, make, problem):
    add_article("Already there", tags=["Gas"])
    path = make(tmp_path)
    before = stored(app)
    import_files(runner, path)
    assert stored(app) == before


def test_a_bad_file_with_a_good_photo_leaves_no_photo_file(app, runner, tmp_path):
    make_image(tmp_path / "ok.png")
    header = {"title": "T", "image": "ok.png", "image_alt": "x", "status": "gone"}
    result = import_files(runner, write_article(tmp_path, "a.md", header))
    assert result.exit_code != 0
    assert stored(app)["Photo"] == 0
    assert photo_files(app) == []


def test_when_the_second_of_two_files_is_bad_the_first_is_imported_and_the_second_not(
    app, runner, tmp_path
):
    good = write_article(tmp_path, "good.md", {"title": "The good one", "tags": "Kept"})
    bad = write_article(tmp_path, "bad.md", {"title": "The bad one", "tags": "Lost", "x": "y"})
    result = import_files(runner, good, bad)
    assert result.exit_code != 0
    assert "http://localhost/articles/the-good-one" in result.output
    assert f"Error: {bad}: unknown key 'x'" in result.output
    assert article_by_slug("the-good-one") is not None
    assert article_by_slug("the-bad-one") is None
    assert db.session.scalar(db.select(Tag).filter_by(slug="lost")) is None


def test_files_after_a_bad_one_are_not_imported(runner, tmp_path):
    bad = write_article(tmp_path, "bad.md", {"title": "Bad", "status": "live"})
    good = write_article(tmp_path, "good.md", {"title": "Good after bad"})
    result = import_files(runner, bad, good)
    assert result.exit_code != 0
    assert article_by_slug("good-after-bad") is None


def test_a_database_error_is_a_message_naming_the_file_and_stores_nothing(
    app, runner, tmp_path, monkeypatch
):
    path = full_file(tmp_path)
    before = stored(app)

    def locked():
        raise OperationalError("COMMIT", {}, sqlite3.OperationalError("database is locked"))

    monkeypatch.setattr(db.session, "commit", locked)
    result = import_files(runner, path)
    monkeypatch.undo()
    assert result.exit_code != 0
    assert f"Error: {path}: the database refused it: database is locked" in result.output
    assert "Traceback" not in result.output
    assert stored(app) == before


def test_a_database_error_keeps_the_files_of_a_photo_stored_before(
    app, runner, tmp_path, monkeypatch
):
    first = import_files(runner, full_file(tmp_path))
    assert first.exit_code == 0, first.output
    files = photo_files(app)
    assert files
    again = full_file(tmp_path, slug="same-photo-again")

    def locked():
        raise OperationalError("COMMIT", {}, sqlite3.OperationalError("database is locked"))

    monkeypatch.setattr(db.session, "commit", locked)
    assert import_files(runner, again).exit_code != 0
    monkeypatch.undo()
    assert photo_files(app) == files
    assert article_by_slug("europe-gas-storage").photo is not None


def test_a_title_longer_than_the_column_is_refused_with_a_message(app, runner, tmp_path):
    path = write_article(tmp_path, "long.md", {"title": "Long " * 61, "slug": "long"})
    result = import_files(runner, path)
    assert result.exit_code != 0
    assert f"Error: {path}: " in result.output
    assert article_by_slug("long") is None


# Status: what readers can see.


def visible_on_the_site(client, slug: str) -> dict[str, bool]:
    link = f'href="/articles/{slug}"'
    return {
        "page": client.get(f"/articles/{slug}").status_code == 200,
        "front page": link in client.get("/").get_data(as_text=True),
        "latest": link in client.get("/latest").get_data(as_text=True),
    }


def test_a_published_file_is_visible_everywhere(client, runner, tmp_path):
    import_files(runner, write_article(tmp_path, "a.md", {"title": "Out now"}))
    assert visible_on_the_site(client, "out-now") == {
        "page": True,
        "front page": True,
        "latest": True,
    }


@pytest.mark.parametrize("status", ["draft", "review", "Draft"])
def test_an_unpublished_status_is_stored_and_hidden(client, runner, tmp_path, status):
    header = {"title": "Not yet", "status": status, "published": past_time()}
    result = import_files(runner, write_article(tmp_path, "a.md", header))
    assert result.exit_code == 0, result.output
    assert article_by_slug("not-yet").status == status.lower()
    assert client.get("/articles/not-yet").status_code == 404
    assert not any(visible_on_the_site(client, "not-yet").values())


def test_a_file_that_trashes_a_live_article_makes_it_gone_and_restorable(
    client, runner, tmp_path, add_article
):
    add_article("Was live")
    header = {"title": "Was live", "status": "trash", "published": past_time()}
    assert import_files(runner, write_article(tmp_path, "a.md", header)).exit_code == 0
    assert article_by_slug("was-live").status_before_trash == "published"
    assert client.get("/articles/was-live").status_code == 410
    # Trashed on arrival, it was never public: as unknown as a slug never used.
    header = {"title": "Never live", "status": "trash", "published": past_time()}
    assert import_files(runner, write_article(tmp_path, "b.md", header)).exit_code == 0
    assert client.get("/articles/never-live").status_code == 404


def test_a_future_published_time_is_hidden_until_then(client, runner, tmp_path):
    future = (utcnow() + timedelta(days=3)).strftime(TIME_FORMAT)
    import_files(runner, write_article(tmp_path, "a.md", {"title": "Soon", "published": future}))
    article = article_by_slug("soon")
    assert article.status == "published"
    assert article.is_scheduled
    assert client.get("/articles/soon").status_code == 404
    assert not any(visible_on_the_site(client, "soon").values())


def test_scheduled_with_a_future_time_is_stored_as_published_at_that_time(client, runner, tmp_path):
    when = (utcnow() + timedelta(days=3)).replace(second=0, microsecond=0)
    header = {"title": "Later", "status": "scheduled", "published": when.strftime(TIME_FORMAT)}
    result = import_files(runner, write_article(tmp_path, "a.md", header))
    assert result.exit_code == 0, result.output
    article = article_by_slug("later")
    assert (article.status, article.published_at) == ("published", when)
    assert not any(visible_on_the_site(client, "later").values())


def test_scheduled_whose_time_has_passed_is_imported_as_published(client, runner, tmp_path):
    when = (utcnow() - timedelta(days=2)).replace(second=0, microsecond=0)
    header = {"title": "Overdue", "status": "scheduled", "published": when.strftime(TIME_FORMAT)}
    result = import_files(runner, write_article(tmp_path, "a.md", header))
    assert result.exit_code == 0, result.output
    article = article_by_slug("overdue")
    assert (article.status, article.published_at) == ("published", when)
    assert all(visible_on_the_site(client, "overdue").values())


def test_published_time_is_read_in_the_publication_time_zone(app, runner, tmp_path):
    app.config["TIMEZONE"] = "Europe/Berlin"
    header = {"title": "Berlin time", "published": "2026-07-01 12:00"}
    import_files(runner, write_article(tmp_path, "a.md", header))
    assert article_by_slug("berlin-time").published_at == datetime(2026, 7, 1, 10, 0)


def test_control_characters_in_a_file_are_dropped_on_import(runner, tmp_path):
    junk = "\x00\x08\x0b\x0c\x1b\x7f\ufffe"
    header = {
        "title": f"Bell{junk} title",
        "dek": f"A{junk} dek",
        "type": f"Analysis{junk}",
        "section": f"Europe{junk}",
        "tags": f"Gas{junk}, Power",
        "authors": f"Ada{junk} Abbott",
        "slug": "bell-title",
    }
    result = import_files(runner, write_article(tmp_path, "a.md", header, f"Body{junk}.\tTab\n"))
    assert result.exit_code == 0, result.output
    article = article_by_slug("bell-title")
    assert (article.title, article.dek) == ("Bell title", "A dek")
    assert (article.article_type.name, article.section.name) == ("Analysis", "Europe")
    assert [tag.name for tag in article.tags] == ["Gas", "Power"]
    assert [author.name for author in article.authors] == ["Ada Abbott"]
    assert article.body_md == "Body.\tTab\n"


@pytest.mark.parametrize(
    ("zone", "published", "message"),
    [
        ("Europe/Berlin", "0001-01-01 00:30", "before the year 1 in UTC"),
        ("America/New_York", "9999-12-31 23:30", "after the year 9999 in UTC"),
    ],
)
def test_a_published_time_with_no_utc_equivalent_is_refused(
    app, runner, tmp_path, zone, published, message
):
    app.config["TIMEZONE"] = zone
    path = write_article(tmp_path, "a.md", {"title": "Edge", "published": published})
    before = stored(app)
    result = import_files(runner, path)
    assert result.exit_code != 0
    assert f"Error: {path}: bad date '{published}': " in result.output and message in result.output
    assert stored(app) == before


def test_a_time_stored_at_the_calendars_edge_is_exported_in_utc(app, runner, tmp_path, add_article):
    add_article("Very old news", published=datetime(1, 1, 1, 2, 0))
    app.config["TIMEZONE"] = "America/New_York"
    result = export(runner, "very-old-news", tmp_path)
    assert result.exit_code == 0, result.output
    assert "\npublished: 0001-01-01 02:00\n" in (tmp_path / "very-old-news.md").read_text()


# Export, and the round trip through export and import.


def export(runner, slug: str, folder: Path):
    return runner.invoke(args=["export-article", slug, "-o", str(folder)])


def snapshot(article: Article) -> dict[str, object]:
    return {
        "title": article.title,
        "dek": article.dek,
        "type": article.article_type.name,
        "section": article.section.name,
        "tags": [tag.name for tag in article.tags],
        "authors": [author.name for author in article.authors],
        "published_at": article.published_at,
        "status": article.status,
        "body_md": article.body_md,
        "body_html": article.body_html,
        "photo_alt": article.photo_alt,
        "photo_credit": article.photo_credit,
        "photo size": (article.photo.width, article.photo.height) if article.photo else None,
    }


def delete_article(slug: str) -> None:
    db.session.delete(article_by_slug(slug))
    db.session.commit()


def test_export_writes_the_file_and_its_photo_and_prints_the_path(runner, tmp_path):
    import_files(runner, full_file(tmp_path))
    out = tmp_path / "out"
    result = export(runner, "europe-gas-storage", out)
    assert result.exit_code == 0, result.output
    assert result.output.strip() == str(out / "europe-gas-storage.md")
    with Image.open(out / "europe-gas-storage.webp") as photo:
        assert (photo.format, photo.size) == ("WEBP", (640, 480))
    meta, body = split_header((out / "europe-gas-storage.md").read_text(encoding="utf-8"))
    assert meta["authors"] == "Zoe Zimmer, Ada Abbott, Mia Moreau"
    assert meta["image"] == "europe-gas-storage.webp"
    assert body == FULL_BODY


def test_export_then_import_gives_back_every_field(runner, tmp_path):
    import_files(runner, full_file(tmp_path))
    original = snapshot(article_by_slug("europe-gas-storage"))
    export(runner, "europe-gas-storage", tmp_path / "out")
    delete_article("europe-gas-storage")
    result = import_files(runner, tmp_path / "out" / "europe-gas-storage.md")
    assert result.exit_code == 0, result.output
    assert snapshot(article_by_slug("europe-gas-storage")) == original


@pytest.mark.parametrize(
    "changes",
    [
        {"status": "draft"},
        {"status": "review", "dek": "", "tags": ""},
        {"status": "scheduled", "published": "2099-01-02 03:04"},
        {"published": "2099-01-02 03:04"},
    ],
    ids=["draft", "review-without-dek-or-tags", "scheduled", "future-published"],
)
def test_export_then_import_keeps_the_status(runner, tmp_path, changes):
    import_files(runner, full_file(tmp_path, **changes))
    original = snapshot(article_by_slug("europe-gas-storage"))
    export(runner, "europe-gas-storage", tmp_path / "out")
    delete_article("europe-gas-storage")
    result = import_files(runner, tmp_path / "out" / "europe-gas-storage.md")
    assert result.exit_code == 0, result.output
    assert snapshot(article_by_slug("europe-gas-storage")) == original


def test_export_of_an_article_without_photo_round_trips(runner, tmp_path, add_article):
    add_article("Plain words", dek="A dek\nover two lines", tags=["A", "B"])
    original = snapshot(article_by_slug("plain-words"))
    export(runner, "plain-words", tmp_path)
    delete_article("plain-words")
    import_files(runner, tmp_path / "plain-words.md")
    # The file format has minutes, and a dek on one line.
    assert snapshot(article_by_slug("plain-words")) == {
        **original,
        "dek": "A dek over two lines",
        "published_at": original["published_at"].replace(second=0, microsecond=0),
    }


def test_an_exported_trashed_article_can_be_imported_again(runner, tmp_path, add_article):
    article = add_article("Thrown away")
    article.status = "trash"
    db.session.commit()
    export(runner, "thrown-away", tmp_path)
    delete_article("thrown-away")
    result = import_files(runner, tmp_path / "thrown-away.md")
    assert result.exit_code == 0, result.output


def round_trip(runner, tmp_path, slug: str) -> None:
    """Export the article, delete it, and import the export."""
    result = export(runner, slug, tmp_path / "out")
    assert result.exit_code == 0, result.output
    delete_article(slug)
    result = import_files(runner, tmp_path / "out" / f"{slug}.md")
    assert result.exit_code == 0, result.output


def test_scheduled_export_imported_after_its_time_is_published(runner, tmp_path, add_article):
    add_article("Was scheduled", published=utcnow() + timedelta(hours=1))
    export(runner, "was-scheduled", tmp_path / "out")
    meta, _ = split_header((tmp_path / "out" / "was-scheduled.md").read_text(encoding="utf-8"))
    assert meta["status"] == "scheduled"
    article = article_by_slug("was-scheduled")
    article.published_at = utcnow() - timedelta(hours=1)
    db.session.commit()
    delete_article("was-scheduled")
    result = import_files(runner, tmp_path / "out" / "was-scheduled.md")
    assert result.exit_code == 0, result.output
    assert article_by_slug("was-scheduled").status == "published"


def test_a_photo_wider_than_the_largest_variant_round_trips_at_its_full_size(app, runner, tmp_path):
    make_image(tmp_path / "wide.png", (2400, 1200))
    header = {"title": "Wide view", "image": "wide.png", "image_alt": "A wide harbour"}
    import_files(runner, write_article(tmp_path, "wide.md", header))
    widths = article_by_slug("wide-view").photo.widths
    assert max(widths) == 1600
    round_trip(runner, tmp_path, "wide-view")
    with Image.open(tmp_path / "out" / "wide-view.jpg") as exported:
        assert exported.size == (2400, 1200)
    photo = article_by_slug("wide-view").photo
    assert ((photo.width, photo.height), photo.widths) == ((2400, 1200), widths)


def test_a_renamed_author_round_trips_as_the_same_author(app, runner, tmp_path, add_article):
    add_article("Bylined", authors=["Ada Writer"])
    author = db.session.scalar(db.select(Author).filter_by(slug="ada-writer"))
    author.name = "Ada Writer-Lang"
    db.session.commit()
    before = stored(app)
    round_trip(runner, tmp_path, "bylined")
    assert [a.id for a in article_by_slug("bylined").authors] == [author.id]
    assert stored(app)["Author"] == before["Author"]


def test_rows_with_slugs_of_their_own_round_trip_as_the_same_rows(
    app, runner, tmp_path, add_article
):
    add_article("Filed", section="Energy Desk", type="Long Read", tags=["Gas Prices"])
    article = article_by_slug("filed")
    article.section.slug, article.article_type.slug, article.tags[0].slug = "energy", "lr", "gas"
    db.session.commit()
    before = stored(app)
    round_trip(runner, tmp_path, "filed")
    article = article_by_slug("filed")
    assert (article.section.slug, article.article_type.slug) == ("energy", "lr")
    assert [tag.slug for tag in article.tags] == ["gas"]
    assert stored(app) == before


def test_import_matches_names_in_any_case_before_slugs(app, runner, tmp_path, add_article):
    add_article(section="Energy Desk")
    section = db.session.scalar(db.select(Section).filter_by(slug="energy-desk"))
    section.slug = "desk"
    db.session.commit()
    import_files(runner, write_article(tmp_path, "a.md", {"title": "T", "section": "ENERGY DESK"}))
    assert article_by_slug("t").section.id == section.id


NAMES_WITH_COMMAS = {
    "authors": ["Smith, Jo", 'Ada "The Pen" Abbott', "Mia Moreau"],
    "tags": ["Oil, gas and coal", "Winter"],
}


def test_names_with_commas_and_quotes_round_trip(runner, tmp_path, add_article):
    add_article("Commas", **NAMES_WITH_COMMAS)
    original = snapshot(article_by_slug("commas"))
    export(runner, "commas", tmp_path / "out")
    meta, _ = split_header((tmp_path / "out" / "commas.md").read_text(encoding="utf-8"))
    assert meta["authors"] == '"Smith, Jo", "Ada ""The Pen"" Abbott", Mia Moreau'
    delete_article("commas")
    result = import_files(runner, tmp_path / "out" / "commas.md")
    assert result.exit_code == 0, result.output
    assert snapshot(article_by_slug("commas"))["authors"] == NAMES_WITH_COMMAS["authors"]
    assert snapshot(article_by_slug("commas"))["tags"] == original["tags"]


def test_unquoted_names_are_split_at_commas(runner, tmp_path):
    header = {"title": "Split", "authors": 'Zoe Zimmer, The "Desk"', "tags": '"A, B", C'}
    import_files(runner, write_article(tmp_path, "a.md", header))
    article = article_by_slug("split")
    assert [author.name for author in article.authors] == ["Zoe Zimmer", 'The "Desk"']
    assert [tag.name for tag in article.tags] == ["A, B", "C"]


def test_export_of_an_unknown_slug_fails_with_a_message(runner, tmp_path):
    result = export(runner, "no-such-article", tmp_path / "out")
    assert result.exit_code != 0
    assert "Error: no article with the slug 'no-such-article'" in result.output
    assert not (tmp_path / "out").exists()


# The header parser.


def test_split_header_reads_keys_and_the_body_after_the_blank_line():
    meta, body = split_header("Title: A headline\nTAGS: a, b\n\nThe body.\n\nMore.")
    assert meta == {"title": "A headline", "tags": "a, b"}
    assert body == "The body.\n\nMore.\n"


def test_split_header_between_dash_fences():
    meta, body = split_header("---\ntitle: Fenced\nslug: fenced\n---\nBody right after.\n")
    assert meta == {"title": "Fenced", "slug": "fenced"}
    assert body == "Body right after.\n"


def test_split_header_ends_at_a_dots_fence():
    meta, body = split_header("---\ntitle: Fenced\n...\nBody.\n")
    assert meta == {"title": "Fenced"}
    assert body == "Body.\n"


def test_split_header_joins_lines_indented_four_spaces_to_the_value():
    text = "title: A long\n    headline over\n    three lines\ndek: Short\n\nBody.\n"
    meta, body = split_header(text)
    assert meta == {"title": "A long headline over three lines", "dek": "Short"}
    assert body == "Body.\n"


def test_split_header_ignores_a_byte_order_mark():
    meta, body = split_header("\ufefftitle: With a BOM\n\nBody.\n")
    assert meta == {"title": "With a BOM"}
    assert body == "Body.\n"


def test_split_header_reads_windows_line_endings_like_unix_ones():
    unix = "---\ntitle: Windows\ndek: One\n    two\n---\n\nFirst.\n\nSecond.\n"
    meta, body = split_header(unix.replace("\n", "\r\n"))
    unix_meta, unix_body = split_header(unix)
    assert meta == unix_meta == {"title": "Windows", "dek": "One two"}
    assert body.replace("\r\n", "\n") == unix_body


def test_import_of_a_file_with_bom_and_windows_line_endings(runner, tmp_path):
    path = tmp_path / "win.md"
    text = "title: Windows file\r\ntags: A, B\r\n\r\nFirst.\r\n\r\nSecond.\r\n"
    path.write_bytes(text.encode("utf-8-sig"))
    result = import_files(runner, path)
    assert result.exit_code == 0, result.output
    article = article_by_slug("windows-file")
    assert article.title == "Windows file"
    assert [tag.name for tag in article.tags] == ["A", "B"]
    assert article.body_html == "<p>First.</p>\n<p>Second.</p>"


def test_split_header_without_a_header_keeps_the_whole_text_as_body():
    meta, body = split_header("Just prose, no header.\n\nSecond paragraph.")
    assert meta == {}
    assert body == "Just prose, no header.\n\nSecond paragraph.\n"


def test_split_header_keeps_colons_inside_a_value():
    meta, _ = split_header("title: Analysis: why 2:1 matters\n\nBody.")
    assert meta["title"] == "Analysis: why 2:1 matters"
