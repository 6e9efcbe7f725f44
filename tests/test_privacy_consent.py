"""The privacy page and the newsletter signup: every signup form links the published privacy page
(the PRIVACY_PAGE_SLUG setting), and a signup stores which saved revision of it was shown."""

from datetime import timedelta

import pytest

from rsflask.db import db, utcnow
from rsflask.models import Page, Subscriber
from tests.conftest import htmx
from tests.page_helpers import make_page, save_revision
from tests.test_reader import parse

PRIVACY_LINK = '<a href="/privacy">Privacy policy</a>'


def signup_form(client, url: str, **request) -> str:
    """The signup form's HTML in the page or fragment at `url`."""
    html = client.get(url, **request).get_data(as_text=True)
    return html.split('<div class="signup" id="signup">', 1)[1].split("</form>", 1)[0]


def subscribe(client, email: str, headers: dict | None = None):
    return client.post("/newsletter", data={"email": email}, headers=headers or {})


def subscriber(email: str) -> Subscriber:
    return db.session.scalar(db.select(Subscriber).filter_by(email=email))


@pytest.fixture
def privacy(app):
    return make_page("Privacy policy", slug="privacy", footer_position=1)


@pytest.mark.parametrize(
    ("url", "headers"),
    [("/newsletter", {}), ("/newsletter", htmx()), ("/articles/a-story", {}), ("/", {})],
)
def test_every_signup_form_links_the_published_privacy_page(
    client, add_article, privacy, url, headers
):
    add_article("A story")
    assert PRIVACY_LINK in signup_form(client, url, headers=headers)


def test_a_refused_signup_keeps_the_privacy_link(client, privacy):
    response = client.post("/newsletter", data={"email": "not an address"}, headers=htmx())
    assert response.status_code == 422
    assert PRIVACY_LINK in response.get_data(as_text=True)


@pytest.mark.parametrize("status", ["draft", "trash"])
def test_no_privacy_link_while_the_page_is_not_published(client, status):
    make_page("Privacy policy", slug="privacy", status=status)
    assert "Privacy policy" not in signup_form(client, "/newsletter")


def test_the_privacy_page_is_the_one_the_setting_names(app, client, privacy):
    make_page("Data protection", slug="data-protection")
    app.config["PRIVACY_PAGE_SLUG"] = "data-protection"
    form = signup_form(client, "/newsletter")
    assert '<a href="/data-protection">Data protection</a>' in form
    assert "/privacy" not in form


def test_a_privacy_page_under_another_links_its_whole_path(client):
    about = make_page("About", slug="about")
    make_page("Privacy policy", slug="privacy", parent=about)
    assert '<a href="/about/privacy">Privacy policy</a>' in signup_form(client, "/newsletter")


def test_the_privacy_link_leads_to_the_page(client, privacy):
    link = parse(client.get("/newsletter")).find("p", class_="fine-print").find("a")
    assert parse(client.get(link.attrs["href"])).find("h1").text == "Privacy policy"


def test_a_signup_records_the_newest_saved_revision_of_the_privacy_page(client, privacy):
    save_revision(privacy, created_at=utcnow() - timedelta(days=30))
    privacy.body_md, privacy.title = "The policy as it reads now.", "Privacy"
    db.session.commit()
    newest = save_revision(privacy, created_at=utcnow() - timedelta(days=1))
    # An autosave is text being typed, never shown to readers.
    save_revision(privacy, kind="autosave", body_md="Not saved yet.")
    assert "Privacy</a>" in signup_form(client, "/newsletter")
    subscribe(client, "reader@example.org", htmx())
    recorded = subscriber("reader@example.org")
    assert recorded.privacy_revision_id == newest.id
    assert newest.body_md == db.session.get(Page, privacy.id).body_md


def test_a_signup_without_a_privacy_page_records_none(client):
    subscribe(client, "reader@example.org")
    assert subscriber("reader@example.org").privacy_revision_id is None


def test_a_signup_records_none_for_a_page_never_saved_in_the_editor(client, privacy):
    subscribe(client, "reader@example.org")
    assert subscriber("reader@example.org").privacy_revision_id is None


def test_a_signup_records_none_for_a_draft_privacy_page(client):
    draft = make_page("Privacy policy", slug="privacy", status="draft")
    save_revision(draft)
    subscribe(client, "reader@example.org")
    assert subscriber("reader@example.org").privacy_revision_id is None


def test_signing_up_again_after_unsubscribing_records_the_revision_shown_then(client, privacy):
    first = save_revision(privacy, created_at=utcnow() - timedelta(days=2))
    subscribe(client, "reader@example.org")
    assert subscriber("reader@example.org").privacy_revision_id == first.id
    record = subscriber("reader@example.org")
    record.status = "unsubscribed"
    db.session.commit()
    second = save_revision(privacy)
    subscribe(client, "reader@example.org")
    db.session.expire_all()
    assert subscriber("reader@example.org").privacy_revision_id == second.id
