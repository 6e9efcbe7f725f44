"""Unsubscribing: the link's page and its button (with and without htmx), the RFC 8058 one-click
POST, the headers on every email, and subscribing again later."""

import re
import time
from types import SimpleNamespace
from urllib.parse import urlsplit

import itsdangerous.timed
import pytest

from rsflask.db import db
from rsflask.models import Subscriber
from rsflask.newsletter.tokens import unsubscribe_token
from tests.conftest import htmx


@pytest.fixture
def reader(app, client, mail_server):
    """A confirmed subscriber, signed up and confirmed through the emails, CSRF on."""
    app.config["WTF_CSRF_ENABLED"] = False
    client.post("/newsletter", data={"email": "reader@example.org"})
    client.get(path_of(mail_server.messages[0], "confirm"))
    app.config["WTF_CSRF_ENABLED"] = True
    subscriber = db.session.scalar(db.select(Subscriber).filter_by(email="reader@example.org"))
    assert subscriber.status == "confirmed"
    return subscriber


def path_of(message, kind: str) -> str:
    text = message.get_body(("plain",)).get_content()
    [url] = re.findall(rf"http://localhost/newsletter/{kind}/\S+", text)
    return urlsplit(url).path


def header_url(message) -> str:
    """The https link of the List-Unsubscribe header."""
    return re.match(r"<([^>]+)>", message["List-Unsubscribe"]).group(1)


def status_of(email: str = "reader@example.org") -> str:
    db.session.expire_all()
    return db.session.scalar(db.select(Subscriber.status).filter_by(email=email))


def test_every_email_carries_one_click_unsubscribe_headers(app, client, mail_server, reader):
    reader.confirmation_tried_at = None
    db.session.commit()
    app.config["WTF_CSRF_ENABLED"] = False
    client.post("/newsletter", data={"email": "reader@example.org"})  # the "already" note
    assert [m["Subject"].split(" ")[0] for m in mail_server.messages] == ["Please", "You"]
    token = unsubscribe_token(reader.id, reader.email)
    for message in mail_server.messages:
        assert message["List-Unsubscribe"] == (
            f"<http://localhost/newsletter/unsubscribe/{token}>, "
            "<mailto:newsletter@example.org?subject=unsubscribe>"
        )
        assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    for raw, message in zip(mail_server.raw, mail_server.messages, strict=True):
        # As written on the wire: the link as it is, not RFC 2047 encoded words; 7-bit only.
        assert (
            f"\r\nList-Unsubscribe: <http://localhost/newsletter/unsubscribe/{token}>, ".encode()
            in raw
        )
        assert raw.isascii()
        for part in ("plain", "html"):
            assert f"/newsletter/unsubscribe/{token}" in message.get_body((part,)).get_content()


def test_the_mailto_can_be_another_address_or_none(app, client, mail_server):
    app.config["WTF_CSRF_ENABLED"] = False
    app.config["NEWSLETTER_UNSUBSCRIBE_MAILTO"] = "leave@example.org"
    client.post("/newsletter", data={"email": "a@example.org"})
    app.config["NEWSLETTER_UNSUBSCRIBE_MAILTO"] = ""
    client.post("/newsletter", data={"email": "b@example.org"})
    first, second = mail_server.messages
    assert first["List-Unsubscribe"].endswith(", <mailto:leave@example.org?subject=unsubscribe>")
    assert "mailto" not in second["List-Unsubscribe"]


def test_following_the_link_shows_a_button_and_changes_nothing(client, mail_server, reader):
    response = client.get(path_of(mail_server.messages[0], "unsubscribe"))
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and "<html" in html
    assert "reader@example.org" in html
    assert re.search(r'<form action="/newsletter/unsubscribe/[^"]+" method="post"', html)
    assert "no-store" in response.headers["Cache-Control"]
    assert status_of() == "confirmed"


def test_the_button_without_javascript_unsubscribes_then_redirects(client, mail_server, reader):
    path = path_of(mail_server.messages[0], "unsubscribe")
    response = client.post(path, environ_overrides={"REMOTE_ADDR": "198.51.100.4"})
    assert response.status_code == 303 and response.location == path
    page = client.get(path).get_data(as_text=True)
    assert "You are unsubscribed: we will send no more emails to reader@example.org" in page
    assert "Subscribe again" in page
    db.session.refresh(reader)
    assert reader.status == "unsubscribed"
    assert reader.unsubscribed_at is not None and reader.unsubscribe_ip == "198.51.100.4"
    # The consent record of the subscription is kept.
    assert reader.confirmed_at is not None and reader.signup_ip == "127.0.0.1"


def test_the_button_with_htmx_swaps_in_the_answer(client, mail_server, reader):
    response = client.post(path_of(mail_server.messages[0], "unsubscribe"), headers=htmx())
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and "<html" not in html
    assert html.startswith('<div class="unsubscribe" id="unsubscribe">')
    assert "You are unsubscribed" in html
    assert status_of() == "unsubscribed"


def test_the_one_click_post_of_rfc_8058_unsubscribes_without_a_csrf_token(
    client, mail_server, reader
):
    url = header_url(mail_server.messages[0])
    response = client.post(
        urlsplit(url).path,
        data="List-Unsubscribe=One-Click",
        content_type="application/x-www-form-urlencoded",
    )
    # Answered in place: RFC 8058 senders must not redirect the POST.
    assert response.status_code == 200
    assert "You are unsubscribed" in response.get_data(as_text=True)
    assert status_of() == "unsubscribed"
    again = client.post(urlsplit(url).path, data={"List-Unsubscribe": "One-Click"})
    assert again.status_code == 200 and status_of() == "unsubscribed"


def test_only_the_unsubscribe_post_skips_the_csrf_check(client, reader):
    assert client.post("/newsletter", data={"email": "x@example.org"}).status_code == 400


@pytest.mark.parametrize("method", ["get", "post"])
def test_an_altered_unsubscribe_link_changes_nothing_and_says_so(
    client, mail_server, reader, method
):
    path = path_of(mail_server.messages[0], "unsubscribe")
    response = getattr(client, method)(path[:-4] + "AAAA")
    assert response.status_code == 400
    assert "This unsubscribe link is not valid" in response.get_data(as_text=True)
    assert status_of() == "confirmed"


def test_the_link_in_a_two_year_old_email_still_works(client, reader, monkeypatch):
    token = unsubscribe_token(reader.id, reader.email)
    two_years_on = time.time() + 2 * 366 * 24 * 3600
    monkeypatch.setattr(itsdangerous.timed, "time", SimpleNamespace(time=lambda: two_years_on))
    assert client.post(f"/newsletter/unsubscribe/{token}").status_code == 303
    assert status_of() == "unsubscribed"


def test_a_token_is_tied_to_the_address_as_well_as_the_row(client, reader):
    token = unsubscribe_token(reader.id, "someone-else@example.org")
    assert client.post(f"/newsletter/unsubscribe/{token}").status_code == 303
    assert "You are unsubscribed." in client.get(f"/newsletter/unsubscribe/{token}").get_data(
        as_text=True
    )
    assert status_of() == "confirmed"


def test_subscribing_again_after_unsubscribing_works(app, client, mail_server, reader):
    client.post(path_of(mail_server.messages[0], "unsubscribe"))
    assert status_of() == "unsubscribed"
    app.config["WTF_CSRF_ENABLED"] = False
    reader.confirmation_tried_at = None
    db.session.commit()
    client.post("/newsletter", data={"email": "reader@example.org"})
    assert status_of() == "pending"
    confirmation = mail_server.messages[-1]
    assert confirmation["Subject"].startswith("Please confirm")
    assert client.get(path_of(confirmation, "confirm")).status_code == 200
    assert status_of() == "confirmed"
    db.session.refresh(reader)
    # The new signup has a consent record of its own; the old unsubscribe time stays on record.
    assert reader.unsubscribed_at is not None and reader.confirmed_at > reader.unsubscribed_at


def test_a_pending_reader_who_did_not_ask_can_unsubscribe_from_the_confirmation(
    app, client, mail_server
):
    app.config["WTF_CSRF_ENABLED"] = False
    client.post("/newsletter", data={"email": "victim@example.org"})
    client.post(header_url(mail_server.messages[0]), data={"List-Unsubscribe": "One-Click"})
    assert status_of("victim@example.org") == "unsubscribed"
