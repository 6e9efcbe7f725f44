"""Every table, imported here so that Alembic and the app see them all."""

from rsflask.models.accounts import User
from rsflask.models.content import (
    Article,
    ArticleAuthor,
    ArticleType,
    Author,
    Photo,
    Section,
    SlugRedirect,
    Tag,
    published,
)
from rsflask.models.limits import RateLimitHit
from rsflask.models.newsletter import Subscriber

__all__ = [
    "Article",
    "ArticleAuthor",
    "ArticleType",
    "Author",
    "Photo",
    "RateLimitHit",
    "Section",
    "SlugRedirect",
    "Subscriber",
    "Tag",
    "User",
    "published",
]
