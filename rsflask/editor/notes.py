"""Corrections, updates and editor's notes on published articles: added and removed by those
who may publish, kept in the article's revisions, shown to readers with their dates."""

from flask import abort, flash, redirect, render_template, url_for
from flask_login import current_user
from sqlalchemy import update
from wtforms import SelectField, SubmitField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length

from rsflask import markup
from rsflask.db import db, utcnow
from rsflask.editor.access import bp, editable_article_or_404, roles_required
from rsflask.editor.forms import TypedTextForm
from rsflask.editor.revisions import record_save
from rsflask.models import Article, ArticleNote
from rsflask.models.accounts import PUBLISHING_ROLES
from rsflask.models.content import NOTE_KINDS

# One or a few sentences; a note is not a second article.
MAX_NOTE_LENGTH = 2_000


class NoteForm(TypedTextForm):
    kind = SelectField(
        "Kind", choices=[SelectChoice(value, label) for value, label in NOTE_KINDS.items()]
    )
    text = TextAreaField(
        "Note",
        validators=[
            DataRequired("Write what was wrong and what is right now."),
            Length(max=MAX_NOTE_LENGTH),
        ],
        description="Markdown. Shown on the article with today's date; corrections are also "
        "listed at /corrections.",
    )
    add = SubmitField("Add note")


def touch(article: Article) -> None:
    """Move the article's modified time, which its JSON-LD, feed entry and sitemap show, without
    counting as an edit: a form open on the article still saves without a conflict."""
    db.session.execute(update(Article).where(Article.id == article.id).values(updated_at=utcnow()))


@bp.route("/articles/<int:article_id>/notes", methods=["GET", "POST"])
@roles_required(*PUBLISHING_ROLES)
def article_notes(article_id: int):
    """The article's notes, newest first, and the form to add one."""
    article = editable_article_or_404(article_id)
    form = NoteForm()
    published = article.status == "published" and not article.is_scheduled
    if not form.is_submitted():
        return render_template("editor/notes.html", article=article, form=form, published=published)
    if not published:
        message = "Notes are for articles readers can see: publish it first, or edit the text."
        return render_template(
            "editor/notes.html", article=article, form=form, published=published, message=message
        ), 409
    if not form.validate():
        return render_template(
            "editor/notes.html", article=article, form=form, published=published
        ), 422
    text = form.text.data.strip()
    try:
        html = markup.render(text)
    except markup.TooComplex as error:
        form.text.errors.append(str(error))
        return render_template(
            "editor/notes.html", article=article, form=form, published=published
        ), 422
    article.notes.append(
        ArticleNote(
            kind=form.kind.data,
            text_md=text,
            text_html=html,
            # To the minute, as readers and article files show it.
            noted_at=utcnow().replace(second=0, microsecond=0),
            user_id=current_user.id,
        )
    )
    touch(article)
    record_save(article)
    db.session.commit()
    flash(f"{NOTE_KINDS[form.kind.data]} added. Readers see it on the article now.", "success")
    return redirect(url_for("editor.article_notes", article_id=article.id), 303)


@bp.post("/articles/<int:article_id>/notes/<int:note_id>/remove")
@roles_required(*PUBLISHING_ROLES)
def remove_note(article_id: int, note_id: int):
    """Take a note back (one added by mistake); the revisions keep it."""
    article = editable_article_or_404(article_id)
    note = db.session.get(ArticleNote, note_id)
    if note is None or note.article_id != article.id:
        abort(404)
    article.notes.remove(note)
    touch(article)
    record_save(article)
    db.session.commit()
    flash("The note is removed. The article's revisions still hold it.", "info")
    return redirect(url_for("editor.article_notes", article_id=article.id), 303)
