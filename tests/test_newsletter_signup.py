"""Newsletter signup: as an htmx swap and as a plain post/redirect/get, and its refusals."""

import pytest

from rsflask.db import db
from rsflask.models import Subscriber
from tests.conftest import htmx


@pytest.fixture
def csrf_client(app, client, mail_server):
    """A client with CSRF protection on, as in production; the signup emails go to a real SMTP
    server (test_newsletter_optin.py looks at them)."""
    app.config["WTF_CSRF_ENABLED"] = True
    return client


def subscribe(client, email, headers=None, **fields):
    data = {"email": email, "website": "", **fields}
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
        data={"email": "r4@example.org"},
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


SAME_SITE = [
    {"Sec-Fetch-Site": "same-origin", "Origin": "http://localhost"},
    {"Sec-Fetch-Site": "same-site", "Origin": "https://www.example.org"},
    {"Origin": "http://localhost"},
    {"Origin": "http://localhost", "Referer": "http://elsewhere.example/"},
    {"Referer": "http://localhost/articles/some-story"},
    {"Origin": "null"},
    {},
]
CROSS_SITE = [
    {"Sec-Fetch-Site": "cross-site", "Origin": "https://evil.example"},
    # Sec-Fetch-Site decides where it is sent, whatever Origin says.
    {"Sec-Fetch-Site": "cross-site", "Origin": "http://localhost"},
    {"Sec-Fetch-Site": "none"},
    {"Origin": "https://evil.example"},
    {"Origin": "http://localhost.evil.example"},
    {"Origin": "null", "Referer": "https://evil.example/page"},
    {"Referer": "https://evil.example/page"},
]


@pytest.mark.parametrize("headers", [htmx(), {}], ids=["htmx", "no-js"])
@pytest.mark.parametrize("origin", SAME_SITE, ids=lambda h: ",".join(h) or "none")
def test_a_signup_from_this_site_needs_no_csrf_token(csrf_client, headers, origin):
    response = subscribe(csrf_client, "reader@example.org", {**headers, **origin})
    assert response.status_code in (200, 303)
    assert [s.email for s in subscribers()] == ["reader@example.org"]


@pytest.mark.parametrize("headers", [htmx(), {}], ids=["htmx", "no-js"])
@pytest.mark.parametrize("origin", CROSS_SITE, ids=lambda h: ",".join(h.values()))
def test_a_signup_posted_from_another_site_is_refused_with_a_clear_page(
    csrf_client, mail_server, headers, origin
):
    response = subscribe(csrf_client, "victim@example.org", {**headers, **origin})
    html = response.get_data(as_text=True)
    assert response.status_code == 403
    assert "This signup was sent from another website, so we did not act on it." in html
    assert 'action="/newsletter" method="post"' in html and "victim@example.org" not in html
    assert ("<html" in html) == (not headers)
    assert subscribers() == [] and mail_server.messages == []


def test_the_site_url_counts_as_this_site_behind_a_proxy(app, csrf_client):
    app.config["SITE_URL"] = "https://crosswind.example"
    origin = {"Origin": "https://crosswind.example"}
    assert subscribe(csrf_client, "reader@example.org", origin).status_code == 303


@pytest.mark.parametrize("path", ["/", "/articles/the-story"])
def test_pages_carry_the_signup_form_itself_the_same_for_every_visitor(
    app, client, add_article, path
):
    app.config["WTF_CSRF_ENABLED"] = True
    add_article("The story")
    pages = [client.get(path).get_data(as_text=True) for client in (client, app.test_client())]
    assert pages[0] == pages[1]
    block = pages[0].split('class="block newsletter-block"')[1].split("</section>")[0]
    assert '<form action="/newsletter" method="post"' in block
    assert 'data-hx-post="/newsletter"' in block and 'name="email"' in block
    assert 'name="website"' in block
    assert "csrf" not in block and "intersect" not in block
