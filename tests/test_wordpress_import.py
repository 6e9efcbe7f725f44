"""`flask import-wordpress`: the export a real WordPress 6.1 wrote (tests/data/wordpress), its
uploads, the old addresses, re-runs, dry runs, broken files and a run stopped halfway."""

from datetime import datetime
from pathlib import Path

import pytest
from sqlalchemy import func

from rsflask.db import db
from rsflask.models import Article, ImportedItem, Page, Photo, Revision
from rsflask.wordpress import command, images, importer
from tests.image_server import Handler, ImageServer, jpeg

DATA = Path(__file__).parent / "data" / "wordpress"
EXPORT = DATA / "export.xml"
UPLOADS = DATA / "uploads"


@pytest.fixture
def image_server():
    with ImageServer() as address:
        yield address


def run(runner, *args, export: Path = EXPORT):
    return runner.invoke(args=["import-wordpress", str(export), *args])


def imported(runner, *args) -> str:
    result = run(runner, "--uploads", str(UPLOADS), *args)
    assert result.exit_code == 0, result.output
    return result.output


def article(slug: str) -> Article:
    db.session.expire_all()
    return db.session.scalar(db.select(Article).filter_by(slug=slug))


def by_title(title: str) -> Article:
    return db.session.scalar(db.select(Article).filter_by(title=title))


def count(model) -> int:
    return db.session.scalar(db.select(func.count()).select_from(model))


def test_a_post_becomes_an_article_with_every_field(runner):
    imported(runner)
    accord = article("harbour-accord-one-year")
    assert accord.title == "The Harbour Accord, one year on"
    assert accord.dek.startswith("A year after Valdoria and the Kestrel Islands signed")
    assert accord.status == "published"
    assert accord.published_at == datetime(2024, 3, 4, 9, 15)
    assert accord.article_type.name == "News"
    # Its first category is Europe, under World: the section is World, Europe a tag.
    assert accord.section.name == "World"
    assert {tag.name for tag in accord.tags} == {"diplomacy", "Europe", "Ports & Shipping"}
    assert [author.name for author in accord.authors] == ["Mara Hartwell"]
    # The featured image, from its original (not the 1024 variant in the text).
    assert (accord.photo.width, accord.photo.height) == (1280, 853)
    assert accord.photo_alt.startswith("Three harbour cranes and a loaded ship")
    assert (
        accord.photo_credit
        == "Cranes over the eastern quay at Port Aubry. Illustration: The Meridian Review"
    )
    assert "## What the accord promised" in accord.body_md
    alt = "Three harbour cranes and a loaded ship silhouetted against an orange evening sky"
    caption = "Cranes over the eastern quay. Illustration: The Meridian Review"
    assert f'![{alt}](photo:{accord.photo.id} "{caption}")' in accord.body_md
    assert "[^1]: The ferry was later renamed *Concord*." in accord.body_md
    assert '<figure class="inline-photo">' in accord.body_html
    [revision] = db.session.scalars(db.select(Revision).filter_by(article_id=accord.id)).all()
    assert revision.user_id is None and revision.body_md == accord.body_md


def test_embeds_galleries_and_tables_come_through(runner):
    imported(runner)
    corridor = article("notes-from-the-grain-corridor-ports-patience")
    assert corridor.title == "Notes from the grain corridor: ports & patience"
    assert corridor.section.name == "Economy"
    assert corridor.body_md.count("](photo:") == 3
    assert "https://www.youtube.com/watch?v=Qm4tXw2pL9s\n" in corridor.body_md
    assert 'data-provider="YouTube"' in corridor.body_html
    assert "<td>February</td>" in corridor.body_html
    # The reusable block it used is put in its place.
    assert "sends one letter a week" in corridor.body_md
    classic = article("why-sanctions-rarely-work-alone")
    assert "## Leaks at the edges" in classic.body_md
    assert '"The coast where the fuel went instead."' in classic.body_md
    assert classic.body_md.count("youtube.com") == 1
    forum = article("a-quiet-week-at-the-polar-forum")
    assert forum.body_md.count("](photo:") == 3
    assert 'data-provider="X"' in forum.body_html


# WordPress's status -> ours, the time readers see, and the status the trash restores.
STATUSES = {
    "Preview: the autumn summit season": ("published", datetime(2035, 9, 1, 6, 0), ""),
    "Energy prices and the coming winter": ("draft", None, ""),
    "A letter from the islands": ("review", None, ""),
    "Editorial notes on sourcing": ("draft", None, ""),
    # Password-protected: a draft until an editor decides, with the time it was published.
    "Members' briefing: the border talks": ("draft", datetime(2024, 6, 3, 7, 0), ""),
    "An outdated election forecast": ("trash", datetime(2024, 2, 12, 8, 0), "published"),
}


def test_wordpress_statuses_become_ours(runner):
    imported(runner)
    for title, expected in STATUSES.items():
        found = by_title(title)
        assert (found.status, found.published_at, found.status_before_trash) == expected, title


def test_slugs_are_wordpress_s_made_unique_when_taken(runner):
    imported(runner)
    slugs = {a.title: a.slug for a in db.session.scalars(db.select(Article))}
    assert slugs["Reading list: the Harbour Accord"] == "the-harbour-accord-one-year-on"
    assert slugs["An outdated election forecast"] == "an-outdated-election-forecast"
    assert slugs["Energy prices and the coming winter"] == "energy-prices-and-the-coming-winter"
    assert slugs["Ökonomie der Sanktionen: eine Zwischenbilanz aus Brüssel"] == (
        "okonomie-der-sanktionen-eine-zwischenbilanz-aus-brussel"
    )
    assert sorted(
        a.slug
        for a in db.session.scalars(db.select(Article)).all()
        if a.title == "Why sanctions rarely work alone"
    ) == [
        "why-sanctions-rarely-work-alone",
        "why-sanctions-rarely-work-alone-2",
    ]


def test_a_slug_taken_by_an_article_already_here_gets_a_number(runner, add_article):
    add_article("Ours", slug="harbour-accord-one-year")
    output = imported(runner)
    assert by_title("The Harbour Accord, one year on").slug == "harbour-accord-one-year-2"
    assert (
        "the slug harbour-accord-one-year was taken: imported as harbour-accord-one-year-2"
        in output
    )


def test_pages_become_pages_under_their_parent(runner):
    imported(runner)
    about = db.session.scalar(db.select(Page).filter_by(slug="about"))
    masthead = db.session.scalar(db.select(Page).filter_by(slug="masthead"))
    policy = db.session.scalar(db.select(Page).filter_by(title="Corrections policy"))
    assert about.status == "published" and about.parent is None
    assert masthead.parent is about and masthead.path == "about/masthead"
    assert policy.parent is about and policy.status == "draft"
    assert "**Editor:** Mara Hartwell  \n" in masthead.body_md
    assert masthead.body_md.startswith("![The Meridian Review](photo:")


def test_the_report_counts_everything_and_names_what_is_missing(runner):
    output = imported(runner)
    assert (
        "Articles: 14\n  created: 14 (8 published, 1 scheduled, 1 review, 3 draft, 1 trash)"
        in output
    )
    assert "Pages: 3\n  created: 3 (2 published, 1 draft)" in output
    for skipped in (
        "6 comments (the site has no comments)",
        "3 menu items",
        "1 items of the custom post type 'briefing'",
        "8 attachments as items of their own",
        "1 reusable blocks as items of their own",
    ):
        assert skipped in output
    assert "password-protected in WordPress: imported as a draft" in output
    assert "private in WordPress: imported as a draft" in output
    assert (
        "post 16 “A quiet week at the Polar Forum”: "
        "https://old.example.org/wp-content/uploads/2024/04/round-table.jpg: "
        "not in the uploads folder (2024/04/round-table.jpg)"
    ) in output
    # Every body came through with its text whole.
    assert "the text changed in conversion" not in output
    forum = article("a-quiet-week-at-the-polar-forum")
    assert forum.status == "published" and forum.photo is None


def test_strict_imports_an_article_missing_its_featured_image_as_a_draft(runner):
    output = imported(runner, "--strict")
    assert article("a-quiet-week-at-the-polar-forum").status == "draft"
    assert article("harbour-accord-one-year").status == "published"
    assert "its featured image is missing: imported as a draft (--strict)" in output


def test_the_type_is_a_setting_of_the_import(runner):
    imported(runner, "--type", "Analysis")
    assert {a.article_type.name for a in db.session.scalars(db.select(Article))} == {"Analysis"}


OLD_ADDRESSES = {
    "/2024/03/harbour-accord-one-year/": "/articles/harbour-accord-one-year",
    "/2024/03/harbour-accord-one-year/?utm_source=x": "/articles/harbour-accord-one-year",
    "/?p=13": "/articles/harbour-accord-one-year",
    "/?page_id=29": "/about/masthead",
    "/category/world/": "/sections/world",
    "/category/world/page/2/": "/sections/world",
    "/category/world/europe/": "/tags/europe",
    "/category/europe/feed/": "/feeds/tags/europe.atom",
    "/tag/ports-shipping/": "/tags/ports-shipping",
    "/author/mhartwell/": "/authors/mara-hartwell",
    "/feed/": "/feeds/all.atom",
}


def test_old_addresses_answer_301_to_the_new_ones(runner, client):
    imported(runner)
    for old, new in OLD_ADDRESSES.items():
        response = client.get(old)
        assert response.status_code == 301, old
        assert response.location.removeprefix("http://localhost") == new, old


def test_an_unpublished_post_s_address_leads_nowhere_yet(runner, client):
    output = imported(runner)
    # The draft and the trashed post were never public; the password-protected one waits.
    assert client.get("/?p=23").status_code == 200
    assert "/?p=23 ->" not in output and "/?p=26 ->" not in output
    assert client.get("/2024/06/members-briefing-the-border-talks/").status_code == 404


def test_running_it_again_makes_nothing_twice(runner):
    imported(runner)
    before = {model: count(model) for model in (Article, Page, Photo, Revision, ImportedItem)}
    output = imported(runner)
    assert {model: count(model) for model in before} == before
    assert (
        "unchanged since the last import: 14 (8 published, 1 scheduled, 1 review, 3 draft, 1 trash)"
        in output
    )
    assert "unchanged since the last import: 3 (2 published, 1 draft)" in output


def test_what_an_editor_changed_is_left_alone_unless_overwritten(runner):
    imported(runner)
    accord = article("harbour-accord-one-year")
    accord.title = "The Harbour Accord at one"
    db.session.commit()
    output = imported(runner)
    assert article("harbour-accord-one-year").title == "The Harbour Accord at one"
    assert "left as editors changed them: 1 (1 published)" in output
    assert (
        "changed in the editor since the last import: left as it is (--overwrite replaces it)"
        in output
    )
    output = imported(runner, "--overwrite")
    assert article("harbour-accord-one-year").title == "The Harbour Accord, one year on"
    assert "changed in the editor since the last import: replaced" in output
    assert count(Article) == 14


def test_a_changed_export_updates_what_the_import_made(runner, tmp_path):
    imported(runner)
    changed = tmp_path / "export.xml"
    changed.write_text(
        EXPORT.read_text().replace("Few people expected it", "Hardly anyone expected it")
    )
    result = run(runner, "--uploads", str(UPLOADS), export=changed)
    assert "updated: 1 (1 published)" in result.output
    assert "Hardly anyone expected it" in article("harbour-accord-one-year").body_md
    assert count(Article) == 14


def test_a_dry_run_prints_the_report_and_stores_nothing(runner, app):
    output = imported(runner, "--dry-run")
    assert "Dry run: nothing was stored" in output
    assert "created: 14 (8 published" in output
    assert "/2024/03/harbour-accord-one-year/ -> /articles/harbour-accord-one-year" in output
    assert {count(m) for m in (Article, Page, Photo, Revision, ImportedItem)} == {0}
    photos = Path(app.config["PHOTO_FOLDER"])
    assert not photos.exists() or not any(photos.iterdir())


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("truncated.xml", "not a complete export"),
        ("billion-laughs.xml", "the file declares a DTD or entities"),
        ("external-entity.xml", "the file declares a DTD or entities"),
        ("wxr-9.9.xml", "WXR version '9.9' is unknown"),
        ("wordpress-feed.xml", "not a WordPress export"),
    ],
)
def test_a_file_that_is_not_a_whole_export_stops_with_a_message_and_stores_nothing(
    runner, name, message
):
    result = run(runner, "--uploads", str(UPLOADS), export=DATA / "hand" / name)
    assert result.exit_code == 1
    assert message in result.output and "Nothing was imported." in result.output
    assert count(Article) == 0 and count(Page) == 0 and count(Photo) == 0


def test_a_run_stopped_halfway_is_completed_by_the_next_without_duplicates(runner, monkeypatch):
    monkeypatch.setattr(command, "BATCH_SIZE", 3)
    calls = []
    real = importer.Importer.import_item

    def crash_on_the_eighth(self, item):
        calls.append(item.post_id)
        if len(calls) == 8:
            raise RuntimeError("the machine went down")
        return real(self, item)

    monkeypatch.setattr(importer.Importer, "import_item", crash_on_the_eighth)
    result = run(runner, "--uploads", str(UPLOADS))
    assert isinstance(result.exception, RuntimeError)
    # Two batches of three were committed; the third, half done, was not.
    assert count(Article) + count(Page) == 6
    assert count(ImportedItem) == 6
    monkeypatch.setattr(importer.Importer, "import_item", real)
    output = imported(runner)
    assert count(Article) == 14 and count(Page) == 3 and count(ImportedItem) == 17
    assert "unchanged since the last import" in output
    assert len({a.slug for a in db.session.scalars(db.select(Article))}) == 14


def test_a_wxr_1_0_export_is_imported(runner):
    result = run(runner, export=DATA / "hand" / "wxr-1.0.xml")
    assert result.exit_code == 0, result.output
    ferry = article("ferry-talks-resume")
    assert ferry.section.name == "World"
    assert {t.name for t in ferry.tags} == {"diplomacy", "Europe"}
    assert [a.name for a in ferry.authors] == ["mhartwell"]
    assert ferry.body_md == (
        "Delegations from Valdoria and the Kestrel Islands met again on the ferry between their "
        "coasts.\n\nNobody expects an agreement before spring.\n"
    )


def test_uploads_and_fetch_are_one_or_the_other(runner):
    result = run(runner, "--uploads", str(UPLOADS), "--fetch")
    assert result.exit_code == 2
    assert "give --uploads DIR or --fetch, not both" in result.output


def small_export(folder: Path, server: str) -> Path:
    """Two posts whose featured images are on `server`: one there, one that never comes."""
    attachments = [(10, f"{server}/wp-content/uploads/2024/01/a.jpg"), (11, f"{server}/slow")]
    items = "".join(
        f"<item><title>Picture {number}</title><wp:post_id>{number}</wp:post_id>"
        f"<wp:post_type>attachment</wp:post_type><wp:attachment_url>{url}</wp:attachment_url>"
        "</item>"
        for number, url in attachments
    )
    for number, featured in ((1, 10), (2, 11)):
        items += (
            f"<item><title>Post {number}</title><wp:post_id>{number}</wp:post_id>"
            "<wp:post_type>post</wp:post_type><wp:status>publish</wp:status>"
            f"<wp:post_date_gmt>2024-01-0{number} 10:00:00</wp:post_date_gmt>"
            "<content:encoded><![CDATA[<p>Text.</p>"
            f'<figure><img src="{server}/wp-content/uploads/2024/01/a-300x225.jpg" alt="A">'
            "</figure>"
            "]]></content:encoded><wp:postmeta><wp:meta_key>_thumbnail_id</wp:meta_key>"
            f"<wp:meta_value>{featured}</wp:meta_value></wp:postmeta></item>"
        )
    path = folder / "export.xml"
    path.write_text(
        '<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/" '
        'xmlns:wp="http://wordpress.org/export/1.2/"><channel>'
        f"<wp:wxr_version>1.2</wp:wxr_version>{items}</channel></rss>"
    )
    return path


def test_fetch_downloads_each_image_once_and_goes_on_without_one_that_never_comes(
    runner, image_server, monkeypatch, tmp_path
):
    monkeypatch.setattr(images, "FETCH_TIMEOUT", 1)
    Handler.files["/wp-content/uploads/2024/01/a.jpg"] = jpeg(800, 600)
    result = run(runner, "--fetch", export=small_export(tmp_path, image_server))
    assert result.exit_code == 0, result.output
    first, second = article("post-1"), article("post-2")
    assert (first.photo.width, first.photo.height) == (800, 600)
    assert second.photo is None and second.status == "published"
    # The body's picture is the same original: downloaded once, stored once.
    assert f"](photo:{first.photo.id})" in second.body_md
    assert Handler.asked.count("/wp-content/uploads/2024/01/a.jpg") == 1
    assert Handler.asked.count("/slow") == 1
    assert f"post 2 “Post 2”: {image_server}/slow: no answer within 1 seconds" in result.output


def test_a_page_slug_the_site_uses_itself_gets_a_number_and_keeps_its_old_address(
    runner, client, tmp_path
):
    changed = tmp_path / "export.xml"
    text = EXPORT.read_text().replace(
        "<wp:post_name><![CDATA[about]]>", "<wp:post_name><![CDATA[search]]>"
    )
    # The Masthead's old address is one of the site's own: no redirect can stand in for it.
    text = text.replace("https://old.example.org/about/masthead/", "https://old.example.org/latest")
    changed.write_text(text)
    result = run(runner, "--uploads", str(UPLOADS), export=changed)
    assert result.exit_code == 0, result.output
    assert "the slug search was taken: imported as search-2" in result.output
    assert client.get("/about/").location.removeprefix("http://localhost") == "/search-2"
    assert "old address /latest: not redirected: /latest is a live address of the site" in (
        result.output
    )


def test_plugin_data_and_other_sites_items_are_counted_not_imported(runner, tmp_path):
    path = tmp_path / "export.xml"
    path.write_text(
        '<rss version="2.0" xmlns:wp="http://wordpress.org/export/1.1/"><channel>'
        "<wp:wxr_version>1.1</wp:wxr_version>"
        "<item><title>A post</title><wp:post_id>1</wp:post_id><wp:post_type>post</wp:post_type>"
        "<wp:status>publish</wp:status>"
        '<category domain="series" nicename="s"><![CDATA[Series]]></category>'
        "<wp:postmeta><wp:meta_key>_yoast_wpseo_title</wp:meta_key>"
        "<wp:meta_value>SEO</wp:meta_value></wp:postmeta>"
        "<wp:postmeta><wp:meta_key>_edit_last</wp:meta_key><wp:meta_value>1</wp:meta_value>"
        "</wp:postmeta></item>"
        "<item><title>A shoe</title><wp:post_id>2</wp:post_id><wp:post_type>product</wp:post_type>"
        "</item>"
        "<item><title>Styles</title><wp:post_id>3</wp:post_id>"
        "<wp:post_type>wp_global_styles</wp:post_type></item>"
        "<item><title>Draft</title><wp:post_id>4</wp:post_id><wp:post_type>post</wp:post_type>"
        "<wp:status>auto-draft</wp:status></item>"
        "</channel></rss>"
    )
    result = run(runner, export=path)
    assert result.exit_code == 0, result.output
    assert "created: 1 (1 published)" in result.output
    for skipped in (
        "1 values of the plugin data _yoast_wpseo_title (post meta)",
        "1 terms of the taxonomy series",
        "1 items of the custom post type 'product' (a plugin's or a theme's)",
        "1 items of WordPress's own settings and templates (wp_global_styles)",
        "1 posts that WordPress saved as auto-draft",
    ):
        assert skipped in result.output
    assert "_edit_last" not in result.output
    assert article("a-post").section.name == "Uncategorized"
