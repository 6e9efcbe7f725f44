"""Teasers, each rendered once per content generation in each worker and reused wherever the
article is teased: the front page, its section's, type's, tags' and authors' listings, and the
"More from" list under other articles. A teaser shows its article alone (and whether it leads the
front page), so the one made for the front page serves all of those; every change to an article or
to what a teaser shows of it (its section's name, its authors) moves the generation.

The most recently used MAX_TEASERS are kept, about 3 KB each (about 1.2 MB a worker).
"""

from collections import OrderedDict

from flask import Flask, current_app
from markupsafe import Markup

from rsflask.db import db
from rsflask.errors import DATABASE_UNAVAILABLE
from rsflask.models import Article
from rsflask.site_settings import current_generation

MAX_TEASERS = 400


def teaser(article: Article, is_lead: bool = False) -> Markup:
    """The teaser of `article` (reader/_teaser.html), as HTML."""
    kept: OrderedDict = current_app.extensions["teasers"]
    try:
        generation = current_generation()
    except DATABASE_UNAVAILABLE:
        db.session.rollback()
        return render(article, is_lead)
    key = (article.id, is_lead)
    found = kept.get(key)
    if found is not None and found[0] == generation:
        kept.move_to_end(key)
        return found[1]
    html = render(article, is_lead)
    kept[key] = (generation, html)
    if len(kept) > MAX_TEASERS:
        kept.popitem(last=False)
    return html


def render(article: Article, is_lead: bool) -> Markup:
    template = current_app.jinja_env.get_template("reader/_teaser.html")
    # The template's own output, every value in it escaped by Jinja's autoescape.
    return Markup(template.render(article=article, is_lead=is_lead))  # noqa: S704


def init_app(app: Flask) -> None:
    app.extensions["teasers"] = OrderedDict()
    app.add_template_global(teaser)
