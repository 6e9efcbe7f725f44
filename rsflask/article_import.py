"""Storing article files in the database: the article, created or updated by its slug, with
the rows it is filed under and its photo; `flask import-article` and the demo store through it.
A page file (`kind: page`) is stored by page_import.py, in a transaction of its own as well."""

from datetime import datetime
from pathlib import Path

from sqlalchemy.exc import SQLAlchemyError

from rsflask import markup
from rsflask.article_files import (
    ArticleFile,
    ArticleFileError,
    article_file_from,
    file_kind,
    read_header_file,
)
from rsflask.body_photo_files import photo_of_file, store_body_photos
from rsflask.db import db, utcnow
from rsflask.models import Article, ArticleNote, ArticleType, Author, Page, Section, Tag
from rsflask.named_rows import get_or_create
from rsflask.page_files import PageFile, page_file_from
from rsflask.page_import import save_page
from rsflask.photos import find_photo, photo_digest, remove_photo_files, store_photo


def save_article(article_file: ArticleFile) -> Article:
    """Create the article, or update the one with the same slug. The caller commits."""
    # Rows it is filed under come first, so that no half-filled article is flushed early.
    article_type = get_or_create(ArticleType, article_file.type)
    section = get_or_create(Section, article_file.section)
    tags = [get_or_create(Tag, name) for name in dict.fromkeys(article_file.tags)]
    authors = [get_or_create(Author, name) for name in dict.fromkeys(article_file.authors)]
    body = store_body_photos(article_file.body, article_file.photo_files)
    photo = None
    if article_file.image is not None:
        photo = store_photo(article_file.image, article_file.image_alt, article_file.image_credit)
    social = article_file.social_image
    social_image = store_photo(social) if social is not None else None
    article = db.session.scalar(db.select(Article).filter_by(slug=article_file.slug))
    if article is None:
        article = Article(slug=article_file.slug)
        db.session.add(article)
    article.title = article_file.title
    article.dek = article_file.dek
    markup.set_body(article, body)
    article.article_type = article_type
    article.section = section
    article.tags = list(dict.fromkeys(tags))
    article.authors = list(dict.fromkeys(authors))
    article.status = article_file.status
    if article_file.published:
        article.published_at = article_file.published
    elif article.status == "published" and article.published_at is None:
        article.published_at = utcnow().replace(second=0, microsecond=0)
    article.photo = photo
    article.photo_alt = article_file.image_alt
    article.photo_credit = article_file.image_credit
    set_notes(article, article_file.notes)
    article.social_title = article_file.social_title
    article.social_description = article_file.social_description
    article.social_image = social_image
    article.canonical_url = article_file.canonical_url
    article.noindex = article_file.noindex
    return article


def set_notes(article: Article, notes: list[tuple[datetime, str, str]]) -> None:
    """Make the article's notes those of the file; a note already there as the file says it
    keeps its row, and so its #note- address."""
    kept = {(note.noted_at, note.kind, note.text_md): note for note in article.notes}
    article.notes = [
        kept.get(each)
        or ArticleNote(
            noted_at=each[0], kind=each[1], text_md=each[2], text_html=markup.render(each[2])
        )
        for each in notes
    ]


def import_article_file(path: Path) -> tuple[Article | Page, list[str]]:
    """Import one file, an article or a page, in its own transaction: all of it is stored, or
    none of it. The article or page, and warnings about the photos of its body."""
    meta, body, first_line = read_header_file(path)
    parsed: ArticleFile | PageFile
    if file_kind(path, meta) == "page":
        parsed = page_file_from(path, meta, body, first_line)
        top_images = []
    else:
        parsed = article_file_from(path, meta, body, first_line)
        top_images = [data for data in (parsed.image, parsed.social_image) if data is not None]
    new_images = []
    try:
        # Asked before saving: if the import fails, only images new with it leave files behind.
        new_images = [data for data in top_images if find_photo(data) is None]
        new_images += [each.data for each in parsed.photo_files if photo_of_file(each.data) is None]
        stored = save_page(parsed) if isinstance(parsed, PageFile) else save_article(parsed)
        db.session.commit()
    except Exception as error:
        db.session.rollback()
        for data in new_images:
            remove_photo_files(photo_digest(data))
        if (failure := import_failure(path, error)) is None:
            raise
        raise failure from error
    return stored, parsed.warnings


def import_failure(path: Path, error: Exception) -> ArticleFileError | None:
    """The message, naming the file, of an import that the file's content or the database
    refused; None for any other error, which goes up as it is."""
    if isinstance(error, SQLAlchemyError):
        reason = getattr(error, "orig", None) or error
        return ArticleFileError(f"{path}: the database refused it: {reason}")
    if isinstance(error, (markup.TooComplex, ArticleFileError)):
        return ArticleFileError(f"{path}: {error}")
    return None
