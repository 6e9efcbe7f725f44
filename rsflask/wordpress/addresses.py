"""The old site's addresses, stored as redirects to the new ones (rsflask/redirects.py).

Each imported post's and page's permalink and its /?p=ID; the archives of the categories, tags and
authors (the redirects' lookup answers their /page/N/ too, so those are not stored one by one);
and the feeds. A redirect to an article or page is stored as that article or page: it answers
once readers may see it, and follows its later moves.
"""

from urllib.parse import urlsplit

from flask import current_app
from sqlalchemy import func

from rsflask import redirects
from rsflask.db import db
from rsflask.models import Article, Author, Page, Section, Tag
from rsflask.wordpress.report import Report
from rsflask.wordpress.wxr import Channel

SOURCE = "wordpress"


def site_path(endpoint: str, **values) -> str:
    """A path of this site, below SITE_URL's mount point, outside any request."""
    mount = urlsplit(current_app.config["SITE_URL"]).path or "/"
    return current_app.url_map.bind("", script_name=mount).build(endpoint, values)


def path_of(target: Article | Page) -> str:
    if isinstance(target, Article):
        return site_path("reader.article", slug=target.slug)
    return site_path("reader.index") + target.path


def store(old_path: str, target: str | Article | Page, report: Report) -> None:
    shown = target if isinstance(target, str) else path_of(target)
    if old_path.rstrip("/") == shown.rstrip("/"):
        return
    try:
        redirects.add(old_path, target, 301, source=SOURCE)
    except redirects.RedirectRefused as refused:
        report.note(f"old address {old_path}", f"not redirected: {refused}")
        return
    report.redirects.append((old_path, shown))


def store_items(addresses: list[tuple[list[str], Article | Page]], report: Report) -> None:
    """Redirects from the old addresses of the articles and pages just imported."""
    for paths, target in addresses:
        for path in paths:
            store(path, target, report)
    addresses.clear()


def found(model, name: str):
    """The row named `name` (in any case) that the import filed articles under, if any."""
    return db.session.scalar(
        db.select(model).where(func.lower(model.name) == name.lower()).order_by(model.id).limit(1)
    )


def store_archives(channel: Channel, report: Report) -> None:
    """Redirects from the category, tag and author archives and feeds, to the listings that
    took their place; none for one that filed nothing here."""
    for term in channel.categories.values():
        # A top category became a section (or, never first, a tag); one under another a tag.
        kinds = [("section", Section), ("tag", Tag)]
        kind, row = first_found(kinds if not term.parent else kinds[::-1], term.name)
        paths = [category_path(term.slug, channel), f"/category/{term.slug}/"]
        for path in dict.fromkeys(paths) if row else ():
            store_listing(path, kind, row.slug, report)
    for term in channel.tags.values():
        if row := found(Tag, term.name):
            store_listing(f"/tag/{term.slug}/", "tag", row.slug, report)
    for login, name in channel.authors.items():
        if login and (row := found(Author, name)):
            store_listing(f"/author/{login.lower()}/", "author", row.slug, report)
    store("/feed/", site_path("feeds.site"), report)


def first_found(kinds: list[tuple[str, type]], name: str) -> tuple[str, object | None]:
    for kind, model in kinds:
        if (row := found(model, name)) is not None:
            return kind, row
    return "", None


def store_listing(path: str, kind: str, slug: str, report: Report) -> None:
    """A listing's old archive, and its feed, to the listing and its feed here."""
    store(path, site_path(f"reader.{kind}", slug=slug), report)
    store(path + "feed/", site_path(f"feeds.{kind}", slug=slug), report)


def category_path(slug: str, channel: Channel) -> str:
    """/category/world/europe/: a category's archive, under its parents as WordPress shows it."""
    chain, term = [], channel.categories.get(slug)
    while term is not None and term.slug not in chain and len(chain) < 20:
        chain.append(term.slug)
        term = channel.categories.get(term.parent) if term.parent else None
    return "/category/" + "/".join(reversed(chain)) + "/"
