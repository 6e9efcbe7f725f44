"""Fixed-window rate limits, shared by every worker and server: in Redis when REDIS_URL is set,
otherwise in the database (the table rate_limit_hits)."""

import hashlib
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

from flask import current_app, request
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from werkzeug.exceptions import ServiceUnavailable

from rsflask.db import db
from rsflask.models import RateLimitHit

if TYPE_CHECKING:
    import redis


def client_address() -> str:
    """The reader's address; behind a proxy, set PROXY_COUNT so that this is not the proxy's."""
    return request.remote_addr or "unknown"


def allow(key: str, limit: int, per_seconds: int) -> bool:
    """Count one hit for `key`; False once it has had more than `limit` hits in this window."""
    return count(key, per_seconds) <= limit


def count(key: str, per_seconds: int) -> int:
    """Count one hit for `key`: how many it has had in this window, this one included."""
    key = stored_key(key)
    now = int(time.time())
    window = now // per_seconds
    client = redis_client()
    if client is not None:
        with _redis_errors():
            pipe = client.pipeline()
            pipe.incr(redis_key(key, window))
            # The key belongs to one window: it may go once the window has closed.
            pipe.expire(redis_key(key, window), per_seconds)
            return pipe.execute()[0]
    insert = pg_insert if db.engine.dialect.name == "postgresql" else sqlite_insert
    statement = (
        insert(RateLimitHit)
        .values(key=key, window=window, count=1, expires=(window + 1) * per_seconds)
        .on_conflict_do_update(
            index_elements=["key", "window"], set_={"count": RateLimitHit.count + 1}
        )
        .returning(RateLimitHit.count)
    )
    count = db.session.execute(statement).scalar_one()
    if count == 1:
        # Closed windows are never read again; dropping them now and then keeps the table small.
        db.session.execute(db.delete(RateLimitHit).where(RateLimitHit.expires < now))
    db.session.commit()
    return count


# Takes a hit back only while its key exists: a bare DECR on an expired key would make a new key
# at -1 that never expires.
RELEASE_SCRIPT = "if redis.call('exists', KEYS[1]) == 1 then return redis.call('decr', KEYS[1]) end"


def release(key: str, window: int) -> None:
    """Take back one hit of `key` counted in `window`: an attempt that turned out not to count.

    Never below zero, and a failure to take it back only leaves the limit stricter.
    """
    key = stored_key(key)
    client = redis_client()
    if client is not None:
        import redis

        try:
            client.eval(RELEASE_SCRIPT, 1, redis_key(key, window))
        except redis.RedisError as error:
            current_app.logger.warning("Rate limit hit not taken back, Redis failed: %s", error)
        return
    db.session.execute(
        db.update(RateLimitHit)
        .where(RateLimitHit.key == key, RateLimitHit.window == window, RateLimitHit.count > 0)
        .values(count=RateLimitHit.count - 1)
    )
    db.session.commit()


def hits(key: str, per_seconds: int) -> int:
    """How many hits `key` has had in the current window, without counting one more."""
    key = stored_key(key)
    window = int(time.time()) // per_seconds
    client = redis_client()
    if client is not None:
        with _redis_errors():
            return int(client.get(redis_key(key, window)) or 0)
    count = db.session.scalar(
        db.select(RateLimitHit.count).where(RateLimitHit.key == key, RateLimitHit.window == window)
    )
    return count or 0


def redis_key(key: str, window: int) -> str:
    return f"rsflask:limit:{key}:{window}"


def stored_key(key: str) -> str:
    """`key`, or for one too long for the table (a sign-in key holds an email of up to 320
    characters), its start and a digest of the whole."""
    if len(key) <= RateLimitHit.__table__.c.key.type.length:
        return key
    return f"{key[:100]}:sha256:{hashlib.sha256(key.encode()).hexdigest()}"


def redis_client() -> "redis.Redis | None":
    """The app's Redis client (one connection pool per process), or None without REDIS_URL."""
    url = current_app.config["REDIS_URL"]
    if not url:
        return None
    # Imported here: the redis package is an extra, needed only by sites that set REDIS_URL.
    import redis

    client = current_app.extensions.get("rsflask_redis")
    if client is None:
        client = redis.Redis.from_url(url, socket_timeout=5, socket_connect_timeout=5)
        current_app.extensions["rsflask_redis"] = client
    return client


@contextmanager
def _redis_errors() -> Iterator[None]:
    """Redis down: a 503 for the request (a limit that cannot be counted is not waved through),
    and the reason in the log."""
    import redis

    try:
        yield
    except redis.RedisError as error:
        current_app.logger.error("Rate limit not counted, Redis failed: %s", error)
        raise ServiceUnavailable(retry_after=30) from error
