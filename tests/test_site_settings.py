"""The Settings page: what an admin saves there shows on every reader page at once."""

import json
import re

import pytest

from rsflask.db import db
from rsflask.models import Page, Section, SiteSettings
from tests.editor_helpers import image_bytes, make_user, prepare_editor_tests, sign_in, upload


@pytest.fixture(autouse=True)
def editor_tests(app, monkeypatch):
    prepare_editor_tests(app, monkeypatch)


@pytest.fixture
def admin(client):
    make_user("admin@example.org", role="admin", name="Ada Admin")
    sign_in(client, "admin@example.org")
    return client


def form_fields(html: str) -> dict:
    """What the browser would send: every named input, textarea and ticked box of the form."""
    fields = {}
    for tag in re.findall(r"<input[^>]*>", html):
        name = re.search(r'name="([^"]+)"', tag)
        kind = re.search(r'type="([^"]+)"', tag)
        value = re.search(r'value="([^"]*)"', tag)
        if not name or (kind and kind.group(1) in ("submit", "file")):
            continue
        if kind and kind.group(1) == "checkbox":
            if " checked" in tag:
                fields[name.group(1)] = "y"
            continue
        fields[name.group(1)] = unescape(value.group(1)) if value else ""
    for name, text in re.findall(
        r'<textarea[^>]*name="([^"]+)"[^>]*>\n?(.*?)</textarea>', html, re.S
    ):
        fields[name] = unescape(text)
    return fields


def unescape(text: str) -> str:
    import html

    return html.unescape(text)


def post_settings(client, **changes):
    """The form as shown, with `changes` typed over it."""
    fields = form_fields(client.get("/editor/settings").get_data(as_text=True))
    fields.update(changes)
    for name in [k for k, v in changes.items() if v is None]:
        fields.pop(name)
    return client.post("/editor/settings", data=fields)


def test_smoke(admin, add_article):
    add_article("Harbour cranes")
    page = admin.get("/editor/settings")
    assert page.status_code == 200, page.get_data(as_text=True)
    response = post_settings(admin, name="The Slow Review", tagline="Read it twice.")
    assert response.status_code == 303, response.get_data(as_text=True)
    front = admin.get("/").get_data(as_text=True)
    assert "The Slow Review" in front
    history = admin.get("/editor/settings/history").get_data(as_text=True)
    assert "The Crosswind Review" in history and "Ada Admin" in history
