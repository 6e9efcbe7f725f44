"""`flask copy-db --to URI`: the whole site from its database into a new one, for the day a
publication outgrows SQLite and moves to PostgreSQL."""

import click
from alembic.script import ScriptDirectory
from flask import Flask, current_app
from flask_migrate import upgrade
from sqlalchemy import Connection, Integer, Table, make_url, select, text
from sqlalchemy.exc import ArgumentError, SQLAlchemyError

from rsflask import create_app, search_index
from rsflask.backups import alembic_revision, content_rows
from rsflask.db import db

BATCH = 1000


@click.command("copy-db")
@click.option("--to", "target_uri", required=True, help="URL of the new database, migrated here.")
def copy_db_command(target_uri: str) -> None:
    """Copy every table of the site's database into an empty database, e.g. PostgreSQL."""
    try:
        target_url = make_url(target_uri)
    except ArgumentError as error:
        raise click.ClickException(f"not a database URL: {target_uri}") from error
    shown = target_url.render_as_string()
    source = db.engine
    if target_url.render_as_string(False) == source.url.render_as_string(False):
        raise click.ClickException("--to names the site's own database")
    with source.connect() as connection:
        revision = alembic_revision(connection)
    head = ScriptDirectory.from_config(current_app.extensions["migrate"].migrate.get_config())
    if revision not in head.get_heads():
        raise click.ClickException(
            f"the site's database is at revision {revision}, the code at {head.get_current_head()}"
            ": run `flask db upgrade` first"
        )
    try:
        target_app = create_app({"SQLALCHEMY_DATABASE_URI": target_uri})
    except ArgumentError as error:
        raise click.ClickException(f"cannot use {shown}: {error}") from error
    with target_app.app_context():
        try:
            with db.engine.connect() as connection:
                if content_rows(connection):
                    raise click.ClickException(f"{shown} is not empty: copy into a new database")
            upgrade()
            copied = copy_tables(source, db.engine)
            # The search index is not a model table: it is rebuilt from the copied articles.
            search_index.reindex_all()
            db.session.commit()
        except SQLAlchemyError as error:
            raise click.ClickException(f"copying into {shown} failed: {error}") from error
    click.echo(f"Copied {copied} rows into {shown}.")


def copy_tables(source, target) -> int:
    """Every model table, parents before children, in batches; returns the number of rows."""
    tables = db.metadata.sorted_tables
    copied = 0
    # One read transaction on the source: the copy is a snapshot even if someone writes.
    with source.connect() as reading, target.begin() as writing:
        # Rows the target's migrations made (such as site_state's) give way to the site's own.
        for table in reversed(tables):
            writing.execute(table.delete())
        with click.progressbar(tables, label="Copying tables", item_show_func=table_name) as bar:
            for table in bar:
                query = select(table).order_by(*table.primary_key.columns)
                result = reading.execution_options(yield_per=BATCH).execute(query)
                for rows in result.mappings().partitions():
                    writing.execute(table.insert(), [dict(row) for row in rows])
                    copied += len(rows)
        if writing.dialect.name == "postgresql":
            reset_sequences(writing, tables)
    return copied


def reset_sequences(connection: Connection, tables: list[Table]) -> None:
    """Rows were inserted with their ids, which leaves each id sequence at its start: move it
    past the largest id, or the next insert would collide."""
    for table in tables:
        key = list(table.primary_key.columns)
        if len(key) != 1 or not isinstance(key[0].type, Integer):
            continue
        name, column = table.name, key[0].name
        connection.execute(
            text(
                f"SELECT setval(pg_get_serial_sequence(:table, :column),"  # noqa: S608  (own names)
                f' COALESCE(MAX("{column}"), 0) + 1, false) FROM "{name}"'
            ),
            {"table": f'"{name}"', "column": column},
        )


def table_name(table: Table | None) -> str:
    return table.name if table is not None else ""


def init_app(app: Flask) -> None:
    app.cli.add_command(copy_db_command)
