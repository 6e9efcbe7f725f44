"""An article's revisions as the editor shows them: the list, one revision against the article
now, and restoring one (the machinery is revisions.py, shared with pages)."""

from flask import flash, redirect, render_template, url_for

from rsflask.db import db
from rsflask.editor.access import (
    bp,
    editable_article_or_404,
    roles_required,
    visible_revision_or_404,
)
from rsflask.editor.article_form import fields_of, fields_of_revision
from rsflask.editor.revisions import changes, restore_text, saves_of
from rsflask.models.accounts import ROLES


@bp.get("/articles/<int:article_id>/revisions")
@roles_required(*ROLES)
def revisions(article_id: int):
    """Every saved version of the article, newest first."""
    article = editable_article_or_404(article_id)
    saved = db.session.scalars(saves_of(article)).all()
    return render_template(
        "editor/revisions.html",
        item=article,
        noun="article",
        revisions=saved,
        edit_url=url_for("editor.edit_article", article_id=article.id),
        revision_url=lambda revision: url_for(
            "editor.revision", article_id=article.id, revision_id=revision.id
        ),
    )


@bp.get("/articles/<int:article_id>/revisions/<int:revision_id>")
@roles_required(*ROLES)
def revision(article_id: int, revision_id: int):
    """What changed between a revision and the article as it is now."""
    article = editable_article_or_404(article_id)
    revision = visible_revision_or_404(article, revision_id)
    return render_template(
        "editor/revision.html",
        item=article,
        noun="article",
        revision=revision,
        changes=changes(article, fields_of_revision(revision, article), fields_of(article)),
        restore_url=url_for(
            "editor.restore_revision", article_id=article.id, revision_id=revision.id
        ),
        revisions_url=url_for("editor.revisions", article_id=article.id),
    )


@bp.post("/articles/<int:article_id>/revisions/<int:revision_id>/restore")
@roles_required(*ROLES)
def restore_revision(article_id: int, revision_id: int):
    """Bring back a revision's title, dek and body, as a new save."""
    article = editable_article_or_404(article_id)
    restore_text(article, visible_revision_or_404(article, revision_id))
    db.session.commit()
    flash("The revision is restored.", "success")
    return redirect(url_for("editor.edit_article", article_id=article.id), 303)
