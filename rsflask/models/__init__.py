"""Every table, imported here so that Alembic and the app see them all."""

from rsflask.models.accounts import EndedSignIn, User
from rsflask.models.content import (
    Article,
    ArticleAuthor,
    ArticleNote,
    ArticleType,
    Author,
    Photo,
    Revision,
    Section,
    SlugRedirect,
    Tag,
    published,
)
from rsflask.models.imports import ImportedItem
from rsflask.models.limits import RateLimitHit
from rsflask.models.newsletter import Digest, DigestDelivery, Subscriber, SubscriberToken
from rsflask.models.pages import Page, PageRedirect
from rsflask.models.redirects import Redirect
from rsflask.models.site_settings import SiteSettings
from rsflask.models.site_state import SiteState

__all__ = [
    "Article",
    "ArticleAuthor",
    "ArticleNote",
    "ArticleType",
    "Author",
    "Digest",
    "DigestDelivery",
    "EndedSignIn",
    "ImportedItem",
    "Page",
    "PageRedirect",
    "Photo",
    "RateLimitHit",
    "Redirect",
    "Revision",
    "Section",
    "SiteSettings",
    "SiteState",
    "SlugRedirect",
    "Subscriber",
    "SubscriberToken",
    "Tag",
    "User",
    "published",
]
