"""What is filed under a section, type, tag or author: the one look-up of each, which the
reader's listing pages and their Atom feeds share.

Each gives the name's row (404 when there is none) and its visible articles, newest first.
"""

from sqlalchemy import Select, select

from rsflask.db import db
from rsflask.models import Article, ArticleAuthor, ArticleType, Author, Section, Tag, published
from rsflask.models.content import article_tags


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
