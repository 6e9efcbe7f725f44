"""Rate-limit counters, kept in the database so that every worker and server shares them."""

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from rsflask.db import db


class RateLimitHit(db.Model):
    __tablename__ = "rate_limit_hits"
    # What is limited and for whom, e.g. "signup:203.0.113.9", and the window it counts in.
    key: Mapped[str] = mapped_column(String(300), primary_key=True)
    window: Mapped[int] = mapped_column(primary_key=True)
    count: Mapped[int] = mapped_column(default=0)
    # Unix time at which the window closes and the row may be dropped.
    expires: Mapped[int] = mapped_column(index=True)
