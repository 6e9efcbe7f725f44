"""Newsletter signup: as an htmx swap and as a plain post/redirect/get, and its refusals."""

import pytest

from rsflask.db import db
from rsflask.models import Subscriber
from tests.conftest import htmx


@pytest.fixture
def csrf_client(app, client, mail_server):
    """A client with CSRF protection on, as in production, and the token of a loaded form; the
    signup emails go to a real SMTP server (test_newsletter_optin.py looks at them)."""
    app.config["WTF_CSRF_ENABLED"] = True
    html = client.get("/newsletter", headers=htmx()).get_data(as_text=True)
    client.csrf_token = html.split('name="csrf_token" type="hidden" value="')[1].split('"')[0]
    return client


def subscribe(client, email, headers=None, **fields):
    data = {"email": email, "csrf_token": client.csrf_token, "website": "", **fields}
    return client.post("/newsletter", data=data, headers=headers or {})


def subscribers() -> list[Subscriber]:
    return db.session.scalars(db.select(Subscriber)).all()


def test_htmx_signup_answers_in_place_and_stores_a_pending_subscriber(csrf_client):
    response = subscribe(csrf_client, "Reader@Example.org", htmx())
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Thank you. Please check your inbox" in html and "<html" not in html
    [subscriber] = subscribers()
    assert subscriber.email == "reader@example.org"
    assert subscriber.status == "pending"
    assert subscriber.signup_ip == "127.0.0.1" and subscriber.signed_up_at is not None


def test_signup_without_javascript_posts_then_redirects_to_a_thanks_page(csrf_client):
    response = subscribe(csrf_client, "reader@example.org")
    assert response.status_code == 303 and response.location == "/newsletter/thanks"
    page = csrf_client.get(response.location).get_data(as_text=True)
    assert "<html" in page and "Thank you. Please check your inbox" in page
    assert len(subscribers()) == 1


@pytest.mark.parametrize(
    "email",
    [
        "",
        "   ",
        "not-an-address",
        "a@",
        "@example.org",
        "a@b",
        "<script>alert(1)</script>@x.org",
        "x" * 400 + "@example.org",
        "reader@exa mple.org",
        "\u202e@example.org",
    ],
)
def test_bad_address_gets_a_clear_message_and_keeps_what_was_typed(csrf_client, email):
    for headers in (htmx(), {}):
        response = subscribe(csrf_client, email, headers)
        html = response.get_data(as_text=True)
        assert response.status_code == 422
        assert "Please enter a valid email address" in html
        assert 'aria-invalid="true"' in html
        assert "<script>" not in html
    assert subscribers() == []


def test_bad_address_keeps_the_typed_value_in_the_form(csrf_client):
    html = subscribe(csrf_client, "reader-at-example", htmx()).get_data(as_text=True)
    assert 'value="reader-at-example"' in html


def test_the_answer_is_the_same_for_a_known_address(csrf_client):
    first = subscribe(csrf_client, "reader@example.org", htmx()).get_data(as_text=True)
    again = subscribe(csrf_client, "reader@example.org", htmx()).get_data(as_text=True)
    assert again == first and "Thank you" in again
    assert len(subscribers()) == 1


def test_an_unsubscribed_reader_can_sign_up_again(csrf_client):
    subscribe(csrf_client, "reader@example.org")
    subscribers()[0].status = "unsubscribed"
    db.session.commit()
    subscribe(csrf_client, "reader@example.org")
    assert subscribers()[0].status == "pending"


def test_missing_csrf_token_is_refused_with_a_clear_message(csrf_client):
    csrf_client.csrf_token = ""
    response = subscribe(csrf_client, "reader@example.org", htmx())
    assert response.status_code == 400
    assert "The form had expired" in response.get_data(as_text=True)
    assert subscribers() == []


def test_filled_honeypot_is_thanked_but_not_stored(csrf_client):
    response = subscribe(csrf_client, "bot@example.org", htmx(), website="http://spam.example")
    assert "Thank you" in response.get_data(as_text=True)
    assert subscribers() == []


def test_signups_are_rate_limited_per_client_address(app, csrf_client):
    app.config["SIGNUP_RATE_LIMIT"] = 2
    for number in range(2):
        assert subscribe(csrf_client, f"r{number}@example.org", htmx()).status_code == 200
    response = subscribe(csrf_client, "r3@example.org", htmx())
    assert response.status_code == 429
    assert "Too many signups" in response.get_data(as_text=True)
    # The hour's window closes within the hour.
    assert 0 < int(response.headers["Retry-After"]) <= 3600
    assert len(subscribers()) == 2
    other = csrf_client.post(
        "/newsletter",
        data={"email": "r4@example.org", "csrf_token": csrf_client.csrf_token},
        environ_overrides={"REMOTE_ADDR": "198.51.100.7"},
        headers=htmx(),
    )
    assert other.status_code == 200


def test_signup_form_fragment_has_labelled_field_and_no_page(client):
    html = client.get("/newsletter", headers=htmx()).get_data(as_text=True)
    assert '<label for="signup-email">Email address</label>' in html
    assert 'action="/newsletter" method="post"' in html and "<html" not in html


def test_signup_page_without_javascript(client):
    html = client.get("/newsletter").get_data(as_text=True)
    assert "<h1>Subscribe to our weekly round-up</h1>" in html
    assert 'action="/newsletter" method="post"' in html


def form_token(html: str) -> str:
    return html.split('name="csrf_token" type="hidden" value="')[1].split('"')[0]


@pytest.mark.parametrize("headers", [htmx(), {}], ids=["htmx", "no-js"])
@pytest.mark.parametrize("token", ["", "not-a-token"], ids=["missing", "invalid"])
def test_expired_signup_form_comes_back_with_the_address_and_a_fresh_token(
    csrf_client, headers, token
):
    csrf_client.csrf_token = token
    response = subscribe(csrf_client, "reader@example.org", headers)
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "The form had expired; please press Subscribe again." in html
    assert 'value="reader@example.org"' in html and 'action="/newsletter"' in html
    assert ("<html" in html) == (not headers)
    assert subscribers() == []
    csrf_client.csrf_token = form_token(html)
    again = subscribe(csrf_client, "reader@example.org", headers)
    assert again.status_code in (200, 303)
    assert [s.email for s in subscribers()] == ["reader@example.org"]


@pytest.mark.parametrize("headers", [htmx(), {}], ids=["htmx", "no-js"])
def test_signup_from_a_lost_session_can_be_sent_again_at_once(app, client, headers):
    """No session cookie (the browser was restarted): the page's old token proves nothing."""
    app.config["WTF_CSRF_ENABLED"] = True
    client.csrf_token = "IjRmZjM5OTIi.aw9UrQ.from-a-session-that-is-gone"
    response = subscribe(client, "reader@example.org", headers)
    html = response.get_data(as_text=True)
    assert response.status_code == 400 and 'value="reader@example.org"' in html
    assert 'aria-invalid="true"' not in html
    client.csrf_token = form_token(html)
    assert subscribe(client, "reader@example.org", headers).status_code in (200, 303)
    assert len(subscribers()) == 1


def test_expired_signup_keeps_a_hostile_address_escaped(csrf_client):
    csrf_client.csrf_token = ""
    html = subscribe(csrf_client, '"><script>x()</script>', htmx()).get_data(as_text=True)
    assert "<script>x()" not in html
    assert 'value="&#34;&gt;&lt;script&gt;x()&lt;/script&gt;"' in html
