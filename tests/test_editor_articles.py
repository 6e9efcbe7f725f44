"""Writing: dashboard, article form, roles, preview, autosave, revisions, conflicts, trash."""

import html
import re
from datetime import datetime, timedelta
from html.parser import HTMLParser

import markdown
import pytest

from rsflask import markup, markup_budget
from rsflask.db import db, utcnow
from rsflask.models import Article, ArticleType, Author, Revision, Section, SlugRedirect, User
from tests.conftest import htmx
from tests.editor_helpers import image_bytes, make_user, prepare_editor_tests, sign_in, upload

HOSTILE_BODY = """Hello **there**.

<script>alert(1)</script>
<img src="x.png" onerror="alert(2)">
<a href="javascript:alert(3)">a link</a> and [another](javascript:alert(4)).

<div onmouseover="alert(5)">hover</div>
<iframe src="https://evil.example"></iframe>
"""


@pytest.fixture(autouse=True)
def editor_tests(app, monkeypatch):
    prepare_editor_tests(app, monkeypatch)


@pytest.fixture
def people(app):
    """One account of each role, and the sections and types articles are filed under."""
    db.session.add_all(
        [
            Section(name="Europe", slug="europe", position=1),
            Section(name="Asia", slug="asia", position=2),
            ArticleType(name="Analysis", slug="analysis"),
            ArticleType(name="News", slug="news"),
        ]
    )
    return {
        "admin": make_user("admin@example.org", role="admin", name="Ada Admin"),
        "editor": make_user("editor@example.org", role="editor", name="Edda Editor"),
        "writer": make_user("writer@example.org", role="writer", name="Wim Writer"),
        "other_writer": make_user("other@example.org", role="writer"),
    }


@pytest.fixture
def editor(client, people):
    sign_in(client, "editor@example.org")
    return client


@pytest.fixture
def writer(client, people):
    sign_in(client, "writer@example.org")
    return client


def client_of(app, email: str):
    client = app.test_client()
    sign_in(client, email)
    return client


def stored(article_id: int) -> Article:
    """The article as the database has it now, not as this session last saw it."""
    db.session.expire_all()
    return db.session.get(Article, article_id)


def start_article(client) -> int:
    response = client.post("/editor/articles")
    assert response.status_code == 303
    return int(response.location.rsplit("/", 1)[1])


def form_fields(article: Article, **changes) -> dict:
    """What the article form would post for the article, with some fields changed."""
    published_at = article.published_at.strftime("%Y-%m-%dT%H:%M") if article.published_at else ""
    fields = {
        "title": article.title,
        "slug": article.slug,
        "dek": article.dek,
        "article_type": str(article.type_id),
        "section": str(article.section_id),
        "tags": ", ".join(tag.name for tag in article.tags),
        "authors": ", ".join(author.name for author in article.authors),
        "body": article.body_md,
        "photo_alt": article.photo_alt,
        "photo_credit": article.photo_credit,
        "published_at": published_at,
        "version": str(article.version),
    }
    return {**fields, **changes}


BUTTONS = {
    "save": "Save draft",
    "preview": "Preview",
    "publish": "Publish",
    "submit_review": "Submit for review",
}


def post_article(client, article_id: int, button: str = "save", **changes):
    """Press a button of the article form, as loaded now, after changing some fields."""
    data = form_fields(stored(article_id), **changes)
    return client.post(f"/editor/articles/{article_id}", data={**data, button: BUTTONS[button]})


def write_article(client, title: str, button: str = "save", **changes) -> Article:
    article_id = start_article(client)
    changes.setdefault("slug", "")
    response = post_article(client, article_id, button, title=title, **changes)
    assert response.status_code == 303, response.get_data(as_text=True)
    return stored(article_id)


def input_value(page: str, name: str) -> str | None:
    tag = re.search(rf'<input[^>]* name="{name}"[^>]*>', page)
    value = re.search(r' value="([^"]*)"', tag.group(0)) if tag else None
    return html.unescape(value.group(1)) if value else None


def selected_option(page: str, name: str) -> str:
    """The text of the option a select shows as chosen."""
    select = re.search(rf'<select[^>]* name="{name}"[^>]*>(.*?)</select>', page, re.S).group(1)
    return html.unescape(re.search(r"<option selected[^>]*>([^<]*)</option>", select).group(1))


def textarea_value(page: str, name: str) -> str:
    match = re.search(rf'<textarea[^>]* name="{name}"[^>]*>\r?\n?(.*?)</textarea>', page, re.S)
    return html.unescape(match.group(1))


def listed_titles(page: str) -> list[str]:
    """Titles in the dashboard's table, in order."""
    return [
        html.unescape(title)
        for title in re.findall(r'<td><a href="/editor/articles/\d+">(.*?)</a></td>', page)
    ]


def reader_sees(client, article: Article) -> bool:
    page = client.get(f"/articles/{article.slug}")
    front = client.get("/").get_data(as_text=True)
    return page.status_code == 200 and html.escape(article.title) in front


class _Events(HTMLParser):
    def __init__(self, text: str) -> None:
        super().__init__()
        self.events: list[tuple] = []
        self.feed(text)
        self.close()

    def handle_starttag(self, tag, attrs):
        self.events.append(("start", tag, sorted(attrs)))

    def handle_endtag(self, tag):
        self.events.append(("end", tag))

    def handle_data(self, data):
        if data.strip():
            self.events.append(("text", data.strip()))


def parsed(text: str) -> list[tuple]:
    """HTML as a list of tags and text, blind to attribute order and whitespace between tags."""
    return _Events(text).events


# --- Dashboard -------------------------------------------------------------------------------


@pytest.fixture
def shelf(add_article, people):
    """One article in every state."""
    add_article("A draft piece", status="draft")
    add_article("A piece in review", status="review")
    add_article("A published piece", published=utcnow() - timedelta(days=1))
    add_article("A scheduled piece", published=utcnow() + timedelta(days=2))
    trashed = add_article("A trashed piece")
    trashed.status, trashed.status_before_trash = "trash", "published"
    db.session.commit()


@pytest.mark.parametrize(
    ("status", "titles"),
    [
        ("draft", ["A draft piece"]),
        ("review", ["A piece in review"]),
        ("scheduled", ["A scheduled piece"]),
        ("published", ["A published piece"]),
        ("trash", ["A trashed piece"]),
        ("", ["A draft piece", "A piece in review", "A published piece", "A scheduled piece"]),
    ],
)
def test_dashboard_filters_by_status(editor, shelf, status, titles):
    response = editor.get(f"/editor/?status={status}")
    assert response.status_code == 200
    assert sorted(listed_titles(response.get_data(as_text=True))) == sorted(titles)


@pytest.mark.parametrize("query", ["status=everything", "page=0", "page=x", f"page={10**20}"])
def test_dashboard_refuses_bad_arguments_with_404(editor, shelf, query):
    assert editor.get(f"/editor/?{query}").status_code == 404


@pytest.mark.parametrize(
    ("search", "titles"),
    [
        ("GROWTH", ["Growth in 100% of cases", "Zero growth_rate", "Growth rate"]),
        ("%", ["Growth in 100% of cases"]),
        ("100%", ["Growth in 100% of cases"]),
        ("_", ["Zero growth_rate"]),
        ("h_r", ["Zero growth_rate"]),
        ("\\", []),
    ],
)
def test_dashboard_searches_titles_literally(editor, add_article, people, search, titles):
    for title in ["Growth in 100% of cases", "Zero growth_rate", "Growth rate", "Only 100 left"]:
        add_article(title)
    response = editor.get("/editor/", query_string={"q": search})
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert sorted(listed_titles(page)) == sorted(titles)
    assert input_value(page, "q") == search


def test_dashboard_pages_through_many_articles(editor, add_article, people):
    for number in range(30):
        add_article(f"Numbered piece {number:02d}")
    first = editor.get("/editor/").get_data(as_text=True)
    second = editor.get("/editor/?page=2").get_data(as_text=True)
    assert len(listed_titles(first)) == 25 and len(listed_titles(second)) == 5
    assert not set(listed_titles(first)) & set(listed_titles(second))
    assert 'href="/editor/?page=2"' in first
    assert editor.get("/editor/?page=3").status_code == 404


def test_writers_see_only_their_own_articles(app, writer, people):
    mine = write_article(writer, "Mine to write")
    others = client_of(app, "other@example.org")
    write_article(others, "Someone else's")
    assert listed_titles(writer.get("/editor/").get_data(as_text=True)) == [mine.title]
    page = client_of(app, "editor@example.org").get("/editor/").get_data(as_text=True)
    assert sorted(listed_titles(page)) == ["Mine to write", "Someone else's"]


# --- The article form ------------------------------------------------------------------------


def test_new_article_starts_a_draft_with_an_empty_form(editor, people):
    article_id = start_article(editor)
    article = stored(article_id)
    assert article.status == "draft" and article.created_by_id == people["editor"].id
    page = editor.get(f"/editor/articles/{article_id}").get_data(as_text=True)
    for label in [
        "Title",
        "Slug",
        "Dek",
        "Type",
        "Section",
        "Tags",
        "Authors",
        "Body (Markdown)",
        "Top photo",
        "Photo alt text",
        "Photo credit",
        "Publish time",
    ]:
        assert re.search(rf"<label for=\"\w+\">{re.escape(label)}</label>", page), label
    for button in ["Save draft", "Preview", "Publish"]:
        assert f'value="{button}"' in page
    # The slug is left for the title to make, unless the editor writes one.
    assert input_value(page, "slug") == ""


def test_saved_draft_is_kept_but_not_shown_to_readers(editor, people):
    article = write_article(
        editor,
        "Quiet diplomacy on the Baltic",
        body="First paragraph.\n\nSecond paragraph.\n",
        dek="Small states, long memories.",
        tags="Energy, Baltic",
        authors="Mara Lindqvist, Viktor Halloran",
    )
    assert article.status == "draft"
    assert article.slug == "quiet-diplomacy-on-the-baltic"
    assert [author.name for author in article.authors] == ["Mara Lindqvist", "Viktor Halloran"]
    assert sorted(tag.name for tag in article.tags) == ["Baltic", "Energy"]
    assert "<p>First paragraph.</p>" in article.body_html
    page = editor.get(f"/editor/articles/{article.id}").get_data(as_text=True)
    assert "Draft saved." in page
    assert textarea_value(page, "body") == "First paragraph.\n\nSecond paragraph.\n"
    assert editor.get(f"/articles/{article.slug}").status_code == 404
    assert not reader_sees(editor, article)


def test_publish_shows_the_article_to_readers(editor, people):
    article = write_article(editor, "A treaty nobody read", "publish", body="Its **text**.\n")
    assert article.status == "published"
    assert abs(article.published_at - utcnow()) < timedelta(minutes=1)
    assert reader_sees(editor, article)
    page = editor.get(f"/articles/{article.slug}").get_data(as_text=True)
    assert "<strong>text</strong>" in page
    section_page = editor.get(f"/sections/{article.section.slug}").get_data(as_text=True)
    assert "A treaty nobody read" in section_page
    editor_page = editor.get(f"/editor/articles/{article.id}").get_data(as_text=True)
    assert "Published." in editor_page and "View on the site" in editor_page


def test_a_future_time_schedules_and_readers_see_it_when_it_comes(editor, people):
    article_id = start_article(editor)
    later = (utcnow() + timedelta(days=3)).strftime("%Y-%m-%dT%H:%M")
    response = post_article(
        editor, article_id, "publish", title="Due on Friday", published_at=later
    )
    assert response.status_code == 303
    article = stored(article_id)
    page = editor.get(f"/editor/articles/{article_id}").get_data(as_text=True)
    assert "Scheduled. Readers will see it at the publish time." in page
    assert "Status: <strong>scheduled</strong>" in page
    assert 'value="Schedule"' in page
    assert "Due on Friday" in listed_titles(
        editor.get("/editor/?status=scheduled").get_data(as_text=True)
    )
    assert editor.get(f"/articles/{article.slug}").status_code == 404
    assert not reader_sees(editor, article)
    # Time passes; no job runs; the article is simply there.
    article.published_at = utcnow() - timedelta(minutes=1)
    db.session.commit()
    assert reader_sees(editor, article)


@pytest.mark.parametrize(
    ("button", "published_at", "label"),
    [
        ("save", None, "Save draft"),
        ("publish", None, "Update"),
        ("publish", timedelta(days=2), "Update"),
    ],
)
def test_save_is_labelled_update_once_readers_see_the_article(
    editor, people, button, published_at, label
):
    when = (utcnow() + published_at).strftime("%Y-%m-%dT%H:%M") if published_at else ""
    article = write_article(editor, "Labelled", button, published_at=when)
    page = editor.get(f"/editor/articles/{article.id}").get_data(as_text=True)
    assert input_value(page, "save") == label


def test_updating_a_published_article_says_readers_see_it(editor, people):
    article = write_article(editor, "Live already", "publish", body="First.")
    response = post_article(editor, article.id, body="Corrected.")
    assert response.status_code == 303
    article = stored(article.id)
    assert article.status == "published" and article.body_md == "Corrected."
    page = editor.get(response.location).get_data(as_text=True)
    assert "Updated. Readers see the changes now." in page


def test_the_publish_time_hint_names_the_time_zone(app, editor, people):
    app.config["TIMEZONE"] = "Europe/Stockholm"
    article_id = start_article(editor)
    page = editor.get(f"/editor/articles/{article_id}").get_data(as_text=True)
    hint = re.search(r'<p class="hint" id="published_at-hint">([^<]+)</p>', page).group(1)
    assert hint.startswith("In Europe/Stockholm time.")
    # The time typed is read in that zone: 12:00 in Stockholm in June is 10:00 UTC.
    post_article(editor, article_id, published_at="2031-06-01T12:00")
    assert stored(article_id).published_at.strftime("%Y-%m-%d %H:%M") == "2031-06-01 10:00"


def test_slug_is_editable(editor, people):
    article = write_article(editor, "A long headline about grain", "publish")
    post_article(editor, article.id, slug="grain")
    assert stored(article.id).slug == "grain"
    assert editor.get("/articles/grain").status_code == 200


@pytest.mark.parametrize("slug", ["Not A Slug", "trailing-", "a--b", "x" * 81, "émigré"])
def test_a_malformed_slug_is_refused(editor, people, slug):
    article = write_article(editor, "Some title")
    response = post_article(editor, article.id, slug=slug, body="Kept text.")
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "Use lowercase letters" in page or "Field cannot be longer" in page
    assert textarea_value(page, "body") == "Kept text."
    assert stored(article.id).slug == "some-title"


def test_slug_must_be_unique_and_the_text_is_kept(editor, people):
    write_article(editor, "First with this slug", slug="shared-name")
    second = write_article(editor, "Second one")
    response = post_article(
        editor, second.id, title="My careful title", slug="shared-name", body="Paragraph I wrote."
    )
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "Another article uses this address. Choose another slug." in page
    assert input_value(page, "title") == "My careful title"
    assert textarea_value(page, "body") == "Paragraph I wrote."
    assert stored(second.id).slug == "second-one"


def test_title_is_required_and_the_text_is_kept(editor, people):
    article_id = start_article(editor)
    response = post_article(editor, article_id, title="  ", body="Words I must not lose.")
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "This field is required." in page
    assert textarea_value(page, "body") == "Words I must not lose."
    assert stored(article_id).body_md == ""


def test_a_photo_needs_alt_text(app, editor, people):
    article_id = start_article(editor)
    photo = upload(image_bytes(), "harbour.jpg")
    response = post_article(editor, article_id, title="Harbour", photo=photo, photo_alt=" ")
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "Describe the photo for readers who cannot see it." in page
    assert input_value(page, "title") == "Harbour"
    assert stored(article_id).photo is None
    response = post_article(
        editor,
        article_id,
        title="Harbour",
        photo=upload(image_bytes(), "h.jpg"),
        photo_alt="Cranes",
    )
    assert response.status_code == 303
    assert stored(article_id).photo is not None
    # Emptying the alt text later is refused while the photo stays.
    assert post_article(editor, article_id, photo_alt="").status_code == 422
    assert stored(article_id).photo_alt == "Cranes"


def test_unknown_type_or_section_is_refused(editor, people):
    article_id = start_article(editor)
    for field in ("article_type", "section"):
        response = post_article(editor, article_id, **{field: "9999"})
        assert response.status_code == 422
        assert "Not a valid choice" in response.get_data(as_text=True)


@pytest.mark.parametrize("published_at", ["tomorrow", "2026-13-40T25:61", "9999999-01-01T00:00"])
def test_a_bad_publish_time_is_refused(editor, people, published_at):
    article_id = start_article(editor)
    response = post_article(editor, article_id, "publish", published_at=published_at)
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    # The input cannot hold what is no time (the page would not be valid HTML): the error
    # quotes it instead.
    assert input_value(page, "published_at") == ""
    assert f"“{published_at}” is not a date and time" in html.unescape(page)
    assert stored(article_id).status == "draft"


# Within a day of the calendar's ends, a local time may have no UTC equivalent.
OFF_THE_CALENDAR = [
    ("Europe/Berlin", "0001-01-01T00:30", "before the year 1 in UTC"),
    ("America/New_York", "9999-12-31T23:30", "after the year 9999 in UTC"),
]


@pytest.mark.parametrize(("zone", "published_at", "message"), OFF_THE_CALENDAR)
def test_a_publish_time_with_no_utc_equivalent_is_refused(
    app, editor, people, zone, published_at, message
):
    app.config["TIMEZONE"] = zone
    article_id = start_article(editor)
    for button in ("save", "publish"):
        response = post_article(editor, article_id, button, published_at=published_at)
        assert response.status_code == 422
        assert message in response.get_data(as_text=True)
    article = stored(article_id)
    assert (article.status, article.published_at) == ("draft", None)
    response = autosave(editor, article, published_at=published_at)
    assert response.status_code == 400
    assert db.session.scalar(db.select(Revision).filter_by(kind="autosave")) is None


def test_a_time_stored_at_the_calendars_edge_is_shown_in_utc(app, editor, people):
    article = write_article(editor, "Very old news", "publish")
    article.published_at = datetime(1, 1, 1, 2, 0)
    db.session.commit()
    app.config["TIMEZONE"] = "America/New_York"
    response = editor.get(f"/editor/articles/{article.id}")
    assert response.status_code == 200
    # Four digits, as a datetime-local input needs (strftime writes year 1 as "1" on Linux).
    assert input_value(response.get_data(as_text=True), "published_at") == "0001-01-01T02:00"
    assert editor.get("/editor/").status_code == 200
    assert editor.get(f"/articles/{article.slug}").status_code == 200


def test_an_unknown_article_is_404(editor):
    assert editor.get("/editor/articles/999").status_code == 404


# Control characters (which the feeds, being XML, cannot carry) and a non-character.
JUNK = "\x00\x08\x0b\x0c\x1b\x7f\uffff"
# Tabs and line breaks are text.
KEPT = "\t\r\n"


def test_control_characters_typed_into_the_article_form_are_not_stored(editor, people):
    article = write_article(
        editor,
        f"Bell{JUNK} title",
        "publish",
        dek=f"A{JUNK} dek",
        tags=f"Gas{JUNK}, Power",
        authors=f"Ada{JUNK} Abbott",
        body=f"Body{JUNK} text.{KEPT}More.",
        photo_alt=f"Alt{JUNK}",
        photo_credit=f"Credit{JUNK}",
    )
    assert (article.title, article.dek) == ("Bell title", "A dek")
    assert [tag.name for tag in article.tags] == ["Gas", "Power"]
    assert [author.name for author in article.authors] == ["Ada Abbott"]
    assert article.body_md == f"Body text.{KEPT}More."
    assert (article.photo_alt, article.photo_credit) == ("Alt", "Credit")
    assert article.slug == "bell-title"


def test_control_characters_are_not_autosaved(editor, people):
    article = write_article(editor, "Autosaved")
    response = autosave(editor, article, title=f"Bell{JUNK}", body=f"Typed{JUNK}{KEPT}", tags=JUNK)
    assert response.status_code == 200
    kept = db.session.scalar(db.select(Revision).filter_by(kind="autosave"))
    assert (kept.title, kept.body_md, kept.tags) == ("Bell", f"Typed{KEPT}", "")


# --- Writers ---------------------------------------------------------------------------------


def test_writer_writes_and_submits_for_review_without_a_publish_button(writer, people):
    article = write_article(writer, "From the field", body="What I saw.")
    assert article.status == "draft" and article.created_by_id == people["writer"].id
    page = writer.get(f"/editor/articles/{article.id}").get_data(as_text=True)
    assert 'name="publish"' not in page
    assert 'value="Submit for review"' in page
    response = post_article(writer, article.id, "submit_review")
    assert response.status_code == 303
    assert stored(article.id).status == "review"
    assert "Submitted for review." in writer.get(response.location).get_data(as_text=True)


def test_writer_cannot_publish_even_by_forging_the_form(writer, people):
    article = write_article(writer, "Not yet", body="Draft text.")
    response = post_article(writer, article.id, "publish", body="Forged.")
    assert response.status_code == 403
    article = stored(article.id)
    assert article.status == "draft" and article.body_md == "Draft text."
    assert writer.get(f"/articles/{article.slug}").status_code == 404


def test_writer_cannot_touch_other_peoples_articles(app, writer, people):
    theirs = write_article(client_of(app, "other@example.org"), "Theirs", body="Their text.")
    for method, path in [
        ("GET", f"/editor/articles/{theirs.id}"),
        ("POST", f"/editor/articles/{theirs.id}/autosave"),
        ("POST", f"/editor/articles/{theirs.id}/trash"),
        ("GET", f"/editor/articles/{theirs.id}/revisions"),
    ]:
        assert writer.open(path, method=method, data={"body": "x"}).status_code == 403, path
    assert post_article(writer, theirs.id, body="Mine now.").status_code == 403
    theirs = stored(theirs.id)
    assert theirs.body_md == "Their text." and theirs.status == "draft"
    assert db.session.scalar(db.select(Revision).filter_by(kind="autosave")) is None


def test_writer_cannot_edit_their_article_once_published(app, writer, people):
    article = write_article(writer, "Went out", body="As published.")
    editor = client_of(app, "editor@example.org")
    assert post_article(editor, article.id, "publish").status_code == 303
    assert writer.get(f"/editor/articles/{article.id}").status_code == 403
    assert post_article(writer, article.id, body="Changed after.").status_code == 403
    assert stored(article.id).body_md == "As published."


# --- Preview ---------------------------------------------------------------------------------


def test_live_preview_uses_the_sanitising_pipeline(editor, people):
    response = editor.post("/editor/preview", data={"body": HOSTILE_BODY}, headers=htmx())
    assert response.status_code == 200
    fragment = response.get_data(as_text=True)
    assert parsed(fragment) == parsed(markup.render(HOSTILE_BODY))
    assert "<strong>there</strong>" in fragment
    assert "<script" not in fragment and "<iframe" not in fragment
    assert not re.search(r"\son\w+\s*=", fragment)
    assert "javascript:" not in fragment.lower()
    assert "<html" not in fragment


def test_preview_without_javascript_is_a_whole_page(editor, people):
    page = editor.post("/editor/preview", data={"body": HOSTILE_BODY}).get_data(as_text=True)
    assert "<html" in page and "alert(1)</script>" not in page
    rendered, events = parsed(markup.render(HOSTILE_BODY)), parsed(page)
    assert any(events[start : start + len(rendered)] == rendered for start in range(len(events)))


def test_preview_button_shows_the_body_without_saving(editor, people):
    article = write_article(editor, "Preview me", body="Saved text.")
    response = post_article(editor, article.id, "preview", body="*Unsaved* text.")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "<em>Unsaved</em> text." in page
    assert textarea_value(page, "body") == "*Unsaved* text."
    assert stored(article.id).body_md == "Saved text."


# Shapes on which Python-Markdown (or the sanitiser after it) takes quadratic time, each filling
# the body's limit. The preview must answer each with HTML or a clear refusal, never a 500 or a
# worker killed for taking too long.
BODY_LIMIT = markup_budget.MAX_CHARACTERS
SLOW_SHAPES = {
    "open brackets": "[",
    "footnote references": "[^1]",
    "open image brackets": "![",
    "nested emphasis": "*",
    "less-than signs": "<",
    "ampersands": "&",
    "one long line": "word ",
    "nested quotes": "> ",
    "nested lists": "- ",
    "footnote definitions": "[^n]: A note.\n",
    "reference links": "[a][r] ",
    "links never closed": "[a](",
    "backticks": "`",
    "raw HTML blocks": "<div>\n",
    "attribute lists": "{:",
}
SLOW_BODIES = {name: unit * (BODY_LIMIT // len(unit)) for name, unit in SLOW_SHAPES.items()}
SLOW_BODIES["lists indented ever deeper"] = "".join(" " * 4 * n + "- x\n" for n in range(300))
REFUSAL = "This text is too complex to format: "


@pytest.mark.parametrize("body", SLOW_BODIES.values(), ids=SLOW_BODIES.keys())
def test_preview_of_a_slow_shape_at_the_body_limit_is_html_or_a_clear_refusal(
    editor, people, monkeypatch, body
):
    # The production budget grows with the text's length; 200 ms flat keeps this test short.
    per_character = markup_budget.SECONDS_PER_CHARACTER
    monkeypatch.setattr(markup_budget, "SECONDS_PER_CHARACTER", 0)
    response = editor.post("/editor/preview", data={"body": body}, headers=htmx())
    fragment = response.get_data(as_text=True)
    if response.status_code == 200:
        # The reference render gets the production budget back: a busy machine may take the
        # shortened one twice in a row only by chance, and this compares output, not speed.
        monkeypatch.setattr(markup_budget, "SECONDS_PER_CHARACTER", per_character)
        assert fragment == markup.render(body)
    else:
        assert response.status_code == 422
        assert REFUSAL in fragment and 'role="alert"' in fragment


def test_preview_refuses_open_brackets_before_rendering_them(editor, people, monkeypatch):
    monkeypatch.setattr(markdown, "markdown", None)
    response = editor.post("/editor/preview", data={"body": "[" * 5000}, headers=htmx())
    assert response.status_code == 422
    assert "too many brackets" in response.get_data(as_text=True)


def test_preview_without_javascript_of_a_refused_text_is_a_page_saying_why(editor, people):
    response = editor.post("/editor/preview", data={"body": "[^1]" * 8000 + "\n\n[^1]: A note."})
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "<html" in page and "is referred to 8,000 times" in page


@pytest.mark.parametrize("button", ["save", "preview", "publish"])
def test_a_body_too_complex_to_format_is_refused_on_the_form_and_kept_as_typed(
    editor, people, button
):
    article = write_article(editor, "Brackets", body="Saved text.")
    autosave(editor, article, body="Typed " + "[" * 5000)
    response = post_article(editor, article.id, button, body="Typed " + "[" * 5000)
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert REFUSAL in page and "too many brackets" in page
    assert textarea_value(page, "body") == "Typed " + "[" * 5000
    assert stored(article.id).body_md == "Saved text."
    kept = db.session.scalar(db.select(Revision).filter_by(kind="autosave"))
    assert kept.body_md == "Typed " + "[" * 5000


def test_restoring_a_revision_too_complex_to_format_is_refused_and_changes_nothing(editor, people):
    article = write_article(editor, "Brackets", body="Saved text.")
    autosave(editor, article, title="Other title", body="[" * 5000)
    kept = db.session.scalar(db.select(Revision).filter_by(kind="autosave"))
    response = editor.post(f"/editor/articles/{article.id}/revisions/{kept.id}/restore")
    assert response.status_code == 422
    assert "too many brackets" in response.get_data(as_text=True)
    assert (stored(article.id).title, stored(article.id).body_md) == ("Brackets", "Saved text.")


# --- Autosave --------------------------------------------------------------------------------


def autosave(client, article: Article, **changes):
    """What the form's autosave element posts: every field but the photo, some changed."""
    data = form_fields(article, **changes)
    return client.post(f"/editor/articles/{article.id}/autosave", data=data, headers=htmx())


def type_and_section(type_name: str, section_name: str) -> dict:
    return {
        "article_type": str(db.session.scalar(db.select(ArticleType.id).filter_by(name=type_name))),
        "section": str(db.session.scalar(db.select(Section.id).filter_by(name=section_name))),
    }


TYPED = {
    "slug": "retitled-story",
    "tags": "Climate, Energy",
    "authors": "Ann Author, Bo Byline",
    "photo_alt": "A wind farm at dusk",
    "photo_credit": "Photo: C. Lens",
    "published_at": "2031-05-04T08:30",
}


def test_autosave_keeps_the_text_without_changing_what_readers_see(editor, people):
    article = write_article(editor, "Live story", "publish", body="Published text.")
    response = autosave(editor, article, title="Live story, updated", body="Half-typed text")
    assert response.status_code == 200
    assert "Kept at" in response.get_data(as_text=True)
    autosave(editor, article, title="Live story, updated", body="Half-typed text, more")
    [kept] = db.session.scalars(db.select(Revision).filter_by(kind="autosave")).all()
    assert kept.body_md == "Half-typed text, more" and kept.base_version == article.version
    assert stored(article.id).body_md == "Published text."
    reader_page = editor.get(f"/articles/{article.slug}").get_data(as_text=True)
    assert "Published text." in reader_page and "Half-typed" not in reader_page


def test_the_publish_button_follows_the_typed_time_before_any_save(editor, people):
    article = write_article(editor, "Timed story", "save")
    later = (utcnow() + timedelta(days=2)).strftime("%Y-%m-%dT%H:%M")
    button = '<input id="publish" name="publish" type="submit" value="{}" data-hx-swap-oob="true">'
    assert button.format("Schedule") in autosave(editor, article, published_at=later).text
    assert button.format("Publish") in autosave(editor, article, published_at="").text


def test_a_writers_autosave_brings_no_publish_button(writer, people):
    own = write_article(writer, "Writer's story", "save")
    later = (utcnow() + timedelta(days=2)).strftime("%Y-%m-%dT%H:%M")
    response = autosave(writer, own, published_at=later)
    assert "Kept at" in response.text and 'id="publish"' not in response.text


def test_reopening_the_article_recovers_the_autosaved_text(editor, people):
    article = write_article(editor, "Closed tab", body="Saved text.")
    autosave(editor, article, title="Closed tab, retitled", body="Typed before the tab closed.")
    page = editor.get(f"/editor/articles/{article.id}").get_data(as_text=True)
    assert "We restored text you typed" in page
    assert input_value(page, "title") == "Closed tab, retitled"
    assert textarea_value(page, "body") == "Typed before the tab closed."


def test_reopening_the_article_recovers_every_field_but_the_photo(editor, people):
    article = write_article(
        editor,
        "Closed tab",
        body="Saved text.",
        tags="Weather",
        authors="Old Hand",
        **type_and_section("News", "Europe"),
    )
    typed = {**TYPED, **type_and_section("Analysis", "Asia")}
    assert autosave(editor, article, body="Typed too.", **typed).status_code == 200
    page = editor.get(f"/editor/articles/{article.id}").get_data(as_text=True)
    assert "We restored text you typed" in page
    for name in ("slug", "tags", "authors", "photo_alt", "photo_credit", "published_at"):
        assert input_value(page, name) == TYPED[name], name
    assert selected_option(page, "article_type") == "Analysis"
    assert selected_option(page, "section") == "Asia"
    assert textarea_value(page, "body") == "Typed too."
    # Nothing of it reached the article until it is saved.
    article = stored(article.id)
    assert [tag.name for tag in article.tags] == ["Weather"] and article.published_at is None


def test_an_emptied_publish_time_is_recovered_empty(editor, people):
    article = write_article(editor, "Timed", published_at="2031-05-04T08:30")
    autosave(editor, article, published_at="")
    page = editor.get(f"/editor/articles/{article.id}").get_data(as_text=True)
    assert "We restored text you typed" in page
    assert input_value(page, "published_at") in (None, "")


def test_a_page_that_sends_only_the_text_keeps_the_other_fields_as_saved(editor, people):
    """A page loaded before autosave kept every field posts the title, dek and body alone."""
    article = write_article(editor, "Old page", tags="Weather", published_at="2031-05-04T08:30")
    data = {"title": "Old page, retitled", "dek": "", "body": "", "version": str(article.version)}
    response = editor.post(f"/editor/articles/{article.id}/autosave", data=data, headers=htmx())
    assert response.status_code == 200
    page = editor.get(f"/editor/articles/{article.id}").get_data(as_text=True)
    assert input_value(page, "title") == "Old page, retitled"
    assert input_value(page, "tags") == "Weather"
    assert input_value(page, "published_at") == "2031-05-04T08:30"
    assert input_value(page, "slug") == "old-page"


@pytest.mark.parametrize("name", ["article_type", "section"])
def test_autosave_refuses_a_type_or_section_that_does_not_exist(editor, people, name):
    article = write_article(editor, "Forged")
    assert autosave(editor, article, **{name: "999"}).status_code == 400
    assert db.session.scalar(db.select(Revision).filter_by(kind="autosave")) is None


def test_discarding_the_autosave_shows_the_saved_version(editor, people):
    article = write_article(editor, "Second thoughts", body="Saved text.")
    autosave(editor, article, body="Text I do not want.")
    response = editor.post(f"/editor/articles/{article.id}/autosave/discard")
    assert response.status_code == 303
    page = editor.get(response.location).get_data(as_text=True)
    assert "We restored text" not in page
    assert textarea_value(page, "body") == "Saved text."
    assert db.session.scalar(db.select(Revision).filter_by(kind="autosave")) is None


def test_an_explicit_save_replaces_the_autosave(editor, people):
    article = write_article(editor, "Saved properly", body="First.")
    autosave(editor, article, body="First, and second.")
    assert post_article(editor, article.id, body="First, and second.").status_code == 303
    assert db.session.scalar(db.select(Revision).filter_by(kind="autosave")) is None
    page = editor.get(f"/editor/articles/{article.id}").get_data(as_text=True)
    assert "We restored text" not in page
    assert textarea_value(page, "body") == "First, and second."


def test_autosave_says_when_someone_else_saved_meanwhile(app, editor, people):
    article = write_article(editor, "Busy article", body="One.")
    loaded_version = article.version
    admin = client_of(app, "admin@example.org")
    assert post_article(admin, article.id, body="Admin's change.").status_code == 303
    response = autosave(editor, article, body="My typing.", version=str(loaded_version))
    assert response.status_code == 200
    assert "Someone else has saved a newer version." in response.get_data(as_text=True)


def test_autosaved_text_survives_someone_elses_later_save(app, editor, people):
    """A types, autosave keeps it, A closes the tab, B saves, A reopens the article."""
    article = write_article(editor, "Shared story", body="Common start.")
    typed = "Common start.\n\nA's paragraph, never saved."
    autosave(editor, article, body=typed)
    admin = client_of(app, "admin@example.org")
    theirs = "Common start.\n\nB's paragraph."
    assert post_article(admin, article.id, body=theirs).status_code == 303

    page = editor.get(f"/editor/articles/{article.id}").get_data(as_text=True)
    assert "We restored text you typed" in page
    assert "The article has changed since." in page
    assert "Ada Admin saved the article at" in page
    assert textarea_value(page, "body") == typed
    # Both versions can be compared, line by line.
    assert '<span class="diff-del">\u2212 B&#39;s paragraph.</span>' in page
    assert '<span class="diff-add">+ A&#39;s paragraph, never saved.</span>' in page

    # The reopened form's next autosave keeps A's text, based on B's version now...
    form_version = input_value(page, "version")
    assert form_version == str(stored(article.id).version)
    autosave(editor, stored(article.id), body=typed + " More.", version=form_version)
    kept = db.session.scalar(db.select(Revision).filter_by(kind="autosave"))
    assert kept.body_md == typed + " More."
    # ...and saving it keeps A's text, with B's still under Revisions.
    assert post_article(editor, article.id, body=typed + " More.").status_code == 303
    assert stored(article.id).body_md == typed + " More."
    assert theirs in [r.body_md for r in saved_revisions(article.id)]


def test_changed_fields_are_compared_when_someone_saved_meanwhile(app, editor, people):
    article = write_article(editor, "Tagged", tags="Weather", photo_credit="Photo: Old")
    autosave(editor, article, tags="Weather, Storms", photo_credit="Photo: New")
    admin = client_of(app, "admin@example.org")
    assert post_article(admin, article.id, body="Admin's change.").status_code == 303
    page = editor.get(f"/editor/articles/{article.id}").get_data(as_text=True)
    assert "The article has changed since." in page
    assert input_value(page, "tags") == "Weather, Storms"
    assert "<h2>Tags</h2>" in page and "<h2>Photo credit</h2>" in page
    assert '<span class="diff-add">+ Storms, Weather</span>' in page
    assert '<span class="diff-del">\u2212 Photo: Old</span>' in page
    # Fields that agree are not listed.
    assert "<h2>Slug</h2>" not in page and "<h2>Authors</h2>" not in page


def test_an_autosave_of_the_form_as_loaded_is_not_offered(editor, people):
    """Names spaced differently, or a publish time to the minute where the article has
    seconds, are what the form would save anyway."""
    article = write_article(editor, "Unchanged", "publish", tags="Weather, Storms")
    article.published_at = article.published_at.replace(second=37)
    db.session.commit()
    autosave(editor, article, tags="Weather,Storms")
    page = editor.get(f"/editor/articles/{article.id}").get_data(as_text=True)
    assert "We restored text" not in page


def test_an_autosave_that_matches_the_saved_text_is_not_offered(app, editor, people):
    article = write_article(editor, "Same words", body="Original.")
    autosave(editor, article, body="Agreed wording.")
    admin = client_of(app, "admin@example.org")
    assert post_article(admin, article.id, body="Agreed wording.").status_code == 303
    page = editor.get(f"/editor/articles/{article.id}").get_data(as_text=True)
    assert "We restored text" not in page
    assert textarea_value(page, "body") == "Agreed wording."


def test_the_autosave_element_posts_what_is_typed_after_a_pause(editor, people):
    article_id = start_article(editor)
    page = editor.get(f"/editor/articles/{article_id}").get_data(as_text=True)
    element = re.search(r'<p id="autosave-status"[^>]*>', page).group(0)
    attributes = dict(re.findall(r'([\w-]+)="([^"]*)"', html.unescape(element)))
    assert attributes["data-hx-post"] == f"/editor/articles/{article_id}/autosave"
    trigger = attributes["data-hx-trigger"]
    assert re.search(r"\binput\b.*\bdelay:\d+m?s\b", trigger)
    assert "from:#article-form" in trigger
    included = attributes["data-hx-include"]
    # Every field but the photos, which would be uploaded again at every pause in typing.
    expected = {"csrf_token", "version", "title", "slug", "dek", "article_type", "section"}
    expected |= {"tags", "authors", "body", "photo_alt", "photo_credit", "published_at"}
    expected |= {"social_title", "social_description", "canonical_url", "noindex"}
    assert set(re.findall(r"#article-form \[name=(\w+)\]", included)) == expected


@pytest.mark.parametrize("version", ["", "abc", "-1", "\u00b2", "99999999999999999999999"])
def test_autosave_with_an_odd_version_still_keeps_the_text(editor, people, version):
    article = write_article(editor, "Odd", body="Saved.")
    response = autosave(editor, article, body="Typed.", version=version)
    assert response.status_code == 200
    kept = db.session.scalar(db.select(Revision).filter_by(kind="autosave"))
    assert kept.body_md == "Typed."


# --- Revisions -------------------------------------------------------------------------------


def saved_revisions(article_id: int) -> list[Revision]:
    return db.session.scalars(
        db.select(Revision).filter_by(article_id=article_id, kind="save").order_by(Revision.id)
    ).all()


def test_every_save_keeps_a_revision_and_the_list_shows_them(editor, people):
    article = write_article(editor, "Version one", body="Line one.\nLine two.\n")
    post_article(editor, article.id, title="Version two")
    post_article(editor, article.id, title="Version three", body="Line one.\nLine 2, redone.\n")
    revisions = saved_revisions(article.id)
    assert [r.title for r in revisions] == ["Version one", "Version two", "Version three"]
    assert revisions[-1].user_id == editor_id()
    page = editor.get(f"/editor/articles/{article.id}/revisions").get_data(as_text=True)
    for title in ["Version one", "Version two", "Version three"]:
        assert f"“{title}”" in page
    assert "by Edda Editor" in page


def editor_id() -> int:
    return db.session.scalar(db.select(User.id).filter_by(email="editor@example.org"))


def test_the_diff_shows_removed_and_added_lines(editor, people):
    article = write_article(editor, "Diffed", body="Line one.\nLine two.\n")
    post_article(editor, article.id, body="Line one.\nLine 2, redone.\n")
    first = saved_revisions(article.id)[0]
    page = editor.get(f"/editor/articles/{article.id}/revisions/{first.id}").get_data(as_text=True)
    assert '<span class="diff-del">\u2212 Line two.</span>' in page
    assert '<span class="diff-add">+ Line 2, redone.</span>' in page
    assert '<span class="diff-same">  Line one.</span>' in page


def test_the_diff_shows_other_fields_that_changed(editor, people):
    article = write_article(editor, "Diffed fields", tags="Weather")
    post_article(editor, article.id, tags="Weather, Storms", **type_and_section("News", "Asia"))
    first = saved_revisions(article.id)[0]
    page = editor.get(f"/editor/articles/{article.id}/revisions/{first.id}").get_data(as_text=True)
    assert "<h2>Tags</h2>" in page and "<h2>Type</h2>" in page
    assert '<span class="diff-add">+ Storms, Weather</span>' in page
    assert '<span class="diff-add">+ News</span>' in page
    assert "<h2>Slug</h2>" not in page


def test_restoring_a_revision_brings_back_its_text_as_a_new_save(editor, people):
    article = write_article(editor, "Original title", body="Original body.")
    post_article(editor, article.id, title="Worse title", body="Worse body.")
    first = saved_revisions(article.id)[0]
    response = editor.post(f"/editor/articles/{article.id}/revisions/{first.id}/restore")
    assert response.status_code == 303
    article = stored(article.id)
    assert (article.title, article.body_md) == ("Original title", "Original body.")
    revisions = saved_revisions(article.id)
    assert len(revisions) == 3 and revisions[-1].title == "Original title"
    assert "The revision is restored." in editor.get(response.location).get_data(as_text=True)


def test_a_revision_of_another_article_is_404(editor, people):
    first = write_article(editor, "First")
    second = write_article(editor, "Second")
    revision = saved_revisions(first.id)[0]
    assert editor.get(f"/editor/articles/{second.id}/revisions/{revision.id}").status_code == 404
    restore = f"/editor/articles/{second.id}/revisions/{revision.id}/restore"
    assert editor.post(restore).status_code == 404
    assert stored(second.id).title == "Second"


def test_an_autosave_is_seen_and_restored_by_its_typist_alone(app, writer, people):
    article = write_article(writer, "Shared draft", body="Saved text.")
    editor = client_of(app, "editor@example.org")
    autosave(editor, article, body="The editor's unsaved text.")
    autosave(writer, article, body="The writer's unsaved text.")
    theirs, mine = (
        db.session.scalar(db.select(Revision).filter_by(kind="autosave", user_id=people[who].id))
        for who in ("editor", "writer")
    )
    saved = saved_revisions(article.id)[0]
    base = f"/editor/articles/{article.id}/revisions"
    assert writer.get(f"{base}/{theirs.id}").status_code == 404
    assert writer.post(f"{base}/{theirs.id}/restore").status_code == 404
    assert stored(article.id).body_md == "Saved text."
    # Their own unsaved text, and any saved revision, whoever saved it.
    assert "The writer&#39;s unsaved text." in writer.get(f"{base}/{mine.id}").text
    assert "The editor&#39;s unsaved text." in editor.get(f"{base}/{theirs.id}").text
    assert editor.get(f"{base}/{mine.id}").status_code == 404
    assert writer.get(f"{base}/{saved.id}").status_code == 200
    assert editor.get(f"{base}/{saved.id}").status_code == 200


# --- Two people, one article -----------------------------------------------------------------


def test_the_second_of_two_conflicting_saves_is_refused_and_keeps_its_text(app, editor, people):
    article = write_article(editor, "Shared piece", body="Common start.")
    admin = client_of(app, "admin@example.org")
    # Both load the same version of the form.
    mine = form_fields(stored(article.id), body="My version of the text.")
    theirs = form_fields(stored(article.id), body="Their version of the text.")
    response = admin.post(f"/editor/articles/{article.id}", data={**theirs, "save": "x"})
    assert response.status_code == 303

    response = editor.post(f"/editor/articles/{article.id}", data={**mine, "save": "x"})
    assert response.status_code == 409
    page = response.get_data(as_text=True)
    assert "Not saved: Ada Admin saved this article at" in page
    assert "Your text is kept below." in page
    assert textarea_value(page, "body") == "My version of the text."
    assert stored(article.id).body_md == "Their version of the text."

    # Saving again, from the form the 409 gave back, replaces theirs with mine.
    again = {**mine, "version": input_value(page, "version"), "save": "x"}
    assert editor.post(f"/editor/articles/{article.id}", data=again).status_code == 303
    assert stored(article.id).body_md == "My version of the text."


# --- Slugs of published articles ------------------------------------------------------------


def test_a_changed_slug_of_a_published_article_redirects_permanently(editor, people):
    article = write_article(editor, "Old name", "publish")
    assert post_article(editor, article.id, slug="new-name").status_code == 303
    response = editor.get("/articles/old-name")
    assert response.status_code == 301 and response.location.endswith("/articles/new-name")
    assert editor.get("/articles/new-name").status_code == 200
    # Nobody else may take the old address...
    other = write_article(editor, "Another piece")
    response = post_article(editor, other.id, slug="old-name")
    assert response.status_code == 422
    assert "Another article uses this address" in response.get_data(as_text=True)
    # ...but the article itself may go back to it.
    assert post_article(editor, article.id, slug="old-name").status_code == 303
    assert editor.get("/articles/old-name").status_code == 200
    assert editor.get("/articles/new-name").status_code == 301
    assert db.session.get(SlugRedirect, "old-name") is None


def test_a_draft_slug_change_leaves_no_redirect(editor, people):
    article = write_article(editor, "Draft name")
    post_article(editor, article.id, slug="better-name")
    assert db.session.scalar(db.select(SlugRedirect)) is None


# --- Trash -----------------------------------------------------------------------------------


def test_trash_answers_410_and_restore_brings_the_article_back(editor, people):
    article = write_article(editor, "Regretted", "publish")
    response = editor.post(f"/editor/articles/{article.id}/trash")
    assert response.status_code == 303
    assert "is in the trash" in editor.get(response.location).get_data(as_text=True)
    assert stored(article.id).status == "trash"
    gone = editor.get(f"/articles/{article.slug}")
    assert gone.status_code == 410
    assert "This article has been removed" in gone.get_data(as_text=True)
    assert not reader_sees(editor, article)
    assert "Regretted" in listed_titles(editor.get("/editor/?status=trash").get_data(as_text=True))
    assert "Regretted" not in listed_titles(editor.get("/editor/").get_data(as_text=True))

    response = editor.post(f"/editor/articles/{article.id}/restore")
    assert response.status_code == 303
    assert stored(article.id).status == "published"
    assert reader_sees(editor, article)


@pytest.mark.parametrize("button", ["save", "submit_review", "publish"])
def test_trash_of_an_article_readers_never_saw_answers_404(editor, people, button):
    # A draft, one in review, or one scheduled, each with tomorrow's publish time.
    later = (utcnow() + timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")
    article = write_article(editor, "Never shown", button, published_at=later)
    editor.post(f"/editor/articles/{article.id}/trash")
    unseen, never_used = editor.get("/articles/never-shown"), editor.get("/articles/never-used")
    assert unseen.status_code == never_used.status_code == 404
    assert unseen.text == never_used.text


def test_a_restored_draft_is_a_draft_again(writer, app, people):
    article = write_article(writer, "Draft to bin")
    assert writer.post(f"/editor/articles/{article.id}/trash").status_code == 303
    editor = client_of(app, "editor@example.org")
    editor.post(f"/editor/articles/{article.id}/restore")
    assert stored(article.id).status == "draft"


def restore_forms(page: str) -> list[str]:
    """The action of every Restore button on the page."""
    return re.findall(r'<form method="post" action="([^"]+/restore)"', page)


def action_buttons(page: str) -> list[str]:
    """The labels of the article form's submit buttons and the trash button."""
    inputs = re.findall(r'<input[^>]* type="submit" value="([^"]+)"', page)
    return inputs + re.findall(r'<button type="submit" class="danger">([^<]+)</button>', page)


def test_the_trash_view_has_a_restore_button_on_each_row_that_works(editor, people):
    article = write_article(editor, "Binned by mistake", "publish")
    editor.post(f"/editor/articles/{article.id}/trash")
    page = editor.get("/editor/?status=trash").get_data(as_text=True)
    assert restore_forms(page) == [f"/editor/articles/{article.id}/restore"]
    assert 'Restore<span class="visually-hidden"> “Binned by mistake”</span>' in page
    # Other views list no trashed article, and so no Restore button.
    assert restore_forms(editor.get("/editor/").get_data(as_text=True)) == []
    response = editor.post(restore_forms(page)[0])
    assert response.status_code == 303
    assert stored(article.id).status == "published"
    assert "is restored" in editor.get(response.location).get_data(as_text=True)


def test_a_trashed_article_offers_restore_and_no_other_action(editor, people):
    article = write_article(editor, "Binned piece", "publish")
    before = editor.get(f"/editor/articles/{article.id}").get_data(as_text=True)
    assert action_buttons(before) == ["Update", "Preview", "Publish", "Move to trash"]
    assert restore_forms(before) == []
    editor.post(f"/editor/articles/{article.id}/trash")
    page = editor.get(f"/editor/articles/{article.id}").get_data(as_text=True)
    assert "This article is in the trash" in page
    assert action_buttons(page) == ["Preview"]
    assert restore_forms(page) == [f"/editor/articles/{article.id}/restore"]
    editor.post(restore_forms(page)[0])
    page = editor.get(f"/editor/articles/{article.id}").get_data(as_text=True)
    assert action_buttons(page) == ["Update", "Preview", "Publish", "Move to trash"]


def test_a_trashed_article_is_not_saved_until_restored(editor, people):
    article = write_article(editor, "Binned", "publish", body="As it was.")
    editor.post(f"/editor/articles/{article.id}/trash")
    for button in ("save", "publish"):
        response = post_article(editor, article.id, button, body="Typed in the bin.")
        assert response.status_code == 409
        page = response.get_data(as_text=True)
        assert "Not saved: this article is in the trash." in page
        assert textarea_value(page, "body") == "Typed in the bin."
    article = stored(article.id)
    assert article.status == "trash" and article.body_md == "As it was."


def test_a_writer_restores_their_own_trashed_draft(writer, people):
    article = write_article(writer, "My binned draft", body="Draft text.")
    assert writer.post(f"/editor/articles/{article.id}/trash").status_code == 303
    page = writer.get("/editor/?status=trash").get_data(as_text=True)
    assert restore_forms(page) == [f"/editor/articles/{article.id}/restore"]
    page = writer.get(f"/editor/articles/{article.id}").get_data(as_text=True)
    assert restore_forms(page) == [f"/editor/articles/{article.id}/restore"]
    assert writer.post(f"/editor/articles/{article.id}/restore").status_code == 303
    assert stored(article.id).status == "draft"
    assert post_article(writer, article.id, body="Working again.").status_code == 303


def test_a_writer_cannot_restore_what_was_published_or_someone_elses(app, writer, people):
    published = write_article(writer, "Went out", body="Text.")
    editor = client_of(app, "editor@example.org")
    post_article(editor, published.id, "publish")
    theirs = write_article(client_of(app, "other@example.org"), "Theirs")
    client_of(app, "other@example.org").post(f"/editor/articles/{theirs.id}/trash")
    editor.post(f"/editor/articles/{published.id}/trash")
    # The writer's own, once published, is listed in their trash, without a Restore button.
    page = writer.get("/editor/?status=trash").get_data(as_text=True)
    assert listed_titles(page) == ["Went out"] and restore_forms(page) == []
    for article in (published, theirs):
        assert writer.get(f"/editor/articles/{article.id}").status_code == 403
        assert writer.post(f"/editor/articles/{article.id}/restore").status_code == 403
        assert stored(article.id).status == "trash"


# --- Sections, types and authors -------------------------------------------------------------


@pytest.fixture
def admin(client, people):
    sign_in(client, "admin@example.org")
    return client


def test_admin_creates_and_edits_a_section(admin, add_article):
    data = {"name": "Arctic", "slug": "", "description": "The far north.", "position": "3"}
    response = admin.post("/editor/sections/new", data=data)
    assert response.status_code == 303 and response.location == "/editor/sections"
    section = db.session.scalar(db.select(Section).filter_by(slug="arctic"))
    assert section.description == "The far north." and section.position == 3
    assert "Arctic" in admin.get("/editor/sections").get_data(as_text=True)
    # Readers may be shown only sections with something published in them.
    add_article("Ice report", section="Arctic")
    assert "The far north." in admin.get("/sections/arctic").get_data(as_text=True)
    data = {"name": "High North", "slug": "high-north", "description": "", "position": "4"}
    assert admin.post(f"/editor/sections/{section.id}", data=data).status_code == 303
    db.session.refresh(section)
    assert (section.name, section.slug, section.position) == ("High North", "high-north", 4)


def test_control_characters_typed_into_taxonomy_forms_are_not_stored(admin):
    data = {"name": f"Arctic{JUNK}", "slug": "", "description": f"Far{JUNK}.", "position": "3"}
    assert admin.post("/editor/sections/new", data=data).status_code == 303
    section = db.session.scalar(db.select(Section).filter_by(slug="arctic"))
    assert (section.name, section.description) == ("Arctic", "Far.")
    data = {"name": f"Brief{JUNK}", "slug": ""}
    assert admin.post("/editor/types/new", data=data).status_code == 303
    assert db.session.scalar(db.select(ArticleType.name).filter_by(slug="brief")) == "Brief"
    data = {"name": f"Ann{JUNK} Lee", "slug": "", "bio": f"Writes{JUNK}.{KEPT}"}
    assert admin.post("/editor/authors/new", data=data).status_code == 303
    author = db.session.scalar(db.select(Author).filter_by(slug="ann-lee"))
    assert (author.name, author.bio) == ("Ann Lee", f"Writes.{KEPT}")


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"name": "Else", "slug": "europe", "position": "1"}, "Another section has this slug."),
        ({"name": "Europe", "slug": "europe-2", "position": "1"}, "Another section has this name."),
        ({"name": "Polar", "slug": "Polar Bears", "position": "1"}, "Use lowercase letters"),
        ({"name": "", "slug": "", "position": "1"}, "This field is required."),
        ({"name": "Polar", "slug": "", "position": "first"}, "A whole number, from 0 to"),
        ({"name": "Polar", "slug": "", "position": "9" * 30}, "A whole number, from 0 to"),
        ({"name": "Polar", "slug": "", "position": "\u00b2"}, "A whole number, from 0 to"),
    ],
)
def test_section_form_refuses_bad_input(admin, data, message):
    response = admin.post("/editor/sections/new", data={"description": "", **data})
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert db.session.scalar(db.select(db.func.count(Section.id))) == 2


def test_admin_creates_a_type_with_a_unique_slug(admin):
    assert admin.post("/editor/types/new", data={"name": "Interview"}).status_code == 303
    interview = db.session.scalar(db.select(ArticleType).filter_by(slug="interview"))
    assert interview.name == "Interview"
    response = admin.post("/editor/types/new", data={"name": "Interviews", "slug": "interview"})
    assert response.status_code == 422
    assert "Another type has this slug." in response.get_data(as_text=True)
    data = {"name": "Long interview", "slug": "long-interview"}
    assert admin.post(f"/editor/types/{interview.id}", data=data).status_code == 303
    db.session.refresh(interview)
    assert interview.slug == "long-interview"


def test_admin_creates_an_author_with_a_photo(app, admin):
    data = {
        "name": "Mara Lindqvist",
        "bio": "Writes about the north.",
        "photo": upload(image_bytes()),
    }
    response = admin.post("/editor/authors/new", data=data)
    assert response.status_code == 303
    author = db.session.scalar(db.select(Author).filter_by(slug="mara-lindqvist"))
    assert author.bio == "Writes about the north." and author.photo is not None
    variant = admin.get(f"/photos/{author.photo.filename(author.photo.widths[0])}")
    assert variant.status_code == 200 and variant.mimetype == "image/webp"
    # A second author of the same name needs a slug of their own.
    response = admin.post("/editor/authors/new", data={"name": "Mara Lindqvist", "bio": ""})
    assert response.status_code == 422
    assert "Another author has this slug." in response.get_data(as_text=True)
    data = {"name": "Mara Lindqvist", "slug": "mara-lindqvist-2", "bio": ""}
    assert admin.post("/editor/authors/new", data=data).status_code == 303


def author_with_photo(admin) -> Author:
    data = {"name": "Mara Lindqvist", "bio": "", "photo": upload(image_bytes(size=(900, 600)))}
    assert admin.post("/editor/authors/new", data=data).status_code == 303
    return db.session.scalar(db.select(Author).filter_by(slug="mara-lindqvist"))


def test_the_author_form_shows_the_photo_and_can_remove_it(admin):
    author = author_with_photo(admin)
    photo = author.photo
    page = admin.get(f"/editor/authors/{author.id}").get_data(as_text=True)
    thumbnail = f'<img src="/photos/{photo.filename(photo.widths[0])}" alt="Mara Lindqvist"'
    assert thumbnail in page and 'width="160" height="107"' in page
    assert re.search(r'<label for="remove_photo">Remove photo</label>', page)
    # Saving without the box ticked keeps the photo; ticked, it goes.
    data = {"name": "Mara Lindqvist", "slug": "mara-lindqvist", "bio": "Now with a bio."}
    assert admin.post(f"/editor/authors/{author.id}", data=data).status_code == 303
    db.session.refresh(author)
    assert author.photo is not None and author.bio == "Now with a bio."
    data = {**data, "remove_photo": "y"}
    assert admin.post(f"/editor/authors/{author.id}", data=data).status_code == 303
    db.session.refresh(author)
    assert author.photo is None
    page = admin.get(f"/editor/authors/{author.id}").get_data(as_text=True)
    assert "Remove photo" not in page and "/photos/" not in page


def test_the_public_author_page_shows_the_photo(admin, add_article):
    author = author_with_photo(admin)
    add_article("Notes from the north", authors=["Mara Lindqvist"])
    page = admin.get("/authors/mara-lindqvist").get_data(as_text=True)
    [img] = re.findall(r'<img class="author-photo"[^>]*>', page)
    photo = author.photo
    srcset = ", ".join(f"/photos/{photo.filename(w)} {w}w" for w in photo.widths)
    assert f'srcset="{srcset}"' in img
    assert 'sizes="160px"' in img and 'width="160" height="107"' in img
    assert 'alt="Mara Lindqvist"' in img
    # Other authors' pages show only their own photo, if any.
    add_article("Two bylines", authors=["Ada Writer", "Mara Lindqvist"])
    assert 'class="author-photo"' not in admin.get("/authors/ada-writer").get_data(as_text=True)


def test_an_author_photo_that_is_not_an_image_is_refused(admin):
    data = {"name": "Viktor Halloran", "bio": "", "photo": upload(b"just text")}
    response = admin.post("/editor/authors/new", data=data)
    assert response.status_code == 422
    assert "not a JPEG, PNG or WebP image" in response.get_data(as_text=True)
    assert db.session.scalar(db.select(Author)) is None


def test_an_unknown_taxonomy_row_is_404(admin):
    assert admin.get("/editor/sections/999").status_code == 404
    assert admin.get("/editor/colours").status_code == 404
