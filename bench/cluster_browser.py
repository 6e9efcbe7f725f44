"""A browser, as far as bench/cluster.py needs one, and an editor's actions with it: cookies kept
across the nodes (one site, one cookie jar, as behind a balancer), forms read from a page and
posted with their hidden fields, files sent as multipart, redirects not followed (the run looks
at them)."""

import http.cookiejar
import secrets
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from html.parser import HTMLParser

from cluster_parts import EDITOR_EMAIL, EDITOR_PASSWORD


@dataclass
class Answer:
    status: int
    headers: dict
    text: str


class NoRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


class FormFields(HTMLParser):
    """The fields of the first form whose action ends with `action` (any form when empty; a form
    without an action when `action` is the page's own path), with
    the values a browser would send untouched: inputs, checked boxes, textareas, selected
    options (else the first)."""

    def __init__(self, action: str = "") -> None:
        super().__init__()
        self.action, self.inside, self.done = action, False, False
        self.fields: dict[str, str] = {}
        self.select = self.textarea = None
        self.first_option: dict[str, str] = {}

    def handle_starttag(self, tag, attrs):
        attrs = {name: value or "" for name, value in attrs}
        # A form without an action posts to its page: the caller names the page's path.
        if (
            tag == "form"
            and not self.done
            and (attrs.get("action") or self.action).endswith(self.action)
        ):
            self.inside = True
        if not self.inside:
            return
        name = attrs.get("name", "")
        if tag == "input" and name and attrs.get("type", "text") not in ("submit", "file"):
            if attrs.get("type") not in ("checkbox", "radio") or "checked" in attrs:
                self.fields[name] = attrs.get("value", "")
        elif tag == "textarea":
            self.textarea = name
            self.fields[name] = ""
        elif tag == "select":
            self.select = name
        elif tag == "option" and self.select:
            self.first_option.setdefault(self.select, attrs.get("value", ""))
            if "selected" in attrs:
                self.fields[self.select] = attrs.get("value", "")

    def handle_data(self, data):
        if self.textarea:
            self.fields[self.textarea] += data

    def handle_endtag(self, tag):
        if tag == "textarea":
            self.textarea = None
        elif tag == "select":
            if self.select not in self.fields and self.select in self.first_option:
                self.fields[self.select] = self.first_option[self.select]
            self.select = None
        elif tag == "form" and self.inside:
            self.inside, self.done = False, True


def form_fields(page: str, action: str = "") -> dict[str, str]:
    parser = FormFields(action)
    parser.feed(page)
    return parser.fields


class Browser:
    def __init__(self) -> None:
        self.cookies = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(self.cookies), NoRedirects()
        )

    def open(self, request: urllib.request.Request) -> Answer:
        try:
            with self.opener.open(request, timeout=30) as response:
                body = response.read()
                return Answer(
                    response.status, dict(response.headers), body.decode(errors="replace")
                )
        except urllib.error.HTTPError as error:
            body = error.read().decode(errors="replace")
            return Answer(error.code, dict(error.headers), body)

    def get(self, url: str, headers: dict | None = None) -> Answer:
        return self.open(urllib.request.Request(url, headers=headers or {}))

    def post(
        self, url: str, fields: dict, files: dict | None = None, headers: dict | None = None
    ) -> Answer:
        """A form posted as a browser posts it from a page of the site."""
        headers = {"Sec-Fetch-Site": "same-origin", **(headers or {})}
        if files:
            boundary = secrets.token_hex(16)
            body = multipart(fields, files, boundary)
            headers["Content-Type"] = f"multipart/form-data; boundary={boundary}"
        else:
            body = urllib.parse.urlencode(fields).encode()
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        return self.open(urllib.request.Request(url, data=body, headers=headers, method="POST"))


def multipart(fields: dict, files: dict, boundary: str) -> bytes:
    parts = []
    for name, value in fields.items():
        head = f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n'
        parts.append(f"{head}{value}\r\n".encode())
    for name, (filename, data, content_type) in files.items():
        head = (
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; '
            f'filename="{filename}"\r\nContent-Type: {content_type}\r\n\r\n'
        )
        parts.append(head.encode() + data + b"\r\n")
    return b"".join(parts) + f"--{boundary}--\r\n".encode()


def sign_in(node) -> Browser:
    browser = Browser()
    page = browser.get(node.url + "/editor/sign-in")
    fields = form_fields(page.text, "/editor/sign-in")
    fields.update(email=EDITOR_EMAIL, password=EDITOR_PASSWORD)
    answer = browser.post(node.url + "/editor/sign-in", fields)
    if answer.status != 303:
        raise RuntimeError(f"signing in through node {node.name} answered {answer.status}")
    return browser


def publish(browser: Browser, start_on, finish_on, title: str) -> tuple[int, int]:
    """A new article through the editor's forms: the draft started through one node with that
    node's CSRF token, the form read there and posted through `finish_on`. The two statuses."""
    dashboard = browser.get(start_on.url + "/editor/")
    token = form_fields(dashboard.text, "/editor/articles")["csrf_token"]
    created = browser.post(start_on.url + "/editor/articles", {"csrf_token": token})
    edit_path = created.headers["Location"].removeprefix(start_on.url)
    fields = form_fields(browser.get(start_on.url + edit_path).text, edit_path)
    fields.update(
        title=title,
        dek="Talks on the harbour resumed after a quiet month.",
        body="The delegations met again on Tuesday.\n\nNeither side would say more.\n",
        publish="Publish",
    )
    published = browser.post(finish_on.url + edit_path, fields)
    return created.status, published.status
