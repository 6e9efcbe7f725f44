"""Backups while the site keeps serving: a consistent snapshot of the database, the photos and a
manifest (`flask backup DIR`), and bringing them back (`flask restore DIR`).

SQLite is copied with its online backup API, PostgreSQL with pg_dump; each in one read snapshot,
so a backup taken in the middle of writes holds every row committed before it and none after.
"""

import json
import os
import shutil
import sqlite3
import subprocess
from datetime import UTC, datetime
from pathlib import Path

import click
from flask import Flask, current_app
from sqlalchemy import Connection, create_engine, inspect, make_url, select, text, update

from rsflask.db import db
from rsflask.models import SiteState

DATABASE_FILES = {"sqlite": "database.sqlite3", "postgresql": "database.pgdump"}
# Rows that say nothing about whether a site has content: counters, and the one row of
# site_state that its migration makes.
NOT_CONTENT = {"rate_limit_hits", "site_state"}


@click.command("backup")
@click.argument("directory", type=click.Path(file_okay=False, path_type=Path))
def backup_command(directory: Path) -> None:
    """Write the database, the photos and manifest.json into DIRECTORY (new or empty)."""
    if directory.exists() and any(directory.iterdir()):
        raise click.ClickException(f"{directory} is not empty: use a new folder for each backup")
    kind = database_kind()
    directory.mkdir(parents=True, exist_ok=True)
    database_file = directory / DATABASE_FILES[kind]
    if kind == "sqlite":
        revision, tables = backup_sqlite(database_file)
    else:
        revision, tables = backup_postgresql(database_file)
    # Photos after the database: they are only ever added, under names made from their content,
    # so every photo the snapshot refers to is on disk by now.
    photos = copy_photos(Path(current_app.config["PHOTO_FOLDER"]), directory / "photos")
    manifest = {
        "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "database": kind,
        "database_file": database_file.name,
        "revision": revision,
        "tables": tables,
        "photos": photos,
    }
    (directory / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n")
    click.echo(f"Backed up {sum(tables.values())} rows and {photos} photo files to {directory}.")


@click.command("restore")
@click.argument("directory", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--force", is_flag=True, help="Replace a database that already has content.")
def restore_command(directory: Path, force: bool) -> None:
    """Bring back a backup made by `flask backup`: the database, then the photos."""
    manifest = read_manifest(directory)
    kind = database_kind()
    if manifest["database"] != kind:
        raise click.ClickException(
            f"this is a backup of a {manifest['database']} database and the site uses {kind}: "
            "restore it onto the same kind, then move it with `flask copy-db`"
        )
    # Nothing of this process may hold the database while it is replaced.
    db.session.remove()
    with db.engine.connect() as connection:
        rows = content_rows(connection)
        generation = current_generation(connection)
    if rows and not force:
        raise click.ClickException(
            f"the database is not empty ({rows} rows): --force replaces it with the backup"
        )
    db.engine.dispose()
    database_file = directory / manifest["database_file"]
    if kind == "sqlite":
        restore_sqlite(database_file)
    else:
        restore_postgresql(database_file)
    db.engine.dispose()
    with db.engine.connect() as connection:
        tables = row_counts(connection)
    if tables != manifest["tables"]:
        raise click.ClickException(
            f"the restored database differs from the manifest: {tables} != {manifest['tables']}"
        )
    with db.engine.begin() as connection:
        # Past every generation the replaced database reached, so that no page cache (each
        # worker's, or Redis) takes a page it kept for the site before the restore as current.
        generation = max(generation, current_generation(connection)) + 1
        connection.execute(update(SiteState).where(SiteState.id == 1).values(generation=generation))
    photos = copy_photos(directory / "photos", Path(current_app.config["PHOTO_FOLDER"]))
    click.echo(f"Restored {sum(tables.values())} rows and {photos} photo files from {directory}.")


def current_generation(connection: Connection) -> int:
    if not inspect(connection).has_table(SiteState.__tablename__):
        return 0
    return connection.scalar(select(SiteState.generation).where(SiteState.id == 1)) or 0


def database_kind() -> str:
    kind = db.engine.dialect.name
    if kind not in DATABASE_FILES:
        raise click.ClickException(f"backups of {kind} databases are not supported")
    return kind


def read_manifest(directory: Path) -> dict:
    try:
        manifest = json.loads((directory / "manifest.json").read_text())
        if not (directory / manifest["database_file"]).is_file():
            raise FileNotFoundError(manifest["database_file"])
    except (OSError, ValueError, KeyError, TypeError) as error:
        raise click.ClickException(
            f"{directory} does not hold a backup made by `flask backup` ({error})"
        ) from error
    return manifest


def model_tables(names) -> list[str]:
    """The app's tables among `names`, parents first. Indexes of other tables are left out."""
    present = set(names)
    return [table.name for table in db.metadata.sorted_tables if table.name in present]


def row_counts(connection: Connection) -> dict[str, int]:
    tables = model_tables(inspect(connection).get_table_names())
    return {
        name: connection.scalar(text(f'SELECT count(*) FROM "{name}"'))  # noqa: S608  (own table names)
        for name in tables
    }


def content_rows(connection: Connection) -> int:
    """Rows a backup or a copy would overwrite: 0 for a new or freshly migrated database."""
    counts = row_counts(connection)
    return sum(count for name, count in counts.items() if name not in NOT_CONTENT)


def backup_sqlite(target: Path) -> tuple[str | None, dict[str, int]]:
    # A connection of its own, outside SQLAlchemy: it reads in one snapshot and, in WAL mode,
    # keeps no writer waiting. One step copies every page from that snapshot.
    source = sqlite3.connect(db.engine.url.database)
    copy = sqlite3.connect(target)
    try:
        source.backup(copy)
        # The copy stands alone in one file, with no write-ahead log beside it.
        copy.execute("PRAGMA journal_mode=DELETE")
        check = copy.execute("PRAGMA integrity_check").fetchall()
        if check != [("ok",)]:
            raise click.ClickException(f"the snapshot failed its integrity check: {check}")
    finally:
        source.close()
        copy.close()
    engine = create_engine(f"sqlite:///{target}")
    try:
        with engine.connect() as connection:
            return alembic_revision(connection), row_counts(connection)
    finally:
        engine.dispose()


def restore_sqlite(backup: Path) -> None:
    source = sqlite3.connect(f"file:{backup}?mode=ro", uri=True)
    live = sqlite3.connect(db.engine.url.database, timeout=30)
    try:
        # Page by page into the live file, under its lock: other connections see all or nothing.
        source.backup(live)
        live.execute("PRAGMA journal_mode=WAL")
    finally:
        source.close()
        live.close()


def backup_postgresql(target: Path) -> tuple[str | None, dict[str, int]]:
    # The rows are counted and pg_dump reads in one exported snapshot, so the manifest describes
    # exactly what was dumped however many writes happen meanwhile.
    with db.engine.connect() as connection:
        connection = connection.execution_options(isolation_level="REPEATABLE READ")
        with connection.begin():
            snapshot = connection.scalar(text("SELECT pg_export_snapshot()"))
            revision, tables = alembic_revision(connection), row_counts(connection)
            run_postgres_tool(
                "pg_dump", "--format=custom", f"--snapshot={snapshot}", f"--file={target}"
            )
    return revision, tables


def restore_postgresql(backup: Path) -> None:
    run_postgres_tool(
        "pg_restore",
        "--clean",
        "--if-exists",
        "--no-owner",
        "--no-privileges",
        "--single-transaction",
        "--exit-on-error",
        str(backup),
    )


def run_postgres_tool(tool: str, *arguments: str) -> None:
    """Run pg_dump or pg_restore on the app's database; the password goes by environment."""
    url = make_url(current_app.config["SQLALCHEMY_DATABASE_URI"])
    environment = dict(os.environ)
    if url.password:
        environment["PGPASSWORD"] = str(url.password)
    libpq_uri = url.set(drivername="postgresql", password=None).render_as_string()
    try:
        subprocess.run(  # noqa: S603  (arguments are ours; the URI is one argument, no shell)
            [tool, *arguments, f"--dbname={libpq_uri}"],
            env=environment,
            check=True,
            capture_output=True,
            text=True,
        )
    except FileNotFoundError as error:
        raise click.ClickException(
            f"{tool} is not installed (apt-get install postgresql-client)"
        ) from error
    except subprocess.CalledProcessError as error:
        raise click.ClickException(f"{tool} failed: {error.stderr.strip()}") from error


def alembic_revision(connection: Connection) -> str | None:
    if not inspect(connection).has_table("alembic_version"):
        return None
    return connection.scalar(text("SELECT version_num FROM alembic_version"))


def copy_photos(source: Path, target: Path) -> int:
    """Copy the photo files that `target` lacks or has different; returns how many files
    `source` holds."""
    if not source.is_dir():
        return 0
    count = 0
    for path in source.rglob("*"):
        if not path.is_file():
            continue
        count += 1
        destination = target / path.relative_to(source)
        if destination.exists() and same_file(destination.stat(), path.stat()):
            continue
        destination.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(path, destination)
    return count


def same_file(a: os.stat_result, b: os.stat_result) -> bool:
    # copy2 keeps the modification time, so a file copied before compares equal.
    return a.st_size == b.st_size and int(a.st_mtime) == int(b.st_mtime)


def init_app(app: Flask) -> None:
    app.cli.add_command(backup_command)
    app.cli.add_command(restore_command)
