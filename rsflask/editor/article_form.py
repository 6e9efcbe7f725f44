"""The article form and the rows behind it: an article or an autosave as the form shows it (and
as a revision's diff names its fields), a posted form copied into the article or into an
autosave, and a new draft with a placeholder slug until it has a title."""

from datetime import datetime

from wtforms.fields.choices import SelectChoice

from rsflask import markup
from rsflask.article_files import note_line
from rsflask.db import db, utcnow
from rsflask.editor.forms import ArticleForm, AutosaveForm
from rsflask.models import Article, ArticleType, Author, Revision, Section, SlugRedirect, Tag
from rsflask.named_rows import get_or_create
from rsflask.photos import PhotoError, open_image, store_photo
from rsflask.slugs import slugify
from rsflask.times import local_time, utc_from_local

# A new article's slug until the editor gives it a title: never shown in the form, so that
# an empty slug field makes the slug from the title as the hint says.
PLACEHOLDER_SLUG = "untitled-draft"
NOUN = "article"
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
    "social_title": "Social title",
    "social_description": "Social description",
    "canonical_url": "Canonical URL",
    "noindex": "Hidden from search engines",
}


def is_placeholder(slug: str) -> bool:
    return slug == PLACEHOLDER_SLUG or slug.startswith(PLACEHOLDER_SLUG + "-")


def new_draft(created_by_id: int) -> Article:
    """An empty draft of the first type, in the first section, with a placeholder slug."""
    return Article(
        slug=unused_slug(PLACEHOLDER_SLUG),
        title="Untitled draft",
        body_md="",
        article_type=db.session.scalars(db.select(ArticleType).order_by(ArticleType.id)).first()
        or get_or_create(ArticleType, "News"),
        section=db.session.scalars(db.select(Section).order_by(Section.position)).first()
        or get_or_create(Section, "World"),
        status="draft",
        created_by_id=created_by_id,
    )


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
        SelectChoice(t.id, t.name)
        for t in db.session.scalars(db.select(ArticleType).order_by(ArticleType.name))
    ]
    form.section.choices = [
        SelectChoice(s.id, s.name)
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
        "social_title": article.social_title,
        "social_description": article.social_description,
        "canonical_url": article.canonical_url,
        "noindex": article.noindex,
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
    # Likewise for the search and social fields, which came later still.
    if revision.social_title is not None:
        fields |= {
            "social_title": revision.social_title,
            "social_description": revision.social_description or "",
            "canonical_url": revision.canonical_url or "",
            "noindex": bool(revision.noindex),
        }
    return fields


def same_fields(one: dict, other: dict) -> bool:
    """Equal but for spacing between names, and the order of tags (an article keeps them
    sorted, unlike its authors)."""

    def plain(fields: dict) -> dict:
        return fields | {"tags": tag_names(fields["tags"]), "authors": names(fields["authors"])}

    return plain(one) == plain(other)


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
        "noindex": "yes" if fields["noindex"] else "no",
    }


def revision_columns(article: Article) -> dict:
    """What a saved revision keeps beyond the title, dek and body."""
    return {
        "slug": article.slug,
        "type_id": article.type_id,
        "section_id": article.section_id,
        "tags": ", ".join(tag.name for tag in article.tags),
        "authors": ", ".join(author.name for author in article.authors),
        "photo_alt": article.photo_alt,
        "photo_credit": article.photo_credit,
        "published_at": article.published_at,
        "notes": "\n".join(note_line(note) for note in article.notes),
        "social_title": article.social_title,
        "social_description": article.social_description,
        "canonical_url": article.canonical_url,
        "noindex": article.noindex,
    }


def tag_names(text: str) -> list[str]:
    return sorted(names(text), key=str.casefold)


def names(text: str) -> list[str]:
    return list(dict.fromkeys(n.strip() for n in (text or "").split(",") if n.strip()))


def apply_form(form: ArticleForm, article: Article) -> bool:
    """Copy the form into the article; False (with messages on the form) if it can't be saved."""
    slug = form.slug.data.strip() if form.slug.data else slugify(form.title.data)
    if slug_taken(slug, article):
        form.slug.errors.append("Another article uses this address. Choose another slug.")
        return False
    upload = uploaded(form.photo)
    photo = None if form.remove_photo.data else article.photo
    social_upload = uploaded(form.social_image)
    social_image = None if form.remove_social_image.data else article.social_image
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
    social_data = social_upload.read() if social_upload else None
    if social_data is not None:
        try:
            # Checked before either upload is stored, for the same reason.
            open_image(social_data)
        except PhotoError as error:
            form.social_image.errors.append(str(error))
            return False
    if upload:
        try:
            photo = store_photo(upload.read(), form.photo_alt.data, form.photo_credit.data or "")
        except PhotoError as error:
            form.photo.errors.append(str(error))
            return False
    if social_data is not None:
        social_image = store_photo(social_data)
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
    article.social_title = (form.social_title.data or "").strip()
    article.social_description = (form.social_description.data or "").strip()
    article.social_image = social_image
    article.canonical_url = (form.canonical_url.data or "").strip()
    article.noindex = form.noindex.data
    if form.publish.data:
        article.status = "published"
        article.published_at = article.published_at if form.published_at.data else None
        article.published_at = article.published_at or utcnow().replace(microsecond=0)
    elif form.submit_review.data:
        article.status = "review"
    return True


def uploaded(field):
    """The file chosen in a file field, or None when none was."""
    return field.data if getattr(field.data, "filename", "") else None


def apply_autosave_form(form: AutosaveForm, revision: Revision) -> None:
    """Copy what is being typed into the autosave, as it was typed."""
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
    revision.social_title = form.social_title.data
    revision.social_description = form.social_description.data
    revision.canonical_url = form.canonical_url.data
    # A checkbox sends nothing when unticked: only a page that sent the social title (None from
    # one loaded before these fields) says whether the article is hidden.
    revision.noindex = form.noindex.data if form.social_title.data is not None else None
    version = form.version.data or ""
    sane = version.isascii() and version.isdigit() and len(version) < 10
    revision.base_version = int(version) if sane else 0
    revision.created_at = utcnow()
