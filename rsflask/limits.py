"""Fixed-window rate limits, counted in the database so that they hold across every worker."""

import time

from flask import request
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from rsflask.db import db
from rsflask.models import RateLimitHit


def client_address() -> str:
    """The reader's address; behind a proxy, set PROXY_COUNT so that this is not the proxy's."""
    return request.remote_addr or "unknown"


def allow(key: str, limit: int, per_seconds: int) -> bool:
    """Count one hit for `key`; False once it has had more than `limit` hits in this window."""
    now = int(time.time())
    window = now // per_seconds
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
    return count <= limit


def hits(key: str, per_seconds: int) -> int:
    """How many hits `key` has had in the current window, without counting one more."""
    window = int(time.time()) // per_seconds
    count = db.session.scalar(
        db.select(RateLimitHit.count).where(RateLimitHit.key == key, RateLimitHit.window == window)
    )
    return count or 0
