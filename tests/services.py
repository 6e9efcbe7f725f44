"""Servers that some tests need besides SQLite: PostgreSQL and Redis, on this machine.

When one does not answer, the tests that need it skip on a developer's machine and fail under
CI=true, where .ci/run starts both.
"""

import os
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from sqlalchemy import create_engine, make_url, text
from sqlalchemy.exc import OperationalError

from tests.conftest import TEST_DATABASE_URI, WORKER

POSTGRES_URI = os.environ.get("RSFLASK_TEST_POSTGRES_URI") or (
    TEST_DATABASE_URI
    if TEST_DATABASE_URI and TEST_DATABASE_URI.startswith("postgresql")
    else "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
# Database 15 (14, 13, ... for more test processes), so that a developer's own Redis data in
# database 0 is left alone, and two processes' keys never meet.
REDIS_DATABASE = 15 - int(WORKER.removeprefix("gw") or 0)
REDIS_URL = os.environ.get("RSFLASK_TEST_REDIS_URL", f"redis://127.0.0.1:6379/{REDIS_DATABASE}")


def unavailable(message: str):
    if os.environ.get("CI") == "true":
        pytest.fail(message)
    pytest.skip(message)


def redis_url() -> str:
    """The test Redis, emptied of rate-limit keys."""
    import redis

    client = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2)
    try:
        client.ping()
    except redis.RedisError as error:
        unavailable(f"no Redis at {REDIS_URL}: {error}")
    for key in client.scan_iter("rsflask:limit:*"):
        client.delete(key)
    client.close()
    return REDIS_URL


@contextmanager
def postgres_database(purpose: str) -> Iterator[str]:
    """A new, empty PostgreSQL database for one test, dropped afterwards; yields its URI.

    Named after the process too, so that two test runs on one server do not meet.
    """
    url = make_url(POSTGRES_URI)
    name = f"rsflask_{purpose}_{os.getpid()}"
    admin = create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            connection.execute(text(f'CREATE DATABASE "{name}"'))
    except OperationalError as error:
        admin.dispose()
        unavailable(f"no PostgreSQL at {url.render_as_string()}: {error.orig}")
    try:
        yield url.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
