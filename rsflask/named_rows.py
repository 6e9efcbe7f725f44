"""Rows that articles are filed under by name (types, sections, tags, authors): found, or made."""

from sqlalchemy import func, or_

from rsflask.db import db
from rsflask.slugs import slugify


def get_or_create(model, name: str, **extra):
    """The row of `model` with this name (in any case), else with its slug; created when missing.

    The name comes first because an admin may rename a row or give it a slug of its own, and an
    export writes names. The exact name is asked for too: SQLite lowercases ASCII letters only.
    """
    row = db.session.scalar(
        db.select(model)
        .where(or_(model.name == name, func.lower(model.name) == name.lower()))
        .order_by((model.name == name).desc(), model.id)
        .limit(1)
    )
    slug = slugify(name, fallback="untitled")
    row = row or db.session.scalar(db.select(model).filter_by(slug=slug))
    if row is None:
        row = model(name=name, slug=slug, **extra)
        db.session.add(row)
    return row
