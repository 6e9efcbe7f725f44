"""An article's revisions: each save recorded, the editor's own autosave, what differs between
two versions (on the revision page and under recovered text), restoring one, and who saved last."""

import difflib

from flask_login import current_user
from sqlalchemy import Select

from rsflask import markup
from rsflask.db import db
from rsflask.editor.article_form import (
    fields_of,
    fields_of_revision,
    names,
    same_fields,
    tag_names,
)
from rsflask.models import Article, ArticleType, Revision, Section
from rsflask.times import local_time

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


def saves_of(article: Article) -> Select:
    """The article's saved revisions, newest first."""
    return (
        db.select(Revision)
        .filter_by(article_id=article.id, kind="save")
        .order_by(Revision.created_at.desc(), Revision.id.desc())
    )


def record_save(article: Article) -> None:
    """Keep a copy of the article as this save leaves it, with the version the save gives it."""
    db.session.flush()
    db.session.add(
        Revision(
            article_id=article.id,
            user_id=current_user.id,
            kind="save",
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


def restore_text(article: Article, revision: Revision) -> None:
    """Bring back a revision's title, dek and body, recorded as a new save."""
    article.title, article.dek = revision.title, revision.dek
    markup.set_body(article, revision.body_md)
    record_save(article)


def own_autosave(article: Article) -> Revision | None:
    return db.session.scalar(
        db.select(Revision).filter_by(
            article_id=article.id, user_id=current_user.id, kind="autosave"
        )
    )


def recovered_autosave(article: Article) -> Revision | None:
    """This user's autosave, if it says something the article does not.

    Offered even after someone else's save: hiding it would let the next autosave overwrite the
    only copy.
    """
    autosave = own_autosave(article)
    if autosave and not same_fields(fields_of_revision(autosave, article), fields_of(article)):
        return autosave
    return None


def discard_own_autosave(article: Article) -> None:
    autosave = own_autosave(article)
    if autosave:
        db.session.delete(autosave)


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


def diff_lines(old: str, new: str) -> list[tuple[str, str]]:
    """(kind, line) pairs: "-" only in the revision, "+" only now, " " in both."""
    lines = []
    for line in difflib.ndiff(old.splitlines(), new.splitlines()):
        if line[:1] in ("-", "+", " "):
            lines.append((line[:1], line[2:]))
    return lines


def saved_since_message(article: Article) -> str:
    when = local_time(article.updated_at)
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
    revision = db.session.scalar(saves_of(article).limit(1))
    if revision and revision.user:
        return revision.user.name or revision.user.email
    return "someone else"
