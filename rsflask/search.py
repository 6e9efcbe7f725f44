"""Full-text search: the query, the results page, and `flask search reindex`.

The index it searches, and how it is kept in step with every change, is search_index.py.
What readers may see is decided here, when searching.
"""

import math
import re
import unicodedata
from collections.abc import Callable
from typing import NamedTuple

import click
from flask import Blueprint, abort, current_app, render_template, request
from markupsafe import Markup, escape
from sqlalchemy import (
    ColumnElement,
    func,
    literal_column,
    select,
)

from rsflask import limits, search_index
from rsflask.db import db
from rsflask.fragments import wants_fragment
from rsflask.models import Article, Page, published
from rsflask.pages import visible_pages
from rsflask.pagination import page_number
from rsflask.public_pages import public_page
from rsflask.search_index import TEXT_SEARCH_CONFIGURATION, article_search, clean
from rsflask.stored_html import plain_text

bp = Blueprint("search", __name__)

PER_PAGE = 10
# Longer input is cut: nobody types more, and every word costs the database some work.
MAX_QUERY_LENGTH = 200
MAX_WORDS = 20
MIN_PREFIX_LENGTH = 3
# Pages of the site shown above the articles that match: a few, on the first page of results.
MAX_PAGES_SHOWN = 5
# Only the newest this many matches are ranked: ranking every match of a common word cost 380 ms
# at 100,000 articles, and no reader pages through 50 pages. More words narrow the search instead.
MAX_RANKED = 500
# Letters and digits; everything else (quotes, operators, brackets, emoji) only separates words.
WORD = re.compile(r"[^\W_]+")
# Control characters never reach the index (clean), so these snippet markers cannot occur in text.
START, STOP = "\x02", "\x03"


class Results(NamedTuple):
    articles: list[Article]  # this page's, best first
    site_pages: list[Page]  # pages of the site (About...) that match, on the first page only
    snippets: dict[int, Markup]
    total: int
    page: int
    pages: int
    # More articles match than MAX_RANKED: only the newest of them were ranked.
    more_than_ranked: bool

    @property
    def first(self) -> int:
        """The number of this page's first result."""
        return (self.page - 1) * PER_PAGE + 1


class FullText(NamedTuple):
    """The expressions of one search in this database's dialect."""

    key: ColumnElement[int]  # the article's id in the index
    match: ColumnElement[bool]
    rank: ColumnElement[float]  # lower is better
    snippet: ColumnElement[str]
    on_page: Callable[[list[int]], ColumnElement[bool]]


def full_text(words: list[str], prefix: bool) -> FullText:
    """A search for all these words; with `prefix`, the last also matches longer words it begins."""
    if db.engine.dialect.name == "postgresql":
        # Each word a quoted lexeme: nothing the reader types can be read as an operator.
        lexemes = " & ".join(f"'{word}'" for word in words) + (":*" if prefix else "")
        tsquery = func.to_tsquery(TEXT_SEARCH_CONFIGURATION, lexemes)
        key = article_search.c.article_id
        return FullText(
            key=key,
            match=article_search.c.search_vector.op("@@")(tsquery),
            # Negated, so that on both databases a lower rank is a better match.
            rank=-func.ts_rank_cd(article_search.c.search_vector, tsquery),
            snippet=func.ts_headline(
                TEXT_SEARCH_CONFIGURATION,
                article_search.c.body,
                tsquery,
                f"StartSel={START}, StopSel={STOP}, MaxWords=35, MinWords=15",
            ),
            on_page=key.in_,
        )
    # Each word an FTS5 string, so operators, column filters and brackets mean nothing.
    fts = literal_column("article_search")
    key = article_search.c.rowid
    return FullText(
        key=key,
        match=fts.op("MATCH")(" ".join(f'"{word}"' for word in words) + ("*" if prefix else "")),
        # Weights per column: title, dek, body, tags, authors.
        rank=func.bm25(fts, 10.0, 4.0, 1.0, 4.0, 4.0),
        snippet=func.snippet(fts, 2, START, STOP, "…", 32),
        # "+ 0" stops FTS5 from running the whole query again for each listed rowid.
        on_page=(key + 0).in_,
    )


def ranked_ids(terms: FullText) -> list[int]:
    """The newest MAX_RANKED (and one more) visible matches, best first."""
    # Ranked in one statement: a count and a page of a ranking query would match and rank
    # everything twice. Both indexes hand matches over in id order, so taking the newest stops
    # early and ranks MAX_RANKED (and one more) at most.
    newest = (
        select(terms.key.label("id"), terms.rank.label("rank"), Article.published_at)
        .join(Article, Article.id == terms.key)
        .where(terms.match, published().whereclause)
        .order_by(terms.key.desc())
        .limit(MAX_RANKED + 1)
        # SQLite would look each match up by its primary key, reading the whole row.
        .with_hint(Article, "INDEXED BY ix_articles_visibility", "sqlite")
        .subquery()
    )
    return db.session.scalars(
        select(newest.c.id).order_by(
            newest.c.rank, newest.c.published_at.desc(), newest.c.id.desc()
        )
    ).all()


def search(query: str, page: int) -> Results | None:
    """Published articles matching the words of `query`, best first; None when it has no words."""
    words = WORD.findall(unicodedata.normalize("NFKC", query[:MAX_QUERY_LENGTH]))[:MAX_WORDS]
    if not words:
        return None
    terms = full_text(words, prefix=False)
    ids = ranked_ids(terms)
    # The last word may be unfinished (results follow the typing): it also matches the longer
    # words it begins, once it is long enough not to match nearly everything, unless the words
    # as typed fill the ranking already. A prefix is costly: both indexes read every posting of
    # every word it begins, where whole words stop at the newest matches.
    if len(words[-1]) >= MIN_PREFIX_LENGTH and len(ids) <= MAX_RANKED:
        terms = full_text(words, prefix=True)
        ids = ranked_ids(terms)
    site_pages = matching_pages(words) if page == 1 else []
    more_than_ranked = len(ids) > MAX_RANKED
    if more_than_ranked:
        # The one more, fetched only to tell that there are more, is the oldest.
        ids.remove(min(ids))
    pages = math.ceil(len(ids) / PER_PAGE)
    if page > max(pages, 1):
        abort(404)
    page_ids = ids[(page - 1) * PER_PAGE : page * PER_PAGE]
    on_this_page = db.session.scalars(select(Article).where(Article.id.in_(page_ids)))
    by_id = {article.id: article for article in on_this_page}
    # The id range lets the index seek to this page's matches instead of walking all of them.
    near = terms.key.between(min(page_ids, default=0), max(page_ids, default=0))
    snippets = db.session.execute(
        select(terms.key, terms.snippet).where(terms.match, near, terms.on_page(page_ids))
    )
    return Results(
        articles=[by_id[article_id] for article_id in page_ids],
        site_pages=site_pages,
        snippets={article_id: marked(snippet) for article_id, snippet in snippets},
        total=len(ids),
        page=page,
        pages=pages,
        more_than_ranked=more_than_ranked,
    )


def matching_pages(words: list[str]) -> list[Page]:
    """Published pages whose title, dek or text hold every word, whatever its case and accents.

    Pages are a handful, outside the index: read whole and matched here, alike on both databases.
    A word matches anywhere in a word (*priva* finds *privacy*); no stemming, no ranking.
    """
    wanted = [folded(word) for word in words]
    found = []
    for page in db.session.scalars(visible_pages().order_by(Page.title, Page.id)):
        text = folded(" ".join([page.title, page.dek, plain_text(page.body_html)]))
        if all(word in text for word in wanted):
            found.append(page)
    return found[:MAX_PAGES_SHOWN]


def folded(text: str) -> str:
    """The text without accents, case folded: "Café" -> "cafe"."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


def marked(snippet: str | None) -> Markup:
    """The snippet HTML-escaped, with only the highlights we asked for made into <mark>."""
    escaped = str(escape(snippet or ""))
    return Markup(escaped.replace(START, "<mark>").replace(STOP, "</mark>"))  # noqa: S704


@bp.get("/search")
@public_page(query=("page", "q"))
def results():
    """Search results for ?q=; htmx gets the results only, as the reader types."""
    # Control characters mean nothing to the search and must not be echoed into the page.
    query = clean(request.args.get("q", "")[:MAX_QUERY_LENGTH])
    limit = current_app.config["SEARCH_RATE_LIMIT"]
    if query and not limits.allow(f"search:{limits.client_address()}", limit, 60):
        abort(429, retry_after=60)
    found = search(query, page_number())
    template = "search/_results.html" if wants_fragment() else "search/results.html"
    return render_template(template, query=query, results=found, max_ranked=MAX_RANKED)


@bp.cli.command("reindex")
def reindex_command() -> None:
    """Rebuild the search index from the articles."""
    count = search_index.reindex_all()
    db.session.commit()
    click.echo(f"{count} articles indexed.")
