"""Full-text search: what is found and in what order, snippets, the index in step, bad input."""

import re
from datetime import timedelta

import pytest
from flask_migrate import downgrade, upgrade
from sqlalchemy import delete, func, inspect, select, update

from rsflask.article_files import ArticleFile
from rsflask.article_import import save_article
from rsflask.db import db, utcnow
from rsflask.demo import generate_articles
from rsflask.models import Article, Author
from rsflask.search_index import article_search, clean
from tests.conftest import htmx


def found(client, query: str, **params) -> list[str]:
    """The slugs of the results page for `query`, in the order shown."""
    response = client.get("/search", query_string={"q": query, **params})
    assert response.status_code == 200
    return re.findall(r'<h2><a href="/articles/([^"]+)">', response.get_data(as_text=True))


def resave(article: Article, **changes) -> None:
    """Save the article again as an import or the editor would, with some fields changed."""
    fields = {
        "title": article.title,
        "body": article.body_md,
        "slug": article.slug,
        "dek": article.dek,
        "section": article.section.name,
        "type": article.article_type.name,
        "tags": [tag.name for tag in article.tags],
        "authors": [author.name for author in article.authors],
        "status": article.status,
        "published": article.published_at,
    }
    save_article(ArticleFile(**(fields | changes)))
    db.session.commit()


def index_rows() -> int:
    return db.session.scalar(select(func.count()).select_from(article_search))


def test_a_title_match_ranks_above_a_body_only_match(client, add_article):
    add_article("Monsoon diplomacy in the Bay of Bengal", body="Ports and treaties.\n")
    # Newer, so that it would come first if results were only sorted by date.
    add_article(
        "Ports of the south",
        body="A word on the monsoon, in passing.\n",
        published=utcnow() - timedelta(minutes=1),
    )
    assert found(client, "monsoon") == [
        "monsoon-diplomacy-in-the-bay-of-bengal",
        "ports-of-the-south",
    ]


def test_finds_by_tag_and_by_author_name(client, add_article):
    add_article("Rivers and dams", tags=["Hydropower"], authors=["Zofia Brandt"])
    add_article("Something else", tags=["Elections"], authors=["Ada Writer"])
    assert found(client, "hydropower") == ["rivers-and-dams"]
    assert found(client, "Brandt") == ["rivers-and-dams"]
    assert found(client, "zofia brandt") == ["rivers-and-dams"]


def test_finds_words_as_readers_type_and_write_them(client, add_article):
    add_article(
        "Notes",
        body="Un**believ**able talks.\n\n- alpha\n- beta\n\nThe Zürich accord on sanctions.\n",
    )
    # Inline markup does not split a word; list items are not glued together.
    assert found(client, "unbelievable") == ["notes"]
    assert found(client, "beta") == ["notes"]
    # Stems, accents and an unfinished last word.
    assert found(client, "sanction") == ["notes"]
    assert found(client, "zurich") == ["notes"]
    assert found(client, "alph") == ["notes"]


def test_snippet_marks_the_word_and_escapes_everything_else(client, add_article):
    add_article(
        "Airships",
        body="The zeppelin `<img src=x onerror=alert(1)>` *flies* & <b>lands</b>.\n\n"
        "<script>alert(2)</script>\n",
    )
    html = client.get("/search?q=zeppelin").get_data(as_text=True)
    snippet = re.search(r'<p class="snippet">(.*?)</p>', html, re.S).group(1)
    assert "<mark>zeppelin</mark>" in snippet
    assert "&lt;img src=x onerror=alert(1)&gt;" in snippet
    assert "flies &amp; lands" in snippet
    # No tag but the highlights: not the article's markup, not the text that looks like a tag.
    assert re.findall(r"</?(\w+)", snippet) == ["mark", "mark"]
    assert "alert(2)" not in html


@pytest.mark.parametrize("status", ["draft", "review", "trash"])
def test_articles_readers_may_not_see_are_not_found(client, add_article, status):
    add_article("Hidden glacier", status=status)
    add_article("Visible glacier")
    assert found(client, "glacier") == ["visible-glacier"]


def test_a_scheduled_article_is_found_once_its_time_has_come(client, add_article):
    add_article("Scheduled glacier", published=utcnow() + timedelta(hours=1))
    assert found(client, "glacier") == []
    # Its time comes without anything being saved: no session event, no write to the index.
    db.session.execute(
        update(Article).values(published_at=utcnow() - timedelta(minutes=1)),
        execution_options={"synchronize_session": False},
    )
    db.session.commit()
    # Asked in other words, so that no page kept from before (until the old time) answers.
    assert found(client, "Glacier") == ["scheduled-glacier"]


def test_a_new_title_is_found_and_the_old_one_is_not(client, add_article):
    article = add_article("Walrus summit", body="Talks in the north.\n")
    assert found(client, "walrus") == ["walrus-summit"]
    resave(article, title="Narwhal summit")
    assert found(client, "walrus") == []
    assert found(client, "narwhal") == ["walrus-summit"]


def test_a_changed_tag_is_found_and_the_old_one_is_not(client, add_article):
    article = add_article("Harbour deal", tags=["Shipping"])
    assert found(client, "shipping") == ["harbour-deal"]
    resave(article, tags=["Fisheries"])
    assert found(client, "shipping") == []
    assert found(client, "fisheries") == ["harbour-deal"]


def test_a_renamed_author_is_found_by_the_new_name(client, add_article):
    add_article("Harbour deal", authors=["Jon Quill"])
    author = db.session.scalar(select(Author).filter_by(name="Jon Quill"))
    author.name = "Jon Pennywhistle"
    db.session.commit()
    assert found(client, "quill") == []
    assert found(client, "pennywhistle") == ["harbour-deal"]


def test_publishing_and_trashing_are_followed(client, add_article):
    article = add_article("Tundra report", status="draft")
    assert found(client, "tundra") == []
    article.status = "published"
    db.session.commit()
    assert found(client, "tundra") == ["tundra-report"]
    article.status = "trash"
    db.session.commit()
    assert found(client, "tundra") == []


def test_a_deleted_article_leaves_the_index(client, add_article):
    add_article("Kept steppe")
    article = add_article("Deleted steppe")
    assert index_rows() == 2
    db.session.delete(article)
    db.session.commit()
    assert index_rows() == 1
    assert found(client, "steppe") == ["kept-steppe"]


def test_reindex_command_rebuilds_an_index_that_lost_its_rows(client, runner, add_article):
    add_article("Archipelago")
    db.session.execute(delete(article_search))
    db.session.commit()
    assert found(client, "archipelago") == []
    result = runner.invoke(args=["search", "reindex"])
    assert result.exit_code == 0, result.output
    assert "1 articles indexed." in result.output
    assert found(client, "archipelago") == ["archipelago"]


def test_generated_demo_articles_are_indexed(client, add_article):
    model = add_article("Delta barrage")
    generate_articles(3, [model], start=utcnow() - timedelta(days=1))
    assert len(found(client, "barrage")) == 4


def test_results_come_ten_to_a_page(client, add_article):
    for number in range(12):
        add_article(f"Canal story {number}")
    first = client.get("/search?q=canal").get_data(as_text=True)
    assert "12 results for “canal”, page 1 of 2" in first
    assert len(found(client, "canal")) == 10
    assert 'rel="next" href="/search?q=canal&amp;page=2"' in first
    assert len(found(client, "canal", page=2)) == 2
    assert client.get("/search?q=canal&page=3").status_code == 404
    assert client.get("/search?q=canal&page=0").status_code == 404
    assert client.get("/search?q=canal&page=two").status_code == 404


def test_past_max_ranked_matches_only_the_newest_are_ranked_and_the_page_says_so(
    client, add_article, monkeypatch
):
    monkeypatch.setattr("rsflask.search.MAX_RANKED", 3)
    for number in range(3):
        add_article(f"Canal story {number}")
    # Newer, but readers may not see them: they take no place among those ranked.
    add_article("Canal draft", status="draft", published=utcnow())
    add_article("Canal to come", published=utcnow() + timedelta(days=1))
    html = client.get("/search?q=canal").get_data(as_text=True)
    assert "3 results for “canal”" in html and "More than" not in html

    add_article("Canal story 3")
    html = client.get("/search?q=canal").get_data(as_text=True)
    assert "More than 3 results for “canal”: the best of the newest are shown" in html
    assert "Add a word to narrow the search." in html
    assert sorted(found(client, "canal")) == [f"canal-story-{n}" for n in (1, 2, 3)]
    assert found(client, "canal story 0") == ["canal-story-0"]


def test_the_last_word_matches_longer_words_until_the_words_as_typed_fill_the_ranking(
    client, add_article, monkeypatch
):
    monkeypatch.setattr("rsflask.search.MAX_RANKED", 3)
    add_article("Canal tolls", body="The canals pay for themselves.\n")
    add_article("Canalside homes", body="Houses by the water.\n")
    # "canal" and its stem (canals) in one article, the longer word "canalside" in the other.
    assert sorted(found(client, "canal")) == ["canal-tolls", "canalside-homes"]
    for number in range(3):
        add_article(f"Canal story {number}")
    add_article("Canalside cafes")
    # The word as typed fills the ranking now: the newest article, with only the longer word,
    # is not among those ranked.
    html = client.get("/search?q=canal").get_data(as_text=True)
    assert "More than 3 results for “canal”" in html
    assert sorted(found(client, "canal")) == [f"canal-story-{n}" for n in range(3)]
    # A word readers have not finished still finds the longer one.
    assert sorted(found(client, "canalsi")) == ["canalside-cafes", "canalside-homes"]


def test_nothing_found_says_so_and_echoes_the_query_safely(client, add_article):
    add_article("Canal story")
    html = client.get("/search", query_string={"q": "<b>zzz</b>"}).get_data(as_text=True)
    assert "Nothing found for “&lt;b&gt;zzz&lt;/b&gt;”." in html
    assert 'value="&lt;b&gt;zzz&lt;/b&gt;"' in html
    assert "<b>zzz" not in html


def test_control_characters_are_not_echoed_into_the_page(client, add_article):
    add_article("Canal story")
    response = client.get("/search", query_string={"q": "canal\x00\x1b story"})
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "\x00" not in html and "\x1b" not in html
    assert 'value="canal story"' in html and "1 result for “canal story”" in html


def test_the_empty_search_page_invites_a_query(client):
    html = client.get("/search").get_data(as_text=True)
    assert "Nothing found" not in html
    assert "Search titles, standfirsts, text, tags and authors" in html


HOSTILE_QUERIES = [
    "",
    "   ",
    "\t\n",
    '"',
    "'",
    '""',
    '"grid',
    "grid'",
    "*",
    "grid*",
    "NEAR(",
    "NEAR(grid report, 2)",
    "title:x",
    "body:grid",
    "{title body}:grid",
    "AND",
    "OR NOT",
    "grid AND",
    "NOT grid",
    "grid OR report",
    "(((",
    ")",
    "(grid",
    "^",
    "^grid",
    "-",
    "-grid",
    "grid:*",
    "grid <-> report",
    "!grid & |",
    "\\",
    "%",
    "_",
    "%_%",
    "\x00",
    "grid\x00report",
    "🙂",
    "🇪🇺 grid 🙂",
    "مرحبا بالعالم",
    "\u202egrid\u202c",
    "e\u0301te\u0301",
    "Z\u0351\u036b\u0343a\u0362\u0337l\u0301g\u0301o",
    "\U0010ffff",
    "\ufeff",
    "' OR 1=1 --",
    "<script>alert(1)</script>",
    "&amp; &#x3C;",
    "x" * 10_000,
    "grid " * 2_000,
    "a" * 300,
]


@pytest.mark.parametrize("query", HOSTILE_QUERIES)
def test_any_query_is_answered_without_an_error(client, add_article, query):
    add_article("Grid report", tags=["Energy"])
    for headers in ({}, htmx()):
        # Exceptions propagate in tests, so a crash fails here with its traceback.
        response = client.get("/search", query_string={"q": query}, headers=headers)
        html = response.get_data(as_text=True)
        assert response.status_code == 200
        assert "<script>alert(1)</script>" not in html
        if clean(query):
            assert "Nothing found for" in html or "result for" in html or "results for" in html


def test_an_htmx_request_gets_the_results_only(client, add_article):
    add_article("Grid report")
    fragment = client.get("/search?q=grid", headers=htmx()).get_data(as_text=True)
    assert "<html" not in fragment and "<form" not in fragment
    assert "1 result for “grid”" in fragment
    page = client.get("/search?q=grid").get_data(as_text=True)
    assert "<html" in page and "1 result for “grid”" in page
    restore = htmx(**{"HX-History-Restore-Request": "true"})
    assert "<html" in client.get("/search?q=grid", headers=restore).get_data(as_text=True)


def test_search_responses_vary_on_htmx_headers(client, add_article):
    add_article("Grid report")
    for headers in ({}, htmx()):
        vary = client.get("/search?q=grid", headers=headers).headers.get("Vary", "")
        assert "HX-Request" in vary and "HX-History-Restore-Request" in vary


def test_the_search_form_works_without_and_with_javascript(client):
    page = client.get("/search?q=grid").get_data(as_text=True)
    form = re.search(r"<form[^>]*>", page).group(0)
    assert 'role="search"' in form and 'action="/search"' in form and 'method="get"' in form
    assert 'data-hx-get="/search"' in form and 'data-hx-target="#search-results"' in form
    assert 'data-hx-push-url="true"' in form and "input changed delay:300ms" in form
    assert '<label for="search-q">' in page and 'id="search-q" name="q" value="grid"' in page
    assert '<div id="search-results">' in page


def test_every_page_has_a_search_box_in_the_header(client, add_article):
    add_article("Grid report")
    for url in ("/", "/latest", "/articles/grid-report"):
        html = client.get(url).get_data(as_text=True)
        header = html[html.index('<header class="masthead">') : html.index("</header>")]
        assert 'role="search" action="/search" method="get"' in header
        assert '<label class="visually-hidden" for="masthead-q">' in header
        assert 'type="search" id="masthead-q" name="q"' in header


def test_the_migration_goes_down_and_up_and_indexes_what_is_stored(app, client, add_article):
    add_article("Fjord treaty")
    db.session.remove()
    downgrade(revision="0001")
    assert not inspect(db.engine).has_table("article_search")
    upgrade()
    assert found(client, "fjord") == ["fjord-treaty"]
