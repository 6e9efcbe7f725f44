"""The editors' article views: the dashboard, the article form with preview and autosave,
revisions, the trash."""

from datetime import datetime

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy.orm.exc import StaleDataError

from rsflask import limits, markup, markup_budget
from rsflask.db import db, escape_like, utcnow
from rsflask.editor.access import (
    bp,
    editable_article_or_404,
    may_change,
    may_publish,
    roles_required,
)
from rsflask.editor.article_form import (
    apply_autosave_form,
    apply_form,
    fields_of,
    fields_of_revision,
    fill_choices,
    new_draft,
)
from rsflask.editor.forms import ArticleForm, AutosaveForm
from rsflask.editor.revisions import (
    conflict_message,
    discard_own_autosave,
    new_autosave,
    own_autosave,
    record_save,
    recovered_autosave,
    recovery_notice,
)
from rsflask.fragments import wants_fragment
from rsflask.models import Article
from rsflask.models.accounts import ROLES
from rsflask.pagination import paginate
from rsflask.times import OffTheCalendar, utc_from_local

FILTERS = {
    "draft": "Drafts",
    "review": "In review",
    "scheduled": "Scheduled",
    "published": "Published",
    "trash": "Trash",
}


@bp.get("/")
@roles_required(*ROLES)
def dashboard():
    """Articles by status, newest change first, with title search."""
    status = request.args.get("status", "")
    search = request.args.get("q", "").strip()[:200]
    query = db.select(Article).order_by(Article.updated_at.desc(), Article.id.desc())
    if status and status not in FILTERS:
        abort(404)
    query = query.where(status_condition(status))
    if search:
        query = query.where(Article.title.ilike(f"%{escape_like(search)}%", escape="\\"))
    if not may_publish():
        query = query.where(Article.created_by_id == current_user.id)
    return render_template(
        "editor/dashboard.html",
        articles=paginate(query, per_page=25),
        status=status,
        search=search,
        filters=FILTERS,
        may_change=may_change,
    )


def status_condition(status: str):
    """The dashboard's filters; scheduled and published differ only by the publish time."""
    now = utcnow()
    if status == "scheduled":
        return (Article.status == "published") & (Article.published_at > now)
    if status == "published":
        return (Article.status == "published") & (Article.published_at <= now)
    if status:
        return Article.status == status
    return Article.status != "trash"


@bp.post("/articles")
@roles_required(*ROLES)
def new_article():
    """Start a draft at once, so that autosave has somewhere to keep the text from the start."""
    article = new_draft(created_by_id=current_user.id)
    db.session.add(article)
    db.session.commit()
    return redirect(url_for("editor.edit_article", article_id=article.id), 303)


@bp.route("/articles/<int:article_id>", methods=["GET", "POST"])
@roles_required(*ROLES)
def edit_article(article_id: int):
    """The article form: save, preview, publish or schedule, submit for review."""
    article = editable_article_or_404(article_id)
    if request.method == "GET":
        autosave = recovered_autosave(article)
        fields = fields_of_revision(autosave, article) if autosave else fields_of(article)
        form = ArticleForm(**fields, version=str(article.version))
        fill_choices(form)
        return render_editor(form, article, recovered=autosave)

    form = ArticleForm()
    fill_choices(form)
    if not form.validate_on_submit():
        return render_editor(form, article, status=422)
    if form.preview.data:
        try:
            preview = markup.render_text(form.body.data or "")
        except markup.TooComplex as error:
            return render_editor(form, article, status=422, message=str(error))
        return render_editor(form, article, preview=preview)
    if article.status == "trash":
        message = "Not saved: this article is in the trash. Restore it, then save your text."
        return render_editor(form, article, status=409, message=message)
    if form.version.data != str(article.version):
        message = conflict_message(article)
        form.version.data = str(article.version)
        return render_editor(form, article, status=409, message=message)
    if form.publish.data and not may_publish():
        abort(403)
    if not apply_form(form, article):
        db.session.rollback()
        return render_editor(form, db.get_or_404(Article, article_id), status=422)
    try:
        record_save(article)
        discard_own_autosave(article)
        db.session.commit()
    except StaleDataError:
        db.session.rollback()
        article = db.get_or_404(Article, article_id)
        message = conflict_message(article)
        form.version.data = str(article.version)
        return render_editor(form, article, status=409, message=message)
    flash(saved_message(article, updated=bool(form.save.data)), "success")
    return redirect(url_for("editor.edit_article", article_id=article.id), 303)


def saved_message(article: Article, updated: bool) -> str:
    if article.status == "published" and article.is_scheduled:
        return "Scheduled. Readers will see it at the publish time."
    if article.status == "published" and updated:
        return "Updated. Readers see the changes now."
    if article.status == "published":
        return "Published."
    if article.status == "review":
        return "Submitted for review."
    return "Draft saved."


def publish_label(published_at: datetime | None) -> str:
    """What the Publish button says: Schedule when the typed time is still to come."""
    return "Schedule" if published_at is not None and published_at > utcnow() else "Publish"


def render_editor(form, article, status=200, message="", preview=None, recovered=None):
    try:
        scheduled_time = utc_from_local(form.published_at.data)
    except OffTheCalendar:
        scheduled_time = None  # the refused form says so under the field
    form.published_at.description = (
        f"In {current_app.config['TIMEZONE']} time. Empty means now. "
        "A future time schedules the article."
    )
    return (
        render_template(
            "editor/article_form.html",
            form=form,
            article=article,
            message=message,
            preview=preview,
            recovered=recovery_notice(article, recovered),
            may_publish=may_publish(),
            publish_label=publish_label(scheduled_time),
            # A plain save of a published or scheduled article changes what readers get at once.
            save_label="Update" if article.status == "published" else "Save draft",
        ),
        status,
    )


@bp.post("/articles/<int:article_id>/autosave")
@roles_required(*ROLES)
def autosave(article_id: int):
    """Keep what is being typed, without touching the article readers see."""
    article = editable_article_or_404(article_id)
    form = AutosaveForm()
    fill_choices(form)
    if not form.validate_on_submit():
        abort(400)
    revision = own_autosave(article) or new_autosave(article)
    apply_autosave_form(form, revision)
    db.session.add(revision)
    db.session.commit()
    # The Publish button follows the typed time before any save.
    offers_publish = may_publish() and article.status != "trash"
    return render_template(
        "editor/_autosave.html",
        revision=revision,
        stale=revision.base_version != article.version,
        publish_label=publish_label(revision.published_at) if offers_publish else None,
    )


@bp.post("/articles/<int:article_id>/autosave/discard")
@roles_required(*ROLES)
def discard_autosave(article_id: int):
    """Throw away recovered, unsaved text and go back to the saved article."""
    article = editable_article_or_404(article_id)
    discard_own_autosave(article)
    db.session.commit()
    return redirect(url_for("editor.edit_article", article_id=article.id), 303)


@bp.post("/preview")
@roles_required(*ROLES)
def preview():
    """The body as readers will see it, through the same sanitising pipeline as the site."""
    limit = current_app.config["PREVIEW_RATE_LIMIT"]
    if not limits.allow(f"preview:{current_user.id}", limit, 60):
        abort(429, retry_after=60)
    body = request.form.get("body", "")
    if len(body) > markup_budget.MAX_CHARACTERS:
        abort(413)
    rendered = markup.render_text(body)
    if wants_fragment():
        return render_template("editor/_preview.html", rendered=rendered)
    return render_template("editor/preview.html", rendered=rendered)


@bp.post("/articles/<int:article_id>/trash")
@roles_required(*ROLES)
def trash_article(article_id: int):
    """Move to the trash: readers who could see it get 410 Gone, and it can be restored."""
    article = editable_article_or_404(article_id)
    if article.status != "trash":
        article.status = "trash"
        db.session.commit()
    flash(f"“{article.title}” is in the trash.", "info")
    return redirect(url_for("editor.dashboard"), 303)


@bp.post("/articles/<int:article_id>/restore")
@roles_required(*ROLES)
def restore_article(article_id: int):
    """Take an article out of the trash, back to the status it had."""
    article = editable_article_or_404(article_id)
    if article.status == "trash":
        article.status = article.status_before_trash or "draft"
        db.session.commit()
    flash(f"“{article.title}” is restored.", "success")
    return redirect(url_for("editor.edit_article", article_id=article.id), 303)
