"""Double opt-in against a real SMTP server: the confirmation mail, its link and button, bad
links, resends, and a mail server that is down."""

import hashlib
import re
from datetime import timedelta
from urllib.parse import urlsplit

import pytest
from itsdangerous import URLSafeTimedSerializer
from sqlalchemy import text

from rsflask.db import db, utcnow
from rsflask.models import Subscriber
from tests.conftest import CLOSED_MAIL_PORT, htmx


@pytest.fixture(autouse=True)
def without_csrf(app):
    """These tests are about mail; test_newsletter_signup.py checks the form's CSRF token."""
    app.config["WTF_CSRF_ENABLED"] = False


def sign_up(client, email: str, headers=None):
    return client.post("/newsletter", data={"email": email, "website": ""}, headers=headers or {})


def only_subscriber() -> Subscriber:
    db.session.expire_all()
    [subscriber] = db.session.scalars(db.select(Subscriber)).all()
    return subscriber


def link_in(message, path: str) -> str:
    """The path (on the test client's host) of the link to `path`, as in both parts of the mail."""
    text = message.get_body(("plain",)).get_content()
    html = message.get_body(("html",)).get_content()
    [url] = set(re.findall(rf"http://localhost{path}[^\s\"<]+", text))
    assert f'href="{url}"' in html
    return urlsplit(url).path


def confirm(client, path: str, **kwargs):
    """Press the button on the page a confirm link leads to."""
    return client.post(path, **kwargs)


def test_signup_sends_a_multipart_confirmation_whose_link_confirms(client, mail_server):
    response = sign_up(client, "Reader@Example.org", htmx())
    assert "Thank you. Please check your inbox" in response.get_data(as_text=True)
    assert "may take a while" not in response.get_data(as_text=True)

    [message] = mail_server.messages
    assert mail_server.recipients == ["reader@example.org"]
    assert message["To"] == "reader@example.org"
    assert message["From"] == "The Crosswind Review <newsletter@example.org>"
    assert message["Subject"] == "Please confirm your subscription to The Crosswind Review"
    assert message.get_content_type() == "multipart/alternative"
    assert [part.get_content_type() for part in message.iter_parts()] == [
        "text/plain",
        "text/html",
    ]
    subscriber = only_subscriber()
    assert subscriber.status == "pending" and subscriber.confirmation_sent_at is not None

    path = link_in(message, "/newsletter/confirm/")
    assert confirm(client, path).location == path
    page = client.get(path)
    assert page.status_code == 200
    assert "You are subscribed" in page.get_data(as_text=True)
    assert "no-store" in page.headers["Cache-Control"]
    subscriber = only_subscriber()
    assert subscriber.status == "confirmed"
    assert subscriber.confirmed_at is not None and subscriber.confirm_ip == "127.0.0.1"
    assert subscriber.signup_ip == "127.0.0.1"
    assert subscriber.signed_up_at <= subscriber.confirmed_at


def test_links_in_emails_use_site_url_never_the_host_the_request_named(app, client, mail_server):
    app.config["SITE_URL"] = "https://crosswind.example"
    sign_up(client, "reader@example.org", headers={"Host": "evil.example"})
    [message] = mail_server.messages
    text = message.get_body(("plain",)).get_content()
    assert "https://crosswind.example/newsletter/confirm/" in text
    assert "evil.example" not in message.as_string()


def test_the_html_part_escapes_what_the_reader_typed(client, mail_server):
    sign_up(client, "o'brien+news@example.org")
    html = mail_server.messages[0].get_body(("html",)).get_content()
    assert "o&#39;brien+news@example.org" in html


def test_a_used_link_shows_a_clear_page_and_changes_nothing(client, mail_server):
    sign_up(client, "reader@example.org")
    path = link_in(mail_server.messages[0], "/newsletter/confirm/")
    first = confirm(
        client, path, environ_overrides={"REMOTE_ADDR": "198.51.100.1"}, follow_redirects=True
    )
    assert "You are subscribed" in first.get_data(as_text=True)
    confirmed_at = only_subscriber().confirmed_at

    for again in (
        confirm(client, path, environ_overrides={"REMOTE_ADDR": "203.0.113.9"}),
        client.get(path),
    ):
        assert again.status_code == 200
        assert "Already confirmed" in again.get_data(as_text=True)
    subscriber = only_subscriber()
    assert subscriber.confirmed_at == confirmed_at and subscriber.confirm_ip == "198.51.100.1"


@pytest.mark.parametrize("method", ["get", "head"])
def test_following_the_link_shows_a_button_and_confirms_nothing(client, mail_server, method):
    """Mail scanners and link previews fetch every link in an email: only the button confirms."""
    sign_up(client, "reader@example.org")
    path = link_in(mail_server.messages[0], "/newsletter/confirm/")
    response = getattr(client, method)(path)
    assert response.status_code == 200 and "no-store" in response.headers["Cache-Control"]
    assert only_subscriber().status == "pending"
    html = client.get(path).get_data(as_text=True)
    assert f'<form action="{path}" method="post">' in html
    assert "reader@example.org" in html and "Yes, subscribe me</button>" in html
    assert only_subscriber().status == "pending"


def test_the_button_records_when_from_where_and_in_which_browser_it_was_pressed(
    client, mail_server
):
    sign_up(client, "reader@example.org")
    path = link_in(mail_server.messages[0], "/newsletter/confirm/")
    browser = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0"
    before = utcnow()
    response = confirm(
        client,
        path,
        headers={"User-Agent": browser},
        environ_overrides={"REMOTE_ADDR": "198.51.100.8"},
    )
    assert response.status_code == 303
    subscriber = only_subscriber()
    assert subscriber.status == "confirmed" and subscriber.confirmed_at >= before
    assert subscriber.confirm_ip == "198.51.100.8"
    assert subscriber.confirm_user_agent == browser


def test_links_are_random_tokens_and_the_database_keeps_only_their_hash(client, mail_server):
    sign_up(client, "reader@example.org")
    message = mail_server.messages[0]
    confirm_token = link_in(message, "/newsletter/confirm/").rsplit("/", 1)[1]
    unsubscribe_token = link_in(message, "/newsletter/unsubscribe/").rsplit("/", 1)[1]
    subscriber = only_subscriber()
    for token in (confirm_token, unsubscribe_token):
        # Nothing to decode: no id, no hash of the address, no signature.
        assert re.fullmatch(r"[A-Za-z0-9_-]{43}", token)
    stored = db.session.execute(
        text("SELECT subscriber_id, purpose, token_hash FROM subscriber_tokens ORDER BY purpose")
    ).all()
    assert [tuple(row) for row in stored] == [
        (subscriber.id, "confirm", hashlib.sha256(confirm_token.encode()).hexdigest()),
        (subscriber.id, "unsubscribe", hashlib.sha256(unsubscribe_token.encode()).hexdigest()),
    ]


def test_an_expired_link_shows_a_clear_page_and_changes_nothing(app, client, mail_server):
    sign_up(client, "reader@example.org")
    path = link_in(mail_server.messages[0], "/newsletter/confirm/")
    # The email was sent 8 days ago; its link worked for 7.
    eight_days = timedelta(days=8)
    db.session.execute(
        text("UPDATE subscriber_tokens SET created_at = :c, expires_at = :e"),
        {"c": utcnow() - eight_days, "e": utcnow() - eight_days + timedelta(days=7)},
    )
    db.session.commit()
    for response in (client.get(path), confirm(client, path)):
        assert response.status_code == 410
        assert "This link has expired" in response.get_data(as_text=True)
    assert only_subscriber().status == "pending"


def test_a_confirm_link_of_the_old_signed_format_asks_to_sign_up_again(app, client, mail_server):
    sign_up(client, "reader@example.org")
    subscriber = only_subscriber()
    serializer = URLSafeTimedSerializer(app.config["SECRET_KEY"], salt="newsletter-confirm")
    address_hash = hashlib.sha256(subscriber.email.encode()).hexdigest()[:16]
    old = serializer.dumps([subscriber.id, address_hash, 0])
    for response in (
        client.get(f"/newsletter/confirm/{old}"),
        confirm(client, f"/newsletter/confirm/{old}"),
    ):
        assert response.status_code == 410
        assert "Sign up again" in response.get_data(as_text=True)
    assert only_subscriber().status == "pending"


@pytest.mark.parametrize(
    "mangle",
    [
        lambda token: token[:-3] + ("AAA" if not token.endswith("AAA") else "BBB"),
        lambda token: token[: len(token) // 2],
        lambda token: "x" + token,
        lambda token: "not-a-token",
        lambda token: "é" * 20,
        lambda token: "a" * 3000,
    ],
    ids=["signature", "cut", "prefixed", "garbage", "unicode", "long"],
)
def test_an_altered_link_shows_a_clear_page_and_changes_nothing(client, mail_server, mangle):
    sign_up(client, "reader@example.org")
    token = link_in(mail_server.messages[0], "/newsletter/confirm/").rsplit("/", 1)[1]
    for response in (
        client.get(f"/newsletter/confirm/{mangle(token)}"),
        confirm(client, f"/newsletter/confirm/{mangle(token)}"),
    ):
        assert response.status_code == 400
        assert "This confirmation link is not valid" in response.get_data(as_text=True)
    assert only_subscriber().status == "pending"


def test_a_confirm_link_does_not_work_as_an_unsubscribe_link_or_the_reverse(client, mail_server):
    sign_up(client, "reader@example.org")
    message = mail_server.messages[0]
    confirm_token = link_in(message, "/newsletter/confirm/").rsplit("/", 1)[1]
    unsubscribe_token = link_in(message, "/newsletter/unsubscribe/").rsplit("/", 1)[1]
    assert confirm(client, f"/newsletter/confirm/{unsubscribe_token}").status_code == 400
    assert client.post(f"/newsletter/unsubscribe/{confirm_token}").status_code == 400
    assert only_subscriber().status == "pending"


def test_a_confirm_link_sent_before_unsubscribing_does_not_subscribe_again(client, mail_server):
    sign_up(client, "reader@example.org")
    message = mail_server.messages[0]
    client.post(link_in(message, "/newsletter/unsubscribe/"))
    response = confirm(client, link_in(message, "/newsletter/confirm/"))
    assert response.status_code == 410
    assert "This link no longer works" in response.get_data(as_text=True)
    assert only_subscriber().status == "unsubscribed"


def test_a_used_link_does_not_confirm_a_later_signup_of_the_same_address(client, mail_server):
    sign_up(client, "reader@example.org")
    first = mail_server.messages[0]
    old_link = link_in(first, "/newsletter/confirm/")
    assert confirm(client, old_link).status_code == 303
    client.post(link_in(first, "/newsletter/unsubscribe/"))
    assert only_subscriber().status == "unsubscribed"

    # Signed up again (in the same second, even): only the new email's link may confirm.
    sign_up(client, "reader@example.org")
    assert only_subscriber().status == "pending"
    response = confirm(client, old_link)
    assert response.status_code == 410
    html = response.get_data(as_text=True)
    assert "This link no longer works" in html and "signed up again" in html
    subscriber = only_subscriber()
    assert subscriber.status == "pending" and subscriber.confirmed_at is None

    new_link = link_in(mail_server.messages[-1], "/newsletter/confirm/")
    assert new_link != old_link
    confirm(client, new_link)
    assert "You are subscribed" in client.get(new_link).get_data(as_text=True)
    assert only_subscriber().status == "confirmed"


def test_a_link_for_a_deleted_subscriber_says_so(client, mail_server):
    sign_up(client, "reader@example.org")
    path = link_in(mail_server.messages[0], "/newsletter/confirm/")
    db.session.delete(only_subscriber())
    db.session.commit()
    response = confirm(client, path)
    assert response.status_code == 400
    assert "the subscription it was made for no longer exists" in response.get_data(as_text=True)


def test_signing_up_again_resends_at_most_once_in_a_while(app, client, mail_server):
    sign_up(client, "reader@example.org")
    sign_up(client, "reader@example.org")
    assert len(mail_server.messages) == 1
    subscriber = only_subscriber()
    subscriber.confirmation_tried_at -= timedelta(minutes=app.config["NEWSLETTER_RESEND_MINUTES"])
    db.session.commit()
    sign_up(client, "reader@example.org")
    assert len(mail_server.messages) == 2
    assert mail_server.messages[1]["Subject"].startswith("Please confirm")
    # Both links work: the second email did not spoil the first.
    assert (
        confirm(client, link_in(mail_server.messages[0], "/newsletter/confirm/")).status_code == 303
    )
    assert only_subscriber().status == "confirmed"


def answers(client, email: str) -> tuple[str, str]:
    """What the reader sees, with and without JavaScript, for one signup of `email`."""
    fragment = sign_up(client, email, htmx()).get_data(as_text=True)
    page = client.get(sign_up(client, email).location).get_data(as_text=True)
    return fragment, page


@pytest.mark.parametrize("mail_up", [True, False], ids=["mail-up", "mail-down"])
def test_the_answer_is_the_same_whatever_the_address_was(app, client, mail_server, mail_up):
    app.config["SIGNUP_RATE_LIMIT"] = 100
    states = {"pending": "pending@example.org", "confirmed": "confirmed@example.org"}
    states["unsubscribed"] = "gone@example.org"
    for status, email in states.items():
        db.session.add(Subscriber(email=email, status=status))
    db.session.commit()
    if not mail_up:
        app.config["MAIL_PORT"] = CLOSED_MAIL_PORT
    seen = {answers(client, email) for email in [*states.values(), "new@example.org"]}
    assert len(seen) == 1
    [(fragment, page)] = seen
    assert "Thank you. Please check your inbox" in fragment and "<html" in page
    if mail_up:
        # Each address got exactly one email: a confirmation, or a note that it is subscribed.
        assert sorted(mail_server.recipients) == sorted([*states.values(), "new@example.org"])
        notes = [m for m in mail_server.messages if m["To"] == "confirmed@example.org"]
        assert notes[0]["Subject"] == "You are already subscribed to The Crosswind Review"
    assert {s.status for s in db.session.scalars(db.select(Subscriber))} == {
        "pending",
        "confirmed",
    }


@pytest.mark.parametrize("mail_up", [True, False], ids=["mail-up", "mail-down"])
def test_an_address_signed_up_lately_gets_the_answer_a_new_one_gets(
    app, client, mail_server, mail_up
):
    """No email goes to an address emailed lately, but what the reader is told must not show it."""
    app.config["SIGNUP_RATE_LIMIT"] = 100
    if not mail_up:
        app.config["MAIL_PORT"] = CLOSED_MAIL_PORT
    sign_up(client, "known@example.org", htmx())
    again = sign_up(client, "known@example.org", htmx()).get_data(as_text=True)
    new = sign_up(client, "new@example.org", htmx()).get_data(as_text=True)
    assert again == new
    assert ("It may take a while to arrive" in new) is not mail_up


def test_mail_server_down_stores_the_signup_and_send_pending_sends_it_later(
    app, client, runner, mail_server
):
    real_port = app.config["MAIL_PORT"]
    app.config["MAIL_PORT"] = CLOSED_MAIL_PORT
    fragment = sign_up(client, "reader@example.org", htmx()).get_data(as_text=True)
    assert "It may take a while to arrive" in fragment
    page = client.get(sign_up(client, "later@example.org").location).get_data(as_text=True)
    assert "It may take a while to arrive" in page
    assert client.get("/newsletter/thanks").get_data(as_text=True).count("take a while") == 0
    assert {s.status for s in db.session.scalars(db.select(Subscriber))} == {"pending"}
    assert all(s.confirmation_sent_at is None for s in db.session.scalars(db.select(Subscriber)))

    failed = runner.invoke(args=["newsletter", "send-pending"])
    assert failed.exit_code == 1 and "0 of 2 confirmations sent" in failed.output

    app.config["MAIL_PORT"] = real_port
    result = runner.invoke(args=["newsletter", "send-pending"])
    assert result.exit_code == 0, result.output
    assert "2 confirmations sent" in result.output
    assert sorted(mail_server.recipients) == ["later@example.org", "reader@example.org"]
    again = runner.invoke(args=["newsletter", "send-pending"])
    assert again.exit_code == 0 and len(mail_server.messages) == 2

    message = next(m for m in mail_server.messages if m["To"] == "reader@example.org")
    assert confirm(client, link_in(message, "/newsletter/confirm/")).status_code == 303
    db.session.expire_all()
    reader = db.session.scalar(db.select(Subscriber).filter_by(email="reader@example.org"))
    assert reader.status == "confirmed"


def test_send_pending_leaves_old_and_imported_signups_alone(app, runner, mail_server):
    now = utcnow()
    days = app.config["NEWSLETTER_CONFIRM_DAYS"]
    db.session.add_all(
        [
            Subscriber(email="recent@example.org", signed_up_at=now - timedelta(days=1)),
            Subscriber(email="stale@example.org", signed_up_at=now - timedelta(days=days + 1)),
            Subscriber(email="imported@example.org", imported_at=now),
            Subscriber(email="sent@example.org", confirmation_sent_at=now),
            Subscriber(email="member@example.org", status="confirmed"),
        ]
    )
    db.session.commit()
    result = runner.invoke(args=["newsletter", "send-pending"])
    assert result.exit_code == 0, result.output
    assert mail_server.recipients == ["recent@example.org"]


@pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS")
def test_the_mail_settings_log_in_to_the_server(app, client, mail_server):
    """MAIL_USERNAME and MAIL_PASSWORD are used: a server that requires a login takes the mail."""
    from aiosmtpd.controller import Controller
    from aiosmtpd.smtp import AuthResult

    logins = []

    def authenticate(server, session, envelope, mechanism, auth_data):
        logins.append((auth_data.login, auth_data.password))
        return AuthResult(success=auth_data.password == b"s3cret")

    mail_server.controller.stop()
    mail_server.controller = Controller(
        mail_server,
        hostname=mail_server.host,
        port=mail_server.port,
        authenticator=authenticate,
        auth_required=True,
        auth_require_tls=False,
    )
    mail_server.controller.start()
    # Without a login the server refuses the mail; with MAIL_USERNAME set, it takes it.
    assert "may take a while" in sign_up(client, "a@example.org", htmx()).get_data(as_text=True)
    app.config.update(MAIL_USERNAME="newsletter", MAIL_PASSWORD="s3cret")
    answer = sign_up(client, "b@example.org", htmx()).get_data(as_text=True)
    assert "may take a while" not in answer
    assert mail_server.recipients == ["b@example.org"]
    assert logins == [(b"newsletter", b"s3cret")]


@pytest.mark.parametrize(
    "addresses",
    [
        ["reader@example.org", "reader+1@example.org", "Reader+news@Example.org"],
        ["jane.doe@gmail.com", "janedoe@gmail.com", "j.a.n.e.doe+x@googlemail.com"],
    ],
    ids=["plus", "gmail"],
)
def test_addresses_of_one_mailbox_share_its_resend_wait(app, client, mail_server, addresses):
    """name+1@, name+2@... all reach one inbox: signing them all up must not flood it."""
    first, *others = addresses
    answers = {sign_up(client, email, htmx()).get_data(as_text=True) for email in addresses}
    assert len(answers) == 1 and "Thank you" in answers.pop()
    assert mail_server.recipients == [first]
    assert only_subscriber().email == first

    # Once the wait is over, another address of the mailbox is a signup of its own, as typed.
    db.session.execute(
        text("UPDATE subscribers SET confirmation_tried_at = :t"),
        {"t": utcnow() - timedelta(minutes=app.config["NEWSLETTER_RESEND_MINUTES"] + 1)},
    )
    db.session.commit()
    sign_up(client, others[-1])
    assert mail_server.recipients == [first, others[-1].lower()]
    stored = db.session.scalars(db.select(Subscriber.email).order_by(Subscriber.id)).all()
    assert stored == [first, others[-1].lower()]
