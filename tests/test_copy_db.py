"""flask copy-db: a whole SQLite site into a new PostgreSQL database, every row of every table."""

import pytest
from flask_migrate import upgrade
from sqlalchemy import select

from rsflask.article_files import ArticleFile
from rsflask.article_import import save_article
from rsflask.db import db, utcnow
from rsflask.models import Article, RateLimitHit, SlugRedirect, Subscriber
from tests.conftest import make_app
from tests.services import postgres_database


@pytest.fixture
def sqlite_site(tmp_path, monkeypatch):
    """A SQLite site with the demo content, an account, subscribers and the odd redirect."""
    monkeypatch.setenv("RSFLASK_INSTANCE_PATH", str(tmp_path / "instance"))
    app = make_app(tmp_path / "instance", f"sqlite:///{tmp_path / 'site.sqlite3'}")
    with app.app_context():
        upgrade()
        runner = app.test_cli_runner()
        assert runner.invoke(args=["seed-demo", "--count", "3"]).exit_code == 0
        assert runner.invoke(args=["create-demo-editor"]).exit_code == 0
        for number in range(3):
            db.session.add(Subscriber(email=f"reader{number}@example.org", confirmed_at=utcnow()))
        db.session.add(RateLimitHit(key="signup:203.0.113.9", window=1, count=2, expires=3600))
        first = db.session.scalar(db.text("SELECT id FROM articles ORDER BY id LIMIT 1"))
        db.session.add(SlugRedirect(old_slug="an-older-slug", article_id=first))
        db.session.commit()
        yield app
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def new_postgres():
    with postgres_database("copy") as uri:
        yield uri


def all_rows(app) -> dict[str, list[tuple]]:
    """Every row of every model table, in an order that does not depend on the database."""
    with app.app_context(), db.engine.connect() as connection:
        return {
            table.name: sorted((tuple(row) for row in connection.execute(select(table))), key=repr)
            for table in db.metadata.sorted_tables
        }


def test_copy_db_moves_every_row_of_every_table_and_the_copy_works(
    sqlite_site, new_postgres, tmp_path
):
    before = all_rows(sqlite_site)
    for table in ("articles", "authors", "tags", "photos", "users", "subscribers", "sections"):
        assert before[table], f"the seeded site has no {table}"

    result = sqlite_site.test_cli_runner().invoke(args=["copy-db", "--to", new_postgres])
    assert result.exit_code == 0, result.output

    copy = make_app(tmp_path / "instance", new_postgres)
    after = all_rows(copy)
    # Rebuilding the search index on the copy tells the page cache that pages changed.
    assert [row[0] for row in after.pop("site_state")] == [row[0] for row in before["site_state"]]
    assert after == {name: rows for name, rows in before.items() if name != "site_state"}
    with copy.app_context():
        article = save_article(
            ArticleFile(
                title="Written after the move",
                slug="after-the-move",
                body="Zanzibar cloves, first paragraph.\n",
                published=utcnow(),
            )
        )
        db.session.commit()
        # The id sequences were moved past the copied rows.
        assert article.id == max(row[0] for row in before["articles"]) + 1
        copied = db.session.scalars(select(Article).order_by(Article.id)).first()
        db.engine.dispose()
    client = copy.test_client()
    assert client.get("/articles/after-the-move").status_code == 200
    # Copied articles were indexed for search on the new database.
    html = client.get("/search", query_string={"q": copied.title}).get_data(as_text=True)
    assert f"/articles/{copied.slug}" in html
    with copy.app_context():
        db.engine.dispose()


def test_copy_db_refuses_a_database_that_has_content(runner, add_article, new_postgres):
    add_article("Copied once")
    assert runner.invoke(args=["copy-db", "--to", new_postgres]).exit_code == 0
    result = runner.invoke(args=["copy-db", "--to", new_postgres])
    assert result.exit_code != 0 and "is not empty" in result.output


@pytest.mark.parametrize("target", ["not a url", "nosuchdriver://x/y"])
def test_copy_db_names_a_bad_target(runner, target):
    result = runner.invoke(args=["copy-db", "--to", target])
    assert result.exit_code != 0 and "Error:" in result.output


def test_copy_db_refuses_the_site_own_database(app, runner):
    result = runner.invoke(args=["copy-db", "--to", app.config["SQLALCHEMY_DATABASE_URI"]])
    assert result.exit_code != 0 and "the site's own database" in result.output
