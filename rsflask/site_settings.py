"""The editorial settings in force: the newest save of the Settings page over settings.py's values.

Every reader page shows them, so they are read once per content generation in each worker, not
on every request: a save inserts a SiteSettings row, which moves the generation (generation.py),
so every worker and app server reads the new values at its next request, and the page cache
drops every page made with the old ones.
"""

import json

from flask import Flask, current_app, has_request_context, request
from sqlalchemy import select

from rsflask.db import db
from rsflask.errors import DATABASE_UNAVAILABLE
from rsflask.models import SiteSettings, SiteState

# Each stored key and the setting that gives its value until the Settings page is first saved.
CONFIGURED = {
    "name": "SITE_NAME",
    "tagline": "SITE_TAGLINE",
    "description": "SITE_DESCRIPTION",
    "social_links": "SOCIAL_LINKS",
    "donate_url": "DONATE_URL",
    "newsletter_blurb": "NEWSLETTER_BLURB",
}
# Keys with no setting behind them. nav_sections None: every section with a visible article, by
# position. nav_pages and footer_pages (page ids in order) are a record for the history alone:
# Page.nav_position and Page.footer_position rule the menus, which a page's own form changes too.
# logo and share_image are {"name", "width", "height"} of a file in the photo folder, or None.
UNCONFIGURED = {
    "nav_sections": None,
    "nav_pages": None,
    "footer_pages": None,
    "logo": None,
    "share_image": None,
}
KEYS = (*CONFIGURED, *UNCONFIGURED)


def defaults(app: Flask) -> dict:
    """The values a site has before its first save."""
    values = {key: app.config[setting] for key, setting in CONFIGURED.items()}
    values["social_links"] = [list(pair) for pair in values["social_links"]]
    return {**values, **UNCONFIGURED}


def newest_row() -> SiteSettings | None:
    return db.session.scalar(select(SiteSettings).order_by(SiteSettings.id.desc()).limit(1))


def current() -> dict:
    """The settings in force; settings.py's alone while the database cannot be read, so that the
    503 page still shows the site's name."""
    app = current_app._get_current_object()
    try:
        generation = current_generation()
        kept = app.extensions.get("site_settings")
        if kept is not None and kept[0] == generation:
            return kept[1]
        row = newest_row()
    except DATABASE_UNAVAILABLE:
        db.session.rollback()
        return defaults(app)
    values = {**defaults(app), **(row.values if row else {})}
    app.extensions["site_settings"] = (generation, values)
    return values


def current_generation() -> int:
    """The content generation (generation.py) that a reader's page is made at.

    The page cache has read it for the request when it handled it (page_cache.py); otherwise a
    GET reads it once, and keeps it with the request for every part of the page that asks. A POST
    reads it each time: it may change the generation itself on the way.
    """
    if not has_request_context():
        return read_generation()
    environ = request.environ
    if "rsflask.generation" in environ:
        return environ["rsflask.generation"]
    generation = read_generation()
    if request.method in ("GET", "HEAD"):
        environ["rsflask.generation"] = generation
    return generation


def read_generation() -> int:
    return db.session.scalar(select(SiteState.generation).where(SiteState.id == 1)) or 0


def save(values: dict, user_id: int | None) -> SiteSettings:
    """Store a complete set of values as the newest save; the caller commits."""
    row = SiteSettings(
        user_id=user_id, values_json=json.dumps({key: values.get(key) for key in KEYS})
    )
    db.session.add(row)
    return row
