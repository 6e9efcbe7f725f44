"""What is filed under a section, type, tag or author: the one look-up of each, which the
reader's listing pages and their Atom feeds share; and the articles related to one article.

Each listing gives the name's row (404 when there is none) and its visible articles, newest
first.
"""

from collections import Counter
from itertools import islice
from typing import NamedTuple

from sqlalchemy import Select, select

from rsflask.db import db
from rsflask.models import Article, ArticleAuthor, ArticleType, Author, Section, Tag, published
from rsflask.models.content import article_tags
from rsflask.shared_parts import kept

# How many of a section's newest articles compete to be shown as related to one of them.
RELATED_WINDOW = 300


def in_section(slug: str) -> tuple[Section, Select]:
    section = db.first_or_404(select(Section).filter_by(slug=slug))
    return section, published().where(Article.section_id == section.id)


def of_type(slug: str) -> tuple[ArticleType, Select]:
    article_type = db.first_or_404(select(ArticleType).filter_by(slug=slug))
    return article_type, published().where(Article.type_id == article_type.id)


def tagged(slug: str) -> tuple[Tag, Select]:
    tag = db.first_or_404(select(Tag).filter_by(slug=slug))
    return tag, published().join(article_tags).where(article_tags.c.tag_id == tag.id)


def by_author(slug: str) -> tuple[Author, Select]:
    author = db.first_or_404(select(Author).filter_by(slug=slug))
    query = published().join(ArticleAuthor).where(ArticleAuthor.author_id == author.id)
    return author, query


def related_ids(article: Article, limit: int = 4) -> list[int]:
    """Others of the article's section: those sharing the most of its tags, then the newest.

    Only the section's RELATED_WINDOW newest articles compete: counting shared tags over a
    whole section of 100,000 articles took 200 ms a page, and older pieces rarely win anyway.
    The window and its tags are read once per content generation (shared_parts.py), and each
    article of the section ranks it in Python: a crawler reads every article once, so the
    query per page cost more than the rest of the page (3 ms at 100,000 articles).
    Ids alone: their teasers are mostly made already (teasers.py).
    """
    window = kept(
        f"related window {article.section_id}",
        lambda: section_window(article.section_id),
        fallback=SectionWindow([], {}, {}),
    )
    own = window.positions.get(article.id)
    competing = min(RELATED_WINDOW + (own is not None), len(window.ids))
    shared = Counter(
        position
        for tag in {tag.id for tag in article.tags}
        for position in window.tagged.get(tag, ())
        if position < competing and position != own
    )
    # Most tags shared first, then the newest: the window's order.
    ranked = sorted(shared, key=lambda position: (-shared[position], position))[:limit]
    newest = (p for p in range(competing) if p != own and p not in shared)
    ranked += islice(newest, limit - len(ranked))
    return [window.ids[position] for position in ranked]


class SectionWindow(NamedTuple):
    ids: list[int]
    # Where each article is in `ids`, and where those with each tag are.
    positions: dict[int, int]
    tagged: dict[int, list[int]]


def section_window(section_id: int) -> SectionWindow:
    """The section's RELATED_WINDOW + 1 newest visible articles (one may be the article being
    read), newest first, with their tags."""
    newest = (
        published()
        .where(Article.section_id == section_id)
        .with_only_columns(Article.id)
        .limit(RELATED_WINDOW + 1)
    )
    ids = db.session.scalars(newest).all()
    positions = {article_id: position for position, article_id in enumerate(ids)}
    pairs = select(article_tags.c.article_id, article_tags.c.tag_id).where(
        article_tags.c.article_id.in_(ids)
    )
    tagged: dict[int, list[int]] = {}
    for article_id, tag_id in db.session.execute(pairs):
        tagged.setdefault(tag_id, []).append(positions[article_id])
    return SectionWindow(ids, positions, tagged)
