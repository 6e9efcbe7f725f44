"""The search index kept in step with every change readers could search for.

SQLite searches an FTS5 table, PostgreSQL a weighted tsvector with a GIN index; both are the
table `article_search` (migration 0002), one row per article, keyed by the article's id. Every
article is indexed whatever its status: what readers may see is decided when searching
(search.py).
"""

from collections.abc import Iterable

from sqlalchemy import (
    Connection,
    Integer,
    Text,
    column,
    delete,
    event,
    insert,
    inspect,
    literal_column,
    select,
    table,
    text,
)
from sqlalchemy.orm import Session

from rsflask.db import db
from rsflask.generation import bump_generation
from rsflask.models import Article, ArticleAuthor, Author, Tag
from rsflask.models.content import article_tags
from rsflask.stored_html import plain_text
from rsflask.text import drop_control

# A tsvector holds at most 1 MB; no article comes near this, but a pasted dump must not fail a save.
MAX_BODY_LENGTH = 300_000
# PostgreSQL's English stemming with accents ignored, as FTS5's remove_diacritics does.
TEXT_SEARCH_CONFIGURATION = "english_unaccent"

article_search = table(
    "article_search",
    column("rowid", Integer),
    column("article_id", Integer),
    column("title", Text),
    column("dek", Text),
    column("body", Text),
    column("tags", Text),
    column("authors", Text),
    column("search_vector"),
)


def reindex_all() -> int:
    """Rewrite the whole index (after bulk inserts that bypass the ORM). The caller commits."""
    connection = db.session.connection()
    connection.execute(delete(article_search))
    ids = connection.scalars(select(Article.id).order_by(Article.id)).all()
    batch = 500
    for start in range(0, len(ids), batch):
        write_index(connection, ids[start : start + batch])
    compact_index()
    # No ORM flush happened, so nothing told the page cache that results may have changed.
    bump_generation(db.session)
    return len(ids)


def compact_index() -> None:
    """Merge FTS5's index into one segment after a bulk write. The caller commits.

    Each batch written leaves a segment, and every search reads every segment: after 100,000
    articles written in batches, ranking a common query took 3.7 ms, and 2.0 ms after this.
    PostgreSQL's GIN index needs nothing of the kind.
    """
    if db.engine.dialect.name == "sqlite":
        db.session.execute(text("INSERT INTO article_search(article_search) VALUES ('optimize')"))


def reindex(article_ids: Iterable[int]) -> None:
    """Rewrite the index rows of these articles (written bypassing the ORM). The caller commits."""
    write_index(db.session.connection(), article_ids)
    bump_generation(db.session)


def write_index(connection: Connection, article_ids: Iterable[int]) -> None:
    """Delete the articles' index rows and write them again from what is stored now."""
    ids = sorted(set(article_ids))
    if not ids:
        return
    key = "article_id" if connection.dialect.name == "postgresql" else "rowid"
    connection.execute(delete(article_search).where(article_search.c[key].in_(ids)))
    rows = {
        article.id: {
            key: article.id,
            "title": clean(article.title),
            "dek": clean(article.dek),
            "body": clean(plain_text(article.lead_html + article.rest_html))[:MAX_BODY_LENGTH],
            "tags": [],
            "authors": [],
        }
        for article in connection.execute(
            select(
                Article.id, Article.title, Article.dek, Article.lead_html, Article.rest_html
            ).where(Article.id.in_(ids))
        )
    }
    if not rows:
        return
    names = (
        select(article_tags.c.article_id, Tag.name, literal_column("'tags'"))
        .join(Tag, Tag.id == article_tags.c.tag_id)
        .where(article_tags.c.article_id.in_(list(rows)))
        .union_all(
            select(ArticleAuthor.article_id, Author.name, literal_column("'authors'"))
            .join(Author, Author.id == ArticleAuthor.author_id)
            .where(ArticleAuthor.article_id.in_(list(rows)))
        )
    )
    for article_id, name, kind in connection.execute(names):
        rows[article_id][kind].append(clean(name))
    for row in rows.values():
        row["tags"], row["authors"] = ", ".join(row["tags"]), ", ".join(row["authors"])
    connection.execute(insert(article_search), list(rows.values()))


@event.listens_for(Session, "after_flush")
def _index_flushed_changes(session: Session, flush_context) -> None:
    """Keep the index in step with every save, publish and delete, whoever makes them."""
    ids: set[int] = set()
    renamed_tags: list[int] = []
    renamed_authors: list[int] = []
    for obj in (*session.new, *session.dirty, *session.deleted):
        if isinstance(obj, Article):
            ids.add(obj.id)
        elif isinstance(obj, ArticleAuthor):
            ids.add(obj.article_id)
        elif isinstance(obj, Tag) and inspect(obj).attrs.name.history.has_changes():
            renamed_tags.append(obj.id)
        elif isinstance(obj, Author) and inspect(obj).attrs.name.history.has_changes():
            renamed_authors.append(obj.id)
    if not (ids or renamed_tags or renamed_authors):
        return
    connection = session.connection()
    # A renamed tag or author changes the text of every article filed under it.
    if renamed_tags:
        ids.update(
            connection.scalars(
                select(article_tags.c.article_id).where(article_tags.c.tag_id.in_(renamed_tags))
            )
        )
    if renamed_authors:
        ids.update(
            connection.scalars(
                select(ArticleAuthor.article_id).where(ArticleAuthor.author_id.in_(renamed_authors))
            )
        )
    write_index(connection, ids - {None})


def clean(text: str) -> str:
    return " ".join(drop_control(text).split())
