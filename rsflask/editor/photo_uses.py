"""Where the photos of the library are used: as an article's top photo or social image, in the
text of an article, a page or a round-up, as an author's photo. The library lists it under each
photo, and a photo in use is not deleted.

A photo named only in an older revision of a text is not counted: restoring that revision after
the photo is deleted shows nothing in its place, and the preview says so.
"""

from collections import defaultdict
from typing import NamedTuple

from flask import url_for
from sqlalchemy import select

from rsflask.db import db
from rsflask.models import Article, Author, Digest, Page
from rsflask.models.content import article_inline_photos
from rsflask.models.newsletter import digest_inline_photos
from rsflask.models.pages import page_inline_photos


class Use(NamedTuple):
    how: str  # "Top photo of", "In the text of", ...
    kind: str  # "article", "page", "round-up", "author"
    title: str
    url: str  # where an editor changes it
    state: str = ""  # "draft", "in the trash", "sent"...


def uses_of(photo_ids: list[int]) -> dict[int, list[Use]]:
    """Every use of each photo, in the order above; a photo used nowhere has an empty list."""
    uses: dict[int, list[Use]] = defaultdict(list)
    if not photo_ids:
        return uses
    article = (Article.id, Article.title, Article.status)
    for how, column in [
        ("Top photo of", Article.photo_id),
        ("Social image of", Article.social_image_id),
    ]:
        rows = db.session.execute(
            select(column, *article).where(column.in_(photo_ids)).order_by(Article.title)
        )
        for row in rows:
            uses[row[0]].append(article_use(how, *row[1:]))
    rows = db.session.execute(
        select(article_inline_photos.c.photo_id, *article)
        .join(Article, Article.id == article_inline_photos.c.article_id)
        .where(article_inline_photos.c.photo_id.in_(photo_ids))
        .order_by(Article.title)
    )
    for row in rows:
        uses[row[0]].append(article_use("In the text of", *row[1:]))
    rows = db.session.execute(
        select(page_inline_photos.c.photo_id, Page.id, Page.title, Page.status)
        .join(Page, Page.id == page_inline_photos.c.page_id)
        .where(page_inline_photos.c.photo_id.in_(photo_ids))
        .order_by(Page.title)
    )
    for photo_id, page_id, title, status in rows:
        url = url_for("editor.edit_page", page_id=page_id)
        uses[photo_id].append(Use("In the text of", "page", title, url, state_of(status)))
    rows = db.session.execute(
        select(digest_inline_photos.c.photo_id, Digest.id, Digest.subject, Digest.status)
        .join(Digest, Digest.id == digest_inline_photos.c.digest_id)
        .where(digest_inline_photos.c.photo_id.in_(photo_ids))
        .order_by(Digest.created_at.desc())
    )
    for photo_id, digest_id, subject, status in rows:
        # Only the next round-up has a form; one sent or being sent is read in the archive.
        if status == "draft":
            url = url_for("editor.edit_digest")
        else:
            url = url_for("newsletter.archived_digest", digest_id=digest_id)
        uses[photo_id].append(Use("In the intro of", "round-up", subject, url, status))
    rows = db.session.execute(
        select(Author.photo_id, Author.id, Author.name)
        .where(Author.photo_id.in_(photo_ids))
        .order_by(Author.name)
    )
    for photo_id, author_id, name in rows:
        url = url_for("editor.edit_taxonomy", kind="authors", row_id=author_id)
        uses[photo_id].append(Use("Photo of", "author", name, url))
    return uses


def article_use(how: str, article_id: int, title: str, status: str) -> Use:
    url = url_for("editor.edit_article", article_id=article_id)
    return Use(how, "article", title, url, state_of(status))


def state_of(status: str) -> str:
    """What the list says beside the title: nothing for what readers see."""
    return {"published": "", "trash": "in the trash", "review": "in review"}.get(status, status)
