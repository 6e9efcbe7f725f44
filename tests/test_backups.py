"""flask backup / flask restore: a snapshot taken while the site writes, brought back whole."""

import json
import sqlite3
import threading
import time
from contextlib import ExitStack
from pathlib import Path

import pytest

from rsflask.db import db
from rsflask.demo import demo_photo
from rsflask.generation import bump_generation
from rsflask.models import Article, Subscriber
from tests.conftest import make_app
from tests.services import postgres_database


def wait_until(condition, what: str) -> None:
    """Poll until `condition()` holds; a minute without it fails the test instead of hanging."""
    deadline = time.monotonic() + 60
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(f"gave up waiting for {what}")
        time.sleep(0.005)


def files(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in folder.rglob("*") if p.is_file()}


@pytest.fixture
def empty_site(app, tmp_path):
    """Another site on a new, empty database of the same kind as the app's: the restore target."""
    with ExitStack() as stack:
        if db.engine.dialect.name == "postgresql":
            uri = stack.enter_context(postgres_database("restore"))
        else:
            uri = f"sqlite:///{tmp_path / 'restored.sqlite3'}"
        site = make_app(tmp_path / "restored", uri)
        yield site
        with site.app_context():
            db.engine.dispose()


def test_a_backup_taken_during_writes_restores_complete_and_intact(
    app, runner, add_article, empty_site, tmp_path
):
    image, alt = demo_photo("backup", width=640, height=360)
    add_article("A story with a photo", image=image, image_alt=alt)
    add_article("A story without one")
    written: list[str] = []
    stop = threading.Event()

    def sign_up_readers() -> None:
        with app.app_context():
            while not stop.is_set():
                email = f"reader-{len(written)}@example.org"
                db.session.add(Subscriber(email=email))
                db.session.commit()
                written.append(email)
            db.session.remove()

    writer = threading.Thread(target=sign_up_readers)
    writer.start()
    try:
        wait_until(lambda: len(written) >= 20, "the first signups")
        result = runner.invoke(args=["backup", str(tmp_path / "backup")])
        after_backup = len(written)
        wait_until(lambda: len(written) >= after_backup + 20, "signups after the backup")
    finally:
        stop.set()
        writer.join(timeout=60)
    assert result.exit_code == 0, result.output
    manifest = json.loads((tmp_path / "backup" / "manifest.json").read_text())
    in_snapshot = manifest["tables"]["subscribers"]
    # Taken in the middle of the stream: rows before it, and rows it could not have seen.
    assert 20 <= in_snapshot < len(written)
    assert manifest["tables"]["articles"] == 2
    assert manifest["database"] == db.engine.dialect.name and manifest["revision"]

    with empty_site.app_context():
        # Inside the other site's context: a CLI runner uses whatever app is current.
        result = empty_site.test_cli_runner().invoke(args=["restore", str(tmp_path / "backup")])
        assert result.exit_code == 0, result.output
        restored = db.session.scalars(db.select(Subscriber.email).order_by(Subscriber.id)).all()
        titles = db.session.scalars(db.select(Article.title).order_by(Article.id)).all()
        if db.engine.dialect.name == "sqlite":
            with sqlite3.connect(db.engine.url.database) as connection:
                assert connection.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
    # Every row committed before the snapshot, none after, none half-written.
    assert restored == written[:in_snapshot]
    assert titles == ["A story with a photo", "A story without one"]
    photos = files(Path(app.config["PHOTO_FOLDER"]))
    assert photos and files(Path(empty_site.config["PHOTO_FOLDER"])) == photos
    assert manifest["photos"] == len(photos)


def test_restore_refuses_a_database_with_content_unless_forced(app, runner, add_article, tmp_path):
    add_article("Kept in the backup")
    assert runner.invoke(args=["backup", str(tmp_path / "backup")]).exit_code == 0
    add_article("Written after the backup")

    result = runner.invoke(args=["restore", str(tmp_path / "backup")])
    assert result.exit_code != 0 and "the database is not empty" in result.output
    assert db.session.scalar(db.select(db.func.count(Article.id))) == 2

    result = runner.invoke(args=["restore", "--force", str(tmp_path / "backup")])
    assert result.exit_code == 0, result.output
    db.session.remove()
    assert db.session.scalars(db.select(Article.title)).all() == ["Kept in the backup"]


def test_pages_cached_before_a_restore_are_not_served_after_it(
    app, client, runner, add_article, tmp_path
):
    add_article("Kept in the backup")
    assert runner.invoke(args=["backup", str(tmp_path / "backup")]).exit_code == 0
    # Edits after the backup move the generation on; the restore brings back an older one.
    add_article("Written after the backup")
    add_article("Also after the backup")
    assert "Also after the backup" in client.get("/").get_data(as_text=True)
    cached_at = app.extensions["page_cache"].generation()

    result = runner.invoke(args=["restore", "--force", str(tmp_path / "backup")])
    assert result.exit_code == 0, result.output
    db.session.remove()
    add_article("Written after the restore")
    # More changes, one generation each, as long as the site has not passed the cached page's.
    while app.extensions["page_cache"].generation() < cached_at:
        bump_generation(db.session)
        db.session.commit()
    front = client.get("/").get_data(as_text=True)
    assert "Written after the restore" in front and "after the backup" not in front


def test_backup_never_writes_into_a_folder_that_has_files(runner, tmp_path):
    (tmp_path / "old").mkdir()
    (tmp_path / "old" / "manifest.json").write_text("{}")
    result = runner.invoke(args=["backup", str(tmp_path / "old")])
    assert result.exit_code != 0 and "is not empty" in result.output
    assert (tmp_path / "old" / "manifest.json").read_text() == "{}"


@pytest.mark.parametrize(
    "manifest", [None, "not json", '{"database": "sqlite"}', '{"database_file": "missing"}']
)
def test_restore_names_a_folder_that_holds_no_backup(runner, tmp_path, manifest):
    (tmp_path / "backup").mkdir()
    if manifest is not None:
        (tmp_path / "backup" / "manifest.json").write_text(manifest)
    result = runner.invoke(args=["restore", str(tmp_path / "backup")])
    assert result.exit_code != 0
    assert "does not hold a backup made by `flask backup`" in result.output
