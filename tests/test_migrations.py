"""Migrations, on SQLite and PostgreSQL: from empty to the newest revision, from every revision,
down to nothing and up again. New revisions are picked up without touching this file."""

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect

from rsflask.db import db
from tests.conftest import make_app
from tests.services import postgres_database


@pytest.fixture(params=["sqlite", "postgresql"])
def empty_database(request, tmp_path):
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'migrations.sqlite3'}"
    else:
        with postgres_database("migrations") as uri:
            yield uri


def revisions(app) -> list[str]:
    """Every revision, oldest first."""
    script = ScriptDirectory.from_config(app.extensions["migrate"].migrate.get_config())
    return [script.revision for script in reversed(list(script.walk_revisions()))]


def state() -> tuple[str | None, set[str]]:
    """The revision the database is at, and its tables."""
    with db.engine.connect() as connection:
        revision = MigrationContext.configure(connection).get_current_revision()
        return revision, set(inspect(connection).get_table_names())


def schema_differences() -> list:
    """What differs between the migrated database and the models; the search index is no model."""

    def modelled(name, type_, parent_names):
        return not (type_ == "table" and name.startswith("article_search"))

    with db.engine.connect() as connection:
        context = MigrationContext.configure(
            connection, opts={"include_name": modelled, "compare_type": True}
        )
        return compare_metadata(context, db.metadata)


def test_every_revision_upgrades_to_the_newest_down_to_nothing_and_up_again(
    empty_database, tmp_path
):
    app = make_app(tmp_path / "instance", empty_database)
    models = {table.name for table in db.metadata.sorted_tables}
    with app.app_context():
        every = revisions(app)
        assert every, "no migrations found"
        head = every[-1]
        for revision in every:
            upgrade(revision=revision)
            assert state()[0] == revision
            upgrade()
            assert state()[0] == head
            downgrade(revision="base")
            # Nothing is left behind but Alembic's own bookkeeping.
            assert state() == (None, {"alembic_version"})
            upgrade()
            revision_now, tables = state()
            assert revision_now == head and models <= tables
            assert schema_differences() == []
            downgrade(revision="base")
        db.engine.dispose()
