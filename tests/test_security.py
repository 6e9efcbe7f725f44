"""Security headers on every kind of response, cookie flags, the search and preview limits, and
bodies that are not forms."""

import io
import re

import pytest
from PIL import Image

from rsflask import create_app
from rsflask.db import db
from rsflask.models import User
from tests.conftest import htmx
from tests.editor_helpers import make_user, prepare_editor_tests, sign_in

DIRECTIVES = [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data: https:",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
    "connect-src 'self'",
]


def policy(response) -> set[str]:
    return {part.strip() for part in response.headers["Content-Security-Policy"].split(";")}


@pytest.mark.parametrize(
    ("method", "url", "headers", "status"),
    [
        ("GET", "/", {}, 200),
        ("GET", "/newsletter", htmx(), 200),
        ("GET", "/static/css/site.css", {}, 200),
        ("GET", "/articles/no-such-article", {}, 404),
        ("GET", "/articles/no-such-article/more", htmx(), 404),
        ("DELETE", "/", {}, 405),
        ("POST", "/newsletter", {}, 422),
        ("GET", "/editor/", {}, 302),
    ],
)
def test_every_kind_of_response_carries_the_security_headers(
    client, add_article, method, url, headers, status
):
    add_article("Something to show")
    response = client.open(url, method=method, headers=headers)
    assert response.status_code == status
    assert policy(response) == set(DIRECTIVES)
    assert "unsafe" not in response.headers["Content-Security-Policy"]
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "strict-origin-when-cross-origin"
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["Cross-Origin-Opener-Policy"] == "same-origin"
    permissions = response.headers["Permissions-Policy"]
    features = ("camera", "microphone", "geolocation", "interest-cohort", "browsing-topics")
    for feature in features:
        assert f"{feature}=()" in permissions.split(", ")
    # Plain HTTP: no HSTS (browsers ignore it) and no upgrading of a local site's requests.
    assert "Strict-Transport-Security" not in response.headers
    assert "upgrade-insecure-requests" not in policy(response)


def test_https_adds_hsts_and_upgrades_insecure_requests(client):
    response = client.get("/", base_url="https://localhost")
    hsts = response.headers["Strict-Transport-Security"]
    assert "includeSubDomains" in hsts
    max_age = int(hsts.split("max-age=")[1].split(";")[0])
    assert max_age >= 365 * 24 * 3600
    assert policy(response) == {*DIRECTIVES, "upgrade-insecure-requests"}


def test_behind_a_trusted_proxy_https_is_read_from_x_forwarded_proto(app):
    forwarded = {"X-Forwarded-Proto": "https"}
    behind_nginx = create_app({**app.config, "PROXY_COUNT": 1}).test_client()
    assert "Strict-Transport-Security" in behind_nginx.get("/", headers=forwarded).headers
    # Without a trusted proxy, the same header sent by anyone changes nothing.
    exposed = create_app({**app.config, "PROXY_COUNT": 0}).test_client()
    assert "Strict-Transport-Security" not in exposed.get("/", headers=forwarded).headers


def small_jpeg() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (800, 480), (30, 90, 60)).save(out, "JPEG")
    return out.getvalue()


@pytest.mark.parametrize(
    ("url", "headers", "status"),
    [
        ("/", {}, 200),
        ("/articles/with-a-photo", {}, 200),
        ("/articles/with-a-photo/more", htmx(), 200),
        ("/newsletter", htmx(), 200),
        ("/search?q=photo", {}, 200),
        ("/articles/no-such-article", {}, 404),
        ("/editor/", {}, 302),
    ],
)
def test_pages_and_fragments_may_be_loaded_by_this_site_alone(
    client, add_article, url, headers, status
):
    add_article("With a photo", image=small_jpeg(), image_alt="A field")
    response = client.get(url, headers=headers)
    assert response.status_code == status
    assert response.headers["Cross-Origin-Resource-Policy"] == "same-site"


@pytest.mark.parametrize(
    "url",
    [
        "/feeds/all.atom",
        "/feeds/sections/europe.atom",
        "/sitemap.xml",
        "/sitemaps/news.xml",
        "/robots.txt",
        "/static/img/favicon.svg",
        "/static/css/site.css",
    ],
)
def test_what_feed_readers_and_other_sites_show_may_be_loaded_anywhere(client, add_article, url):
    add_article("With a photo", image=small_jpeg(), image_alt="A field")
    response = client.get(url)
    assert response.status_code == 200
    assert response.headers["Cross-Origin-Resource-Policy"] == "cross-origin"


def test_photos_and_so_the_share_images_may_be_loaded_anywhere(client, add_article):
    """Link cards and feed readers show the photos from their own pages."""
    article = add_article("With a photo", image=small_jpeg(), image_alt="A field")
    page = client.get(f"/articles/{article.slug}").get_data(as_text=True)
    share_image = re.search(r'<meta property="og:image" content="https?://[^/]+([^"]+)"', page)
    for url in {share_image.group(1), *re.findall(r'src="(/photos/[^"]+)"', page)}:
        response = client.get(url)
        assert response.status_code == 200
        assert response.headers["Cross-Origin-Resource-Policy"] == "cross-origin"


def session_cookie(client):
    client.get("/editor/sign-in")  # the form's CSRF token starts a session
    return client.get_cookie("session")


@pytest.mark.parametrize(
    ("site_url", "setting", "secure"),
    [
        ("https://crosswind.example", None, True),
        ("http://127.0.0.1:5000", None, False),
        ("http://127.0.0.1:5000", True, True),
        ("https://crosswind.example", False, False),
    ],
)
def test_cookies_are_secure_exactly_where_the_site_is_https(app, site_url, setting, secure):
    config = {**app.config, "SITE_URL": site_url, "SESSION_COOKIE_SECURE": setting}
    config.pop("REMEMBER_COOKIE_SECURE")
    https_app = create_app(config)
    cookie = session_cookie(https_app.test_client())
    assert cookie.secure is secure
    assert cookie.http_only is True
    assert cookie.same_site == "Lax"
    assert https_app.config["REMEMBER_COOKIE_SECURE"] is secure


def test_remember_me_cookie_is_secure_and_http_only_on_an_https_site(app):
    config = {**app.config, "SITE_URL": "https://crosswind.example", "WTF_CSRF_ENABLED": False}
    config.pop("REMEMBER_COOKIE_SECURE")
    config["SESSION_COOKIE_SECURE"] = None
    https_app = create_app(config)
    make_user("ed@example.org")
    client = https_app.test_client()
    response = sign_in(client, "ed@example.org", remember="y")
    assert response.status_code == 303
    cookie = client.get_cookie("remember_token")
    assert cookie.secure and cookie.http_only and cookie.same_site == "Lax"


def test_searching_too_often_gets_the_friendly_429_page(app, client, add_article):
    app.config["SEARCH_RATE_LIMIT"] = 3
    add_article("Europe and its neighbours")
    # Each query a new one: an answer served again from the page cache costs nothing to count.
    for number in range(3):
        assert client.get(f"/search?q=europe+{number}").status_code == 200
    refused = client.get("/search?q=europe")
    assert refused.status_code == 429
    assert refused.headers["Retry-After"] == "60"
    page = refused.get_data(as_text=True)
    assert "Slow down" in page and "<html" in page and "Europe and its neighbours" not in page
    fragment = client.get("/search?q=europe", headers=htmx())
    assert fragment.status_code == 429
    assert "Slow down" in fragment.get_data(as_text=True)
    assert "<html" not in fragment.get_data(as_text=True)
    # Another reader, on another address, is not held back by this one.
    other = client.get("/search?q=europe", environ_base={"REMOTE_ADDR": "192.0.2.7"})
    assert other.status_code == 200 and "Europe and its neighbours" in other.get_data(as_text=True)


def test_the_empty_search_page_is_never_limited(app, client):
    app.config["SEARCH_RATE_LIMIT"] = 1
    for _ in range(3):
        assert client.get("/search").status_code == 200


def test_previewing_too_often_gets_a_429_for_that_editor_only(app, monkeypatch):
    prepare_editor_tests(app, monkeypatch)
    app.config["PREVIEW_RATE_LIMIT"] = 2
    make_user("one@example.org")
    make_user("two@example.org")
    first, second = app.test_client(), app.test_client()
    sign_in(first, "one@example.org")
    sign_in(second, "two@example.org")
    for _ in range(2):
        answer = first.post("/editor/preview", data={"body": "*Hello*"}, headers=htmx())
        assert answer.status_code == 200 and "<em>Hello</em>" in answer.get_data(as_text=True)
    refused = first.post("/editor/preview", data={"body": "*Hello*"}, headers=htmx())
    assert refused.status_code == 429 and refused.headers["Retry-After"] == "60"
    assert "Slow down" in refused.get_data(as_text=True)
    assert "<em>Hello</em>" not in refused.get_data(as_text=True)
    answer = second.post("/editor/preview", data={"body": "*Hello*"}, headers=htmx())
    assert answer.status_code == 200


@pytest.mark.parametrize(
    "url",
    [
        "/newsletter/archive/2147483648",
        "/newsletter/archive/99999999999999999999999999",
        "/sitemaps/9223372036854775808.xml",
        "/editor/articles/10000000000000000000000",
    ],
)
def test_ids_too_large_for_any_row_are_404s_not_database_errors(client, url):
    # The route does not match at all, so even the editor's answers 404 before asking to sign in.
    assert client.get(url).status_code == 404


@pytest.mark.parametrize("body", [b'["not", "an", "object"]', b"12", b'{"email": "a@example.org"}'])
def test_a_json_body_is_refused_where_forms_are_posted(app, client, monkeypatch, body):
    prepare_editor_tests(app, monkeypatch)
    make_user("admin@example.org", role="admin")
    sign_in(client, "admin@example.org")
    for path in ("/editor/users/new", "/editor/photos/upload", "/newsletter"):
        response = client.post(path, data=body, content_type="application/json")
        assert response.status_code == 415, path
        assert "takes forms as a browser sends them" in response.get_data(as_text=True)
    assert db.session.scalar(db.select(db.func.count(User.id))) == 1
