"""The site's content generation: one number that every change readers could see moves on."""

from sqlalchemy.orm import Mapped, mapped_column

from rsflask.db import db


class SiteState(db.Model):
    __tablename__ = "site_state"
    id: Mapped[int] = mapped_column(primary_key=True)
    # Bumped in the same transaction as any change readers could see; cached pages carry the
    # number they were made at, so a page made before a change is never served after it.
    generation: Mapped[int] = mapped_column(default=0)
