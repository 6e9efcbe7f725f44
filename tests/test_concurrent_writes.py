"""Several writers at once, each reading before it writes (as a signup or a save does).

SQLite on its own would either let two of them read the same value and lose one update, or, in a
transaction that read first, fail the write at once with "database is locked". db.py makes every
transaction take the write lock at BEGIN, so they take turns and each one sees the last.
"""

import threading

import pytest
from flask_migrate import upgrade
from sqlalchemy import func

from rsflask.db import db
from rsflask.models import RateLimitHit, Subscriber
from tests.conftest import make_app

WRITERS = 8
EACH = 25


@pytest.fixture
def sqlite_app(tmp_path, monkeypatch):
    """SQLite whatever the suite runs on: its locking is what this is about."""
    monkeypatch.setenv("RSFLASK_INSTANCE_PATH", str(tmp_path / "instance"))
    app = make_app(tmp_path / "instance", f"sqlite:///{tmp_path / 'writes.sqlite3'}")
    with app.app_context():
        upgrade()
        yield app
        db.session.remove()
        db.engine.dispose()


def test_writers_that_read_first_all_succeed_and_no_update_is_lost(sqlite_app):
    app = sqlite_app
    db.session.add(RateLimitHit(key="counter", window=0, count=0, expires=0))
    db.session.commit()
    errors: list[BaseException] = []
    start = threading.Barrier(WRITERS)

    def write(number: int) -> None:
        with app.app_context():
            start.wait()
            try:
                for step in range(EACH):
                    counter = db.session.get(RateLimitHit, ("counter", 0))
                    counter.count += 1
                    db.session.add(Subscriber(email=f"w{number}-{step}@example.org"))
                    db.session.commit()
            except Exception as error:  # reported by the assertion below
                errors.append(error)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=write, args=(number,)) for number in range(WRITERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(thread.is_alive() for thread in threads)
    assert errors == []
    db.session.expire_all()
    assert db.session.get(RateLimitHit, ("counter", 0)).count == WRITERS * EACH
    assert db.session.scalar(db.select(func.count()).select_from(Subscriber)) == WRITERS * EACH
