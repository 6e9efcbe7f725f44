"""Storing redirects, for the editor's Redirects page and for the importers: `add()`.

A redirect is stored with its final target, never a chain: a target that itself redirects (a
stored redirect, an article's old slug, a moved page, a route's own permanent redirect) is
followed when the redirect is saved, and the redirects that led to the new one's old path are
pointed past it. A loop is refused. So is an old path the site answers itself: a redirect is
looked up only where the site has nothing (redirect_lookup.py), so it would never be reached.
A target that is an article or a page is stored as that article or page, and follows its later
moves.

Nothing here commits: the caller does, once for a form and once per import.
"""

from dataclasses import dataclass
from urllib.parse import unquote, urlsplit

from flask import current_app, g, request
from sqlalchemy import select
from werkzeug.exceptions import HTTPException, NotFound

from rsflask import redirect_paths
from rsflask.db import db, utcnow
from rsflask.models import Article, Page, PageRedirect, Redirect, SlugRedirect
from rsflask.models.redirects import REDIRECT_STATUSES

# Redirects followed when a target is saved before giving up: no real chain is this long.
MAX_STEPS = 10
# The answers of the site's own routes that a redirect may stand in for.
NOTHING_HERE = (404, 410)
# Answers of the site's routes that say an address has moved for good: followed. A temporary
# one (the sign-in page asking for a password first) is not.
MOVED = (301, 308)


class RedirectRefused(ValueError):
    """A redirect that cannot be stored; the message says why, in words for an editor, and
    `field` which part of it: "old_path", "target" or "status"."""

    def __init__(self, message: str, field: str = "target") -> None:
        super().__init__(message)
        self.field = field


@dataclass
class Destination:
    url: str = ""
    article: Article | None = None
    page: Page | None = None


def add(
    old_path: str,
    target: str | Article | Page,
    status: int = 301,
    source: str = "editor",
) -> Redirect:
    """Store a redirect from `old_path` to `target`, or change the one stored for that path (so
    an import run again changes nothing twice). Raises RedirectRefused, leaving nothing changed.

    `old_path` is a path or a full address (its host is ignored; its query is dropped but for
    WordPress's ?p=ID); `target` a path on this site, an http(s) address, an Article or a Page.
    """
    key = redirect_paths.match_key(stored_old_path(old_path))
    redirect = db.session.scalar(select(Redirect).filter_by(match_path=key))
    return save(redirect or Redirect(hit_count=0), old_path, target, status, source)


def save(
    redirect: Redirect,
    old_path: str,
    target: str | Article | Page,
    status: int,
    source: str,
) -> Redirect:
    """Give `redirect` (new or stored) this old path, target and status, all checked first."""
    if status not in REDIRECT_STATUSES:
        raise RedirectRefused("A redirect is 301 (permanent) or 302 (temporary).", "status")
    old_path = stored_old_path(old_path)
    key = redirect_paths.match_key(old_path)
    other = db.session.scalar(select(Redirect).filter_by(match_path=key))
    if other is not None and other is not redirect:
        raise RedirectRefused(
            f"There is already a redirect from {other.old_path}: change that one instead.",
            "old_path",
        )
    if not old_path.startswith("/?"):
        refuse_live(old_path)
    destination = final_destination(target, old_path, redirect)
    changes = {
        "old_path": old_path,
        "match_path": key,
        "target_url": destination.url,
        "article_id": destination.article.id if destination.article else None,
        "page_id": destination.page.id if destination.page else None,
        "status": status,
    }
    if redirect.id is not None and all(getattr(redirect, k) == v for k, v in changes.items()):
        return redirect
    for name, value in changes.items():
        setattr(redirect, name, value)
    redirect.article, redirect.page = destination.article, destination.page
    redirect.source, redirect.updated_at = source, utcnow()
    db.session.add(redirect)
    point_past(redirect)
    return redirect


def stored_old_path(text: str) -> str:
    try:
        return redirect_paths.old_path(text, current_app.config["SITE_URL"])
    except redirect_paths.BadAddress as error:
        raise RedirectRefused(str(error), "old_path") from error


def refuse_live(old_path: str) -> None:
    """Refuse an old path the site answers itself (a page, an article, a route's own redirect)."""
    answer, location = site_answer(old_path)
    if answer in NOTHING_HERE:
        return
    if 300 <= answer < 400:
        raise RedirectRefused(
            f"{old_path} already redirects (to {location}): readers would never reach this one.",
            "old_path",
        )
    raise RedirectRefused(
        f"{old_path} is a live address of the site (it answers {answer}): readers would never "
        "reach a redirect from it.",
        "old_path",
    )


def final_destination(target: str | Article | Page, old_path: str, saving: Redirect) -> Destination:
    """Where readers of `old_path` end up: `target`, with every redirect on the way followed
    (but `saving`, the redirect being stored)."""
    if isinstance(target, Article):
        return Destination(article=target)
    if isinstance(target, Page):
        return Destination(page=target)
    try:
        url = redirect_paths.target(target, current_app.config["SITE_URL"])
    except redirect_paths.BadAddress as error:
        raise RedirectRefused(str(error)) from error
    passed = [old_path]
    for _ in range(MAX_STEPS):
        if not url.startswith("/"):
            return Destination(url=url)
        if urlsplit(url).query and not url.startswith("/?"):
            # Kept as typed: a search or a listing's page, whose view would count (the search
            # rate limit) as well as answer.
            return Destination(url=url)
        if found := article_or_page_at(url):
            return found
        # The target as an old path: how a redirect from it would be stored and matched.
        path = redirect_paths.old_path(url, "")
        if path in passed:
            raise RedirectRefused(loop_message(passed, path))
        answer, location = site_answer(url)
        if answer in MOVED and location:
            passed.append(path)
            url = location
            continue
        if answer not in NOTHING_HERE:
            return Destination(url=url)
        # Only where the site has nothing do /old and /old/ both mean one stored redirect.
        if redirect_paths.match_key(path) in map(redirect_paths.match_key, passed):
            raise RedirectRefused(loop_message(passed, path))
        stored = db.session.scalar(
            select(Redirect).where(
                Redirect.match_path == redirect_paths.match_key(path),
                # The redirect being changed leads nowhere once changed.
                Redirect.id != (saving.id or 0),
            )
        )
        if stored is None:
            return Destination(url=url)
        if stored.article or stored.page:
            return Destination(article=stored.article, page=stored.page)
        passed.append(path)
        url = stored.target_url
    raise RedirectRefused(f"The target redirects more than {MAX_STEPS} times: {url}.")


def loop_message(passed: list[str], path: str) -> str:
    return (
        "This would make a loop, sending readers round for ever: "
        + " → ".join([*passed, path])
        + ". Change or delete one of those redirects first."
    )


def article_or_page_at(url: str) -> Destination | None:
    """The article or page whose address (or one of its old addresses) is `url`, in any status:
    stored as itself, a redirect to it waits for it to be published and follows its moves."""
    if "?" in url or "#" in url:
        return None
    adapter = current_app.url_map.bind("localhost")
    try:
        endpoint, args = adapter.match(unquote(urlsplit(url).path), method="GET")
    except HTTPException:
        return None
    if endpoint == "reader.article":
        article = db.session.scalar(select(Article).filter_by(slug=args["slug"]))
        moved = db.session.get(SlugRedirect, args["slug"])
        article = article or (moved.article if moved else None)
        return Destination(article=article) if article else None
    if endpoint in ("pages.page", "pages.child_page"):
        path = "/".join(filter(None, (args.get("parent_slug"), args["slug"])))
        page = db.session.scalar(select(Page).filter_by(slug=args["slug"]))
        if page is None or page.path != path:
            moved = db.session.get(PageRedirect, path)
            page = moved.page if moved else None
        return Destination(page=page) if page else None
    return None


def site_answer(url: str) -> tuple[int, str | None]:
    """What the site's own routes answer a GET of `url` (a stored path, perhaps with a query),
    stored redirects aside: the status, and where a redirect points (a path on this site).

    Remembered for the rest of the app context (a request, or an import's run): an import file
    names the same few targets again and again, and each would be a page rendered.
    """
    answers = g.setdefault("site_answers", {})
    if url not in answers:
        answers[url] = ask_the_site(url)
    return answers[url]


def ask_the_site(url: str) -> tuple[int, str | None]:
    """The view runs as for a visitor who is not signed in, in an app context of its own, so
    that nothing it keeps for a request (`g`, the database session) mixes with the caller's: it
    sees what is committed."""
    app = current_app._get_current_object()
    try:
        app.url_map.bind("localhost").match(unquote(urlsplit(url).path), method="GET")
    except NotFound:
        # Most old addresses: no route takes them, and no view need run to know it.
        return 404, None
    except HTTPException:
        pass
    with app.app_context(), app.test_request_context(url, method="GET"):
        try:
            if request.routing_exception is not None:
                raise request.routing_exception
            view = app.view_functions[request.endpoint]
            response = app.make_response(app.ensure_sync(view)(**request.view_args))
        except HTTPException as error:
            response = error.get_response()
    location = response.location
    if location:
        parts = urlsplit(location)
        if parts.netloc not in ("", "localhost"):
            return response.status_code, None
        location = parts.path + (f"?{parts.query}" if parts.query else "")
    return response.status_code, location


def point_past(redirect: Redirect) -> None:
    """Redirects whose target is the new redirect's old path now go where it goes: no chains."""
    spellings = {redirect.old_path, redirect.match_path, redirect.match_path + "/"}
    db.session.flush()
    for earlier in db.session.scalars(
        select(Redirect).where(Redirect.target_url.in_(spellings), Redirect.id != redirect.id)
    ):
        earlier.target_url = redirect.target_url
        earlier.article, earlier.page = redirect.article, redirect.page
        earlier.updated_at = utcnow()


def target_text(redirect: Redirect) -> str:
    """The target as an editor would type it: an article's or a page's address as it is now."""
    if redirect.article is not None:
        # Below the site's root, whether or not a request is running: as stored and imported.
        urls = current_app.url_map.bind("localhost")
        return urls.build("reader.article", {"slug": redirect.article.slug})
    if redirect.page is not None:
        return f"/{redirect.page.path}"
    return redirect.target_url
