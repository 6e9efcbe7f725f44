"""The editors' page views: the Pages list, the page form with preview and autosave, revisions,
the trash. Admins and editors only: pages speak for the whole site."""

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy.orm.exc import StaleDataError

from rsflask import markup
from rsflask.db import db, escape_like
from rsflask.editor.access import (
    bp,
    roles_required,
    visible_revision_or_404,
)
from rsflask.editor.forms import PageAutosaveForm, PageForm
from rsflask.editor.page_form import apply_autosave_form, apply_form, fill_choices, new_draft
from rsflask.editor.revisions import (
    changes,
    conflict_message,
    discard_own_autosave,
    fields_of,
    fields_of_revision,
    new_autosave,
    own_autosave,
    record_save,
    recovered_autosave,
    recovery_notice,
    restore_text,
    saves_of,
)
from rsflask.models import Page
from rsflask.models.accounts import PUBLISHING_ROLES
from rsflask.pagination import paginate

FILTERS = {"draft": "Drafts", "published": "Published", "trash": "Trash"}


@bp.get("/pages")
@roles_required(*PUBLISHING_ROLES)
def pages():
    """Pages by status, newest change first, with title search."""
    status = request.args.get("status", "")
    search = request.args.get("q", "").strip()[:200]
    if status and status not in FILTERS:
        abort(404)
    query = db.select(Page).order_by(Page.updated_at.desc(), Page.id.desc())
    query = query.where(Page.status == status if status else Page.status != "trash")
    if search:
        query = query.where(Page.title.ilike(f"%{escape_like(search)}%", escape="\\"))
    return render_template(
        "editor/pages.html",
        pages=paginate(query, per_page=50),
        status=status,
        search=search,
        filters=FILTERS,
    )


@bp.post("/pages")
@roles_required(*PUBLISHING_ROLES)
def new_page():
    """Start a draft at once, so that autosave has somewhere to keep the text from the start."""
    page = new_draft(created_by_id=current_user.id)
    db.session.add(page)
    db.session.commit()
    return redirect(url_for("editor.edit_page", page_id=page.id), 303)


@bp.route("/pages/<int:page_id>", methods=["GET", "POST"])
@roles_required(*PUBLISHING_ROLES)
def edit_page(page_id: int):
    """The page form: save, preview, publish."""
    page = db.get_or_404(Page, page_id)
    if request.method == "GET":
        autosave = recovered_autosave(page)
        fields = fields_of_revision(autosave, page) if autosave else fields_of(page)
        form = PageForm(
            **fields,
            in_nav=page.nav_position is not None,
            in_footer=page.footer_position is not None,
            version=str(page.version),
        )
        fill_choices(form, page)
        return render_page_form(form, page, recovered=autosave)

    form = PageForm()
    fill_choices(form, page)
    if not form.validate_on_submit():
        return render_page_form(form, page, status=422)
    if form.preview.data:
        try:
            preview = markup.render_text(form.body.data or "")
        except markup.TooComplex as error:
            return render_page_form(form, page, status=422, message=str(error))
        return render_page_form(form, page, preview=preview)
    if page.status == "trash":
        message = "Not saved: this page is in the trash. Restore it, then save your text."
        return render_page_form(form, page, status=409, message=message)
    if form.version.data != str(page.version):
        form.version.data = str(page.version)
        return render_page_form(form, page, status=409, message=conflict_message(page))
    try:
        # Inside the try: the checks' queries flush what is already copied into the page.
        if not apply_form(form, page):
            db.session.rollback()
            return render_page_form(form, db.get_or_404(Page, page_id), status=422)
        record_save(page)
        discard_own_autosave(page)
        db.session.commit()
    except StaleDataError:
        db.session.rollback()
        page = db.get_or_404(Page, page_id)
        form.version.data = str(page.version)
        return render_page_form(form, page, status=409, message=conflict_message(page))
    flash(saved_message(page, updated=bool(form.save.data)), "success")
    return redirect(url_for("editor.edit_page", page_id=page.id), 303)


def saved_message(page: Page, updated: bool) -> str:
    if page.status == "published" and updated:
        return "Updated. Readers see the changes now."
    if page.status == "published":
        return "Published."
    return "Draft saved."


def render_page_form(form, page, status=200, message="", preview=None, recovered=None):
    return (
        render_template(
            "editor/page_form.html",
            form=form,
            page=page,
            message=message,
            preview=preview,
            recovered=recovery_notice(page, recovered),
            # A plain save of a published page changes what readers get at once.
            save_label="Update" if page.status == "published" else "Save draft",
        ),
        status,
    )


@bp.post("/pages/<int:page_id>/autosave")
@roles_required(*PUBLISHING_ROLES)
def page_autosave(page_id: int):
    """Keep what is being typed, without touching the page readers see."""
    page = db.get_or_404(Page, page_id)
    form = PageAutosaveForm()
    if not form.validate_on_submit():
        abort(400)
    revision = own_autosave(page) or new_autosave(page)
    apply_autosave_form(form, revision)
    db.session.add(revision)
    db.session.commit()
    return render_template(
        "editor/_autosave.html", revision=revision, stale=revision.base_version != page.version
    )


@bp.post("/pages/<int:page_id>/autosave/discard")
@roles_required(*PUBLISHING_ROLES)
def discard_page_autosave(page_id: int):
    """Throw away recovered, unsaved text and go back to the saved page."""
    page = db.get_or_404(Page, page_id)
    discard_own_autosave(page)
    db.session.commit()
    return redirect(url_for("editor.edit_page", page_id=page.id), 303)


@bp.get("/pages/<int:page_id>/revisions")
@roles_required(*PUBLISHING_ROLES)
def page_revisions(page_id: int):
    """Every saved version of the page, newest first."""
    page = db.get_or_404(Page, page_id)
    return render_template(
        "editor/revisions.html",
        item=page,
        noun="page",
        revisions=db.session.scalars(saves_of(page)).all(),
        edit_url=url_for("editor.edit_page", page_id=page.id),
        revision_url=lambda revision: url_for(
            "editor.page_revision", page_id=page.id, revision_id=revision.id
        ),
    )


@bp.get("/pages/<int:page_id>/revisions/<int:revision_id>")
@roles_required(*PUBLISHING_ROLES)
def page_revision(page_id: int, revision_id: int):
    """What changed between a revision and the page as it is now."""
    page = db.get_or_404(Page, page_id)
    revision = visible_revision_or_404(page, revision_id)
    return render_template(
        "editor/revision.html",
        item=page,
        noun="page",
        revision=revision,
        changes=changes(page, fields_of_revision(revision, page), fields_of(page)),
        restore_url=url_for(
            "editor.restore_page_revision", page_id=page.id, revision_id=revision.id
        ),
        revisions_url=url_for("editor.page_revisions", page_id=page.id),
    )


@bp.post("/pages/<int:page_id>/revisions/<int:revision_id>/restore")
@roles_required(*PUBLISHING_ROLES)
def restore_page_revision(page_id: int, revision_id: int):
    """Bring back a revision's title, dek and body, as a new save."""
    page = db.get_or_404(Page, page_id)
    restore_text(page, visible_revision_or_404(page, revision_id))
    db.session.commit()
    flash("The revision is restored.", "success")
    return redirect(url_for("editor.edit_page", page_id=page.id), 303)


@bp.post("/pages/<int:page_id>/trash")
@roles_required(*PUBLISHING_ROLES)
def trash_page(page_id: int):
    """Move to the trash: readers no longer see it, and it can be restored."""
    page = db.get_or_404(Page, page_id)
    if page.status != "trash":
        page.status = "trash"
        db.session.commit()
    flash(f"“{page.title}” is in the trash.", "info")
    return redirect(url_for("editor.pages"), 303)


@bp.post("/pages/<int:page_id>/restore")
@roles_required(*PUBLISHING_ROLES)
def restore_page(page_id: int):
    """Take a page out of the trash, back to the status it had."""
    page = db.get_or_404(Page, page_id)
    if page.status == "trash":
        page.status = page.status_before_trash or "draft"
        db.session.commit()
    flash(f"“{page.title}” is restored.", "success")
    return redirect(url_for("editor.edit_page", page_id=page.id), 303)
