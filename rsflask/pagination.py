"""The ?page= argument that every paginated list reads, reader's and editors' alike."""

from flask import abort, request
from sqlalchemy import Select, func

from rsflask.db import db
from rsflask.shared_parts import kept

# Deeper pages than this are refused before the database sees an absurd OFFSET.
MAX_PAGE = 10_000


def page_number() -> int:
    """The ?page= argument: a positive whole number, or 404 for anything else."""
    raw = request.args.get("page", "1")
    if not raw.isascii() or not raw.isdigit() or not 1 <= int(raw) <= MAX_PAGE:
        abort(404)
    return int(raw)


def paginate(query: Select, per_page: int, shared_count: str = ""):
    """One page of `query`. With `shared_count`, a name for the list, its total (for "Page 2 of
    9") is counted once per content generation (shared_parts.py): counting a tag's 30,000
    articles takes longer than making the page."""
    if not shared_count:
        return db.paginate(query, page=page_number(), per_page=per_page, max_per_page=per_page)
    pages = db.paginate(
        query, page=page_number(), per_page=per_page, max_per_page=per_page, count=False
    )
    count = query.order_by(None).with_only_columns(func.count(), maintain_column_froms=True)
    # Not counted (the database failed just now): the page shows without its pager.
    pages.total = kept(f"count {shared_count}", lambda: db.session.scalar(count), fallback=0)
    return pages
