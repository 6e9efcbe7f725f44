"""Admin pages for what articles are filed under: sections, types and authors."""

from flask import flash, redirect, render_template, url_for
from werkzeug.datastructures import FileStorage

from rsflask.db import db
from rsflask.editor.access import bp, roles_required
from rsflask.editor.forms import AuthorForm, NameSlugForm, SectionForm
from rsflask.models import ArticleType, Author, Section
from rsflask.photos import PhotoError, store_photo
from rsflask.slugs import slugify

KINDS = {
    "sections": (Section, SectionForm, "Sections", "section"),
    "types": (ArticleType, NameSlugForm, "Types", "type"),
    "authors": (Author, AuthorForm, "Authors", "author"),
}


@bp.get("/<any(sections, types, authors):kind>")
@roles_required("admin")
def taxonomy(kind: str):
    """All sections, types or authors."""
    model, _, title, singular = KINDS[kind]
    rows = db.session.scalars(db.select(model).order_by(model.name)).all()
    return render_template(
        "editor/taxonomy.html", rows=rows, kind=kind, title=title, singular=singular
    )


@bp.route("/<any(sections, types, authors):kind>/new", methods=["GET", "POST"])
@bp.route("/<any(sections, types, authors):kind>/<int:row_id>", methods=["GET", "POST"])
@roles_required("admin")
def edit_taxonomy(kind: str, row_id: int | None = None):
    """Create or change one section, type or author."""
    model, form_class, title, singular = KINDS[kind]
    row = db.get_or_404(model, row_id) if row_id else None
    form = form_class(obj=row)
    if form.validate_on_submit() and is_unique(form, model, row, singular):
        row = row or model()
        if kind != "authors" or attach_photo(form, row):
            row.name = form.name.data.strip()
            row.slug = form.slug.data or slugify(row.name, fallback=singular)
            if kind == "sections":
                row.description, row.position = form.description.data, int(form.position.data)
            if kind == "authors":
                row.bio = form.bio.data
                row.role_line = (form.role_line.data or "").strip()
                row.is_staff = form.is_staff.data
                row.staff_position = int(form.staff_position.data)
            db.session.add(row)
            db.session.commit()
            flash(f"Saved {row.name}.", "success")
            return redirect(url_for("editor.taxonomy", kind=kind), 303)
    status = 422 if form.errors else 200
    return render_template(
        "editor/taxonomy_form.html", form=form, row=row, kind=kind, title=title, singular=singular
    ), status


def is_unique(form, model, row, singular: str) -> bool:
    """Slugs are unique; so are the names of sections and types (two authors may share one)."""
    slug = form.slug.data or slugify(form.name.data, fallback=singular)
    taken = db.session.scalar(db.select(model).filter_by(slug=slug))
    if taken is not None and taken is not row:
        form.slug.errors.append(f"Another {singular} has this slug.")
        return False
    if model is not Author:
        same_name = db.session.scalar(db.select(model).filter_by(name=form.name.data.strip()))
        if same_name is not None and same_name is not row:
            form.name.errors.append(f"Another {singular} has this name.")
            return False
    return True


def attach_photo(form: AuthorForm, author: Author) -> bool:
    """A new photo replaces the old one; without one, the old one stays unless removed."""
    upload = form.photo.data
    # Not the stored Photo the form was filled from (obj=author): only a file sent now counts.
    if not (isinstance(upload, FileStorage) and upload.filename):
        if form.remove_photo.data:
            author.photo = None
        return True
    try:
        author.photo = store_photo(upload.read(), alt=form.name.data or "")
    except PhotoError as error:
        form.photo.errors.append(str(error))
        return False
    return True
