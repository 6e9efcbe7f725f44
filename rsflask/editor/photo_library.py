"""The photo library: every photo uploaded, where each is used, and the snippet that puts one in
a text (inline_photos.py); uploading one, choosing one with its own caption, changing its alt
text and credit, deleting one nothing uses.

The article and page forms' Insert photo dialog is made of these views' fragments: one upload or
choice answers with the snippet, which static/js/insert_photo.js puts in the body. Without
JavaScript the same pages show the snippet to copy.
"""

from flask import abort, flash, redirect, render_template, request, url_for
from flask_wtf.file import FileField, FileRequired
from sqlalchemy.exc import IntegrityError
from wtforms import StringField
from wtforms.validators import DataRequired, Length

from rsflask.db import db, escape_like
from rsflask.editor.access import bp, may_publish, roles_required
from rsflask.editor.forms import TypedTextForm
from rsflask.editor.photo_uses import uses_of
from rsflask.fragments import wants_fragment
from rsflask.inline_photos import snippet
from rsflask.models import Photo
from rsflask.models.accounts import PUBLISHING_ROLES, ROLES
from rsflask.pagination import paginate
from rsflask.photos import PhotoError, remove_photo_files, store_photo

PER_PAGE = 20
ALT_MISSING = "Describe the photo for readers who cannot see it."


class SnippetForm(TypedTextForm):
    """What one use of a photo says: its own alt text, caption and credit."""

    alt = StringField(
        "Alt text",
        validators=[DataRequired(ALT_MISSING), Length(max=500)],
        description="What the photo shows, for readers who cannot see it.",
    )
    caption = StringField(
        "Caption", validators=[Length(max=500)], description="Optional. Shown under the photo."
    )
    credit = StringField(
        "Credit", validators=[Length(max=300)], description="Optional. Readers see “Photo: …”."
    )


class UploadForm(SnippetForm):
    photo = FileField(
        "Photo file",
        validators=[FileRequired("Choose a photo to upload.")],
        description="JPEG, PNG or WebP.",
    )


class LibraryDetailsForm(TypedTextForm):
    alt = StringField(
        "Alt text",
        validators=[Length(max=500)],
        description="Offered whenever the photo is put in a text; each use may change it.",
    )
    credit = StringField("Credit", validators=[Length(max=300)])


def insert_form(photo: Photo) -> SnippetForm:
    """The form that makes a snippet of this photo, filled with the library's alt text and
    credit; its fields are named after the photo, since a list shows one form per photo."""
    return SnippetForm(prefix=f"photo-{photo.id}", alt=photo.alt, credit=photo.credit)


def library_snippet(photo: Photo) -> str:
    return snippet(photo, photo.alt, "", photo.credit)


def snippet_of(photo: Photo, form: SnippetForm) -> str:
    """The snippet as the form says: a field left out of the post keeps what the form was
    filled with (the library's credit), or is empty."""
    return snippet(photo, form.alt.data, form.caption.data or "", form.credit.data or "")


def render_step(fragment: str, heading: str, status: int = 200, **context):
    """An upload, a choice or their answer: the fragment alone for htmx (the Insert photo
    dialog, the library's own page), or in a page of its own for a browser."""
    template = f"editor/_{fragment}.html"
    if wants_fragment():
        return render_template(template, **context), status
    page = render_template("editor/photo_step.html", fragment=template, heading=heading, **context)
    return page, status


@bp.get("/photos")
@roles_required(*ROLES)
def photos():
    """Every photo, newest first, with where it is used and its snippet; search by alt text or
    credit."""
    search = request.args.get("q", "").strip()[:200]
    query = db.select(Photo).order_by(Photo.created_at.desc(), Photo.id.desc())
    if search:
        pattern = f"%{escape_like(search)}%"
        query = query.where(
            Photo.alt.ilike(pattern, escape="\\") | Photo.credit.ilike(pattern, escape="\\")
        )
    found = paginate(query, per_page=PER_PAGE)
    context = {
        "photos": found,
        "search": search,
        "uses": uses_of([photo.id for photo in found]),
        "insert_form": insert_form,
        "library_snippet": library_snippet,
        "may_publish": may_publish(),
    }
    if wants_fragment():
        return render_template("editor/_photo_list.html", **context)
    return render_template("editor/photos.html", upload_form=UploadForm(prefix="upload"), **context)


@bp.route("/photos/upload", methods=["GET", "POST"])
@roles_required(*ROLES)
def upload_photo():
    """Add a photo to the library; the answer is its snippet, with this alt text, caption and
    credit. The alt text and credit become the library's, unless the photo is there already."""
    form = UploadForm(prefix="upload")
    if not form.validate_on_submit():
        status = 422 if form.errors else 200
        return render_step("photo_upload", "Upload a photo", status, form=form)
    try:
        photo = store_photo(form.photo.data.read(), form.alt.data, form.credit.data)
    except PhotoError as error:
        form.photo.errors.append(str(error))
        return render_step("photo_upload", "Upload a photo", 422, form=form)
    db.session.commit()
    text = snippet_of(photo, form)
    return render_step("photo_snippet", "Photo uploaded", photo=photo, snippet=text)


@bp.route("/photos/<int:photo_id>/insert", methods=["GET", "POST"])
@roles_required(*ROLES)
def insert_photo(photo_id: int):
    """A library photo's snippet, with the alt text, caption and credit of this use."""
    photo = db.get_or_404(Photo, photo_id)
    form = insert_form(photo)
    heading = f"Insert photo {photo.id}"
    if not form.validate_on_submit():
        status = 422 if form.errors else 200
        return render_step("photo_insert", heading, status, form=form, photo=photo, picture=photo)
    return render_step("photo_snippet", heading, photo=photo, snippet=snippet_of(photo, form))


@bp.route("/photos/<int:photo_id>", methods=["GET", "POST"])
@roles_required(*ROLES)
def edit_photo(photo_id: int):
    """One photo: its sizes, where it is used, its snippet; admins and editors change the alt
    text and credit the library offers."""
    photo = db.get_or_404(Photo, photo_id)
    form = LibraryDetailsForm(obj=photo)
    if request.method == "POST":
        if not may_publish():
            abort(403)
        if form.validate_on_submit():
            photo.alt = (form.alt.data or "").strip()
            photo.credit = (form.credit.data or "").strip()
            db.session.commit()
            flash("The photo's alt text and credit are saved.", "success")
            return redirect(url_for("editor.edit_photo", photo_id=photo.id), 303)
    return render_template(
        "editor/photo.html",
        photo=photo,
        form=form,
        uses=uses_of([photo.id])[photo.id],
        library_snippet=library_snippet,
        may_publish=may_publish(),
    ), 422 if form.errors else 200


@bp.route("/photos/<int:photo_id>/delete", methods=["GET", "POST"])
@roles_required(*PUBLISHING_ROLES)
def delete_photo(photo_id: int):
    """Delete a photo and its files, once asked; refused while anything uses it."""
    photo = db.get_or_404(Photo, photo_id)
    uses = uses_of([photo.id])[photo.id]
    if request.method == "GET" or uses:
        status = 409 if uses and request.method == "POST" else 200
        return render_template("editor/photo_delete.html", photo=photo, uses=uses), status
    digest = photo.digest
    db.session.delete(photo)
    try:
        db.session.commit()
    except IntegrityError:
        # Put in a text or given to an author since the check: its row says where.
        db.session.rollback()
        photo = db.get_or_404(Photo, photo_id)
        uses = uses_of([photo.id])[photo.id]
        return render_template("editor/photo_delete.html", photo=photo, uses=uses), 409
    remove_photo_files(digest)
    flash(f"Photo {photo_id} is deleted, with its files.", "success")
    return redirect(url_for("editor.photos"), 303)
