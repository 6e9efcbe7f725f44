"""Settings and setup: defaults in the instance folder, overrides, migrations, the WSGI entry."""

import importlib
import os
import stat
import sys

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from conftest import make_app
from flask import Flask, request
from sqlalchemy import inspect

from rsflask import PROJECT_ROOT, create_app
from rsflask.db import db


@pytest.fixture
def instance(tmp_path, monkeypatch):
    """An instance folder that does not exist yet, and no RSFLASK_ settings in the environment."""
    for name in list(os.environ):
        if name.startswith("RSFLASK_"):
            monkeypatch.delenv(name)
    folder = tmp_path / "instance"
    monkeypatch.setenv("RSFLASK_INSTANCE_PATH", str(folder))
    return folder


def use_instance(monkeypatch, folder) -> None:
    monkeypatch.setenv("RSFLASK_INSTANCE_PATH", str(folder))


# --- Defaults ---------------------------------------------------------------------------------


def test_instance_folder_is_created(instance):
    create_app()
    assert instance.is_dir()


def test_database_defaults_to_sqlite_in_the_instance_folder(instance):
    app = create_app()
    assert app.config["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{instance / 'rsflask.sqlite3'}"


def test_photos_default_to_the_instance_folder(instance):
    assert create_app().config["PHOTO_FOLDER"] == str(instance / "photos")


def test_secret_key_is_generated_into_the_instance_folder(instance):
    app = create_app()
    key = (instance / "secret_key").read_text().strip()
    assert app.config["SECRET_KEY"] == key
    assert len(key) >= 64


def test_secret_key_file_is_readable_by_its_owner_only(instance):
    create_app()
    assert stat.S_IMODE((instance / "secret_key").stat().st_mode) == 0o600


def test_secret_key_is_the_same_on_a_second_start(instance):
    assert create_app().config["SECRET_KEY"] == create_app().config["SECRET_KEY"]


def test_secret_key_differs_between_fresh_instance_folders(instance, tmp_path, monkeypatch):
    first = create_app().config["SECRET_KEY"]
    use_instance(monkeypatch, tmp_path / "another")
    assert create_app().config["SECRET_KEY"] != first


def test_secret_key_setting_leaves_no_key_file(instance, monkeypatch):
    monkeypatch.setenv("RSFLASK_SECRET_KEY", "from the environment")
    app = create_app()
    assert app.config["SECRET_KEY"] == "from the environment"
    assert not (instance / "secret_key").exists()


def test_default_instance_serves_the_front_page_after_db_upgrade(instance):
    app = create_app()
    result = app.test_cli_runner().invoke(args=["db", "upgrade"])
    assert result.exit_code == 0, result.output
    response = app.test_client().get("/")
    assert response.status_code == 200
    assert "The Crosswind Review" in response.text
    assert (instance / "rsflask.sqlite3").is_file()
    with app.app_context():
        db.engine.dispose()


def test_max_form_memory_size_is_above_flasks_default(instance):
    flask_default = Flask.default_config["MAX_FORM_MEMORY_SIZE"]
    assert flask_default == 500_000
    assert create_app().config["MAX_FORM_MEMORY_SIZE"] > flask_default


def test_long_article_form_field_is_accepted(instance):
    app = create_app()
    body = "word " * 200_000  # a megabyte of text, twice Flask's default limit
    with app.test_request_context("/", method="POST", data={"body": body}):
        assert request.form["body"] == body


# --- Overrides: instance/config.py, then RSFLASK_ environment variables -----------------------


def write_instance_config(instance, text: str) -> None:
    instance.mkdir(parents=True, exist_ok=True)
    (instance / "config.py").write_text(text)


def test_instance_config_overrides_a_default(instance):
    write_instance_config(instance, 'SITE_NAME = "X"\n')
    assert create_app().config["SITE_NAME"] == "X"


def test_instance_config_leaves_other_defaults_alone(instance):
    write_instance_config(instance, 'SITE_NAME = "X"\n')
    assert create_app().config["SITE_TAGLINE"] == "Foreign policy, read slowly."


def test_environment_overrides_a_default(instance, monkeypatch):
    monkeypatch.setenv("RSFLASK_SITE_NAME", "Y")
    assert create_app().config["SITE_NAME"] == "Y"


def test_environment_overrides_instance_config(instance, monkeypatch):
    write_instance_config(instance, 'SITE_NAME = "X"\n')
    monkeypatch.setenv("RSFLASK_SITE_NAME", "Y")
    assert create_app().config["SITE_NAME"] == "Y"


def test_json_environment_value_sets_social_links(instance, monkeypatch):
    links = '[["Forum", "https://forum.example/crosswind"], ["RSS", "/feeds/all.atom"]]'
    monkeypatch.setenv("RSFLASK_SOCIAL_LINKS", links)
    assert create_app().config["SOCIAL_LINKS"] == [
        ["Forum", "https://forum.example/crosswind"],
        ["RSS", "/feeds/all.atom"],
    ]


def test_json_environment_value_sets_a_number(instance, monkeypatch):
    monkeypatch.setenv("RSFLASK_ARTICLES_PER_PAGE", "20")
    assert create_app().config["ARTICLES_PER_PAGE"] == 20


def test_site_name_setting_shows_on_the_pages(instance, monkeypatch):
    monkeypatch.setenv("RSFLASK_SITE_NAME", "The Other Review")
    app = create_app()
    app.test_cli_runner().invoke(args=["db", "upgrade"])
    response = app.test_client().get("/latest")
    assert "<title>Latest | The Other Review</title>" in response.text
    with app.app_context():
        db.engine.dispose()


# --- Migrations -------------------------------------------------------------------------------


@pytest.fixture
def fresh_app(tmp_path):
    """An app on a SQLite file that does not exist yet."""
    app = make_app(tmp_path / "instance", f"sqlite:///{tmp_path / 'fresh.sqlite3'}")
    with app.app_context():
        yield app
        db.engine.dispose()


def upgrade(app) -> None:
    result = app.test_cli_runner().invoke(args=["db", "upgrade"])
    assert result.exit_code == 0, result.output


def is_search_index(name: str) -> bool:
    """The search index (an FTS5 table and its shadow tables on SQLite) has no model."""
    return name.startswith("article_search")


def model_tables() -> set[str]:
    """The tables in the database, less Alembic's own and the search index."""
    tables = set(inspect(db.engine).get_table_names()) - {"alembic_version"}
    return {name for name in tables if not is_search_index(name)}


def test_db_upgrade_from_nothing_builds_every_table(fresh_app):
    upgrade(fresh_app)
    assert model_tables() == set(db.metadata.tables)


def test_db_upgrade_from_nothing_builds_the_search_index(fresh_app):
    upgrade(fresh_app)
    assert "article_search" in inspect(db.engine).get_table_names()


def test_migrations_match_the_models(fresh_app):
    upgrade(fresh_app)

    def include_name(name, type_, parent_names):
        return not (type_ == "table" and is_search_index(name))

    with db.engine.connect() as connection:
        context = MigrationContext.configure(
            connection, opts={"compare_type": True, "include_name": include_name}
        )
        assert compare_metadata(context, db.metadata) == []


def test_db_upgrade_twice_changes_nothing(fresh_app):
    upgrade(fresh_app)
    upgrade(fresh_app)
    assert model_tables() == set(db.metadata.tables)


def test_db_downgrade_to_nothing_leaves_no_table(fresh_app):
    upgrade(fresh_app)
    result = fresh_app.test_cli_runner().invoke(args=["db", "downgrade", "base"])
    assert result.exit_code == 0, result.output
    assert set(inspect(db.engine).get_table_names()) <= {"alembic_version"}


def test_db_upgrade_after_downgrade_builds_every_table_again(fresh_app):
    upgrade(fresh_app)
    fresh_app.test_cli_runner().invoke(args=["db", "downgrade", "base"])
    upgrade(fresh_app)
    assert model_tables() == set(db.metadata.tables)


# --- The WSGI entry point ---------------------------------------------------------------------


def test_wsgi_module_exposes_the_app(instance, monkeypatch):
    monkeypatch.syspath_prepend(str(PROJECT_ROOT))
    monkeypatch.delitem(sys.modules, "wsgi", raising=False)
    wsgi = importlib.import_module("wsgi")
    monkeypatch.delitem(sys.modules, "wsgi")
    assert isinstance(wsgi.app, Flask)
    assert wsgi.app.instance_path == str(instance)
    assert "reader.index" in wsgi.app.view_functions
