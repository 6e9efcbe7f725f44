"""Unsubscribing: the link's page and its button (with and without htmx), the RFC 8058 one-click
POST, the headers on every email, and subscribing again later."""

import hashlib
import re
from datetime import timedelta
from urllib.parse import urlsplit

import pytest
from itsdangerous import URLSafeSerializer
from sqlalchemy import text

from rsflask.db import db, utcnow
from rsflask.models import Subscriber
from tests.conftest import htmx


@pytest.fixture
def reader(app, client, mail_server):
    """A confirmed subscriber, signed up and confirmed through the emails, CSRF on."""
    app.config["WTF_CSRF_ENABLED"] = False
    client.post("/newsletter", data={"email": "reader@example.org"})
    client.post(path_of(mail_server.messages[0], "confirm"))
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
    for message in mail_server.messages:
        token = path_of(message, "unsubscribe").rsplit("/", 1)[1]
        assert message["List-Unsubscribe"] == (
            f"<http://localhost/newsletter/unsubscribe/{token}>, "
            "<mailto:newsletter@example.org?subject=unsubscribe>"
        )
        assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    for raw, message in zip(mail_server.raw, mail_server.messages, strict=True):
        token = path_of(message, "unsubscribe").rsplit("/", 1)[1]
        # As written on the wire: the link as it is, not RFC 2047 encoded words; 7-bit only.
        assert (
            f"\r\nList-Unsubscribe: <http://localhost/newsletter/unsubscribe/{token}>, ".encode()
            in raw
        )
        assert raw.isascii()
        for part in ("plain", "html"):
            assert f"/newsletter/unsubscribe/{token}" in message.get_body((part,)).get_content()


def test_every_email_has_a_link_of_its_own_and_each_keeps_working(app, client, mail_server, reader):
    reader.confirmation_tried_at = None
    db.session.commit()
    app.config["WTF_CSRF_ENABLED"] = False
    client.post("/newsletter", data={"email": "reader@example.org"})
    first, second = (path_of(message, "unsubscribe") for message in mail_server.messages)
    assert first != second
    for path in (first, second):
        assert "reader@example.org" in client.get(path).get_data(as_text=True)
    assert client.post(first).status_code == 303 and status_of() == "unsubscribed"
    assert "You are unsubscribed" in client.get(second).get_data(as_text=True)


def test_revoked_links_stop_working(client, runner, mail_server, reader):
    path = path_of(mail_server.messages[0], "unsubscribe")
    result = runner.invoke(args=["newsletter", "revoke-links", "Reader@Example.org"])
    assert result.exit_code == 0, result.output
    # The confirm link and the unsubscribe link of the one email sent.
    assert "2 links revoked." in result.output
    for method in ("get", "post"):
        response = getattr(client, method)(path)
        assert response.status_code == 400
        assert "This unsubscribe link is not valid" in response.get_data(as_text=True)
    assert status_of() == "confirmed"


def test_revoking_the_links_of_an_unknown_address_says_so(runner):
    result = runner.invoke(args=["newsletter", "revoke-links", "nobody@example.org"])
    assert result.exit_code == 1 and "No subscriber has the address" in result.output


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


@pytest.mark.parametrize("method", ["get", "post"])
def test_an_altered_unsubscribe_link_changes_nothing_and_says_so(
    client, mail_server, reader, method
):
    path = path_of(mail_server.messages[0], "unsubscribe")
    response = getattr(client, method)(path[:-4] + "AAAA")
    assert response.status_code == 400
    assert "This unsubscribe link is not valid" in response.get_data(as_text=True)
    assert status_of() == "confirmed"


def test_the_link_in_a_two_year_old_email_still_works(client, mail_server, reader):
    path = path_of(mail_server.messages[0], "unsubscribe")
    db.session.execute(
        text("UPDATE subscriber_tokens SET created_at = :t"),
        {"t": utcnow() - timedelta(days=2 * 366)},
    )
    db.session.commit()
    assert client.post(path).status_code == 303
    assert status_of() == "unsubscribed"


def legacy_token(app, subscriber_id: int, email: str) -> str:
    """An unsubscribe link's token as emails sent before random tokens carried it."""
    serializer = URLSafeSerializer(app.config["SECRET_KEY"], salt="newsletter-unsubscribe")
    return serializer.dumps([subscriber_id, hashlib.sha256(email.encode()).hexdigest()[:16]])


def test_an_unsubscribe_link_of_the_old_signed_format_still_unsubscribes(app, client, reader):
    path = f"/newsletter/unsubscribe/{legacy_token(app, reader.id, reader.email)}"
    assert "reader@example.org" in client.get(path).get_data(as_text=True)
    assert client.post(path).status_code == 303
    assert status_of() == "unsubscribed"


def test_an_old_format_link_is_tied_to_the_address_as_well_as_the_row(app, client, reader):
    token = legacy_token(app, reader.id, "someone-else@example.org")
    assert client.post(f"/newsletter/unsubscribe/{token}").status_code == 303
    assert "You are unsubscribed." in client.get(f"/newsletter/unsubscribe/{token}").get_data(
        as_text=True
    )
    assert status_of() == "confirmed"


def test_old_format_links_stop_working_once_the_setting_is_off(app, client, reader):
    app.config["NEWSLETTER_LEGACY_UNSUBSCRIBE_LINKS"] = False
    path = f"/newsletter/unsubscribe/{legacy_token(app, reader.id, reader.email)}"
    response = client.post(path)
    assert response.status_code == 400
    assert "This unsubscribe link is not valid" in response.get_data(as_text=True)
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
    assert client.post(path_of(confirmation, "confirm")).status_code == 303
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
