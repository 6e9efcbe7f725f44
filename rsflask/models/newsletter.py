"""Newsletter subscribers and what a publication must be able to show about their consent."""

from datetime import datetime

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from rsflask.db import db, utcnow

SUBSCRIBER_STATUSES = ("pending", "confirmed", "unsubscribed")


class Subscriber(db.Model):
    __tablename__ = "subscribers"
    id: Mapped[int] = mapped_column(primary_key=True)
    # Stored lower-cased, so one address is one row whatever its spelling.
    email: Mapped[str] = mapped_column(String(320), unique=True)
    status: Mapped[str] = mapped_column(String(20), default="pending", index=True)
    signed_up_at: Mapped[datetime] = mapped_column(default=utcnow)
    signup_ip: Mapped[str] = mapped_column(String(64), default="")
    confirmed_at: Mapped[datetime | None]
    confirm_ip: Mapped[str] = mapped_column(String(64), default="")
    unsubscribed_at: Mapped[datetime | None]
