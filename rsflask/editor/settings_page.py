"""The admins' Settings page: the site's editorial settings, saved as a new row each time, and
the history of those saves."""

from flask import current_app, flash, redirect, render_template, url_for
from flask_login import current_user
from werkzeug.datastructures import FileStorage

from rsflask import site_settings
from rsflask.db import db
from rsflask.editor.access import bp, roles_required
from rsflask.editor.settings_form import SPARE_LINK_ROWS, SettingsForm
from rsflask.models import Page, Section, SiteSettings
from rsflask.photos import PhotoError, store_default_share_image, store_logo
from rsflask.times import local_time
from rsflask.upload_limits import large_form, refusal

# Saves listed on the history page, newest first.
HISTORY_LENGTH = 100


def all_sections() -> list[Section]:
    return db.session.scalars(db.select(Section).order_by(Section.position, Section.name)).all()


def published_pages() -> list[Page]:
    return db.session.scalars(
        db.select(Page).filter_by(status="published").order_by(Page.title, Page.id)
    ).all()


# The page menus the form places, each a list of rows named like the key that records the choice
# in the history, and the Page column that rules it (which the page form's boxes set too).
PAGE_MENUS = {"nav_pages": "nav_position", "footer_pages": "footer_position"}


def page_menus(pages: list[Page]) -> dict[str, list[int]]:
    """The ids of the pages in each menu as the columns place them: by position, then title."""
    menus = {}
    for key, column in PAGE_MENUS.items():
        placed = [page for page in pages if getattr(page, column) is not None]
        placed.sort(key=lambda page: (getattr(page, column), page.title, page.id))
        menus[key] = [page.id for page in placed]
    return menus


def choice_rows(items: list, chosen: list[int] | None) -> list[dict]:
    """Sections or pages as the form shows them: those chosen first, in their order, then the
    rest; None chooses them all."""
    if chosen is None:
        shown = items
    else:
        by_id = {item.id: item for item in items}
        shown = [by_id[i] for i in chosen if i in by_id]
    hidden = [item for item in items if item not in shown]
    return [
        {"item_id": str(item.id), "shown": item in shown, "position": number}
        for number, item in enumerate([*shown, *hidden], start=1)
    ]


def form_data(values: dict, sections: list[Section], pages: list[Page]) -> dict:
    links = [
        {"name": name, "url": url, "position": number}
        for number, (name, url) in enumerate(values["social_links"], start=1)
    ]
    return {
        "name": values["name"],
        "tagline": values["tagline"] or "",
        "description": values["description"] or "",
        "links": links,
        "nav": choice_rows(sections, values["nav_sections"]),
        **{key: choice_rows(pages, values[key]) for key in PAGE_MENUS},
        "donate_url": values["donate_url"] or "",
        "newsletter_blurb": values["newsletter_blurb"] or "",
    }


def in_order(rows) -> list:
    """The rows' forms by the position typed, rows without one last; ties keep the form's order."""
    numbered = list(enumerate(row.form for row in rows))
    numbered.sort(key=lambda pair: (pair[1].position.data is None, pair[1].position.data, pair[0]))
    return [form for _, form in numbered]


def chosen_ids(rows, known: dict) -> list[int]:
    """The ids of the rows ticked, in the order typed; ids of rows deleted meanwhile dropped."""
    ids = []
    for form in in_order(rows):
        text = form.item_id.data or ""
        # isascii too: "²" is a digit to isdigit(), and not to int().
        item_id = int(text) if text.isascii() and text.isdigit() else None
        if form.shown.data and item_id in known and item_id not in ids:
            ids.append(item_id)
    return ids


def image_change(field, remove: bool, store) -> tuple[bool, dict | None]:
    """(True, what to store) for a file sent now or an image removed; (False, None) when it
    stays as it was. A file that is too large, or not an image we take, leaves an error on the
    field."""
    upload = field.data
    if isinstance(upload, FileStorage) and upload.filename:
        too_large = refusal(upload)
        if too_large:
            field.errors.append(too_large)
            return False, None
        try:
            return True, store(upload.read())
        except PhotoError as error:
            field.errors.append(str(error))
            return False, None
    return remove, None


def new_values(
    form: SettingsForm, values: dict, sections: list[Section], pages: list[Page]
) -> dict:
    links = [
        [row.name.data, row.url.data]
        for row in in_order(form.links)
        if row.name.data and row.url.data and not row.remove.data
    ]
    nav = chosen_ids(form.nav, {section.id: section for section in sections})
    # Every section ticked in the order of their positions is the menu as it is with no choice
    # at all: kept as no choice, so that a section added later shows up by itself.
    if nav == [section.id for section in sections]:
        nav = None
    return {
        **values,
        "name": form.name.data,
        "tagline": form.tagline.data,
        "description": form.description.data,
        "social_links": links,
        "nav_sections": nav,
        **{key: chosen_ids(form[key], {page.id: page for page in pages}) for key in PAGE_MENUS},
        "donate_url": form.donate_url.data or None,
        "newsletter_blurb": form.newsletter_blurb.data,
    }


def place_pages(ids: list[int], pages: list[Page], column: str) -> None:
    """The column rules its menu: 1, 2, 3... in the order chosen, None for the rest. Only pages
    whose place changes are written, so that nobody's open page form is told it changed
    meanwhile."""
    for page in pages:
        position = ids.index(page.id) + 1 if page.id in ids else None
        if getattr(page, column) != position:
            setattr(page, column, position)


@bp.route("/settings", methods=["GET", "POST"])
@large_form
@roles_required("admin")
def settings():
    """The site's editorial settings, for admins."""
    sections, pages = all_sections(), published_pages()
    # The page menus as the pages place them: a page's own form may have changed them since the
    # last save here.
    values = {**site_settings.current(), **page_menus(pages)}
    form = SettingsForm(data=form_data(values, sections, pages))
    if form.is_submitted() and form.add_link.data:
        # Sent back as typed with one more empty row; nothing is saved.
        form.links.append_entry()
        return render_settings(form, sections, pages, 200)
    if not form.is_submitted():
        for _ in range(SPARE_LINK_ROWS):
            form.links.append_entry()
        return render_settings(form, sections, pages, 200)
    if form.validate():
        images = {
            "logo": image_change(form.logo, form.remove_logo.data, store_logo),
            "share_image": image_change(
                form.share_image, form.remove_share_image.data, store_default_share_image
            ),
        }
        if not (form.logo.errors or form.share_image.errors):
            save(form, values, sections, pages, images)
            return redirect(url_for("editor.settings"), 303)
    return render_settings(form, sections, pages, 422)


def save(form, values: dict, sections: list[Section], pages: list[Page], images: dict) -> None:
    """A new row if anything changed, and the pages placed in their menus as chosen."""
    saved = new_values(form, values, sections, pages)
    saved.update({key: image for key, (changed, image) in images.items() if changed})
    if saved == values:
        flash("Nothing changed.", "info")
        return
    site_settings.save(saved, current_user.id)
    for key, column in PAGE_MENUS.items():
        place_pages(saved[key], pages, column)
    db.session.commit()
    flash("Settings saved: every page shows them now.", "success")


def render_settings(form, sections, pages, status: int):
    return render_template(
        "editor/settings.html",
        form=form,
        sections={str(section.id): section for section in sections},
        pages={str(page.id): page for page in pages},
        max_upload=current_app.config["MAX_CONTENT_LENGTH"],
    ), status


@bp.get("/settings/history")
@roles_required("admin")
def settings_history():
    """Every save of the Settings page, newest first: who, when and what changed."""
    rows = db.session.scalars(
        db.select(SiteSettings).order_by(SiteSettings.id.desc()).limit(HISTORY_LENGTH + 1)
    ).all()
    # The first save is compared with the values the site had before it: settings.py's.
    older = [*(row.values for row in rows[1:]), site_settings.defaults(current_app)]
    titles = dict(db.session.execute(db.select(Page.id, Page.title)).all())
    names = {
        "nav_sections": dict(db.session.execute(db.select(Section.id, Section.name)).all()),
        **dict.fromkeys(PAGE_MENUS, titles),
    }
    saves = [
        {
            "row": row,
            "when": local_time(row.created_at),
            "changes": changes(before, row.values, names),
        }
        for row, before in zip(rows[:HISTORY_LENGTH], older, strict=False)
    ]
    return render_template(
        "editor/settings_history.html", saves=saves, more=len(rows) > HISTORY_LENGTH
    )


# What the history calls each key, in the order of the form.
LABELS = {
    "name": "Site name",
    "tagline": "Tagline",
    "description": "Description",
    "social_links": "Follow links",
    "nav_sections": "Sections in the menu",
    "nav_pages": "Pages in the main navigation",
    "footer_pages": "Pages in the footer",
    "donate_url": "Donate link",
    "newsletter_blurb": "Newsletter block text",
    "logo": "Publisher logo",
    "share_image": "Default share image",
}


def changes(old: dict, new: dict, names: dict) -> list[tuple[str, str, str]]:
    """(label, old value, new value) as text, for each key whose value reads differently: a
    menu never chosen (None) and one chosen empty both read "none"."""
    texts = [
        (label, as_text(key, old.get(key), names), as_text(key, new.get(key), names))
        for key, label in LABELS.items()
    ]
    return [(label, before, after) for label, before, after in texts if before != after]


def as_text(key: str, value, names: dict) -> str:
    """A value as a person reads it: links with their addresses, sections and pages by name."""
    if key == "nav_sections" and value is None:
        return "every section with an article, by position"
    if value in (None, "", []):
        return "none"
    if key == "social_links":
        return ", ".join(f"{name} ({url})" for name, url in value)
    if key in names:
        return ", ".join(names[key].get(item, "a removed one") for item in value)
    if key in ("logo", "share_image"):
        return f"{value['name']} ({value['width']} by {value['height']} pixels)"
    return str(value)
