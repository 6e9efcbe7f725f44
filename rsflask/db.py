"""The declarative base, the Flask-SQLAlchemy object and the small helpers queries share."""

import sqlite3
from datetime import UTC, datetime

from flask import current_app, has_app_context, has_request_context, request
from flask_sqlalchemy import SQLAlchemy
from sqlalchemy import MetaData, event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import DeclarativeBase

# Alembic needs a name for every constraint to alter or drop it later, SQLite included.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


db = SQLAlchemy(model_class=Base)


def utcnow() -> datetime:
    """Now in UTC without tzinfo: every stored time is naive UTC, on SQLite and PostgreSQL."""
    return datetime.now(UTC).replace(tzinfo=None)


def escape_like(text: str) -> str:
    """`text` matched literally in a LIKE pattern with escape="\\": its % and _ mean themselves."""
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


@event.listens_for(Engine, "connect")
def _tune_sqlite(dbapi_connection, connection_record) -> None:
    """WAL and a busy timeout let several workers read and write one SQLite file at once."""
    if not isinstance(dbapi_connection, sqlite3.Connection):
        return
    # Connections are opened inside a request or command, where the setting can be read.
    busy_timeout = current_app.config["SQLITE_BUSY_TIMEOUT"] if has_app_context() else 10_000
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute(f"PRAGMA busy_timeout={int(busy_timeout)}")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()
    # SQLAlchemy emits BEGIN itself (below), instead of pysqlite's own implicit, deferred BEGIN.
    dbapi_connection.isolation_level = None


@event.listens_for(Engine, "begin")
def _begin_immediate(connection) -> None:
    """Take SQLite's write lock when a writing transaction begins, not at its first write.

    A deferred transaction that has read cannot wait for another writer: its upgrade to a write
    fails at once with "database is locked". Taken at BEGIN, the lock waits on the busy timeout.
    Requests that only read (GET and HEAD, and connections marked `read_only`) begin deferred,
    so readers never queue behind each other; a GET that writes must write before it reads.
    """
    if connection.dialect.name != "sqlite":
        return
    reading = connection.get_execution_options().get("read_only") or (
        has_request_context() and request.method in ("GET", "HEAD")
    )
    connection.exec_driver_sql("BEGIN" if reading else "BEGIN IMMEDIATE")
