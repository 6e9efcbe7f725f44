"""The public corrections log: every correction to an article readers can see, newest first,
as a page and as a feed. Serious newsrooms keep one; updates and editor's notes stay on their
articles."""

from flask import render_template, url_for
from sqlalchemy import Select, select
from sqlalchemy.orm import contains_eager

from rsflask.db import db, utcnow
from rsflask.feeds import NEVER, titled, xml
from rsflask.feeds import bp as feeds_bp
from rsflask.models import Article, ArticleNote
from rsflask.pagination import paginate
from rsflask.public_pages import public_page
from rsflask.reader import bp as reader_bp

CORRECTIONS_PER_PAGE = 25


def visible_corrections() -> Select:
    return (
        select(ArticleNote)
        .join(ArticleNote.article)
        .options(contains_eager(ArticleNote.article))
        .where(
            ArticleNote.kind == "correction",
            Article.status == "published",
            Article.published_at <= utcnow(),
        )
        .order_by(ArticleNote.noted_at.desc(), ArticleNote.id.desc())
    )


@reader_bp.get("/corrections")
@public_page(query=("page",))
def corrections():
    """Every correction, newest first, each with the article it corrects."""
    notes = paginate(visible_corrections(), per_page=CORRECTIONS_PER_PAGE)
    return render_template("reader/corrections.html", notes=notes)


@feeds_bp.get("/feeds/corrections.atom")
@public_page()
def corrections_feed():
    notes = db.session.scalars(visible_corrections().limit(CORRECTIONS_PER_PAGE)).all()
    return xml(
        "feeds/corrections.xml",
        mimetype="application/atom+xml",
        notes=notes,
        title=titled("Corrections"),
        page_url=url_for("reader.corrections", _external=True),
        updated=max((note.noted_at for note in notes), default=NEVER),
    )
