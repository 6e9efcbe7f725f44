"""Template filters and globals: dates in the publication's time zone, the site's settings."""

import hashlib
from datetime import UTC, datetime
from functools import cache
from pathlib import Path
from typing import NamedTuple
from urllib.parse import quote

from flask import Flask, current_app, url_for
from markupsafe import Markup

from rsflask import embeds, site_settings
from rsflask.db import db
from rsflask.models import Article, Section, published
from rsflask.shared_parts import per_generation
from rsflask.times import local_time


def format_date(value: datetime | None) -> str:
    local = local_time(value)
    return f"{local:%B} {local.day}, {local:%Y}" if local else ""


def format_date_time(value: datetime | None) -> str:
    local = local_time(value)
    return f"{format_date(value)}, {local:%H:%M}" if local else ""


def format_iso(value: datetime | None) -> str:
    return value.replace(tzinfo=UTC).isoformat(timespec="seconds") if value else ""


@cache
def _file_digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()[:12]


def asset_url(filename: str) -> str:
    """A static file's URL with its content hash, so that it can be cached for a year. Worked
    out once per file in each worker: the files change only with a new release."""
    known = current_app.extensions.setdefault("asset_urls", {})
    if filename not in known:
        path = Path(current_app.static_folder) / filename
        known[filename] = url_for("static", filename=filename, v=_file_digest(path))
    return known[filename]


@cache
def _inline(path: Path) -> str:
    return "data:image/svg+xml," + quote(path.read_text().strip())


def inline_svg(filename: str) -> str:
    """A small static SVG as a data: URL, one request fewer on a reader's first visit."""
    return _inline(Path(current_app.static_folder) / filename)


def template_html(template_name: str, **context) -> Markup:
    """A template's output, with the site's settings as every page has them, as HTML to place
    in other pages: the parts made once and kept (teasers.py, page_chrome.py)."""
    template = current_app.jinja_env.get_template(template_name)
    # The template's own output, every value in it escaped by Jinja's autoescape.
    return Markup(template.render(site=site_settings.current(), **context))  # noqa: S704


class NavSection(NamedTuple):
    name: str
    slug: str


@per_generation(fallback=[])
def nav_sections() -> list[NavSection]:
    """The masthead's sections; none when the database fails, so that the 503 page still shows.

    Only those with an article readers may see: a section of drafts alone must not show its name.
    The EXISTS stops at the first such article, on the section_id, status, published_at index.
    The Settings page may choose which and in what order; until it does, all, by position.
    """
    visible = published().with_only_columns(Article.id).where(Article.section_id == Section.id)
    has_visible = visible.order_by(None).exists()
    query = db.select(Section).where(has_visible).order_by(Section.position, Section.name)
    chosen = site_settings.current()["nav_sections"]
    if chosen is not None:
        query = query.where(Section.id.in_(chosen))
    sections = db.session.scalars(query).all()
    if chosen is not None:
        sections.sort(key=lambda section: chosen.index(section.id))
    return [NavSection(section.name, section.slug) for section in sections]


def init_app(app: Flask) -> None:
    app.add_template_filter(format_date, "date")
    app.add_template_filter(format_date_time, "date_time")
    app.add_template_filter(format_iso, "iso")
    app.add_template_global(asset_url)
    app.add_template_global(inline_svg)
    app.add_template_global(nav_sections)
    app.add_template_global(embeds.frame_hosts)
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True

    @app.context_processor
    def site_context() -> dict:
        return {"site": site_settings.current()}
