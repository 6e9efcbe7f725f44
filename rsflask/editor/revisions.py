"""The revisions of an article or a page: each save recorded, the editor's own autosave, what
differs between two versions (on the revision page and under recovered text), restoring one, and
who saved last.

One machinery for both: what differs between them (the form's fields, their labels, what a
revision keeps beyond the text) comes from the module of each one's form, article_form or
page_form, which `form_of` picks.
"""

import difflib

from flask_login import current_user
from sqlalchemy import Select

from rsflask import markup
from rsflask.db import db
from rsflask.editor import article_form, page_form
from rsflask.models import Article, Page, Revision
from rsflask.times import local_time

ALWAYS_COMPARED = ("title", "dek", "body")


def form_of(item: Article | Page):
    """The module that knows the form of `item`: fields_of, fields_of_revision, same_fields,
    shown, revision_columns, LABELS and NOUN."""
    return page_form if isinstance(item, Page) else article_form


def owner(item: Article | Page) -> dict:
    """The Revision column naming `item`, with its id: for filter_by() and for a new Revision."""
    return {"page_id": item.id} if isinstance(item, Page) else {"article_id": item.id}


def fields_of(item: Article | Page) -> dict:
    return form_of(item).fields_of(item)


def fields_of_revision(revision: Revision, item: Article | Page) -> dict:
    return form_of(item).fields_of_revision(revision, item)


def saves_of(item: Article | Page) -> Select:
    """The saved revisions, newest first."""
    return (
        db.select(Revision)
        .filter_by(**owner(item), kind="save")
        .order_by(Revision.created_at.desc(), Revision.id.desc())
    )


def record_save(item: Article | Page) -> None:
    """Keep a copy of `item` as this save leaves it, with the version the save gives it."""
    db.session.flush()
    db.session.add(
        Revision(
            **owner(item),
            user_id=current_user.id,
            kind="save",
            base_version=item.version,
            title=item.title,
            dek=item.dek,
            body_md=item.body_md,
            **form_of(item).revision_columns(item),
        )
    )


def restore_text(item: Article | Page, revision: Revision) -> None:
    """Bring back a revision's title, dek and body, recorded as a new save."""
    item.title, item.dek = revision.title, revision.dek
    markup.set_body(item, revision.body_md)
    record_save(item)


def own_autosave(item: Article | Page) -> Revision | None:
    return db.session.scalar(
        db.select(Revision).filter_by(**owner(item), user_id=current_user.id, kind="autosave")
    )


def new_autosave(item: Article | Page) -> Revision:
    return Revision(**owner(item), user_id=current_user.id, kind="autosave")


def recovered_autosave(item: Article | Page) -> Revision | None:
    """This user's autosave, if it says something `item` does not.

    Offered even after someone else's save: hiding it would let the next autosave overwrite the
    only copy.
    """
    autosave = own_autosave(item)
    if autosave and not form_of(item).same_fields(
        fields_of_revision(autosave, item), fields_of(item)
    ):
        return autosave
    return None


def discard_own_autosave(item: Article | Page) -> None:
    autosave = own_autosave(item)
    if autosave:
        db.session.delete(autosave)


def recovery_notice(item: Article | Page, autosave: Revision | None) -> dict | None:
    """What the form says about recovered text; when `item` was saved after the text was typed,
    who saved it and what differs, so that nothing of either is lost unseen."""
    if autosave is None:
        return None
    notice = {"autosave": autosave, "saved_since": None, "noun": form_of(item).NOUN}
    if autosave.base_version == item.version:
        return notice
    return notice | {
        "saved_since": saved_since_message(item),
        "changes": changes(item, fields_of(item), fields_of_revision(autosave, item)),
    }


def changes(item: Article | Page, old: dict, new: dict) -> dict[str, list[tuple[str, str]]]:
    """Line by line, the title, dek and body, and whichever other fields differ."""
    form = form_of(item)
    old_text, new_text = form.shown(old), form.shown(new)
    return {
        label: diff_lines(old_text[name], new_text[name])
        for name, label in form.LABELS.items()
        if name in ALWAYS_COMPARED or old_text[name] != new_text[name]
    }


def diff_lines(old: str, new: str) -> list[tuple[str, str]]:
    """(kind, line) pairs: "-" only in the revision, "+" only now, " " in both."""
    lines = []
    for line in difflib.ndiff(old.splitlines(), new.splitlines()):
        if line[:1] in ("-", "+", " "):
            lines.append((line[:1], line[2:]))
    return lines


def saved_since_message(item: Article | Page) -> str:
    when = local_time(item.updated_at)
    return (
        f"{last_saver(item)} saved the {form_of(item).NOUN} at {when:%H:%M} after you typed "
        "this, so saving your text replaces their version (which stays under Revisions)."
    )


def conflict_message(item: Article | Page) -> str:
    who = last_saver(item)
    when = local_time(item.updated_at)
    return (
        f"Not saved: {who} saved this {form_of(item).NOUN} at {when:%H:%M} while you were "
        "editing. Your text is kept below. Compare it with their version under Revisions, then "
        "save again to replace theirs with yours."
    )


def last_saver(item: Article | Page) -> str:
    revision = db.session.scalar(saves_of(item).limit(1))
    if revision and revision.user:
        return revision.user.name or revision.user.email
    return "someone else"
