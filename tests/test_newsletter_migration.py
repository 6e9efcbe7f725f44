"""Migration 0004 goes down to 0003 and back up, keeping the subscribers already stored."""

from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect, select

from rsflask.db import db
from rsflask.models import Subscriber

NEW_TABLES = {"digests", "digest_articles", "digest_deliveries"}
NEW_COLUMNS = {"unsubscribe_ip", "confirmation_sent_at", "confirmation_tried_at", "imported_at"}


def schema() -> tuple[set[str], set[str]]:
    inspector = inspect(db.engine)
    columns = {column["name"] for column in inspector.get_columns("subscribers")}
    return set(inspector.get_table_names()), columns


def test_migration_0004_goes_down_and_up_keeping_subscribers(app):
    db.session.add(Subscriber(email="kept@example.org", status="confirmed", signup_ip="192.0.2.1"))
    db.session.commit()
    db.session.remove()

    downgrade(revision="0003")
    tables, columns = schema()
    assert not tables & NEW_TABLES and not columns & NEW_COLUMNS
    assert "subscribers" in tables

    upgrade()
    tables, columns = schema()
    assert tables >= NEW_TABLES and columns >= NEW_COLUMNS
    kept = db.session.scalar(select(Subscriber))
    assert (kept.email, kept.status, kept.signup_ip) == (
        "kept@example.org",
        "confirmed",
        "192.0.2.1",
    )
    assert kept.unsubscribe_ip == "" and kept.confirmation_sent_at is None
