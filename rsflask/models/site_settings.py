"""The editorial settings an admin changes in the browser, each save kept."""

import json
from datetime import datetime

from sqlalchemy import ForeignKey, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from rsflask.db import db, utcnow


class SiteSettings(db.Model):
    """One save of the Settings page: the newest row is in force, the older ones its history.

    The values are JSON, so that a new setting needs no migration; settings.py's values stand in
    for any key a row lacks (a new site has no row at all).
    """

    __tablename__ = "site_settings"
    id: Mapped[int] = mapped_column(primary_key=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    values_json: Mapped[str] = mapped_column(Text, default="{}")
    user: Mapped["User | None"] = relationship()  # noqa: F821

    @property
    def values(self) -> dict:
        return json.loads(self.values_json)
