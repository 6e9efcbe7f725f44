"""Corrections, updates and editor's notes: added by those who may publish, shown on the article
newest first with their dates, moving its modified time (JSON-LD, feed, sitemap) without
re-sending it to subscribers or clashing with a form open on it; corrections are logged at
/corrections and in its feed."""

import json
import re
from datetime import timedelta

import pytest

from rsflask.db import db, utcnow
from rsflask.models import Article, ArticleNote, Digest, Revision
from rsflask.newsletter.digests import candidates
from tests.editor_helpers import make_user, prepare_editor_tests, sign_in

LONG_AGO = utcnow() - timedelta(days=3)


@pytest.fixture(autouse=True)
def editor_tests(app, monkeypatch):
    prepare_editor_tests(app, monkeypatch)


@pytest.fixture
def story(add_article) -> Article:
    article = add_article("The grain corridor", slug="grain", published=LONG_AGO)
    # Stored as it would be after its last edit, three days ago.
    article.updated_at = LONG_AGO
    db.session.commit()
    return article


@pytest.fixture
def editor(client, app):
    make_user("editor@example.org", role="editor", name="Edda Editor")
    sign_in(client, "editor@example.org")
    return client


def add_note(client, article: Article, text: str, kind: str = "correction"):
    return client.post(f"/editor/articles/{article.id}/notes", data={"kind": kind, "text": text})


def json_ld(html: str) -> dict:
    found = re.search(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)
    return json.loads(found[1])


def test_a_correction_shows_on_the_article_with_its_date(editor, story):
    response = add_note(
        editor, story, "An earlier version gave the port's tonnage as *2m*; it is 1.2m."
    )
    assert response.status_code == 303
    page = editor.get("/articles/grain").get_data(as_text=True)
    notes = page.split('id="notes"')[1]
    assert "Correction" in notes and "<em>2m</em>" in notes
    assert f'datetime="{utcnow():%Y-%m-%d}' in notes
    # Readers at the top learn that the article was corrected, and where.
    header = page.split('id="headline"')[1].split("</header>")[0]
    assert '<a href="#notes">Correction,' in header


def test_notes_are_shown_newest_first_with_their_kinds(editor, story):
    add_note(editor, story, "First, a correction.")
    add_note(editor, story, "Then an update: talks resumed.", kind="update")
    add_note(editor, story, "Last, a note from the editor.", kind="editors-note")
    notes = editor.get("/articles/grain").get_data(as_text=True).split('id="notes"')[1]
    labels = re.findall(r"<strong>([^<]+)</strong>", notes)
    assert labels == ["Editor&#39;s note", "Update", "Correction"]
    texts = ("Last, a note", "Then an update", "First, a correction")
    order = [notes.index(text) for text in texts]
    assert order == sorted(order)


def test_a_note_moves_the_articles_modified_time_everywhere_but_not_its_version(editor, story):
    version = story.version
    add_note(editor, story, "A correction.")
    db.session.expire_all()
    article = db.session.get(Article, story.id)
    assert article.updated_at > LONG_AGO + timedelta(days=2)
    # A form open on the article still saves: a note is not an edit of its text.
    assert article.version == version
    page = editor.get("/articles/grain").get_data(as_text=True)
    assert json_ld(page)["dateModified"].startswith(f"{utcnow():%Y-%m-%d}")
    feed = editor.get("/feeds/all.atom").get_data(as_text=True)
    assert f"<updated>{utcnow():%Y-%m-%d}" in feed.split("<entry>")[1]
    sitemap = editor.get("/sitemap.xml").get_data(as_text=True)
    assert re.search(rf"grain</loc><lastmod>{utcnow():%Y-%m-%d}", sitemap)


def test_a_noted_article_is_not_sent_to_subscribers_again(editor, story):
    db.session.add(
        Digest(
            subject="Last week",
            status="sent",
            started_at=LONG_AGO,
            chosen_at=LONG_AGO,
            articles=[story],
        )
    )
    db.session.commit()
    add_note(editor, story, "A correction.")
    assert story.id not in db.session.scalars(candidates().with_only_columns(Article.id)).all()


def test_each_note_is_kept_in_the_articles_revisions(editor, story):
    add_note(editor, story, "A correction.")
    add_note(editor, story, "An update.", kind="update")
    revisions = db.session.scalars(
        db.select(Revision).filter_by(article_id=story.id, kind="save").order_by(Revision.id)
    ).all()
    assert len(revisions) == 2
    assert db.session.get(Article, story.id).notes[0].text_md == "An update."


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"kind": "correction", "text": "   "}, "Write what was wrong"),
        ({"kind": "retraction", "text": "Gone."}, "Not a valid choice"),
        ({"kind": "correction", "text": "x" * 2001}, "2000"),
    ],
)
def test_a_bad_note_is_refused_with_a_message_and_nothing_stored(editor, story, data, message):
    response = editor.post(f"/editor/articles/{story.id}/notes", data=data)
    assert response.status_code == 422
    assert message.lower() in response.get_data(as_text=True).lower()
    assert db.session.scalar(db.select(db.func.count(ArticleNote.id))) == 0


def test_a_draft_takes_no_note(editor, add_article):
    draft = add_article("Unfinished", published=None)
    draft.status = "draft"
    db.session.commit()
    response = add_note(editor, draft, "A correction.")
    assert response.status_code == 409
    assert "publish it first" in response.get_data(as_text=True)
    assert db.session.scalar(db.select(db.func.count(ArticleNote.id))) == 0


def test_writers_cannot_add_or_remove_notes(client, story):
    make_user("writer@example.org", role="writer")
    sign_in(client, "writer@example.org")
    assert add_note(client, story, "A correction.").status_code == 403
    assert client.get(f"/editor/articles/{story.id}/notes").status_code == 403


def test_a_note_added_by_mistake_can_be_removed(editor, story):
    add_note(editor, story, "Wrong article.")
    note = db.session.scalars(db.select(ArticleNote)).one()
    response = editor.post(f"/editor/articles/{story.id}/notes/{note.id}/remove")
    assert response.status_code == 303
    assert 'id="notes"' not in editor.get("/articles/grain").get_data(as_text=True)
    # Someone else's note id, or none: 404.
    assert editor.post(f"/editor/articles/{story.id}/notes/{note.id}/remove").status_code == 404


def test_the_corrections_log_lists_corrections_of_visible_articles_newest_first(
    editor, story, add_article
):
    other = add_article("The pipeline vote", slug="pipeline", published=LONG_AGO)
    hidden = add_article("Pulled story", slug="pulled", published=LONG_AGO)
    add_note(editor, story, "Grain: the tonnage was wrong.")
    add_note(editor, other, "Pipeline: the vote was 54 to 40.")
    add_note(editor, other, "Pipeline: an update, not a correction.", kind="update")
    add_note(editor, hidden, "Pulled: a correction on an article since removed.")
    hidden.status = "trash"
    db.session.commit()
    log = editor.get("/corrections").get_data(as_text=True)
    assert log.index("Pipeline: the vote") < log.index("Grain: the tonnage")
    assert "an update, not a correction" not in log and "Pulled:" not in log
    assert 'href="/articles/pipeline#note-' in log
    feed = editor.get("/feeds/corrections.atom")
    assert feed.mimetype == "application/atom+xml"
    text = feed.get_data(as_text=True)
    assert text.count("<entry>") == 2 and "<title>Correction: The pipeline vote</title>" in text
    assert "http://localhost/articles/grain#note-" in text


def test_the_corrections_log_says_when_there_is_none(client):
    response = client.get("/corrections")
    assert response.status_code == 200 and "No corrections so far." in response.get_data(
        as_text=True
    )
