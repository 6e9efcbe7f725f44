"""Past round-ups, readable on the site."""

from flask import render_template

from rsflask.db import db
from rsflask.models import Digest
from rsflask.newsletter.blueprint import bp
from rsflask.newsletter.digests import visible
from rsflask.pagination import page_number


@bp.get("/archive")
def archive():
    """Every round-up sent so far, newest first."""
    query = (
        db.select(Digest)
        .where(Digest.started_at.is_not(None))
        .order_by(Digest.started_at.desc(), Digest.id.desc())
    )
    digests = db.paginate(query, page=page_number(), per_page=20, max_per_page=20)
    return render_template("newsletter/archive.html", digests=digests)


@bp.get("/archive/<int:digest_id>")
def archived_digest(digest_id: int):
    """One past round-up: its intro and the articles it pointed to."""
    digest = db.first_or_404(
        db.select(Digest).where(Digest.id == digest_id, Digest.started_at.is_not(None))
    )
    return render_template(
        "newsletter/digest.html", digest=digest, articles=visible(digest.articles)
    )
