"""The ?page= argument that every paginated list reads, reader's and editors' alike."""

from flask import abort, request
from sqlalchemy import Select

from rsflask.db import db

# Deeper pages than this are refused before the database sees an absurd OFFSET.
MAX_PAGE = 10_000


def page_number() -> int:
    """The ?page= argument: a positive whole number, or 404 for anything else."""
    raw = request.args.get("page", "1")
    if not raw.isascii() or not raw.isdigit() or not 1 <= int(raw) <= MAX_PAGE:
        abort(404)
    return int(raw)


def paginate(query: Select, per_page: int):
    return db.paginate(query, page=page_number(), per_page=per_page, max_per_page=per_page)
