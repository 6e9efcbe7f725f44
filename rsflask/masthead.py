"""The masthead at /authors: the staff in their order, then every contributor readers can read."""

from flask import render_template
from sqlalchemy import Select, case, func, or_, select
from sqlalchemy.orm import joinedload

from rsflask.db import db
from rsflask.models import Article, ArticleAuthor, Author, published
from rsflask.public_pages import public_page
from rsflask.reader import bp


def masthead_authors() -> Select[tuple[Author]]:
    """Staff, by staff_position then name, then the other authors with a visible byline, by name.

    An author whose articles are all drafts, scheduled or trashed is left out, as the author's
    own page is: the masthead must not name them before readers can read them.
    """
    bylined = (
        select(ArticleAuthor.author_id)
        .join_from(ArticleAuthor, Article)
        .where(published().whereclause)
    )
    return (
        select(Author)
        .options(joinedload(Author.photo))
        .where(or_(Author.is_staff, Author.id.in_(bylined)))
        .order_by(
            # The view splits staff from contributors; among contributors the name alone counts.
            case((Author.is_staff, Author.staff_position), else_=0),
            # Lowercased, so that both databases put "de Vries" where readers look for it.
            func.lower(Author.name),
            Author.id,
        )
    )


@bp.get("/authors")
@public_page()
def authors():
    """Who writes for the site: staff first, then contributors."""
    people = db.session.scalars(masthead_authors()).all()
    staff = [author for author in people if author.is_staff]
    contributors = [author for author in people if not author.is_staff]
    return render_template("reader/authors.html", staff=staff, contributors=contributors)
