"""Every kind of page and fragment is valid HTML, as the Nu HTML Checker (vnu.jar) judges it.

`make test` installs the checker from the npm registry (package vnu-jar) when npm is there; it
runs on Java. Without either, this test skips on a developer's machine and fails under CI=true.
Fragments are checked inside a minimal document, as htmx puts them into one. Answers that only a
post or a state produces (form errors, rate limits, error pages, used or expired links) are made
the way a reader or an editor gets them, and go to the checker in the same single run: its Java
start is the slow part.
"""

import json
import os
import re
import shutil
import subprocess
from datetime import timedelta
from pathlib import Path

import pytest
from flask import g

from rsflask import redirects
from rsflask.db import db, utcnow
from rsflask.markup_budget import MAX_CHARACTERS
from rsflask.models import (
    Article,
    ArticleNote,
    Author,
    Digest,
    Page,
    Redirect,
    Revision,
    SubscriberToken,
)
from rsflask.newsletter.digests import candidates
from rsflask.photos import store_photo
from tests.conftest import htmx
from tests.editor_helpers import PASSWORD, image_bytes, make_user, prepare_editor_tests, upload
from tests.page_helpers import make_page
from tests.services import unavailable

VNU_JAR = Path(
    os.environ.get("RSFLASK_VNU_JAR")
    or Path(__file__).parent.parent / ".tools/node_modules/vnu-jar/build/dist/vnu.jar"
)
FRAGMENT_DOCUMENT = (
    '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>Fragment</title></head>'
    "<body><{inside}>{html}</{inside}></body></html>"
)
# Endpoints that answer something other than HTML (feeds, files, health) or only redirect.
NOT_HTML = {
    "static",
    "reader.photo",
    "reader.headline_card_image",
    "health.healthz",
    "editor.export_subscribers",
    "editor.export_redirects",
    *(f"feeds.{name}" for name in ("site", "section", "article_type", "tag", "author")),
    *(f"feeds.{name}" for name in ("sitemap", "sitemap_part", "news_sitemap", "robots")),
    "feeds.corrections_feed",
}


def nu_checker() -> list[str]:
    java = shutil.which("java")
    if java is None:
        unavailable("Java is not installed (the Nu HTML Checker runs on it)")
    if not VNU_JAR.is_file():
        unavailable(f"the Nu HTML Checker is not installed ({VNU_JAR}; `make test` installs it)")
    return [java, "-Xss4m", "-jar", str(VNU_JAR)]


def nu_errors(documents: dict[str, str], folder: Path) -> list[str]:
    """The checker's errors, one line each, for {name: html}."""
    files = []
    for number, (name, html) in enumerate(documents.items()):
        path = folder / f"{number:03}-{re.sub(r'[^a-z0-9]+', '-', name.lower())}.html"
        path.write_text(html, encoding="utf-8")
        files.append(path)
    checked = subprocess.run(
        [*nu_checker(), "--format", "json", "--exit-zero-always", *map(str, files)],
        capture_output=True,
        text=True,
        check=True,
    )
    names = {path.name: name for path, name in zip(files, documents, strict=True)}
    return [
        f"{names.get(message.get('url', '').rsplit('/')[-1])}:{message.get('lastLine')}: "
        f"{message['type']}: {message['message']}"
        for message in json.loads(checked.stderr)["messages"]
        if message["type"] in {"error", "non-document-error"}
    ]


class Pages(dict):
    """{name: html} of the pages fetched for the checker, and the endpoints that answered them."""

    def __init__(self, app, client) -> None:
        super().__init__()
        self.client = client
        self.urls = app.url_map.bind("localhost")
        self.endpoints: set[str] = set()
        # Each browser's own, from the last form it was given: the token belongs to its session.
        self.csrf_tokens: dict = {}

    def fetch(self, name: str, url: str, status: int = 200, fragment: str = "", **request):
        """Ask for `url`, and keep the page; or the fragment, put `inside` the element that
        htmx swaps it into. `client` is another browser than the usual one."""
        client = request.pop("client", self.client)
        method = request.pop("method", "GET")
        headers = htmx() if fragment else {}
        if method == "POST":
            request["data"] = {"csrf_token": self.csrf_tokens.get(client, ""), **request["data"]}
        # The test's one app context keeps `g` across requests, and Flask-WTF keeps the token
        # it made for a session in `g`: another browser would be given this one's.
        g.pop("csrf_token", None)
        response = client.open(url, method=method, headers=headers, **request)
        assert response.status_code == status, f"{method} {url}: {response.status_code}"
        html = response.get_data(as_text=True)
        if field := re.search(r'<input[^>]* name="csrf_token"[^>]*>', html):
            self.csrf_tokens[client] = re.search(r'value="([^"]+)"', field.group(0)).group(1)
        if not 300 <= response.status_code < 400:
            assert name not in self, f"two documents named {name!r}"
            self[name] = FRAGMENT_DOCUMENT.format(inside=fragment, html=html) if fragment else html
        self.endpoints.add(self.urls.match(url.split("?")[0], method=method)[0])
        return html


@pytest.fixture
def site(app, add_article, monkeypatch):
    """A small site with every kind of thing a page can show, an admin, and a sent round-up."""
    prepare_editor_tests(app, monkeypatch)
    # Forms as readers and editors get them, CSRF token included.
    app.config["WTF_CSRF_ENABLED"] = True
    add_article(
        "Grid politics",
        dek="Why the grid decides.",
        body="## Where it starts\n\nOne.\n\nTwo[^1].\n\nThree.\n\n> A quote.\n\n"
        "| a | b |\n|---|---|\n| 1 | 2 |\n\n[A talk](https://youtu.be/Ab3_dE-9xYz)\n\n"
        "https://example.org/report\n\n[^1]: A footnote.\n",
        tags=["Energy Security"],
        authors=["Ada Writer", "Ben Other"],
        image=image_bytes(),
        image_alt="A pylon at dusk",
        image_credit="Test Studio",
    )
    add_article("Port tender opens", section="QIOSK", type="News")
    for number in range(12):
        add_article(f"Filler {number}")
    make_user("admin@example.org", role="admin")
    grid = db.session.scalars(db.select(Article).filter_by(slug="grid-politics")).one()
    grid.notes.append(ArticleNote(kind="correction", text_md="Fixed.", text_html="<p>Fixed.</p>"))
    # Every search and social field set: the article's head and the form's folded part show them.
    grid.social_title, grid.social_description = "Who decides the grid", "A line for previews."
    grid.social_image = store_photo(image_bytes(size=(900, 600)))
    grid.canonical_url, grid.noindex = "https://first.example/grid?a=1&b=2", True
    ada = db.session.scalars(db.select(Author).filter_by(slug="ada-writer")).one()
    ada.role_line, ada.is_staff, ada.bio = "Editor-in-chief", True, "Ada edits."
    ada.photo = store_photo(image_bytes(size=(600, 800)))
    db.session.add(Author(name="Cy Desk", slug="cy-desk", role_line="Night editor", is_staff=True))
    articles = db.session.scalars(db.select(Article).limit(3)).all()
    sent = Digest(subject="Our pick", intro_md="An intro.", intro_html="<p>An intro.</p>")
    sent.articles = articles
    # Sent yesterday: the articles since then are the next round-up's choices.
    yesterday = utcnow() - timedelta(days=1)
    sent.status, sent.chosen_at, sent.started_at, sent.sent_at = "sent", *[yesterday] * 3
    db.session.add(sent)
    db.session.commit()
    return sent


def test_every_page_and_fragment_is_valid_html(app, client, site, mail_server, tmp_path):
    # An error on our side, as a route only this test has; registered before any request.
    @app.get("/broken")
    def broken():
        raise RuntimeError("a bug")

    pages = Pages(app, client)
    reader_pages(pages, site)
    newsletter_answers(app, pages, mail_server)
    sign_in_answers(app, pages)
    editor_pages(app, pages)
    redirect_pages(pages)
    photo_library_pages(pages)
    site_pages(pages)
    error_pages(app, pages)

    unchecked = {
        rule.endpoint
        for rule in app.url_map.iter_rules()
        if "GET" in rule.methods and rule.endpoint not in NOT_HTML
    } - pages.endpoints
    assert unchecked == set(), "pages that this test does not check yet"
    errors = nu_errors(pages, tmp_path)
    assert errors == [], "\n".join(errors)


def reader_pages(pages: Pages, site: Digest) -> None:
    for name, url in [
        ("front", "/"),
        ("front, page 2", "/?page=2"),
        ("article", "/articles/grid-politics"),
        ("section", "/sections/europe"),
        ("type", "/types/analysis"),
        ("tag", "/tags/energy-security"),
        ("author", "/authors/ada-writer"),
        ("author, staff without articles", "/authors/cy-desk"),
        ("authors", "/authors"),
        ("latest", "/latest"),
        ("qiosk", "/qiosk"),
        ("corrections", "/corrections"),
        ("search", "/search?q=grid"),
        ("search, nothing found", "/search?q=zzzz"),
        ("search, no query", "/search"),
        ("newsletter signup", "/newsletter"),
        ("newsletter archive", "/newsletter/archive"),
        ("newsletter round-up", f"/newsletter/archive/{site.id}"),
        ("editor sign-in", "/editor/sign-in"),
    ]:
        pages.fetch(name, url)
    for name, url, inside in [
        ("keep reading", "/articles/grid-politics/more", "div"),
        ("show less", "/articles/grid-politics/less", "div"),
        ("latest", "/latest", "ol"),
        ("latest, page 2", "/latest?page=2", "ol"),
        ("search", "/search?q=grid", "div"),
        ("newsletter signup", "/newsletter", "div"),
    ]:
        pages.fetch(f"{name} fragment", url, fragment=inside)


def site_pages(pages: Pages) -> None:
    """Pages of the site as readers get them: one with a page under it, that page, search finding
    them, the signup form linking the privacy page, and a page removed."""
    about = make_page("Who we are", dek="The magazine.", nav_position=1, footer_position=1)
    make_page("Masthead", parent=about, dek="Who does what.")
    privacy = make_page("Privacy policy", slug="privacy", footer_position=2)
    for name, url in [
        ("page with children", "/who-we-are"),
        ("child page", "/who-we-are/masthead"),
        ("search, pages found", "/search?q=masthead"),
    ]:
        pages.fetch(name, url)
    form = pages.fetch("signup fragment with privacy link", "/newsletter", fragment="div")
    assert 'href="/privacy"' in form
    privacy.status = "trash"
    db.session.commit()
    pages.fetch("page removed", "/privacy", 410)


def newsletter_answers(app, pages: Pages, mail_server) -> None:
    """Signup, confirm and unsubscribe answers, each as a page and (where htmx posts the form)
    as the fragment that replaces it."""
    for name, inside in [("page", ""), ("fragment", "div")]:
        pages.fetch(f"signup, bad address, {name}", "/newsletter", 422, fragment=inside,
                    method="POST", data={"email": "x"})  # fmt: skip
    pages.fetch("signup", "/newsletter", 303, method="POST", data={"email": "me@example.org"})
    pages.fetch("signup thanks", "/newsletter/thanks")
    done = pages.fetch("signup done fragment", "/newsletter", fragment="div", method="POST",
                       data={"email": "late@example.org"})  # fmt: skip
    assert "Please check your inbox" in done
    app.config["SIGNUP_RATE_LIMIT"] = 0
    for name, inside in [("page", ""), ("fragment", "div")]:
        pages.fetch(f"signup, rate limited, {name}", "/newsletter", 429, fragment=inside,
                    method="POST", data={"email": "more@example.org"})  # fmt: skip

    first, late = mail_server.messages
    confirm = link_in(first, "confirm")
    pages.fetch("confirm, asking", confirm)
    pages.fetch("confirmed", confirm, 303, method="POST", data={})
    assert "You are subscribed" in pages.fetch("confirm, done", confirm)
    assert "Already confirmed" in pages.fetch("confirm, used already", confirm)
    unsubscribe = link_in(first, "unsubscribe")
    pages.fetch("unsubscribe, asking", unsubscribe)
    pages.fetch("unsubscribed", unsubscribe, 303, method="POST", data={})
    assert "You are unsubscribed" in pages.fetch("unsubscribe, done", unsubscribe)
    pages.fetch("unsubscribe, not valid", "/newsletter/unsubscribe/not-a-token", 400)

    yesterday = utcnow() - timedelta(days=1)
    db.session.execute(
        db.update(SubscriberToken).filter_by(purpose="confirm").values(expires_at=yesterday)
    )
    db.session.commit()
    pages.fetch("confirm, expired", link_in(late, "confirm"), 410)
    done = pages.fetch("unsubscribe fragment", link_in(late, "unsubscribe"), fragment="div",
                       method="POST", data={})  # fmt: skip
    assert "You are unsubscribed" in done


def link_in(message, purpose: str) -> str:
    """The path of the newsletter link for `purpose` in an email."""
    text = message.get_body(("plain",)).get_content()
    return re.search(rf"localhost(/newsletter/{purpose}/\S+)", text).group(1)


def sign_in_answers(app, pages: Pages) -> None:
    """A failed sign-in, one refused for too many failures, and a writer at an admin page."""
    wrong = {"email": "admin@example.org", "password": "not the one"}
    pages.fetch("sign-in failed", "/editor/sign-in", 401, method="POST", data=wrong)
    pages.fetch("sign-in, empty", "/editor/sign-in", 422, method="POST", data={"email": ""})
    failures = app.config["SIGNIN_FAILURES_PER_ADDRESS"]
    app.config["SIGNIN_FAILURES_PER_ADDRESS"] = 0
    pages.fetch("sign-in, too many failures", "/editor/sign-in", 429, method="POST", data=wrong)
    app.config["SIGNIN_FAILURES_PER_ADDRESS"] = failures

    make_user("writer@example.org", role="writer")
    writer = app.test_client()
    pages.fetch("editor sign-in, a writer's", "/editor/sign-in", client=writer)
    pages.fetch("writer signed in", "/editor/sign-in", 303, method="POST", client=writer,
                data={"email": "writer@example.org", "password": PASSWORD})  # fmt: skip
    pages.fetch("not allowed", "/editor/users", 403, client=writer)

    pages.fetch("editor signed in", "/editor/sign-in", 303, method="POST",
                data={"email": "admin@example.org", "password": PASSWORD})  # fmt: skip


def editor_pages(app, pages: Pages) -> None:
    """Every editor page, the answers of its htmx posts, and each form refusing what it got."""
    article = db.session.scalars(db.select(Article).filter_by(slug="grid-politics")).one()
    typed = {"title": "Grid", "body": "One.", "version": article.version}
    # With the Publish button out of band, labelled for the publish time typed.
    autosave = f"/editor/articles/{article.id}/autosave"
    for label, when in [("Publish", ""), ("Schedule", "2099-01-01T09:00")]:
        kept = pages.fetch(f"autosave fragment, {label}", autosave, fragment="p", method="POST",
                           data={**typed, "published_at": when})  # fmt: skip
        assert f'value="{label}" data-hx-swap-oob="true"' in kept
    revision = db.session.scalars(db.select(Revision).filter_by(article_id=article.id)).first()
    pages.fetch("new page", "/editor/pages", 303, method="POST", data={})
    page = db.session.scalars(db.select(Page)).one()
    page_form = {"title": "About", "slug": "", "dek": "Who we are.", "parent": "",
                 "page_type": "AboutPage", "body": "We **write**.", "in_nav": "y"}  # fmt: skip
    pages.fetch("page saved", f"/editor/pages/{page.id}", 303, method="POST",
                data={**page_form, "version": page.version, "save": "Save draft"})  # fmt: skip
    db.session.refresh(page)
    pages.fetch(
        "page autosave fragment", f"/editor/pages/{page.id}/autosave", fragment="p",
        method="POST", data={**page_form, "body": "We write.", "version": page.version},
    )  # fmt: skip
    page_revision = db.session.scalars(db.select(Revision).filter_by(page_id=page.id)).first()
    for name, url in [
        ("dashboard", "/editor/"),
        ("article form", f"/editor/articles/{article.id}"),
        ("revisions", f"/editor/articles/{article.id}/revisions"),
        ("corrections and updates", f"/editor/articles/{article.id}/notes"),
        ("revision", f"/editor/articles/{article.id}/revisions/{revision.id}"),
        ("sections", "/editor/sections"),
        ("new section", "/editor/sections/new"),
        ("author", "/editor/authors/1"),
        ("authors", "/editor/authors"),
        ("users", "/editor/users"),
        ("new user", "/editor/users/new"),
        ("password", "/editor/account/password"),
        ("subscribers", "/editor/newsletter"),
        ("subscriber chart", "/editor/newsletter/chart"),
        ("subscriber import", "/editor/newsletter/import"),
        ("round-up", "/editor/newsletter/digest"),
        ("pages", "/editor/pages"),
        ("page form, text recovered", f"/editor/pages/{page.id}"),
        ("page revisions", f"/editor/pages/{page.id}/revisions"),
        ("page revision", f"/editor/pages/{page.id}/revisions/{page_revision.id}"),
    ]:
        pages.fetch(f"editor {name}", url)
    pages.fetch(
        "editor page form with errors", f"/editor/pages/{page.id}", 422, method="POST",
        data={**page_form, "slug": "latest", "parent": "999", "version": page.version},
    )  # fmt: skip
    pages.fetch("editor settings", "/editor/settings")
    pages.fetch("editor settings with errors", "/editor/settings", 422, method="POST",
                data={"name": "", "donate_url": "javascript:x", "links-0-name": "A"})  # fmt: skip
    pages.fetch("editor settings, a link added", "/editor/settings", method="POST",
                data={"name": "Renamed", "add_link": "Add a link"})  # fmt: skip
    pages.fetch("editor settings saved", "/editor/settings", 303, method="POST",
                data={"name": "Renamed", "links-0-name": "A", "links-0-url": "/a",
                      "donate_url": "https://give.example/"})  # fmt: skip
    pages.fetch("front with the settings saved", "/")
    pages.fetch("editor settings history", "/editor/settings/history")

    body = "**Bold** and a [link](https://example.org)."
    pages.fetch("editor preview fragment", "/editor/preview", fragment="div", method="POST",
                data={"body": body})  # fmt: skip
    page = pages.fetch("editor preview page", "/editor/preview", method="POST", data={"body": body})
    assert "<strong>Bold</strong>" in page
    fields = {"version": article.version, "section": article.section_id,
              "article_type": article.type_id}  # fmt: skip
    pages.fetch("editor article form, previewed", f"/editor/articles/{article.id}",
                method="POST", data={**fields, "title": "Grid", "body": body,
                                     "preview": "Preview"})  # fmt: skip
    for name, url, data in [
        ("article form", f"/editor/articles/{article.id}",
         {**fields, "title": "", "slug": "Not a slug", "published_at": "soon",
          "canonical_url": "javascript:x", "social_image": upload(b"no image", "card.png")}),
        ("password", "/editor/account/password",
         {"current": "not it", "new": "short", "confirm": "other"}),
        ("new user", "/editor/users/new", {"email": "not an address", "role": "editor"}),
        ("new section", "/editor/sections/new", {"name": "", "position": "first"}),
        ("new author", "/editor/authors/new", {"name": ""}),
        ("subscriber import, no file", "/editor/newsletter/import", {}),
        ("subscriber import, not CSV", "/editor/newsletter/import",
         {"file": upload(b"\xff\xfe", "list.csv")}),
        ("round-up", "/editor/newsletter/digest", {"subject": "", "save": "Save"}),
    ]:  # fmt: skip
        pages.fetch(f"editor {name} with errors", url, 422, method="POST", data=data)
    rows = b"email\nnew@example.org\nnot an address\n"
    pages.fetch("editor subscriber import report", "/editor/newsletter/import", method="POST",
                data={"file": upload(rows, "list.csv")})  # fmt: skip
    chosen = db.session.scalars(candidates().with_only_columns(Article.id)).all()
    pages.fetch("editor round-up, previewed", "/editor/newsletter/digest", method="POST",
                data={"subject": "Our pick", "intro": "*Hello.*", "articles": chosen,
                      "preview": "Preview"})  # fmt: skip


def redirect_pages(pages: Pages) -> None:
    """The Redirects page, its forms and the answers of their htmx requests."""
    article = db.session.scalars(db.select(Article).filter_by(slug="grid-politics")).one()
    redirects.add("/2019/04/grid/", article, source="wordpress")
    redirects.add("/shop/", "https://shop.example/books?a=1&b=2", status=302)
    db.session.commit()
    # Followed once, so that the list shows a hit and its time.
    assert pages.client.get("/2019/04/grid/").status_code == 301
    stored = db.session.scalars(db.select(Redirect).filter_by(old_path="/shop/")).one()
    for name, url in [
        ("redirects", "/editor/redirects"),
        ("redirects, nothing found", "/editor/redirects?q=nothing"),
        ("new redirect", "/editor/redirects/new"),
        ("redirect", f"/editor/redirects/{stored.id}"),
        ("redirect, delete asked", f"/editor/redirects/{stored.id}/delete"),
        ("redirect import", "/editor/redirects/import"),
    ]:
        pages.fetch(f"editor {name}", url)
    pages.fetch("editor redirects fragment", "/editor/redirects?q=grid", fragment="div")
    for name, url in [("delete asked", "delete"), ("kept", "row")]:
        pages.fetch(f"editor redirect {name} fragment", f"/editor/redirects/{stored.id}/{url}",
                    fragment="table")  # fmt: skip
    pages.fetch("editor redirect row, a browser's", f"/editor/redirects/{stored.id}/row", 303)
    refused = {"old_path": "/latest", "target": "javascript:x", "status": "307"}
    pages.fetch("editor new redirect with errors", "/editor/redirects/new", 422, method="POST",
                data=refused)  # fmt: skip
    pages.fetch("editor redirect saved", "/editor/redirects/new", 303, method="POST",
                data={"old_path": "/old/", "target": "/latest", "status": "301"})  # fmt: skip
    for name, data, status in [
        ("report", b"old_path,target,status\n/feed/,/feeds/all.atom,301\n/latest,/,301\n", 200),
        ("not CSV", b"\xff\xfe", 422),
    ]:
        pages.fetch(f"editor redirect import {name}", "/editor/redirects/import", status,
                    method="POST", data={"file": upload(data, "redirects.csv")})  # fmt: skip
    pages.fetch("editor redirect deleted fragment", f"/editor/redirects/{stored.id}/delete",
                fragment="table", method="POST", data={})  # fmt: skip


def photo_library_pages(pages: Pages) -> None:
    """The photo library: the list with photos in use and not, searched; one photo; an upload,
    a choice and their answers; deleting, asked and refused; each as htmx gets it too."""
    unused = store_photo(image_bytes(size=(700, 500)), "A quay at dusk", "Test Studio")
    db.session.commit()
    used = db.session.scalars(db.select(Article).filter_by(slug="grid-politics")).one().photo
    for name, url in [
        ("photo library", "/editor/photos"),
        ("photo library, searched", "/editor/photos?q=quay"),
        ("photo library, nothing found", "/editor/photos?q=zzzz"),
        ("photo in use", f"/editor/photos/{used.id}"),
        ("photo upload", "/editor/photos/upload"),
        ("photo insert", f"/editor/photos/{unused.id}/insert"),
        ("photo delete, asked", f"/editor/photos/{unused.id}/delete"),
        ("photo delete, in use", f"/editor/photos/{used.id}/delete"),
    ]:
        pages.fetch(f"editor {name}", url)
    for name, url in [
        ("photo library", "/editor/photos?q=quay"),
        ("photo upload", "/editor/photos/upload"),
        ("photo insert", f"/editor/photos/{unused.id}/insert"),
    ]:
        pages.fetch(f"editor {name} fragment", url, fragment="div")
    insert = {f"photo-{unused.id}-alt": "A quay", f"photo-{unused.id}-caption": "At dusk"}
    for name, inside in [("page", ""), ("fragment", "div")]:
        # Read once each: a file is a stream.
        not_an_image = {"upload-photo": upload(b"no image", "x.jpg"), "upload-alt": "A gull"}
        gull = {"upload-photo": upload(image_bytes(size=(640, 480))), "upload-alt": "A gull"}
        for answer, status, data in [("with errors", 422, not_an_image), ("done", 200, gull)]:
            pages.fetch(f"editor photo upload {answer}, {name}", "/editor/photos/upload",
                        status, fragment=inside, method="POST", data=data)  # fmt: skip
        pages.fetch(f"editor photo inserted, {name}", f"/editor/photos/{unused.id}/insert",
                    fragment=inside, method="POST", data=insert)  # fmt: skip
    pages.fetch("editor photo insert with errors", f"/editor/photos/{unused.id}/insert", 422,
                method="POST", data={f"photo-{unused.id}-alt": ""})  # fmt: skip
    pages.fetch("editor photo with errors", f"/editor/photos/{unused.id}", 422, method="POST",
                data={"alt": "x" * 501, "credit": ""})  # fmt: skip
    pages.fetch("editor photo delete refused", f"/editor/photos/{used.id}/delete", 409,
                method="POST", data={})  # fmt: skip
    pages.fetch("editor photo deleted", f"/editor/photos/{unused.id}/delete", 303, method="POST",
                data={})  # fmt: skip


def error_pages(app, pages: Pages) -> None:
    """Error answers as a reader or an editor meets them: pages, and the fragment for htmx."""
    pages.fetch("not found", "/articles/nothing-here", 404)
    pages.fetch("not found fragment", "/articles/nothing-here", 404, fragment="div")
    filler = db.session.scalars(db.select(Article).filter_by(slug="filler-0")).one()
    pages.fetch("trashed", f"/editor/articles/{filler.id}/trash", 303, method="POST", data={})
    pages.fetch("gone", "/articles/filler-0", 410)
    too_long = "x" * (MAX_CHARACTERS + 1)
    pages.fetch("too large", "/editor/preview", 413, method="POST", data={"body": too_long})
    app.config["PREVIEW_RATE_LIMIT"] = 0
    pages.fetch("too many", "/editor/preview", 429, method="POST", data={"body": "One."})
    # As in production, where the error reaches the site's 500 page (tests propagate it).
    app.config["PROPAGATE_EXCEPTIONS"] = False
    pages.fetch("server error", "/broken", 500)
