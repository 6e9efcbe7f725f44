"""`flask seed-demo` and `flask create-demo-editor`: what the demo stores, and running them again.

Seeding draws and encodes photos and takes seconds, so it runs once for the module into a SQLite
file. Each test gets a copy: of the file, or on PostgreSQL its rows copied into the test's
database by the code of `flask copy-db`; running seed-demo again, as some tests do, then runs on
PostgreSQL.
"""

import html
import re
import shutil
from pathlib import Path
from types import SimpleNamespace

import pytest
from conftest import TEST_DATABASE_URI, make_app
from sqlalchemy import create_engine, func, select

from rsflask import search_index
from rsflask.copy_db import copy_tables
from rsflask.db import db, utcnow
from rsflask.demo import SHOWCASE_SLUG
from rsflask.models import (
    Article,
    ArticleAuthor,
    ArticleType,
    Author,
    Page,
    Photo,
    Revision,
    Section,
    Tag,
    User,
)
from rsflask.models import published as published_articles

QIOSK = "qiosk"


def seed_into(folder: Path, source: Path, photos: Path | None, *args: str) -> SimpleNamespace:
    """Copy the SQLite file `source` (and its photos) into `folder`, then run
    `flask seed-demo ARGS` on the copy."""
    path = folder / "demo.sqlite3"
    shutil.copyfile(source, path)
    if photos is not None:
        shutil.copytree(photos, folder / "instance" / "photos")
    with pytest.MonkeyPatch.context() as monkeypatch:
        monkeypatch.setenv("RSFLASK_INSTANCE_PATH", str(folder / "instance"))
        app = make_app(folder / "instance", f"sqlite:///{path}")
        with app.app_context():
            result = app.test_cli_runner().invoke(args=["seed-demo", *args])
            # Closing every connection writes the WAL back into the file before it is copied.
            db.session.remove()
            db.engine.dispose()
    assert result.exit_code == 0, result.output
    return SimpleNamespace(path=path, photos=folder / "instance" / "photos", output=result.output)


def open_copy(request, seeded: SimpleNamespace):
    """An app (its context pushed) on a copy of a seeded database and its photos."""
    folder = request.getfixturevalue("tmp_path")
    shutil.copytree(seeded.photos, folder / "photos")
    if TEST_DATABASE_URI:
        app = request.getfixturevalue("app")
        app.config["PHOTO_FOLDER"] = str(folder / "photos")
        source = create_engine(f"sqlite:///{seeded.path}")
        copy_tables(source, db.engine)
        source.dispose()
        search_index.reindex_all()
        db.session.commit()
        app.seed_output = seeded.output
        yield app
        return
    request.getfixturevalue("monkeypatch").setenv("RSFLASK_INSTANCE_PATH", str(folder / "instance"))
    shutil.copyfile(seeded.path, folder / "copy.sqlite3")
    app = make_app(
        folder / "instance",
        f"sqlite:///{folder / 'copy.sqlite3'}",
        PHOTO_FOLDER=str(folder / "photos"),
    )
    app.seed_output = seeded.output
    with app.app_context():
        yield app
        db.session.remove()
        db.engine.dispose()


@pytest.fixture(scope="module")
def seeded(tmp_path_factory):
    """A SQLite file holding the demo content, its photos, and what `flask seed-demo` printed."""
    folder = tmp_path_factory.mktemp("demo")
    empty = folder / "empty.sqlite3"
    with pytest.MonkeyPatch.context() as monkeypatch:
        monkeypatch.setenv("RSFLASK_INSTANCE_PATH", str(folder / "instance"))
        app = make_app(folder / "instance", f"sqlite:///{empty}")
        with app.app_context():
            assert app.test_cli_runner().invoke(args=["db", "upgrade"]).exit_code == 0
            db.engine.dispose()
    return seed_into(folder, empty, None)


@pytest.fixture(scope="module")
def seeded_120(tmp_path_factory, seeded):
    """The demo database after `flask seed-demo --count 120`.

    It runs on a copy of the seeded database, which gives what an empty database gives: the
    files are stored again under the same slugs, and the variations are numbered past them.
    """
    folder = tmp_path_factory.mktemp("demo120")
    return seed_into(folder, seeded.path, seeded.photos, "--count", "120")


@pytest.fixture
def demo(request, seeded):
    """An app (its context pushed) whose database holds the demo content; .seed_output is what
    `flask seed-demo` printed."""
    yield from open_copy(request, seeded)


@pytest.fixture
def hundred_twenty(request, seeded_120):
    """An app (its context pushed) whose database was seeded with `--count 120`."""
    yield from open_copy(request, seeded_120)


def demo_articles(in_qiosk: bool) -> list[Article]:
    query = select(Article).join(Article.section)
    query = query.where((Section.slug == QIOSK) if in_qiosk else (Section.slug != QIOSK))
    return db.session.scalars(query).unique().all()


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def counts() -> dict[str, int]:
    models = (Article, ArticleAuthor, ArticleType, Author, Photo, Section, Tag)
    return {model.__name__: count(model) for model in models}


def run(app, *args: str):
    result = app.test_cli_runner().invoke(args=list(args))
    assert result.exit_code == 0, result.output
    return result


# --- What the demo stores ---------------------------------------------------------------------


def test_seed_demo_says_how_many_articles_are_stored(demo):
    assert demo.seed_output.strip() == f"{count(Article)} articles in the database."


def test_demo_has_at_least_40_articles_outside_qiosk(demo):
    assert len(demo_articles(in_qiosk=False)) >= 40


def test_demo_articles_span_at_least_5_sections(demo):
    assert len({article.section.slug for article in demo_articles(in_qiosk=False)}) >= 5


def test_demo_articles_span_at_least_3_types(demo):
    assert len({article.article_type.slug for article in demo_articles(in_qiosk=False)}) >= 3


def test_demo_has_at_least_10_qiosk_items(demo):
    assert len(demo_articles(in_qiosk=True)) >= 10


def test_demo_has_at_least_5_authors_with_bios(demo):
    authors = db.session.scalars(select(Author)).all()
    assert len([author for author in authors if author.bio.strip()]) >= 5


def test_demo_masthead_has_the_editor_in_chief_first_then_staff_then_contributors(demo):
    page = demo.test_client().get("/authors").get_data(as_text=True)
    staff = page[page.index(">Staff</h2>") : page.index(">Contributors</h2>")]
    contributors = page[page.index(">Contributors</h2>") :]
    assert staff.index("Elinor Marsh") < staff.index("Editor-in-chief") < staff.index("Viktor")
    assert staff.count('<li class="person') >= 3
    assert contributors.count('<li class="person') >= 3
    assert "Contributing writer" in contributors
    # A staff member with no byline yet still has a page.
    assert demo.test_client().get("/authors/elinor-marsh").status_code == 200


def test_every_demo_byline_names_an_author_with_a_bio(demo):
    for article in db.session.scalars(select(Article)).all():
        assert article.authors, article.slug
        assert all(author.bio.strip() for author in article.authors), article.slug


def test_every_demo_article_outside_qiosk_has_a_photo(demo):
    assert all(article.photo is not None for article in demo_articles(in_qiosk=False))


def test_every_demo_photo_has_alt_text_and_a_credit(demo):
    for article in demo_articles(in_qiosk=False):
        assert article.photo_alt.strip(), article.slug
        assert article.photo_credit.strip(), article.slug


def test_every_demo_photo_is_stored_in_each_of_its_widths(demo):
    folder = Path(demo.config["PHOTO_FOLDER"])
    for photo in db.session.scalars(select(Photo)).all():
        for width in photo.widths:
            assert (folder / photo.filename(width)).is_file()


def test_every_demo_article_outside_qiosk_is_at_least_500_words(demo):
    short = {a.slug: a.word_count for a in demo_articles(in_qiosk=False) if a.word_count < 500}
    assert short == {}


def test_every_demo_article_is_published_and_visible(demo):
    visible = db.session.scalars(published_articles()).unique().all()
    assert len(visible) == count(Article)


def test_demo_front_page_leads_with_a_photo(demo):
    response = demo.test_client().get("/")
    assert response.status_code == 200
    lead = response.text.split('class="teaser teaser-lead"', 1)[1].split("</article>", 1)[0]
    assert 'fetchpriority="high"' in lead
    assert "Photo: Illustration generated for the Review" in lead


def test_demo_showcase_holds_every_kind_of_content_a_story_may_have(demo):
    article = db.session.scalars(select(Article).filter_by(slug=SHOWCASE_SLUG)).one()
    page = demo.test_client().get(f"/articles/{SHOWCASE_SLUG}").get_data(as_text=True)
    body = page.split('class="prose article-body"')[1].split("</article>")[0]
    figures = re.findall(r'<figure class="inline-photo">.*?</figure>', body)
    assert len(figures) == 2 and len(article.inline_photos) == 2
    assert "<figcaption>Waiting at anchor" in figures[0] and "Photo: Illustration" in figures[0]
    assert '<figcaption><span class="credit">Photo: Illustration' in figures[1]
    # Each body photo's alt text, written in the file, describes the illustration drawn for it.
    for photo in article.inline_photos:
        [figure] = [figure for figure in figures if f"/photos/{photo.digest}-" in figure]
        assert f'alt="{html.escape(photo.alt)}"' in figure
    for kind in ("video", "post", "card"):
        assert f"embed embed-{kind}" in body, kind
    assert "<table>" in body and 'class="footnote"' in body
    assert [note.kind for note in article.notes] == ["update", "correction"]
    assert all(article.published_at < note.noted_at <= utcnow() for note in article.notes)


# --- The site's pages -------------------------------------------------------------------------

DEMO_PAGES = {
    "/about": "AboutPage",
    "/about/masthead": "WebPage",
    "/contact": "ContactPage",
    "/write-for-us": "WebPage",
    "/privacy": "WebPage",
}


def demo_pages() -> dict[str, Page]:
    return {f"/{page.path}": page for page in db.session.scalars(select(Page)).all()}


def test_demo_has_the_sites_pages_published_at_their_addresses(demo):
    pages = demo_pages()
    assert {path: page.page_type for path, page in pages.items()} == DEMO_PAGES
    assert all(page.status == "published" and page.published_at for page in pages.values())
    client = demo.test_client()
    for path in DEMO_PAGES:
        assert client.get(path).status_code == 200, path


def test_every_demo_page_has_a_dek_and_a_few_paragraphs(demo):
    for path, page in demo_pages().items():
        assert page.dek.strip(), path
        assert page.word_count >= 150, path
        assert page.body_html.count("<p>") >= 3, path


def test_demo_about_page_is_in_the_navigation_and_every_other_but_masthead_in_the_footer(demo):
    pages = demo_pages()
    assert [path for path, page in pages.items() if page.nav_position is not None] == ["/about"]
    in_footer = {path for path, page in pages.items() if page.footer_position is not None}
    assert in_footer == set(DEMO_PAGES) - {"/about/masthead"}
    footer = demo.test_client().get("/").get_data(as_text=True).split('aria-label="Footer"')[1]
    for path in in_footer:
        assert f'href="{path}"' in footer, path


def test_demo_masthead_links_the_authors_list(demo):
    assert 'href="/authors"' in demo_pages()["/about/masthead"].body_html


def test_demo_privacy_policy_says_what_the_newsletter_stores(demo):
    text = demo_pages()["/privacy"].body_html.lower()
    for what in ["email address", "signed up", "network address", "consent", "unsubscribe"]:
        assert what in text, what
    assert "delete" in text


def test_every_demo_page_has_a_saved_revision_of_its_text(demo):
    for path, page in demo_pages().items():
        revisions = db.session.scalars(
            select(Revision).filter_by(page_id=page.id, kind="save")
        ).all()
        assert [revision.body_md for revision in revisions] == [page.body_md], path


def test_demo_signup_form_links_the_privacy_policy(demo):
    html = demo.test_client().get("/newsletter").get_data(as_text=True)
    form = html.split('id="signup"')[1].split("</form>")[0]
    assert 'href="/privacy">Privacy policy</a>' in form


# --- Running it again -------------------------------------------------------------------------


def test_seed_demo_if_empty_does_nothing_the_second_time(demo):
    before = counts()
    result = run(demo, "seed-demo", "--if-empty")
    assert result.output == ""
    assert counts() == before


def test_seed_demo_again_stores_no_second_copy_of_the_pages_or_their_revisions(demo):
    before = (count(Page), count(Revision))
    run(demo, "seed-demo")
    assert (count(Page), count(Revision)) == before


def test_seed_demo_again_brings_back_a_changed_page_with_a_new_revision(demo):
    about = demo_pages()["/about"]
    about.title = "Changed"
    db.session.commit()
    run(demo, "seed-demo")
    assert demo_pages()["/about"].title == "About the Review"
    assert count(Revision) == len(DEMO_PAGES) + 1


def test_seed_demo_if_empty_does_nothing_when_any_article_exists(app, add_article):
    add_article("The only article")
    before = counts()
    run(app, "seed-demo", "--if-empty")
    assert counts() == before


def test_seed_demo_with_a_count_twice_makes_that_many_in_all(demo):
    run(demo, "seed-demo", "--count", "60")
    assert count(Article) == 60
    result = run(demo, "seed-demo", "--count", "60")
    assert result.output.strip().endswith("60 articles in the database.")
    assert count(Article) == 60


def test_seed_demo_refuses_a_count_below_one(runner):
    result = runner.invoke(args=["seed-demo", "--count", "0"])
    assert result.exit_code == 2
    assert count(Article) == 0


# --- --count 120 ------------------------------------------------------------------------------


def test_seed_demo_count_makes_that_many_articles_in_all(hundred_twenty):
    assert count(Article) == 120


def test_seed_demo_count_gives_every_article_its_own_slug(hundred_twenty):
    slugs = db.session.scalars(select(Article.slug)).all()
    assert len(set(slugs)) == len(slugs) == 120


def test_seed_demo_count_gives_generated_articles_authors_and_photos(hundred_twenty):
    generated = db.session.scalars(select(Article).where(Article.title.endswith(")"))).all()
    assert generated
    for article in generated:
        assert article.authors, article.slug
        assert (article.photo is None) == (article.section.slug == QIOSK), article.slug


def test_seed_demo_count_articles_are_all_on_the_latest_pages(hundred_twenty):
    client = hundred_twenty.test_client()
    url, seen = "/latest", []
    for _ in range(100):
        response = client.get(url)
        assert response.status_code == 200
        listing = response.text.split('<ol class="latest-list latest-page">', 1)[1]
        listing = listing.split("</ol>", 1)[0]
        seen += re.findall(r'<a href="(/articles/[^"]+)">', listing)
        more = re.search(r'<li class="latest-more">\s*<a href="([^"]+)"', listing)
        if more is None:
            break
        url = html.unescape(more.group(1))
    assert len(seen) == len(set(seen)) == 120


# --- create-demo-editor -----------------------------------------------------------------------


def login_in(output: str) -> tuple[str, str]:
    email = re.search(r"email:\s+(\S+)", output)
    password = re.search(r"password:\s+(\S+)", output)
    assert email and password, output
    return email.group(1), password.group(1)


def test_create_demo_editor_prints_an_email_and_password(runner):
    result = runner.invoke(args=["create-demo-editor"])
    assert result.exit_code == 0, result.output
    email, password = login_in(result.output)
    assert email == "editor@example.com"
    assert len(password) >= 12


def test_create_demo_editor_creates_one_admin(runner):
    runner.invoke(args=["create-demo-editor"])
    users = db.session.scalars(select(User)).all()
    assert [(user.email, user.role, user.active) for user in users] == [
        ("editor@example.com", "admin", True)
    ]


def test_create_demo_editor_password_signs_in(runner):
    email, password = login_in(runner.invoke(args=["create-demo-editor"]).output)
    user = db.session.scalar(select(User).filter_by(email=email))
    assert user.check_password(password)
    assert not user.check_password(password + "x")


def test_create_demo_editor_stores_no_plain_password(runner):
    _, password = login_in(runner.invoke(args=["create-demo-editor"]).output)
    user = db.session.scalar(select(User))
    assert password not in user.password_hash
    assert user.password_hash.startswith("$argon2id$")


def test_create_demo_editor_prints_nothing_the_second_time(runner):
    runner.invoke(args=["create-demo-editor"])
    result = runner.invoke(args=["create-demo-editor"])
    assert result.exit_code == 0
    assert result.output == ""
    assert count(User) == 1


def test_create_demo_editor_prints_nothing_when_an_account_exists(runner):
    user = User(email="someone@example.com", name="Someone", role="writer")
    user.set_password("a long enough password")
    db.session.add(user)
    db.session.commit()
    result = runner.invoke(args=["create-demo-editor"])
    assert result.output == ""
    assert db.session.scalars(select(User.email)).all() == ["someone@example.com"]
