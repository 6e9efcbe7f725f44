"""Where an imported item goes: a slug no other article (or page) has or had, and the pages above
a page."""

from rsflask.db import db
from rsflask.models import Article, Page, PageRedirect, SlugRedirect
from rsflask.page_addresses import reserved_slugs
from rsflask.slugs import MAX_SLUG_LENGTH


def numbered(slug: str, number: int) -> str:
    """slug-2, slug-3: the next slug to try when `slug` is taken, within the longest allowed."""
    suffix = f"-{number}"
    return slug[: MAX_SLUG_LENGTH - len(suffix)].rstrip("-") + suffix


def is_taken(slug: str, model: type[Article] | type[Page]) -> bool:
    """Whether an article (or a page) has the slug, or had it: an old one still redirects."""
    if db.session.scalar(db.select(model.id).filter_by(slug=slug)) is not None:
        return True
    if model is Page:
        return slug in reserved_slugs() or db.session.get(PageRedirect, slug) is not None
    return db.session.get(SlugRedirect, slug) is not None


def free_slug(wanted: str, model: type[Article] | type[Page]) -> str:
    """`wanted`, or the first of wanted-2, wanted-3... that is free."""
    slug, number = wanted, 2
    while is_taken(slug, model):
        slug, number = numbered(wanted, number), number + 1
    return slug


def ancestors(parent_id: int, parents: dict[int, int]) -> list[int]:
    """The ids of the pages above a page, nearest first, from its parent's id (0 for none)."""
    chain: list[int] = []
    while parent_id and parent_id not in chain:
        chain.append(parent_id)
        parent_id = parents.get(parent_id, 0)
    return chain
