"""Migrations 0004 and 0005 go down and back up, keeping the subscribers and round-ups stored."""

from datetime import timedelta

from flask_migrate import downgrade, upgrade
from sqlalchemy import func, inspect, select, table

from rsflask.db import db, utcnow
from rsflask.models import Digest, DigestDelivery, Subscriber

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


def test_migration_0005_keeps_round_ups_and_their_deliveries_both_ways(app, add_article):
    article = add_article("Story")
    started = utcnow() - timedelta(days=1)
    reader = Subscriber(email="kept@example.org", status="confirmed")
    digest = Digest(subject="Week", status="sent", started_at=started, articles=[article])
    db.session.add_all([reader, digest])
    db.session.flush()
    db.session.add(DigestDelivery(digest_id=digest.id, subscriber_id=reader.id))
    db.session.commit()
    db.session.remove()

    def kept() -> tuple[int, ...]:
        """Rows that refer to the round-up, counted without the models (which 0005 changed)."""
        with db.engine.connect() as connection:
            return tuple(
                connection.scalar(select(func.count()).select_from(table(name)))
                for name in ("digest_articles", "digest_deliveries")
            )

    downgrade(revision="0004")
    tables, _ = schema()
    columns = {column["name"] for column in inspect(db.engine).get_columns("digests")}
    assert "digest_attempts" not in tables and "chosen_at" not in columns
    assert kept() == (1, 1)

    upgrade()
    assert kept() == (1, 1)
    # A round-up already begun covered what was published up to its start, as before.
    assert db.session.scalar(select(Digest)).chosen_at == started


def test_migration_0009_finds_each_mailbox_and_keeps_deliveries_both_ways(app, add_article):
    """Subscribers stored before 0009 get their mailbox; the columns come and go without the
    table being rebuilt (a rebuild would delete the deliveries that refer to it)."""
    article = add_article("Story")
    digest = Digest(subject="Week", status="sent", started_at=utcnow(), articles=[article])
    readers = [
        Subscriber(email=email, status="confirmed")
        for email in ("jane.doe+news@googlemail.com", "o'brien+x@example.org", "plain@example.org")
    ]
    db.session.add_all([digest, *readers])
    db.session.flush()
    db.session.add_all(DigestDelivery(digest_id=digest.id, subscriber_id=r.id) for r in readers)
    db.session.commit()
    db.session.remove()

    def deliveries() -> int:
        with db.engine.connect() as connection:
            return connection.scalar(select(func.count()).select_from(table("digest_deliveries")))

    downgrade(revision="0008")
    tables, columns = schema()
    assert "subscriber_tokens" not in tables
    assert not columns & {"mailbox", "confirm_user_agent"}
    assert deliveries() == 3
    upgrade()
    assert deliveries() == 3
    mailboxes = db.session.execute(
        select(Subscriber.email, Subscriber.mailbox, Subscriber.confirm_user_agent).order_by(
            Subscriber.id
        )
    ).all()
    assert [tuple(row) for row in mailboxes] == [
        ("jane.doe+news@googlemail.com", "janedoe@gmail.com", ""),
        ("o'brien+x@example.org", "o'brien@example.org", ""),
        ("plain@example.org", "plain@example.org", ""),
    ]
