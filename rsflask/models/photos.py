"""Photos: each stored once, as variants named by its bytes' hash, and where texts show them."""

from datetime import datetime

from sqlalchemy import Column, ForeignKey, String, Table
from sqlalchemy.orm import Mapped, mapped_column

from rsflask.db import db, utcnow


class Photo(db.Model):
    """An image stored as WebP variants named by the hash of the original's bytes."""

    __tablename__ = "photos"
    id: Mapped[int] = mapped_column(primary_key=True)
    digest: Mapped[str] = mapped_column(String(64), unique=True)
    width: Mapped[int]
    height: Mapped[int]
    # Comma-separated widths of the stored variants, smallest first.
    variant_widths: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # What the photo library offers when the photo is put in a body; each use may say otherwise.
    alt: Mapped[str] = mapped_column(String(500), default="", server_default="")
    credit: Mapped[str] = mapped_column(String(300), default="", server_default="")

    @property
    def widths(self) -> list[int]:
        return [int(w) for w in self.variant_widths.split(",")]

    def filename(self, width: int) -> str:
        return f"{self.digest}-{width}.webp"


def inline_photos_table(owner: str, owners: str) -> Table:
    """Which photos the text of an article, a page or a round-up shows (markup.set_body keeps it):
    the photo library's "where used", and what refuses a photo's deletion."""
    return Table(
        f"{owner}_inline_photos",
        db.metadata,
        Column(f"{owner}_id", ForeignKey(f"{owners}.id", ondelete="CASCADE"), primary_key=True),
        Column("photo_id", ForeignKey("photos.id"), primary_key=True, index=True),
    )
