"""The next round-up, as editors shape it: a subject, an intro in Markdown, a choice of articles.

What is saved here is the draft that `flask digest send` sends; without a draft it sends every
article published since the last round-up, with no intro. Articles published after the draft was
saved are not in it, and the page says how many: they go in the round-up after it.
"""

from flask import flash, redirect, render_template, request, url_for
from flask_wtf import FlaskForm
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from wtforms import SelectMultipleField, StringField, SubmitField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length
from wtforms.widgets import CheckboxInput, ListWidget

from rsflask import markup
from rsflask.db import db, utcnow
from rsflask.editor.access import bp, roles_required
from rsflask.models import Article, Digest, DigestDelivery
from rsflask.models.accounts import PUBLISHING_ROLES
from rsflask.newsletter import digests


class DigestForm(FlaskForm):
    subject = StringField("Subject", validators=[DataRequired(), Length(max=300)])
    intro = TextAreaField(
        "Intro (Markdown)",
        validators=[Length(max=20_000)],
        description="A few words above the list of articles. Optional.",
    )
    articles = SelectMultipleField(
        "Articles",
        coerce=int,
        widget=ListWidget(prefix_label=False),
        option_widget=CheckboxInput(),
        description="Published since the last round-up, newest first.",
    )
    save = SubmitField("Save the round-up")
    preview = SubmitField("Preview")


def article_choices(draft: Digest | None) -> list[Article]:
    """What may go in the next round-up: the new articles, and any the draft already has."""
    chosen = {article.id: article for article in db.session.scalars(digests.candidates())}
    for article in digests.visible(draft.articles if draft else []):
        chosen.setdefault(article.id, article)
    return sorted(chosen.values(), key=lambda a: (a.published_at, a.id), reverse=True)


@bp.route("/newsletter/digest", methods=["GET", "POST"])
@roles_required(*PUBLISHING_ROLES)
def edit_digest():
    """The next round-up's subject, intro and articles; Preview shows it as the archive will."""
    draft = db.session.scalar(select(Digest).filter_by(status="draft"))
    articles = article_choices(draft)
    if request.method == "GET":
        form = DigestForm(
            subject=draft.subject if draft else digests.default_subject(),
            intro=draft.intro_md if draft else "",
            articles=[a.id for a in (draft.articles if draft else articles)],
        )
    else:
        form = DigestForm()
    form.articles.choices = [SelectChoice(a.id, a.title) for a in articles]
    if request.method == "GET" or not form.validate_on_submit():
        return render_digest_page(form, draft, status=422 if form.errors else 200)
    picked = [a for a in articles if a.id in set(form.articles.data)]
    if not picked:
        form.articles.errors.append("Choose at least one article.")
        return render_digest_page(form, draft, status=422)
    if form.preview.data:
        rendered = markup.render_text(form.intro.data or "")
        preview = {"intro_html": rendered.html, "problems": rendered.problems}
        return render_digest_page(form, draft, preview=preview, picked=picked)
    draft = draft or Digest(status="draft")
    draft.subject = " ".join(form.subject.data.split())
    draft.intro_md = form.intro.data or ""
    draft.articles, draft.chosen_at = picked, utcnow()
    db.session.add(draft)
    try:
        db.session.commit()
    except IntegrityError:
        # Another editor saved the first draft at the same moment; theirs is kept.
        db.session.rollback()
        message = "Someone else saved a round-up just now. Reload the page to see theirs."
        return render_digest_page(form, None, status=409, message=message)
    flash("Saved. `flask digest send` sends this round-up next.", "success")
    return redirect(url_for("editor.edit_digest"), 303)


@bp.post("/newsletter/digest/discard")
@roles_required(*PUBLISHING_ROLES)
def discard_digest():
    """Drop the draft: the next round-up is again every article since the last one."""
    draft = db.session.scalar(select(Digest).filter_by(status="draft"))
    if draft is not None:
        db.session.delete(draft)
        db.session.commit()
    flash("The draft is discarded.", "info")
    return redirect(url_for("editor.edit_digest"), 303)


def render_digest_page(form, draft, status=200, message="", preview=None, picked=None):
    sending = db.session.scalar(select(Digest).filter_by(status="sending"))
    recent = db.session.execute(
        select(
            Digest, func.count(DigestDelivery.subscriber_id).filter(DigestDelivery.refusal == "")
        )
        .outerjoin(DigestDelivery, DigestDelivery.digest_id == Digest.id)
        .where(Digest.status != "draft")
        .group_by(Digest.id)
        .order_by(Digest.started_at.desc())
        .limit(10)
    ).all()
    return (
        render_template(
            "editor/digest.html",
            form=form,
            draft=draft,
            sending=sending,
            left=digests.recipients_left(sending.id) if sending else 0,
            newer=digests.published_since_saved(draft) if draft else 0,
            recent=recent,
            message=message,
            preview=preview,
            picked=picked,
        ),
        status,
    )
