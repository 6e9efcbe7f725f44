"""The editors' Redirects page: old addresses and where they lead, searched, added, changed and
deleted; admins and editors only. Storing one (chains followed, loops and live addresses refused)
is rsflask/redirects.py's; CSV files are redirect_files.py's."""

from urllib.parse import quote

from flask import flash, g, redirect, render_template, request, url_for
from flask_wtf import FlaskForm
from sqlalchemy import Select, or_, select
from sqlalchemy.orm import selectinload
from wtforms import SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length

from rsflask import redirects
from rsflask.db import db, escape_like
from rsflask.editor.access import bp, roles_required
from rsflask.fragments import wants_fragment
from rsflask.models import Article, Page, Redirect
from rsflask.models.accounts import PUBLISHING_ROLES
from rsflask.models.redirects import REDIRECT_STATUSES
from rsflask.pagination import paginate
from rsflask.redirect_paths import PATH_SAFE

PER_PAGE = 50

bp.add_app_template_global(redirects.target_text, "redirect_target")


@bp.before_request
def forget_site_answers() -> None:
    """What the site answers at an address is remembered for one request (site_answer): an
    app context, and its `g`, may outlive a request, as it does in tests."""
    g.pop("site_answers", None)


class RedirectForm(FlaskForm):
    old_path = StringField(
        "Old address",
        validators=[InputRequired("Give the old address."), Length(max=2000)],
        description="A path such as /2019/04/an-old-post/, or a full address (its host is "
        "ignored). The query string is dropped, but for WordPress's /?p=123.",
    )
    target = StringField(
        "Send readers to",
        validators=[InputRequired("Give the address to send readers to."), Length(max=2000)],
        description="A path on this site such as /articles/a-slug or /about (an article or a "
        "page is followed when its address changes later), or a web address (https://...).",
    )
    status = SelectField(
        "Kind",
        choices=[SelectChoice(str(code), label) for code, label in REDIRECT_STATUSES.items()],
        default="301",
    )


def listed() -> Select[tuple[Redirect]]:
    """Redirects with the article or page they lead to, newest change first."""
    return (
        select(Redirect)
        .options(selectinload(Redirect.article), selectinload(Redirect.page))
        .order_by(Redirect.updated_at.desc(), Redirect.id.desc())
    )


@bp.get("/redirects")
@roles_required(*PUBLISHING_ROLES)
def redirects_list():
    """Every redirect, the importers' included, searched by old address or target."""
    search = request.args.get("q", "").strip()[:200]
    query = listed()
    if search:
        written = f"%{escape_like(search)}%"
        # Old paths are stored percent-encoded: "café" is found as "caf%C3%A9" too.
        encoded = f"%{escape_like(quote(search, safe=PATH_SAFE + '%'))}%"
        query = query.outerjoin(Redirect.article).outerjoin(Redirect.page)
        query = query.where(
            or_(
                *(
                    column.ilike(pattern, escape="\\")
                    for column in (Redirect.old_path, Redirect.target_url)
                    for pattern in (written, encoded)
                ),
                Article.slug.ilike(written, escape="\\"),
                Article.title.ilike(written, escape="\\"),
                Page.slug.ilike(written, escape="\\"),
                Page.title.ilike(written, escape="\\"),
            )
        )
    listing = paginate(query, per_page=PER_PAGE)
    template = "editor/_redirect_list.html" if wants_fragment() else "editor/redirects.html"
    return render_template(template, redirects=listing, search=search)


@bp.route("/redirects/new", methods=["GET", "POST"])
@roles_required(*PUBLISHING_ROLES)
def new_redirect():
    """Add a redirect."""
    form = RedirectForm()
    return save_form(form, Redirect(hit_count=0))


@bp.route("/redirects/<int:redirect_id>", methods=["GET", "POST"])
@roles_required(*PUBLISHING_ROLES)
def edit_redirect(redirect_id: int):
    """Change a redirect's old address, target or kind; its hits stay."""
    stored = db.get_or_404(Redirect, redirect_id)
    form = RedirectForm()
    if request.method == "GET":
        form.old_path.data = stored.old_path
        form.target.data = redirects.target_text(stored)
        form.status.data = str(stored.status)
    return save_form(form, stored)


def save_form(form: RedirectForm, stored: Redirect):
    """Store what the form holds in `stored`, or show the form again saying what is wrong."""
    if not form.validate_on_submit():
        return render_form(form, stored, 422 if form.errors else 200)
    try:
        status = int(form.status.data)
        redirects.save(stored, form.old_path.data, form.target.data, status, "editor")
    except redirects.RedirectRefused as refusal:
        db.session.rollback()
        getattr(form, refusal.field).errors = [str(refusal)]
        return render_form(form, stored if stored.id else None, 422)
    db.session.commit()
    saved = f"Saved: {stored.old_path} → {redirects.target_text(stored)}."
    flash(saved + warning(stored), "success")
    return redirect(url_for("editor.redirects_list", q=stored.old_path), 303)


def warning(stored: Redirect) -> str:
    """What an editor should know about a target readers cannot reach yet."""
    article, page = stored.article, stored.page
    if article is not None and (article.status != "published" or article.is_scheduled):
        return " Readers are sent there once the article is published."
    if page is not None and page.status != "published":
        return " Readers are sent there once the page is published."
    if stored.target_url.startswith("/"):
        answer, _ = redirects.site_answer(stored.target_url)
        if answer in redirects.NOTHING_HERE:
            return f" Nothing is at that address yet ({answer}): check it."
    return ""


def render_form(form: RedirectForm, stored: Redirect | None, status: int):
    stored = stored if stored is not None and stored.id else None
    return render_template("editor/redirect_form.html", form=form, stored=stored), status


@bp.route("/redirects/<int:redirect_id>/delete", methods=["GET", "POST"])
@roles_required(*PUBLISHING_ROLES)
def delete_redirect(redirect_id: int):
    """Ask, then delete (a form post); with htmx, both in the redirect's row of the list."""
    # Its article or page loaded now: the row shown once it is deleted names them.
    loaded = [selectinload(Redirect.article), selectinload(Redirect.page)]
    stored = db.get_or_404(Redirect, redirect_id, options=loaded)
    if request.method == "GET":
        if wants_fragment():
            return render_template("editor/_redirect_row.html", redirect=stored, asking=True)
        return render_template("editor/redirect_delete.html", redirect=stored)
    db.session.delete(stored)
    db.session.commit()
    message = f"The redirect from {stored.old_path} is deleted."
    if wants_fragment():
        return render_template("editor/_redirect_row.html", redirect=stored, message=message)
    flash(message, "success")
    return redirect(url_for("editor.redirects_list"), 303)


@bp.get("/redirects/<int:redirect_id>/row")
@roles_required(*PUBLISHING_ROLES)
def redirect_row(redirect_id: int):
    """The redirect's row of the list, for htmx (Keep, after Delete asked); a browser gets the
    list searched for it."""
    stored = db.get_or_404(Redirect, redirect_id)
    if not wants_fragment():
        return redirect(url_for("editor.redirects_list", q=stored.old_path), 303)
    return render_template("editor/_redirect_row.html", redirect=stored)
