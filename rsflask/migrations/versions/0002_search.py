"""Full-text search index: FTS5 on SQLite, a weighted tsvector with a GIN index on PostgreSQL

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-27 10:00:00.000000

"""
import html
import re

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None

# One row per article, keyed by the article's id; the app rewrites it on every change
# (rsflask/search.py). Weights: title A; dek, tags and authors B; body C.
# On PostgreSQL, accents are ignored as on SQLite (remove_diacritics) through a text search
# configuration that runs words through unaccent before the English stemmer.
SQLITE = """
CREATE VIRTUAL TABLE article_search USING fts5(
    title, dek, body, tags, authors,
    tokenize = 'porter unicode61 remove_diacritics 2'
)
"""
POSTGRESQL_CONFIGURATION = [
    "CREATE EXTENSION IF NOT EXISTS unaccent",
    "CREATE TEXT SEARCH CONFIGURATION english_unaccent (COPY = english)",
    "ALTER TEXT SEARCH CONFIGURATION english_unaccent"
    " ALTER MAPPING FOR hword, hword_part, word WITH unaccent, english_stem",
]
POSTGRESQL = """
CREATE TABLE article_search (
    article_id integer PRIMARY KEY
        CONSTRAINT fk_article_search_article_id_articles
        REFERENCES articles (id) ON DELETE CASCADE,
    title text NOT NULL DEFAULT '',
    dek text NOT NULL DEFAULT '',
    body text NOT NULL DEFAULT '',
    tags text NOT NULL DEFAULT '',
    authors text NOT NULL DEFAULT '',
    search_vector tsvector GENERATED ALWAYS AS (
        setweight(to_tsvector('english_unaccent', title), 'A')
        || setweight(to_tsvector('english_unaccent', dek || ' ' || tags || ' ' || authors), 'B')
        || setweight(to_tsvector('english_unaccent', body), 'C')
    ) STORED
)
"""
POSTGRESQL_INDEX = (
    "CREATE INDEX ix_article_search_search_vector ON article_search USING gin (search_vector)"
)


def upgrade():
    if op.get_bind().dialect.name == "postgresql":
        for statement in POSTGRESQL_CONFIGURATION:
            op.execute(statement)
        op.execute(POSTGRESQL)
        op.execute(POSTGRESQL_INDEX)
    else:
        op.execute(SQLITE)
    fill_index()


def downgrade():
    op.execute("DROP TABLE article_search")
    if op.get_bind().dialect.name == "postgresql":
        # The unaccent extension stays: something else in the database may use it.
        op.execute("DROP TEXT SEARCH CONFIGURATION english_unaccent")


def fill_index():
    """Index the articles already stored, so search works straight after the upgrade.

    Self-contained on purpose (a migration must not depend on code that changes later); a
    rough tag strip is enough here, and `flask search reindex` redoes it exactly.
    """
    bind = op.get_bind()
    key = "article_id" if bind.dialect.name == "postgresql" else "rowid"
    articles = bind.execute(sa.text("SELECT id, title, dek, lead_html, rest_html FROM articles"))
    rows = {
        id_: {"key": id_, "title": title, "dek": dek, "body": plain(lead + rest)}
        for id_, title, dek, lead, rest in articles
    }
    for column, query in (
        ("tags", "SELECT t.article_id, g.name FROM article_tags t JOIN tags g ON g.id = t.tag_id"
                 " ORDER BY g.name"),
        ("authors", "SELECT b.article_id, a.name FROM article_authors b"
                    " JOIN authors a ON a.id = b.author_id ORDER BY b.position"),
    ):
        names = {}
        for article_id, name in bind.execute(sa.text(query)):
            names.setdefault(article_id, []).append(name)
        for id_, row in rows.items():
            row[column] = ", ".join(names.get(id_, []))
    if rows:
        bind.execute(
            sa.text(
                f"INSERT INTO article_search ({key}, title, dek, body, tags, authors)"
                " VALUES (:key, :title, :dek, :body, :tags, :authors)"
            ),
            list(rows.values()),
        )


def plain(markup):
    text = html.unescape(re.sub(r"<[^>]*>", " ", markup))
    return " ".join(re.sub(r"[\x00-\x1f\x7f]", " ", text).split())
