"""Every kind of page and fragment is valid HTML, as the Nu HTML Checker (vnu.jar) judges it.

`make test` installs the checker from the npm registry (package vnu-jar) when npm is there; it
runs on Java. Without either, this test skips on a developer's machine and fails under CI=true.
Fragments are checked inside a minimal document, as htmx puts them into one.
"""

import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from rsflask.db import db, utcnow
from rsflask.models import Article, Digest, Page, Revision
from tests.conftest import htmx
from tests.editor_helpers import PASSWORD, image_bytes, make_user, prepare_editor_tests
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
    "health.healthz",
    "editor.export_subscribers",
    *(f"feeds.{name}" for name in ("site", "section", "article_type", "tag", "author")),
    *(f"feeds.{name}" for name in ("sitemap", "sitemap_part", "news_sitemap", "robots")),
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
        self.csrf_token = ""

    def fetch(self, name: str, url: str, status: int = 200, fragment: str = "", **request):
        """Ask for `url`, and keep the page; or the fragment, put `inside` the element that
        htmx swaps it into."""
        method = request.pop("method", "GET")
        headers = htmx() if fragment else {}
        if method == "POST":
            request["data"] = {"csrf_token": self.csrf_token, **request["data"]}
        response = self.client.open(url, method=method, headers=headers, **request)
        assert response.status_code == status, f"{method} {url}: {response.status_code}"
        html = response.get_data(as_text=True)
        if field := re.search(r'<input[^>]* name="csrf_token"[^>]*>', html):
            self.csrf_token = re.search(r'value="([^"]+)"', field.group(0)).group(1)
        if not 300 <= response.status_code < 400:
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
        "| a | b |\n|---|---|\n| 1 | 2 |\n\n[^1]: A footnote.\n",
        tags=["Energy Security"],
        authors=["Ada Writer", "Ben Other"],
        image=image_bytes(),
        image_alt="A pylon at dusk",
        image_credit="Test Studio",
    )
    add_article("Port tender opens", section="QIOSK", type="News")
    for number in range(12):
        add_article(f"Filler {number}")
    about = make_page("About", slug="about", dek="Who we are.", nav_position=1, footer_position=1)
    make_page("Masthead", parent=about, dek="Who does what.")
    make_page("Privacy policy", slug="privacy", footer_position=2)
    make_user("admin@example.org", role="admin")
    articles = db.session.scalars(db.select(Article).limit(3)).all()
    sent = Digest(subject="Our pick", intro_md="An intro.", intro_html="<p>An intro.</p>")
    sent.articles = articles
    sent.status, sent.started_at, sent.sent_at = "sent", utcnow(), utcnow()
    db.session.add(sent)
    db.session.commit()
    return sent


def test_every_page_and_fragment_is_valid_html(app, client, site, mail_server, tmp_path):
    pages = Pages(app, client)
    for name, url in [
        ("front", "/"),
        ("front, page 2", "/?page=2"),
        ("article", "/articles/grid-politics"),
        ("section", "/sections/europe"),
        ("type", "/types/analysis"),
        ("tag", "/tags/energy-security"),
        ("author", "/authors/ada-writer"),
        ("latest", "/latest"),
        ("qiosk", "/qiosk"),
        ("search", "/search?q=grid"),
        ("search, nothing found", "/search?q=zzzz"),
        ("search, no query", "/search"),
        ("newsletter signup", "/newsletter"),
        ("newsletter archive", "/newsletter/archive"),
        ("newsletter round-up", f"/newsletter/archive/{site.id}"),
        ("editor sign-in", "/editor/sign-in"),
        ("page with children", "/about"),
        ("child page", "/about/masthead"),
        ("search, pages found", "/search?q=masthead"),
    ]:
        pages.fetch(name, url)
    pages.fetch("not found", "/articles/nothing-here", status=404)
    for name, url, inside in [
        ("keep reading", "/articles/grid-politics/more", "div"),
        ("show less", "/articles/grid-politics/less", "div"),
        ("latest", "/latest", "ol"),
        ("latest, page 2", "/latest?page=2", "ol"),
        ("search", "/search?q=grid", "div"),
        ("newsletter signup", "/newsletter", "div"),
    ]:
        pages.fetch(f"{name} fragment", url, fragment=inside)

    pages.fetch("signup, bad address", "/newsletter", 422, method="POST", data={"email": "x"})
    pages.fetch("signup", "/newsletter", 303, method="POST", data={"email": "me@example.org"})
    pages.fetch("signup thanks", "/newsletter/thanks")
    [message] = mail_server.messages
    mail = message.get_body(("plain",)).get_content()
    pages.fetch("confirm", re.search(r"localhost(/newsletter/confirm/\S+)", mail).group(1))
    unsubscribe = re.search(r"localhost(/newsletter/unsubscribe/\S+)", mail).group(1)
    pages.fetch("unsubscribe", unsubscribe)

    pages.fetch("editor signed in", "/editor/sign-in", 303, method="POST",
                data={"email": "admin@example.org", "password": PASSWORD})  # fmt: skip
    article = db.session.scalars(db.select(Article).filter_by(slug="grid-politics")).one()
    pages.fetch(
        "autosave fragment", f"/editor/articles/{article.id}/autosave", fragment="p",
        method="POST", data={"title": "Grid", "body": "One.", "version": article.version},
    )  # fmt: skip
    revision = db.session.scalars(db.select(Revision).filter_by(article_id=article.id)).first()
    for name, url in [
        ("dashboard", "/editor/"),
        ("article form", f"/editor/articles/{article.id}"),
        ("revisions", f"/editor/articles/{article.id}/revisions"),
        ("revision", f"/editor/articles/{article.id}/revisions/{revision.id}"),
        ("sections", "/editor/sections"),
        ("new section", "/editor/sections/new"),
        ("author", "/editor/authors/1"),
        ("users", "/editor/users"),
        ("new user", "/editor/users/new"),
        ("password", "/editor/account/password"),
        ("subscribers", "/editor/newsletter"),
        ("subscriber chart", "/editor/newsletter/chart"),
        ("subscriber import", "/editor/newsletter/import"),
        ("round-up", "/editor/newsletter/digest"),
    ]:
        pages.fetch(f"editor {name}", url)
    pages.fetch(
        "editor article form with errors", f"/editor/articles/{article.id}", 422,
        method="POST", data={"title": "", "body": "", "version": article.version},
    )  # fmt: skip
    pages.fetch("editor preview", "/editor/preview", fragment="div", method="POST",
                data={"body": "**Bold** and a [link](https://example.org)."})  # fmt: skip

    db.session.scalars(db.select(Page).filter_by(slug="privacy")).one().status = "trash"
    db.session.commit()
    pages.fetch("page removed", "/privacy", status=410)

    unchecked = {
        rule.endpoint
        for rule in app.url_map.iter_rules()
        if "GET" in rule.methods and rule.endpoint not in NOT_HTML
    } - pages.endpoints
    assert unchecked == set(), "pages that this test does not check yet"
    assert nu_errors(pages, tmp_path) == []
