"""What is filed under a section, type, tag or author: the one look-up of each, which the
reader's listing pages and their Atom feeds share; and the articles related to one article.

Each listing gives the name's row (404 when there is none) and its visible articles, newest
first.
"""

from sqlalchemy import Select, func, select

from rsflask.db import db
from rsflask.models import Article, ArticleAuthor, ArticleType, Author, Section, Tag, published
from rsflask.models.content import article_tags

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
    Ids alone: their teasers are mostly made already (teasers.py), and loading rows for them
    would cost more than the ranking.
    """
    window = (
        published()
        .where(Article.section_id == article.section_id, Article.id != article.id)
        .with_only_columns(Article.id)
        .limit(RELATED_WINDOW)
        .subquery()
    )
    its_tags = select(article_tags.c.tag_id).where(article_tags.c.article_id == article.id)
    shared_tags = (
        select(func.count())
        .select_from(article_tags)
        .where(article_tags.c.article_id == Article.id, article_tags.c.tag_id.in_(its_tags))
        .scalar_subquery()
    )
    query = (
        select(Article.id)
        .select_from(window)
        .join(Article, Article.id == window.c.id)
        .order_by(shared_tags.desc(), Article.published_at.desc(), Article.id.desc())
        .limit(limit)
    )
    return db.session.scalars(query).all()
