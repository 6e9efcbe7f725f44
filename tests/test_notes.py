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


# Notes in article files: one `note:` line each, read on import, written on export.


def note_file(folder, *notes: str):
    header = {"title": "The grain corridor", "slug": "grain", "published": "2026-11-20 09:00"}
    lines = [f"{key}: {value}" for key, value in header.items()]
    # A line that starts with spaces continues the one above it.
    lines += [note if note.startswith(" ") else f"note: {note}" for note in notes]
    path = folder / "grain.md"
    path.write_text("\n".join(lines) + "\n\nThe body.\n", encoding="utf-8")
    return path


def test_notes_in_a_file_are_imported_with_their_times_and_kinds(runner, tmp_path):
    path = note_file(
        tmp_path,
        "2026-11-21 10:00 | correction | The port handles *1.2m* tonnes,",
        "    not 2m as first written.",
        "2026-11-22 08:30 | update | Talks resumed | on Friday.",
    )
    result = runner.invoke(args=["import-article", str(path)])
    assert result.exit_code == 0, result.output
    article = db.session.scalars(db.select(Article).filter_by(slug="grain")).one()
    assert [(n.kind, n.text_md) for n in article.notes] == [
        ("update", "Talks resumed | on Friday."),
        ("correction", "The port handles *1.2m* tonnes, not 2m as first written."),
    ]
    assert "<em>1.2m</em>" in article.notes[1].text_html
    assert f"{article.notes[1].noted_at:%Y-%m-%d %H:%M}" == "2026-11-21 10:00"


@pytest.mark.parametrize(
    ("note", "problem"),
    [
        ("yesterday | correction | Text.", "YYYY-MM-DD HH:MM"),
        ("2026-11-21 10:00 | retraction | Text.", "the kind is one of"),
        ("2026-11-21 10:00 | correction", "write it as"),
        ("2026-11-21 10:00 | correction |   ", "write it as"),
    ],
)
def test_a_bad_note_line_stops_the_import_and_says_why(runner, tmp_path, note, problem):
    result = runner.invoke(args=["import-article", str(note_file(tmp_path, note))])
    assert result.exit_code != 0
    assert "bad note" in result.output and problem in result.output
    assert db.session.scalar(db.select(db.func.count(Article.id))) == 0


def test_an_export_imports_back_to_the_same_notes(editor, story, runner, tmp_path):
    add_note(editor, story, "The tonnage was *wrong*.")
    add_note(editor, story, "Talks resumed.", kind="update")
    before = [(n.noted_at, n.kind, n.text_md, n.text_html) for n in story.notes]
    result = runner.invoke(args=["export-article", "grain", "-o", str(tmp_path)])
    assert result.exit_code == 0, result.output
    exported = (tmp_path / "grain.md").read_text(encoding="utf-8")
    assert exported.count("\nnote: ") == 2
    db.session.delete(story)
    db.session.commit()
    result = runner.invoke(args=["import-article", str(tmp_path / "grain.md")])
    assert result.exit_code == 0, result.output
    article = db.session.scalars(db.select(Article).filter_by(slug="grain")).one()
    assert [(n.noted_at, n.kind, n.text_md, n.text_html) for n in article.notes] == before


def test_importing_the_same_file_again_keeps_each_notes_address(runner, tmp_path):
    path = note_file(tmp_path, "2026-11-21 10:00 | correction | Fixed.")
    runner.invoke(args=["import-article", str(path)])
    first = db.session.scalars(db.select(ArticleNote.id)).all()
    runner.invoke(args=["import-article", str(path)])
    db.session.expire_all()
    assert db.session.scalars(db.select(ArticleNote.id)).all() == first


def test_a_revision_keeps_the_notes_as_file_lines(editor, story):
    add_note(editor, story, "The tonnage was wrong.")
    revision = db.session.scalars(
        db.select(Revision).filter_by(article_id=story.id).order_by(Revision.id.desc())
    ).first()
    assert revision.notes.endswith(" | correction | The tonnage was wrong.")


def test_corrections_are_in_the_articles_json_ld_and_the_log_in_the_sitemap(editor, story):
    sitemap = editor.get("/sitemap.xml").get_data(as_text=True)
    assert "/corrections</loc>" not in sitemap
    add_note(editor, story, "Talks resumed.", kind="update")
    add_note(editor, story, "The tonnage was *1.2m*.")
    page = editor.get("/articles/grain").get_data(as_text=True)
    (correction,) = json_ld(page)["correction"]
    assert correction["@type"] == "CorrectionComment"
    assert correction["text"] == "The tonnage was 1.2m."
    assert correction["datePublished"].startswith(f"{utcnow():%Y-%m-%d}")
    sitemap = editor.get("/sitemap.xml").get_data(as_text=True)
    assert re.search(rf"/corrections</loc><lastmod>{utcnow():%Y-%m-%d}", sitemap)
