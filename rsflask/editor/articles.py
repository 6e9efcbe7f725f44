"""Writing: the dashboard, the article form with preview and autosave, revisions, the trash."""

import difflib
from datetime import datetime

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy.orm.exc import StaleDataError

from rsflask import limits, markup, markup_budget
from rsflask.article_files import get_or_create
from rsflask.db import db, escape_like, utcnow
from rsflask.editor.access import (
    bp,
    editable_article_or_404,
    may_change,
    may_publish,
    roles_required,
    visible_revision_or_404,
)
from rsflask.editor.forms import ArticleForm, AutosaveForm
from rsflask.fragments import wants_fragment
from rsflask.models import (
    Article,
    ArticleType,
    Author,
    Revision,
    Section,
    SlugRedirect,
    Tag,
)
from rsflask.models.accounts import ROLES
from rsflask.pagination import page_number
from rsflask.photos import PhotoError, store_photo
from rsflask.slugs import slugify
from rsflask.times import OffTheCalendar, local_time, utc_from_local

FILTERS = {
    "draft": "Drafts",
    "review": "In review",
    "scheduled": "Scheduled",
    "published": "Published",
    "trash": "Trash",
}
# A new article's slug until the editor gives it a title: never shown in the form, so that
# an empty slug field makes the slug from the title as the hint says.
PLACEHOLDER_SLUG = "untitled-draft"


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
    articles = db.paginate(query, page=page_number(), per_page=25, max_per_page=25)
    return render_template(
        "editor/dashboard.html",
        articles=articles,
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
    article = Article(
        slug=unused_slug(PLACEHOLDER_SLUG),
        title="Untitled draft",
        body_md="",
        article_type=db.session.scalars(db.select(ArticleType).order_by(ArticleType.id)).first()
        or get_or_create(ArticleType, "News"),
        section=db.session.scalars(db.select(Section).order_by(Section.position)).first()
        or get_or_create(Section, "World"),
        status="draft",
        created_by_id=current_user.id,
    )
    db.session.add(article)
    db.session.commit()
    return redirect(url_for("editor.edit_article", article_id=article.id), 303)


def unused_slug(base: str, article: Article | None = None) -> str:
    """`base`, or `base-2`, `base-3`... whichever no other article or old address uses."""
    candidate, number = base, 1
    while slug_taken(candidate, article):
        number += 1
        candidate = f"{base[:70]}-{number}"
    return candidate


def slug_taken(slug: str, article: Article | None) -> bool:
    other = db.session.scalar(db.select(Article).filter_by(slug=slug))
    if other is not None and other is not article:
        return True
    old = db.session.get(SlugRedirect, slug)
    return old is not None and (article is None or old.article_id != article.id)


def fill_choices(form: ArticleForm | AutosaveForm) -> None:
    form.article_type.choices = [
        (t.id, t.name)
        for t in db.session.scalars(db.select(ArticleType).order_by(ArticleType.name))
    ]
    form.section.choices = [
        (s.id, s.name)
        for s in db.session.scalars(db.select(Section).order_by(Section.position, Section.name))
    ]


def local_input_time(value: datetime | None) -> datetime | None:
    """Stored naive UTC -> the naive local time a datetime-local field shows, to the minute."""
    if value is None:
        return None
    return local_time(value).replace(tzinfo=None, second=0, microsecond=0)


def fields_of(article: Article) -> dict:
    """The article as its form shows it."""
    return {
        "title": article.title,
        "slug": "" if is_placeholder(article.slug) else article.slug,
        "dek": article.dek,
        "article_type": article.type_id,
        "section": article.section_id,
        "tags": ", ".join(tag.name for tag in article.tags),
        "authors": ", ".join(author.name for author in article.authors),
        "body": article.body_md,
        "photo_alt": article.photo_alt,
        "photo_credit": article.photo_credit,
        "published_at": local_input_time(article.published_at),
    }


def fields_of_revision(revision: Revision, article: Article) -> dict:
    """A revision or autosave as the form would show it."""
    fields = fields_of(article) | {
        "title": revision.title,
        "dek": revision.dek,
        "body": revision.body_md,
    }
    # Copies made before revisions had these columns, or posted by a page loaded before then,
    # kept the text alone; a newer one always has a slug, if only an empty one.
    if revision.slug is not None:
        fields |= {
            "slug": "" if is_placeholder(revision.slug) else revision.slug,
            "article_type": revision.type_id or article.type_id,
            "section": revision.section_id or article.section_id,
            "tags": revision.tags or "",
            "authors": revision.authors or "",
            "photo_alt": revision.photo_alt or "",
            "photo_credit": revision.photo_credit or "",
            "published_at": local_input_time(revision.published_at),
        }
    return fields


def same_fields(one: dict, other: dict) -> bool:
    """Equal but for spacing between names, and the order of tags (an article keeps them
    sorted, unlike its authors)."""

    def plain(fields: dict) -> dict:
        return fields | {"tags": tag_names(fields["tags"]), "authors": names(fields["authors"])}

    return plain(one) == plain(other)


def tag_names(text: str) -> list[str]:
    return sorted(names(text), key=str.casefold)


def is_placeholder(slug: str) -> bool:
    return slug == PLACEHOLDER_SLUG or slug.startswith(PLACEHOLDER_SLUG + "-")


def names(text: str) -> list[str]:
    return list(dict.fromkeys(n.strip() for n in (text or "").split(",") if n.strip()))


def apply_form(form: ArticleForm, article: Article) -> bool:
    """Copy the form into the article; False (with messages on the form) if it can't be saved."""
    slug = form.slug.data.strip() if form.slug.data else slugify(form.title.data)
    if slug_taken(slug, article):
        form.slug.errors.append("Another article uses this address. Choose another slug.")
        return False
    upload = form.photo.data if getattr(form.photo.data, "filename", "") else None
    photo = None if form.remove_photo.data else article.photo
    # Checked before the upload is stored, so that a refused form leaves no files behind.
    if (upload or photo) and not (form.photo_alt.data or "").strip():
        form.photo_alt.errors.append("Describe the photo for readers who cannot see it.")
        return False
    try:
        # Before the upload is stored, for the same reason.
        markup.set_body(article, form.body.data or "")
    except markup.TooComplex as error:
        form.body.errors.append(str(error))
        return False
    if upload:
        try:
            photo = store_photo(upload.read())
        except PhotoError as error:
            form.photo.errors.append(str(error))
            return False
    if slug != article.slug and article.status == "published":
        # Links already shared keep working: the old address answers with a 301.
        db.session.merge(SlugRedirect(old_slug=article.slug, article_id=article.id))
    old_redirect = db.session.get(SlugRedirect, slug)
    if old_redirect is not None:
        db.session.delete(old_redirect)
    article.slug = slug
    article.title = form.title.data.strip()
    article.dek = (form.dek.data or "").strip()
    article.article_type = db.get_or_404(ArticleType, form.article_type.data)
    article.section = db.get_or_404(Section, form.section.data)
    article.tags = [get_or_create(Tag, name) for name in names(form.tags.data)]
    article.authors = [get_or_create(Author, name) for name in names(form.authors.data)]
    article.photo = photo
    article.photo_alt = (form.photo_alt.data or "").strip()
    article.photo_credit = (form.photo_credit.data or "").strip()
    article.published_at = utc_from_local(form.published_at.data) or article.published_at
    return True


def keep_revision(article: Article, kind: str = "save") -> None:
    db.session.add(
        Revision(
            article_id=article.id,
            user_id=current_user.id,
            kind=kind,
            base_version=article.version,
            title=article.title,
            dek=article.dek,
            body_md=article.body_md,
            slug=article.slug,
            type_id=article.type_id,
            section_id=article.section_id,
            tags=", ".join(tag.name for tag in article.tags),
            authors=", ".join(author.name for author in article.authors),
            photo_alt=article.photo_alt,
            photo_credit=article.photo_credit,
            published_at=article.published_at,
        )
    )


def own_autosave(article: Article) -> Revision | None:
    return db.session.scalar(
        db.select(Revision).filter_by(
            article_id=article.id, user_id=current_user.id, kind="autosave"
        )
    )


def recovery_notice(article: Article, autosave: Revision | None) -> dict | None:
    """What the form says about recovered text; when the article was saved after the text was
    typed, who saved it and what differs, so that nothing of either is lost unseen."""
    if autosave is None:
        return None
    if autosave.base_version == article.version:
        return {"autosave": autosave, "saved_since": None}
    return {
        "autosave": autosave,
        "saved_since": saved_since_message(article),
        "changes": changes(fields_of(article), fields_of_revision(autosave, article)),
    }


LABELS = {
    "title": "Title",
    "slug": "Slug",
    "dek": "Dek",
    "article_type": "Type",
    "section": "Section",
    "tags": "Tags",
    "authors": "Authors",
    "body": "Body",
    "photo_alt": "Photo alt text",
    "photo_credit": "Photo credit",
    "published_at": "Publish time",
}
ALWAYS_COMPARED = ("title", "dek", "body")


def changes(old: dict, new: dict) -> dict[str, list[tuple[str, str]]]:
    """Line by line, the title, dek and body, and whichever other fields differ."""
    old_text, new_text = shown(old), shown(new)
    return {
        LABELS[name]: diff_lines(old_text[name], new_text[name])
        for name in LABELS
        if name in ALWAYS_COMPARED or old_text[name] != new_text[name]
    }


def shown(fields: dict) -> dict[str, str]:
    """Form fields as text a person reads: names for ids, tags and authors spaced alike."""
    article_type = db.session.get(ArticleType, fields["article_type"])
    section = db.session.get(Section, fields["section"])
    published_at = fields["published_at"]
    return fields | {
        "article_type": article_type.name if article_type else "",
        "section": section.name if section else "",
        "tags": ", ".join(tag_names(fields["tags"])),
        "authors": ", ".join(names(fields["authors"])),
        "published_at": f"{published_at:%Y-%m-%d %H:%M}" if published_at else "",
    }


def saved_since_message(article: Article) -> str:
    when = local_input_time(article.updated_at)
    return (
        f"{last_saver(article)} saved the article at {when:%H:%M} after you typed this, so "
        "saving your text replaces their version (which stays under Revisions)."
    )


def conflict_message(article: Article) -> str:
    who = last_saver(article)
    when = local_time(article.updated_at)
    return (
        f"Not saved: {who} saved this article at {when:%H:%M} while you were editing. "
        "Your text is kept below. Compare it with their version under Revisions, then save "
        "again to replace theirs with yours."
    )


def last_saver(article: Article) -> str:
    revision = db.session.scalar(
        db.select(Revision)
        .filter_by(article_id=article.id, kind="save")
        .order_by(Revision.created_at.desc(), Revision.id.desc())
        .limit(1)
    )
    if revision and revision.user:
        return revision.user.name or revision.user.email
    return "someone else"


@bp.route("/articles/<int:article_id>", methods=["GET", "POST"])
@roles_required(*ROLES)
def edit_article(article_id: int):
    """The article form: save, preview, publish or schedule, submit for review."""
    article = editable_article_or_404(article_id)
    if request.method == "GET":
        fields = fields_of(article)
        # Offered whenever it says something the article does not, even after someone else's
        # save: hiding it would let the next autosave overwrite the only copy.
        autosave = own_autosave(article)
        if autosave and not same_fields(kept := fields_of_revision(autosave, article), fields):
            fields = kept
        else:
            autosave = None
        form = ArticleForm(**fields, version=str(article.version))
        fill_choices(form)
        return render_editor(form, article, recovered=autosave)

    form = ArticleForm()
    fill_choices(form)
    if not form.validate_on_submit():
        return render_editor(form, article, status=422)
    if form.preview.data:
        try:
            preview = markup.render(form.body.data or "")
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
    if form.publish.data:
        article.status = "published"
        article.published_at = article.published_at if form.published_at.data else None
        article.published_at = article.published_at or utcnow().replace(microsecond=0)
    elif form.submit_review.data:
        article.status = "review"
    try:
        db.session.flush()
        keep_revision(article)
        autosave = own_autosave(article)
        if autosave:
            db.session.delete(autosave)
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


def render_editor(form, article, status=200, message="", preview=None, recovered=None):
    try:
        scheduled_time = utc_from_local(form.published_at.data)
    except OffTheCalendar:
        scheduled_time = None  # the refused form says so under the field
    schedules = scheduled_time is not None and scheduled_time > utcnow()
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
            publish_label="Schedule" if schedules else "Publish",
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
    revision = own_autosave(article) or Revision(
        article_id=article.id, user_id=current_user.id, kind="autosave"
    )
    revision.title = form.title.data or ""
    revision.dek = form.dek.data or ""
    revision.body_md = form.body.data or ""
    # None when the page did not send it, which tells a copy of the text alone.
    revision.slug = form.slug.data
    revision.type_id = form.article_type.data
    revision.section_id = form.section.data
    revision.tags = form.tags.data
    revision.authors = form.authors.data
    revision.photo_alt = form.photo_alt.data
    revision.photo_credit = form.photo_credit.data
    revision.published_at = utc_from_local(form.published_at.data)
    version = form.version.data or ""
    sane = version.isascii() and version.isdigit() and len(version) < 10
    revision.base_version = int(version) if sane else 0
    revision.created_at = utcnow()
    db.session.add(revision)
    db.session.commit()
    stale = revision.base_version != article.version
    # The Publish button follows the typed time (Schedule for a future one) before any save.
    schedules = revision.published_at is not None and revision.published_at > utcnow()
    offers_publish = may_publish() and article.status != "trash"
    return render_template(
        "editor/_autosave.html",
        revision=revision,
        stale=stale,
        publish_label=("Schedule" if schedules else "Publish") if offers_publish else None,
    )


@bp.post("/articles/<int:article_id>/autosave/discard")
@roles_required(*ROLES)
def discard_autosave(article_id: int):
    """Throw away recovered, unsaved text and go back to the saved article."""
    article = editable_article_or_404(article_id)
    autosave = own_autosave(article)
    if autosave:
        db.session.delete(autosave)
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
    html = markup.render(body)
    if wants_fragment():
        return render_template("editor/_preview.html", html=html)
    return render_template("editor/preview.html", html=html)


@bp.get("/articles/<int:article_id>/revisions")
@roles_required(*ROLES)
def revisions(article_id: int):
    """Every saved version of the article, newest first."""
    article = editable_article_or_404(article_id)
    saved = db.session.scalars(
        db.select(Revision)
        .filter_by(article_id=article.id, kind="save")
        .order_by(Revision.created_at.desc(), Revision.id.desc())
    ).all()
    return render_template("editor/revisions.html", article=article, revisions=saved)


@bp.get("/articles/<int:article_id>/revisions/<int:revision_id>")
@roles_required(*ROLES)
def revision(article_id: int, revision_id: int):
    """What changed between a revision and the article as it is now."""
    article = editable_article_or_404(article_id)
    revision = visible_revision_or_404(article, revision_id)
    return render_template(
        "editor/revision.html",
        article=article,
        revision=revision,
        changes=changes(fields_of_revision(revision, article), fields_of(article)),
    )


def diff_lines(old: str, new: str) -> list[tuple[str, str]]:
    """(kind, line) pairs: "-" only in the revision, "+" only now, " " in both."""
    lines = []
    for line in difflib.ndiff(old.splitlines(), new.splitlines()):
        if line[:1] in ("-", "+", " "):
            lines.append((line[:1], line[2:]))
    return lines


@bp.post("/articles/<int:article_id>/revisions/<int:revision_id>/restore")
@roles_required(*ROLES)
def restore_revision(article_id: int, revision_id: int):
    """Bring back a revision's title, dek and body, as a new save."""
    article = editable_article_or_404(article_id)
    revision = visible_revision_or_404(article, revision_id)
    article.title, article.dek = revision.title, revision.dek
    markup.set_body(article, revision.body_md)
    db.session.flush()
    keep_revision(article)
    db.session.commit()
    flash("The revision is restored.", "success")
    return redirect(url_for("editor.edit_article", article_id=article.id), 303)


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
