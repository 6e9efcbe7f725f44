"""Search and social, per article: the article form's folded part (social title, description and
image, canonical URL, hiding from search engines), where each shows, what is refused, autosave,
the sitemaps, article files, and the migration that adds the columns."""

import re
from datetime import timedelta
from pathlib import Path

import pytest
from flask_migrate import downgrade, upgrade
from sqlalchemy import text

from rsflask.article_files import split_header
from rsflask.db import db, utcnow
from rsflask.models import Article, Photo, Revision
from rsflask.photos import CROP_RATIOS, crop_name, share_name
from tests.conftest import htmx, make_app
from tests.editor_helpers import image_bytes, make_user, prepare_editor_tests, sign_in, upload
from tests.services import postgres_database
from tests.test_editor_articles import form_fields, input_value, stored, textarea_value
from tests.test_seo import NS, page_head, read_xml, sitemap

SITE = "http://localhost"


@pytest.fixture(autouse=True)
def editor_tests(app, monkeypatch):
    prepare_editor_tests(app, monkeypatch)


@pytest.fixture
def story(add_article) -> Article:
    return add_article(
        "Harbour lights go out",
        dek="The port switched to dimmer lamps.",
        published=utcnow() - timedelta(hours=3),
    )


@pytest.fixture
def editor(client, app):
    make_user("editor@example.org", role="editor")
    sign_in(client, "editor@example.org")
    return client


def save(client, article: Article, **changes):
    """Press Save on the article form as loaded, with some fields changed."""
    data = {**form_fields(stored(article.id), **changes), "save": "Update"}
    return client.post(f"/editor/articles/{article.id}", data=data)


def checkbox(page: str, name: str) -> str:
    return re.search(rf'<input[^>]* name="{name}"[^>]*>', page).group(0)


SOCIAL = {
    "social_title": "Why the harbour went dark",
    "social_description": "Dimmer lamps, fewer moths, and a quieter night on the quay.",
    "canonical_url": "https://elsewhere.example/harbour-lights",
    "noindex": "y",
}


def test_the_form_folds_the_fields_with_hints_saying_where_they_show(editor, story):
    page = editor.get(f"/editor/articles/{story.id}").text
    part = page[page.index('<details class="search-social">') : page.index("</details>")]
    assert "<summary>Search and social</summary>" in part
    for name in ("social_title", "social_description", "social_image", "canonical_url"):
        assert f'name="{name}"' in part, name
    assert 'type="checkbox"' in checkbox(part, "noindex")
    assert "instead of the headline" in part and "instead of the dek" in part
    assert "instead of the top photo" in part and "leaves the sitemaps" in part


def test_each_field_is_saved(editor, story):
    response = save(editor, story, **SOCIAL)
    assert response.status_code == 303
    article = stored(story.id)
    assert article.social_title == SOCIAL["social_title"]
    assert article.social_description == SOCIAL["social_description"]
    assert article.canonical_url == SOCIAL["canonical_url"]
    assert article.noindex is True
    page = editor.get(f"/editor/articles/{story.id}").text
    assert '<details class="search-social" open>' in page
    assert input_value(page, "social_title") == SOCIAL["social_title"]
    assert textarea_value(page, "social_description") == SOCIAL["social_description"]


def test_link_previews_take_the_social_title_and_description_but_the_page_keeps_the_headline(
    editor, story
):
    save(editor, story, social_title=SOCIAL["social_title"], social_description="Short.")
    head = page_head(editor, f"/articles/{story.slug}")
    assert head.one("og:title") == head.one("twitter:title") == SOCIAL["social_title"]
    assert head.one("og:description") == head.one("twitter:description") == "Short."
    # The page, search results and JSON-LD keep the headline and the dek.
    page = editor.get(f"/articles/{story.slug}").text
    assert "<title>Harbour lights go out |" in page
    assert '<h1 id="headline">Harbour lights go out</h1>' in page
    assert head.one("description") == "The port switched to dimmer lamps."
    news, _ = head.json_ld()
    assert news["headline"] == "Harbour lights go out"


def test_empty_fields_leave_everything_as_before(editor, story):
    before = editor.get(f"/articles/{story.slug}").text
    assert save(editor, story).status_code == 303
    article = stored(story.id)
    assert (article.social_title, article.social_description, article.canonical_url) == ("",) * 3
    assert article.social_image is None and article.noindex is False
    head = page_head(editor, f"/articles/{story.slug}")
    assert head.one("og:title") == head.one("twitter:title") == "Harbour lights go out"
    assert head.one("og:description") == "The port switched to dimmer lamps."
    url = f"{SITE}/articles/{story.slug}"
    assert head.link("canonical") == [url] and head.one("og:url") == url
    assert "robots" not in head.meta
    assert 'name="robots"' not in before


def test_the_social_image_is_the_preview_and_json_ld_image_and_can_be_removed(app, editor, story):
    data = {
        **form_fields(stored(story.id)),
        "social_image": upload(image_bytes("PNG", (900, 600)), "card.png"),
        "save": "Update",
    }
    response = editor.post(f"/editor/articles/{story.id}", data=data)
    assert response.status_code == 303, response.text
    photo = stored(story.id).social_image
    assert photo is not None
    share = f"{SITE}/photos/{share_name(photo)}"
    assert (Path(app.config["PHOTO_FOLDER"]) / share_name(photo)).exists()
    head = page_head(editor, f"/articles/{story.slug}")
    assert head.one("og:image") == head.one("twitter:image") == share
    assert head.one("twitter:card") == "summary_large_image"
    news, _ = head.json_ld()
    assert news["image"] == [f"{SITE}/photos/{crop_name(photo, ratio)}" for ratio in CROP_RATIOS]
    # Not shown on the page itself.
    assert 'class="top-photo"' not in editor.get(f"/articles/{story.slug}").text
    assert 'name="remove_social_image"' in editor.get(f"/editor/articles/{story.id}").text

    assert save(editor, story, remove_social_image="y").status_code == 303
    assert stored(story.id).social_image is None
    assert page_head(editor, f"/articles/{story.slug}").one("og:image") != share


def test_a_canonical_url_elsewhere_is_the_canonical_link_and_og_url(editor, story):
    save(editor, story, canonical_url=SOCIAL["canonical_url"])
    head = page_head(editor, f"/articles/{story.slug}")
    assert head.link("canonical") == [SOCIAL["canonical_url"]]
    assert head.one("og:url") == SOCIAL["canonical_url"]


def test_noindex_puts_a_robots_meta_on_the_article_page(editor, story):
    save(editor, story, noindex="y")
    head = page_head(editor, f"/articles/{story.slug}")
    assert head.one("robots") == "noindex"
    # Readers still reach it.
    assert "Harbour lights go out" in editor.get("/").text


def news_locs(client) -> list[str]:
    root = read_xml(client, "/sitemaps/news.xml")
    return [url.findtext("s:loc", namespaces=NS) for url in root.findall("s:url", NS)]


@pytest.mark.parametrize(
    "changes",
    [{"noindex": "y"}, {"canonical_url": SOCIAL["canonical_url"]}],
    ids=["noindex", "canonical-elsewhere"],
)
def test_hidden_or_elsewhere_articles_leave_both_sitemaps(editor, story, add_article, changes):
    other = add_article("Quay reopens", published=utcnow() - timedelta(hours=1))
    url, other_url = f"{SITE}/articles/{story.slug}", f"{SITE}/articles/{other.slug}"
    assert url in sitemap(editor) and url in news_locs(editor)
    save(editor, story, **changes)
    assert url not in sitemap(editor) and url not in news_locs(editor)
    assert other_url in sitemap(editor) and other_url in news_locs(editor)


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"canonical_url": "javascript:alert(1)"}, "canonical_url", "starting with https://"),
        ({"canonical_url": "data:text/html,hi"}, "canonical_url", "starting with https://"),
        ({"canonical_url": "/articles/elsewhere"}, "canonical_url", "starting with https://"),
        ({"canonical_url": "https://"}, "canonical_url", "starting with https://"),
        ({"canonical_url": "https://exa mple.org/x"}, "canonical_url", "no spaces"),
        ({"canonical_url": "https://[::1/x"}, "canonical_url", "not a web address"),
        ({"canonical_url": "https://example.org:port/"}, "canonical_url", "not a web address"),
        ({"canonical_url": "https://e.org/" + "a" * 500}, "canonical_url", "500 characters"),
        ({"social_description": "d" * 501}, "social_description", "500 characters"),
        ({"social_title": "t" * 301}, "social_title", "300 characters"),
    ],
)
def test_bad_input_is_refused_by_the_field_and_kept_as_typed(
    editor, story, changes, field, message
):
    response = save(editor, story, **{"social_title": "Kept as typed", **changes})
    assert response.status_code == 422
    page = response.text
    error = page[page.index(f'id="{field}-error"') :]
    assert message in error[: error.index("</p>")]
    assert '<details class="search-social" open>' in page
    typed = changes.get("social_title", "Kept as typed")
    assert input_value(page, "social_title") == typed
    article = stored(story.id)
    assert article.social_title == "" and article.canonical_url == ""


def test_a_social_image_that_is_no_image_is_refused_and_nothing_is_stored(app, editor, story):
    data = {
        **form_fields(stored(story.id), social_title="Typed"),
        "social_image": upload(b"not a picture", "card.png"),
        "save": "Update",
    }
    response = editor.post(f"/editor/articles/{story.id}", data=data)
    assert response.status_code == 422
    assert "not a JPEG, PNG or WebP image" in response.text
    assert input_value(response.text, "social_title") == "Typed"
    assert stored(story.id).social_title == ""
    assert db.session.scalar(db.select(db.func.count()).select_from(Photo)) == 0


def test_control_characters_are_dropped(editor, story):
    save(editor, story, social_title="Bell\x07 and\x00 null", social_description="Tab\x0b")
    article = stored(story.id)
    assert (article.social_title, article.social_description) == ("Bell and null", "Tab")


def test_autosave_keeps_the_fields_and_reopening_recovers_them(editor, story):
    typed = {**SOCIAL, "social_title": "Typed, not saved"}
    data = form_fields(stored(story.id), **typed)
    response = editor.post(f"/editor/articles/{story.id}/autosave", data=data, headers=htmx())
    assert response.status_code == 200
    kept = db.session.scalar(db.select(Revision).filter_by(kind="autosave"))
    assert (kept.social_title, kept.canonical_url, kept.noindex) == (
        "Typed, not saved",
        SOCIAL["canonical_url"],
        True,
    )
    page = editor.get(f"/editor/articles/{story.id}").text
    assert "We restored text you typed" in page
    assert input_value(page, "social_title") == "Typed, not saved"
    assert textarea_value(page, "social_description") == SOCIAL["social_description"]
    assert input_value(page, "canonical_url") == SOCIAL["canonical_url"]
    assert " checked" in checkbox(page, "noindex")
    # Nothing reached the article.
    assert stored(story.id).social_title == ""


def test_the_autosave_element_sends_the_fields(editor, story):
    page = editor.get(f"/editor/articles/{story.id}").text
    include = page[page.index('id="autosave-status"') :]
    include = include[: include.index("data-hx-swap")]
    for name in ("social_title", "social_description", "canonical_url", "noindex"):
        assert f"[name={name}]" in include, name


def test_an_autosave_from_a_page_without_the_fields_keeps_them_as_saved(editor, story):
    save(editor, story, social_title="Saved social title", noindex="y")
    data = {"title": "Retitled", "dek": "", "body": "", "version": str(stored(story.id).version)}
    editor.post(f"/editor/articles/{story.id}/autosave", data=data, headers=htmx())
    page = editor.get(f"/editor/articles/{story.id}").text
    assert input_value(page, "title") == "Retitled"
    assert input_value(page, "social_title") == "Saved social title"


def test_a_save_keeps_the_fields_in_the_revision(editor, story):
    save(editor, story, **SOCIAL)
    revision = db.session.scalar(
        db.select(Revision).filter_by(kind="save").order_by(Revision.id.desc())
    )
    assert revision.social_title == SOCIAL["social_title"]
    assert revision.canonical_url == SOCIAL["canonical_url"] and revision.noindex is True


def export(runner, slug: str, folder: Path):
    return runner.invoke(args=["export-article", slug, "-o", str(folder)])


def import_file(runner, path: Path):
    return runner.invoke(args=["import-article", str(path)])


def social_snapshot(article: Article) -> dict:
    image = article.social_image
    return {
        "social_title": article.social_title,
        "social_description": article.social_description,
        "canonical_url": article.canonical_url,
        "noindex": article.noindex,
        # As for the top photo, the file exported may be a stored copy, not the upload's bytes.
        "social image size": (image.width, image.height) if image else None,
    }


def test_an_export_imports_back_with_every_social_field(app, runner, editor, story, tmp_path):
    data = {
        **form_fields(stored(story.id), **SOCIAL),
        "social_image": upload(image_bytes("PNG", (900, 600)), "card.png"),
        "save": "Update",
    }
    assert editor.post(f"/editor/articles/{story.id}", data=data).status_code == 303
    before = social_snapshot(stored(story.id))
    result = export(runner, story.slug, tmp_path)
    assert result.exit_code == 0, result.output
    meta, _ = split_header((tmp_path / f"{story.slug}.md").read_text(encoding="utf-8"))
    assert meta["social_title"] == SOCIAL["social_title"]
    assert meta["canonical_url"] == SOCIAL["canonical_url"]
    assert meta["noindex"] == "yes"
    assert (tmp_path / meta["social_image"]).exists()
    db.session.delete(stored(story.id))
    db.session.commit()
    result = import_file(runner, tmp_path / f"{story.slug}.md")
    assert result.exit_code == 0, result.output
    db.session.expire_all()
    article = db.session.scalar(db.select(Article).filter_by(slug=story.slug))
    assert social_snapshot(article) == before


def test_an_export_without_social_fields_writes_none_of_their_keys(runner, story, tmp_path):
    export(runner, story.slug, tmp_path)
    meta, _ = split_header((tmp_path / f"{story.slug}.md").read_text(encoding="utf-8"))
    assert not {"social_title", "social_description", "social_image", "canonical_url"} & set(meta)
    assert "noindex" not in meta


@pytest.mark.parametrize(
    ("header", "message"),
    [
        ("canonical_url: javascript:alert(1)", "bad canonical_url"),
        ("canonical_url: /relative", "bad canonical_url"),
        ("noindex: perhaps", "bad noindex 'perhaps': write yes or no"),
        ("social_image: missing.png", "social_image 'missing.png' not found"),
        ("social_description: " + "d" * 501, "'social_description' is longer than 500"),
    ],
)
def test_an_article_file_with_bad_social_keys_is_refused(runner, tmp_path, header, message):
    path = tmp_path / "bad.md"
    path.write_text(f"title: Bad keys\n{header}\n\nA body.\n", encoding="utf-8")
    result = import_file(runner, path)
    assert result.exit_code != 0
    assert message in result.output
    assert db.session.scalar(db.select(db.func.count()).select_from(Article)) == 0


@pytest.fixture(params=["sqlite", "postgresql"])
def empty_database(request, tmp_path):
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'migrations.sqlite3'}"
    else:
        with postgres_database("social_migration") as uri:
            yield uri


def test_the_migration_adds_the_columns_without_losing_rows_that_refer_to_articles(
    empty_database, tmp_path
):
    """SQLite rebuilding the articles table (with foreign keys on) would delete every byline,
    tag and revision of an article: the columns are added in place, and dropped in place."""
    migrating = make_app(tmp_path / "instance", empty_database)
    with migrating.app_context():
        upgrade(revision="0010")
        with db.engine.begin() as connection:
            for statement in SEED_0010.split(";"):
                if statement.strip():
                    connection.execute(text(statement))
        upgrade(revision="0011")
        with db.engine.connect() as connection:
            row = connection.execute(
                text(
                    "SELECT social_title, social_description, social_image_id, canonical_url,"
                    " noindex FROM articles"
                )
            ).one()
            assert tuple(row) == ("", "", None, "", False)
            assert connection.scalar(text("SELECT count(*) FROM article_authors")) == 1
            assert connection.scalar(text("SELECT count(*) FROM revisions")) == 1
        downgrade(revision="0010")
        with db.engine.connect() as connection:
            assert connection.scalar(text("SELECT count(*) FROM article_authors")) == 1
            assert connection.scalar(text("SELECT count(*) FROM revisions")) == 1
        downgrade(revision="base")
        db.engine.dispose()


SEED_0010 = """
INSERT INTO article_types (id, name, slug) VALUES (1, 'News', 'news');
INSERT INTO sections (id, name, slug, description, position) VALUES (1, 'World', 'world', '', 1);
INSERT INTO authors (id, name, slug, bio, role_line, is_staff, staff_position)
    VALUES (1, 'Ada Writer', 'ada-writer', '', '', false, 100);
INSERT INTO articles (id, slug, title, dek, body_md, lead_html, rest_html, word_count, type_id,
    section_id, status, created_at, updated_at, photo_alt, photo_credit, version,
    status_before_trash)
    VALUES (1, 'kept', 'Kept', '', '', '', '', 0, 1, 1, 'draft', '2026-01-01 00:00:00',
    '2026-01-01 00:00:00', '', '', 1, '');
INSERT INTO article_authors (article_id, author_id, position) VALUES (1, 1, 0);
INSERT INTO revisions (article_id, kind, created_at, base_version, title, dek, body_md)
    VALUES (1, 'save', '2026-01-01 00:00:00', 1, 'Kept', '', '');
"""
