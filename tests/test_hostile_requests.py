"""Hostile requests to every route of the app: never a 5xx.

Each Hypothesis example sends one request to every rule in `app.url_map`, with path variables,
query strings, bodies and headers drawn from hostile values (huge, empty, Unicode, NUL, path
tricks, wrong types), any method, with and without htmx, as an admin or anonymously. Exceptions
propagate under TESTING, so a crash fails the test with its traceback, not only a 500.
"""

import re
from io import BytesIO
from urllib.parse import quote

from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from rsflask.db import db
from rsflask.models import Article, Page, Section, Tag, User
from tests.editor_helpers import make_user, prepare_editor_tests

# Enough to reach every route many times over while the whole test stays well under a minute.
EXAMPLES = 8
METHODS = ["GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "OPTIONS"]
PLACEHOLDER = re.compile(r"<(?:(?P<converter>[^:<>]+):)?(?P<name>[^<>]+)>")

HOSTILE_TEXT = [
    "",
    " ",
    "\x00",
    "a\x00b",
    "..",
    "../../etc/passwd",
    "..%2f..%2fetc%2fpasswd",
    "%2e%2e/%2e%2e/",
    "..\\..\\windows\\win.ini",
    "//evil.example/",
    "https://evil.example/",
    "javascript:alert(1)",
    "<script>alert(1)</script>",
    "\"'><img src=x onerror=alert(1)>",
    "' OR 1=1 --",
    '" OR ""="',
    "%00",
    "%",
    "%zz",
    "\u202e\u0000\ufeff",
    "ünïcødé 記事 🙂",
    "\U0010ffff",
    "\r\nSet-Cookie: evil=1",
    "-1",
    "0",
    "1e999",
    "NaN",
    "9" * 40,
    "-9223372036854775809",
    "[]",
    "{}",
    "null",
    "true",
    "2026-02-30T25:61",
    "x" * 5000,
]
HOSTILE_INTS = [0, -1, 1, 2, 2**31, 2**63, 10**30]
# Names that the app's views and forms read, so that hostile values reach real code.
FIELDS = [
    "q",
    "page",
    "as_of",
    "next",
    "status",
    "kind",
    "email",
    "password",
    "website",
    "remember",
    "current",
    "new",
    "confirm",
    "name",
    "role",
    "active",
    "title",
    "slug",
    "dek",
    "article_type",
    "section",
    "tags",
    "authors",
    "body",
    "photo_alt",
    "photo_credit",
    "remove_photo",
    "published_at",
    "version",
    "save",
    "preview",
    "publish",
    "submit_review",
    "description",
    "position",
    "bio",
    "token",
]
BAD_BODIES = [
    ("multipart/form-data", b"no boundary at all"),
    ("multipart/form-data; boundary=xyz", b"--xyz\r\nContent-Disposition: form-data\r\n\r\n"),
    ("multipart/form-data; boundary=xyz", b"--xyz\r\n" + b"A" * 70_000),
    ("multipart/form-data; boundary=" + "b" * 300, b"--" + b"b" * 300 + b"--\r\n"),
    ("application/x-www-form-urlencoded", b"email=%ff%fe%00&body=%&title=%zz&&&=="),
    ("application/x-www-form-urlencoded; charset=utf-999", b"title=caf\xe9"),
    ("application/json", b'{"email": '),
    ("application/json", b'["not", "an", "object"]'),
    ("text/plain", b"\x00\xff" * 100),
    ("", b"body without a type"),
    ("image/png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 64),
]
IMAGE_UPLOADS = [
    b"",
    b"not an image at all",
    b"\x89PNG\r\n\x1a\n" + b"\x00" * 64,
    b"GIF89a" + b"\xff" * 64,
    b"<svg xmlns='http://www.w3.org/2000/svg' onload='alert(1)'/>",
]

hostile_text = st.one_of(
    # Longer than any server lets through in a URL or header (gunicorn: about 4 KB and 8 KB).
    st.sampled_from([*HOSTILE_TEXT, "a" * 10_000]),
    st.text(max_size=20),
)
# A form field past MAX_FORM_MEMORY_SIZE, now and then, besides the values above.
body_text = st.one_of(hostile_text, st.just("b" * (2 * 1024 * 1024 + 1)))
# What a WSGI server can hand over in a header: Latin-1, without line breaks.
header_text = st.sampled_from(
    [
        *("true", "false", "", "\x00", "\x01\x7f\xff é", "1; DROP TABLE", '"*"', 'W/"x", *'),
        *("bytes=5-1", "bytes=0-0,-1", "Thu, 31 Feb 2026 99:99:99 GMT", "https", "<script>"),
        *("h" * 8_000, "h" * 100_000, "session=" + "x" * 5_000, "a=1; " * 200),
    ]
)
HEADER_NAMES = [
    "HX-Request", "HX-History-Restore-Request", "HX-Boosted", "HX-Target", "HX-Current-URL",
    "If-None-Match", "If-Modified-Since", "Range", "Accept", "Accept-Language", "Cookie",
    "Referer", "X-Forwarded-For", "X-Forwarded-Proto", "X-Filler", "User-Agent",
]  # fmt: skip


# Strategies are built once: building them for every request costs more than drawing.
queries = st.lists(st.tuples(st.sampled_from(FIELDS) | hostile_text, hostile_text), max_size=2)
header_names = st.lists(st.sampled_from(HEADER_NAMES), max_size=3, unique=True)
form_fields = st.dictionaries(st.sampled_from(FIELDS), body_text, max_size=4)
uploads = st.tuples(
    st.sampled_from(["photo", "file", "image"]),
    st.sampled_from(IMAGE_UPLOADS),
    st.sampled_from(["photo.jpg", "../../x.png", "a\x00.png", "", "x" * 300]),
)
hostile_ints = st.sampled_from(HOSTILE_INTS).map(str)


def path_value(draw, converter: str | None, known: dict[str, st.SearchStrategy]) -> str:
    if draw(st.booleans()):
        return draw(known.get(converter or "default", known["default"]))
    if converter == "int" and draw(st.booleans()):
        return draw(hostile_ints)
    return draw(hostile_text)


@st.composite
def hostile_requests(draw, rule, known: dict[str, st.SearchStrategy]) -> dict:
    """One request for `rule`: its URL filled in, and a method, body and headers drawn."""

    def fill(match: re.Match) -> str:
        converter = match["converter"]
        value = path_value(draw, converter, known)
        return quote(value, safe="/" if converter == "path" else "")

    path = PLACEHOLDER.sub(fill, rule.rule)
    headers = {"HX-Request": "true"} if draw(st.booleans()) else {}
    for name in draw(header_names):
        headers[name] = draw(header_text)
    request = {
        "as_admin": draw(st.booleans()),
        "with_token": draw(st.integers(0, 3)) > 0,
        "path": path,
        "method": draw(st.sampled_from(METHODS)),
        "query_string": draw(queries),
        "headers": headers,
    }
    body = draw(st.sampled_from(["none", "form", "multipart", "raw"]))
    if body == "form":
        request["data"] = draw(form_fields)
    elif body == "multipart":
        name, upload, filename = draw(uploads)
        request["data"] = {**draw(form_fields), name: (BytesIO(upload), filename)}
        request["content_type"] = "multipart/form-data"
    elif body == "raw":
        request["content_type"], request["data"] = draw(st.sampled_from(BAD_BODIES))
    return request


def describe(request: dict) -> str:
    shown = {
        k: (v[:200] + "..." if isinstance(v, str) and len(v) > 200 else v)
        for k, v in request.items()
        if k != "data"
    }
    return repr(shown)


def sign(client, user: User | None) -> None:
    """Act as this user, or anonymously; the session keeps its CSRF secret either way."""
    with client.session_transaction() as session:
        csrf_secret = session.get("csrf_token")
        session.clear()
        if csrf_secret:
            session["csrf_token"] = csrf_secret
        if user is not None:
            user.start_sign_in()
            session["_user_id"] = user.get_id()
            session["_fresh"] = True


def csrf_token(client) -> str:
    html = client.get("/editor/sign-in").get_data(as_text=True)
    return html.split('name="csrf_token" type="hidden" value="')[1].split('"')[0]


def test_no_route_answers_a_hostile_request_with_a_5xx(app, client, add_article, monkeypatch):
    prepare_editor_tests(app, monkeypatch)
    app.config.update(SEARCH_RATE_LIMIT=10**9, PREVIEW_RATE_LIMIT=10**9, SIGNUP_RATE_LIMIT=10**9)
    # CSRF on, as in production; most requests carry a valid token (as htmx sends it), so that
    # what they hold reaches the views and their forms.
    app.config["WTF_CSRF_ENABLED"] = True
    token = csrf_token(client)
    admin = make_user("admin@example.org", role="admin")
    add_article("A known story", tags=["Known tag"])
    db.session.add(Page(slug="known-page", title="A known page", body_md="Its text."))
    db.session.commit()
    slugs = [
        *db.session.scalars(db.select(Article.slug)),
        *db.session.scalars(db.select(Section.slug)),
        *db.session.scalars(db.select(Tag.slug)),
    ]
    # Values that exist, so that hostile bodies and queries get past the 404s to the views.
    known = {
        "default": [*slugs, "sections", "types", "tags", "authors", "users"],
        "slug": slugs,
        "path": ["css/site.css", "js/htmx-2.0.11.min.js", "img/favicon.svg"],
        "int": [
            *db.session.scalars(db.select(Article.id)),
            *db.session.scalars(db.select(Page.id)),
            admin.id,
        ],
    }
    known = {converter: st.sampled_from(values).map(str) for converter, values in known.items()}
    rules = sorted(app.url_map.iter_rules(), key=lambda rule: (rule.rule, rule.endpoint))

    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
        # Shrinking a request list this long takes minutes; the failing request is in the report.
        phases=[Phase.explicit, Phase.generate],
    )
    @given(st.tuples(*(hostile_requests(rule, known) for rule in rules)))
    def every_route_once(requests):
        # What an earlier example did to the account (deactivated, demoted) is undone.
        db.session.rollback()
        admin.active, admin.role = True, "admin"
        db.session.commit()
        for request in requests:
            as_admin, with_token = request.pop("as_admin"), request.pop("with_token")
            if with_token:
                request["headers"].setdefault("X-CSRFToken", token)
            sign(client, admin if as_admin else None)
            response = client.open(**request)
            assert response.status_code < 500, describe(request)
            response.close()

    every_route_once()
