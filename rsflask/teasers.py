"""Teasers, each rendered once per content generation in each worker and reused wherever the
article is teased: the front page, its section's, type's, tags' and authors' listings, the "More
from" list under other articles, and (whole) the QIOSK page. Those pages find their articles' ids,
and rows are read only for the teasers not made yet. A teaser shows its article alone (and its
shape: whether it leads the front page), so the one made for the front page serves all of those;
every change to an article or to what a teaser shows of it (its section's name, its authors)
moves the generation.

The most recently used MAX_TEASERS are kept, about 3 KB each (about 1.2 MB a worker).
"""

from collections import OrderedDict

from flask import Flask, current_app
from markupsafe import Markup
from sqlalchemy import select

from rsflask.db import db
from rsflask.errors import DATABASE_UNAVAILABLE
from rsflask.models import Article
from rsflask.site_settings import current_generation
from rsflask.templating import template_html

MAX_TEASERS = 400

# Each shape of a teaser: its template and what it is told besides the article.
SHAPES = {
    "teaser": ("reader/_teaser.html", {"is_lead": False}),
    # The front page's first story: larger, with its dek.
    "lead": ("reader/_teaser.html", {"is_lead": True}),
    # A QIOSK item on the QIOSK page: short news, shown whole.
    "qiosk": ("reader/_qiosk_item.html", {}),
}


def teasers_of(ids: list[int], shape: str = "teaser") -> list[Markup]:
    """The teasers of the articles `ids`, in that order, reading rows only for those not made
    yet. An id with no row (deleted since it was found) is left out."""
    teasers = {article_id: made(article_id, shape) for article_id in ids}
    missing = [article_id for article_id, html in teasers.items() if html is None]
    if missing:
        for article in db.session.scalars(select(Article).where(Article.id.in_(missing))):
            teasers[article.id] = keep(article, shape)
    return [teasers[article_id] for article_id in ids if teasers[article_id] is not None]


def made(article_id: int, shape: str) -> Markup | None:
    """The teaser made in this generation, if there is one."""
    generation = generation_or_none()
    kept: OrderedDict = current_app.extensions["teasers"]
    found = kept.get((article_id, shape))
    if generation is None or found is None or found[0] != generation:
        return None
    kept.move_to_end((article_id, shape))
    return found[1]


def keep(article: Article, shape: str) -> Markup:
    """The teaser made now, kept for the rest of the generation (when the database gives it)."""
    html = render(article, shape)
    generation = generation_or_none()
    if generation is not None:
        kept: OrderedDict = current_app.extensions["teasers"]
        kept[(article.id, shape)] = (generation, html)
        if len(kept) > MAX_TEASERS:
            kept.popitem(last=False)
    return html


def generation_or_none() -> int | None:
    try:
        return current_generation()
    except DATABASE_UNAVAILABLE:
        db.session.rollback()
        return None


def render(article: Article, shape: str) -> Markup:
    template_name, told = SHAPES[shape]
    return template_html(template_name, article=article, **told)


def init_app(app: Flask) -> None:
    app.extensions["teasers"] = OrderedDict()
