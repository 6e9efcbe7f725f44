"""Accounts: create-user, sign-in and its limits, cookies, sign-out, passwords, roles, CSRF."""

import re
import time
import types
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime
from urllib.parse import parse_qs, urlsplit

import pytest
from argon2 import PasswordHasher
from flask_login import current_user
from werkzeug.routing.converters import AnyConverter, IntegerConverter

from rsflask import cli, limits
from rsflask.db import db
from rsflask.editor import accounts as account_views
from rsflask.editor import sessions
from rsflask.models import Article, RateLimitHit, Revision, User, accounts
from tests.conftest import make_app
from tests.editor_helpers import (
    PASSWORD,
    PRODUCTION_HASHER,
    SIGN_IN_FAILED,
    make_user,
    prepare_editor_tests,
    sign_in,
)
from tests.services import redis_url

NEW_PASSWORD = "another quite long passphrase"


@pytest.fixture(autouse=True)
def editor_tests(app, monkeypatch):
    prepare_editor_tests(app, monkeypatch)


def set_cookies(response) -> dict[str, str]:
    """Set-Cookie headers by cookie name."""
    return {header.split("=", 1)[0]: header for header in response.headers.getlist("Set-Cookie")}


def is_signed_in(client) -> bool:
    return client.get("/editor/").status_code == 200


# --- flask create-user -----------------------------------------------------------------------


def test_create_user_reads_the_password_from_standard_input(runner):
    result = runner.invoke(
        args=["create-user", "Mara@Example.org", "--role", "editor", "--name", "Mara"],
        input=PASSWORD + "\n",
    )
    assert result.exit_code == 0, result.output
    assert "Created editor mara@example.org" in result.output
    user = db.session.scalar(db.select(User).filter_by(email="mara@example.org"))
    assert user.role == "editor" and user.name == "Mara" and user.active
    assert user.password_hash.startswith("$argon2id$") and PASSWORD not in user.password_hash
    assert user.check_password(PASSWORD)


@pytest.fixture
def terminal(monkeypatch):
    """Standard input is a terminal, as when a person runs create-user by hand; click's prompts
    then read the runner's input."""
    stdin = types.SimpleNamespace(isatty=lambda: True)
    monkeypatch.setattr(cli, "sys", types.SimpleNamespace(stdin=stdin))


def test_create_user_prompts_for_the_password_twice_on_a_terminal(runner, terminal):
    result = runner.invoke(
        args=["create-user", "ines@example.org", "--role", "writer"],
        input=f"{PASSWORD}\n{PASSWORD}\n",
    )
    assert result.exit_code == 0, result.output
    assert "Password: " in result.output and "Repeat for confirmation: " in result.output
    # The password is not echoed.
    assert PASSWORD not in result.output
    user = db.session.scalar(db.select(User).filter_by(email="ines@example.org"))
    assert user.role == "writer" and user.check_password(PASSWORD)


def test_create_user_asks_again_when_the_two_passwords_differ(runner, terminal):
    result = runner.invoke(
        args=["create-user", "ines@example.org"],
        input=f"{PASSWORD}\n{NEW_PASSWORD}\n{NEW_PASSWORD}\n{NEW_PASSWORD}\n",
    )
    assert result.exit_code == 0, result.output
    assert "The two entered values do not match." in result.output
    user = db.session.scalar(db.select(User).filter_by(email="ines@example.org"))
    assert user.check_password(NEW_PASSWORD) and not user.check_password(PASSWORD)


def test_create_user_refuses_a_short_password_typed_at_the_prompt(runner, terminal):
    result = runner.invoke(args=["create-user", "ines@example.org"], input="short\nshort\n")
    assert result.exit_code != 0
    assert "at least 12 characters" in result.output
    assert db.session.scalar(db.select(User)) is None


def test_create_user_refuses_a_short_password(runner):
    result = runner.invoke(
        args=["create-user", "a@example.org", "--role", "writer"], input="short\n"
    )
    assert result.exit_code != 0
    assert "at least 12 characters" in result.output
    assert db.session.scalar(db.select(User)) is None


def test_create_user_refuses_an_email_already_in_use(runner):
    make_user("taken@example.org", role="writer")
    result = runner.invoke(
        args=["create-user", "Taken@example.org", "--role", "admin"], input=PASSWORD + "\n"
    )
    assert result.exit_code != 0
    assert "exists already" in result.output
    [user] = db.session.scalars(db.select(User)).all()
    assert user.role == "writer"


def test_create_user_refuses_an_unknown_role(runner):
    result = runner.invoke(
        args=["create-user", "a@example.org", "--role", "owner"], input=PASSWORD + "\n"
    )
    assert result.exit_code != 0
    assert "owner" in result.output and "admin" in result.output
    assert db.session.scalar(db.select(User)) is None


def test_passwords_are_stored_as_argon2id_hashes_at_owasp_strength(app, monkeypatch):
    monkeypatch.setattr(accounts, "password_hasher", PRODUCTION_HASHER)
    user = make_user("hash@example.org")
    assert user.password_hash.startswith("$argon2id$")
    assert PASSWORD not in user.password_hash
    # OWASP's minimum for argon2id: 19 MiB of memory and 2 passes.
    params = dict(p.split("=") for p in user.password_hash.split("$")[3].split(","))
    assert int(params["m"]) >= 19 * 1024 and int(params["t"]) >= 2
    assert user.check_password(PASSWORD) and not user.check_password(PASSWORD + "x")


# --- Signing in ------------------------------------------------------------------------------


def test_sign_in_goes_to_the_dashboard(client):
    make_user("ed@example.org")
    response = sign_in(client, "Ed@Example.org ")
    assert response.status_code == 303 and response.location == "/editor/"
    page = client.get("/editor/").get_data(as_text=True)
    assert "<h1>Articles</h1>" in page and "ed@example.org" in page


@pytest.mark.parametrize(
    ("email", "password"),
    [
        ("ed@example.org", "not the right password"),
        ("nobody@example.org", PASSWORD),
        ("gone@example.org", PASSWORD),
    ],
    ids=["wrong-password", "unknown-email", "deactivated"],
)
def test_failed_sign_in_says_the_same_for_every_reason(client, email, password):
    make_user("ed@example.org")
    make_user("gone@example.org", active=False)
    response = sign_in(client, email, password)
    assert response.status_code == 401
    page = response.get_data(as_text=True)
    assert SIGN_IN_FAILED in page
    assert f'value="{email}"' in page
    assert not is_signed_in(client)


@pytest.mark.parametrize("email", ["nobody@example.org", "gone@example.org"])
def test_unknown_and_blocked_accounts_cost_a_password_check_too(client, monkeypatch, email):
    """So that the time an answer takes does not tell which addresses have a working account."""
    checked = []

    class WatchedHasher(PasswordHasher):
        def verify(self, hash: str, password: str) -> bool:
            checked.append(password)
            return super().verify(hash, password)

    monkeypatch.setattr(accounts, "password_hasher", WatchedHasher(1, 8, 1))
    make_user("gone@example.org", active=False)
    response = sign_in(client, email)
    assert response.status_code == 401 and SIGN_IN_FAILED in response.get_data(as_text=True)
    assert checked == [PASSWORD]


def test_bad_sign_in_input_gets_a_clear_answer(client):
    response = client.post("/editor/sign-in", data={"email": "", "password": ""})
    assert response.status_code == 422
    assert "This field is required." in response.get_data(as_text=True)


def test_anonymous_visitor_is_sent_to_sign_in_then_back(client):
    make_user("ed@example.org")
    response = client.get("/editor/users/new?x=1")
    assert response.status_code == 302
    location = urlsplit(response.location)
    assert location.path == "/editor/sign-in"
    assert parse_qs(location.query)["next"] == ["/editor/users/new?x=1"]
    form = client.get(response.location).get_data(as_text=True)
    assert 'name="next" type="hidden" value="/editor/users/new?x=1"' in form
    response = sign_in(client, "ed@example.org", next="/editor/sections?page=1")
    assert response.location == "/editor/sections?page=1"


@pytest.mark.parametrize(
    "target",
    [
        "https://evil.example",
        "https://evil.example/editor/",
        "//evil.example",
        "///evil.example",
        "/\\evil.example",
        "\\\\evil.example",
        "/\t/evil.example",
        "javascript:alert(1)",
        "http:/evil",
        "http:evil.example",
        " //evil.example",
        "evil.example",
        "data:text/html,hello",
    ],
)
def test_sign_in_never_follows_next_off_the_site(client, target):
    make_user("ed@example.org")
    response = sign_in(client, "ed@example.org", next=target)
    assert response.status_code == 303
    assert response.location == "/editor/"


HOSTILE_NEXT = [
    "/editor/\r\nSet-Cookie: hijacked=1",
    "/\nLocation: https://evil.example",
    "/editor/%0d%0aSet-Cookie:%20hijacked=1",
    "//evil.example",
    "\\\\evil.example",
    "/\\evil.example",
    "javascript:alert(1)",
    "/editor/\x00",
    "/editor/\u2028https://evil.example",
]


@pytest.mark.parametrize("target", HOSTILE_NEXT)
def test_a_hostile_next_shows_the_form_and_leads_to_the_dashboard(client, target):
    make_user("ed@example.org")
    page = client.get("/editor/sign-in", query_string={"next": target})
    assert page.status_code == 200
    assert "<h1>Sign in</h1>" in page.get_data(as_text=True)
    for response in (
        sign_in(client, "ed@example.org", next=target),
        client.post(
            "/editor/sign-in",
            query_string={"next": target},
            data={"email": "ed@example.org", "password": PASSWORD},
        ),
    ):
        assert response.status_code == 303 and response.location == "/editor/"
        assert "hijacked" not in response.headers.get("Set-Cookie", "")
        client.post("/editor/sign-out")


@pytest.fixture
def low_limits(app):
    app.config.update(SIGNIN_FAILURES_PER_ACCOUNT=3, SIGNIN_FAILURES_PER_ADDRESS=5)


def test_failed_sign_ins_are_limited_per_account(client, low_limits):
    make_user("ed@example.org")
    make_user("other@example.org")
    for _ in range(3):
        assert sign_in(client, "ed@example.org", "wrong password").status_code == 401
    response = sign_in(client, "ed@example.org")
    assert response.status_code == 429
    assert "Too many failed sign-ins. Please wait" in response.get_data(as_text=True)
    assert not is_signed_in(client)
    # Another account is not held.
    assert sign_in(client, "other@example.org").status_code == 303


def sign_in_from(client, address: str, email: str, password: str = PASSWORD):
    """Post the sign-in form from `address`; the response is closed, as a server would."""
    response = client.post(
        "/editor/sign-in",
        data={"email": email, "password": password},
        environ_overrides={"REMOTE_ADDR": address},
    )
    response.close()
    return response


GUESSERS = [f"203.0.113.{number}" for number in range(10, 20)]


def test_guessing_from_many_addresses_does_not_lock_the_owner_out(app, client, low_limits):
    make_user("ed@example.org")
    for address in GUESSERS:
        guess = sign_in_from(app.test_client(), address, "ed@example.org", "wrong password")
        assert guess.status_code == 401
    # Far past the account's limit, its owner signs in from an address that has not failed.
    assert sign_in_from(client, "198.51.100.7", "ed@example.org").status_code == 303
    assert is_signed_in(client)


def test_past_the_account_limit_an_address_that_failed_waits(app, low_limits, frozen_clock):
    make_user("ed@example.org")
    guesser = app.test_client()
    for address in GUESSERS[:3]:
        assert sign_in_from(guesser, address, "ed@example.org", "wrong").status_code == 401
    # A new address gets one try; then it waits out the window like the others, even with the
    # right password: guessing slows to one try per address every 15 minutes.
    assert sign_in_from(guesser, GUESSERS[3], "ed@example.org", "wrong").status_code == 401
    for address in GUESSERS[:4]:
        for password in ("wrong again", PASSWORD):
            response = sign_in_from(guesser, address, "ed@example.org", password)
            assert response.status_code == 429
            assert response.headers["Retry-After"] == "600"
    assert not is_signed_in(guesser)


def test_the_owner_gets_one_email_while_the_account_is_guessed_at(
    app, client, low_limits, frozen_clock, mail_server
):
    make_user("ed@example.org", name="Ed Hale")
    make_user("other@example.org")
    for address in [GUESSERS[0], GUESSERS[1], GUESSERS[0], *GUESSERS[2:6]]:
        sign_in_from(client, address, "ed@example.org", "wrong password")
    # Failures on an unknown address and below another account's limit email no one.
    for address in GUESSERS[:4]:
        sign_in_from(client, address, "nobody@example.org", "wrong password")
    sign_in_from(client, GUESSERS[0], "other@example.org", "wrong password")
    [message] = mail_server.messages
    assert message["To"] == "ed@example.org"
    assert message["Subject"] == "Someone is trying to sign in to your The Crosswind Review account"
    assert "List-Unsubscribe" not in message
    text = message.get_body(("plain",)).get_content()
    assert "Hello Ed Hale," in text
    assert "Since 08:00 on 15 January 2027 (UTC), 3 sign-ins to your account" in text
    assert "from 2 different addresses" in text
    assert "You can still sign in as usual." in text
    assert "http://localhost/editor/account/password" in text
    html = message.get_body(("html",)).get_content()
    assert 'href="http://localhost/editor/account/password"' in html


def test_with_the_mail_server_down_a_guessed_account_still_signs_in(client, low_limits):
    make_user("ed@example.org")
    for _ in range(3):
        assert sign_in_from(client, GUESSERS[0], "ed@example.org", "wrong").status_code == 401
    assert sign_in_from(client, "198.51.100.7", "ed@example.org").status_code == 303


def test_failed_sign_ins_are_limited_per_client_address(client, low_limits):
    make_user("ed@example.org")
    for number in range(5):
        response = sign_in_from(client, "203.0.113.5", f"guess{number}@example.org", "x")
        assert response.status_code == 401
    response = sign_in_from(client, "203.0.113.5", "ed@example.org")
    assert response.status_code == 429
    assert "Too many failed sign-ins" in response.get_data(as_text=True)
    assert sign_in_from(client, "203.0.113.6", "ed@example.org").status_code == 303


def test_the_longest_email_is_counted_like_any_other(client, low_limits):
    email = "a" * 308 + "@example.org"
    statuses = [sign_in(client, email, "wrong password").status_code for _ in range(4)]
    assert statuses == [401, 401, 401, 429]


def test_the_limit_holds_across_workers_sharing_the_database(app, client, tmp_path, low_limits):
    make_user("ed@example.org")
    for _ in range(3):
        sign_in(client, "ed@example.org", "wrong password")
    counted = db.select(RateLimitHit.count).filter_by(key="signin-account:ed@example.org")
    assert db.session.scalar(counted) == 3
    # Ends this test's read, which holds SQLite's lock (see db.py), as a finished request would.
    db.session.rollback()
    other_worker = make_app(
        tmp_path / "other-worker",
        app.config["SQLALCHEMY_DATABASE_URI"],
        WTF_CSRF_ENABLED=False,
        SIGNIN_FAILURES_PER_ACCOUNT=3,
    )
    assert sign_in(other_worker.test_client(), "ed@example.org").status_code == 429


WINDOW_START = 1_800_000_000  # a multiple of 15 minutes


@pytest.fixture
def frozen_clock(monkeypatch):
    """Five minutes into a 15-minute window, for as long as the test runs."""
    clock = types.SimpleNamespace(time=lambda: WINDOW_START + 300.5)
    monkeypatch.setattr(limits, "time", clock)
    monkeypatch.setattr(account_views, "time", clock)


def test_the_429_says_when_to_try_again(client, low_limits, frozen_clock):
    make_user("ed@example.org")
    for _ in range(3):
        sign_in(client, "ed@example.org", "wrong password")
    response = sign_in(client, "ed@example.org")
    assert response.status_code == 429
    # The window opened five minutes ago and lasts fifteen.
    assert response.headers["Retry-After"] == "600"
    assert "Please wait 10 minutes and try again." in response.get_data(as_text=True)


def failures_counted(email: str) -> int:
    db.session.rollback()
    counted = db.select(RateLimitHit.count).filter_by(key=f"signin-account:{email}")
    return db.session.scalar(counted) or 0


def test_an_attempt_is_counted_before_its_password_is_checked(client, low_limits, monkeypatch):
    """So that requests in parallel cannot all pass the check before any of them is counted."""
    make_user("ed@example.org")
    sign_in(client, "ed@example.org", "wrong password")
    seen = []
    check = User.check_password

    def checking(user, password):
        seen.append(limits.hits("signin-account:ed@example.org", account_views.FAILURE_WINDOW))
        return check(user, password)

    monkeypatch.setattr(User, "check_password", checking)
    assert sign_in(client, "ed@example.org", "wrong again").status_code == 401
    assert sign_in(client, "ed@example.org").status_code == 303
    assert seen == [2, 3]
    # The successful attempt is uncounted again: only failures are limited.
    assert failures_counted("ed@example.org") == 2


def test_the_right_password_after_all_but_one_allowed_failure_signs_in(client, low_limits):
    make_user("ed@example.org")
    for _ in range(2):
        assert sign_in(client, "ed@example.org", "wrong password").status_code == 401
    for _ in range(3):
        client.post("/editor/sign-out")
        assert sign_in(client, "ed@example.org").status_code == 303
    assert failures_counted("ed@example.org") == 2


def test_refused_attempts_are_not_counted_as_failures(client, low_limits):
    make_user("ed@example.org")
    for _ in range(3):
        sign_in(client, "ed@example.org", "wrong password")
    for _ in range(4):
        assert sign_in(client, "ed@example.org", "wrong password").status_code == 429
    assert failures_counted("ed@example.org") == 3
    db.session.rollback()
    address = db.select(RateLimitHit.count).filter_by(key="signin-address:127.0.0.1")
    assert db.session.scalar(address) == 3


def test_with_redis_a_successful_sign_in_is_uncounted(app, client, low_limits, frozen_clock):
    app.config["REDIS_URL"] = redis_url()
    make_user("ed@example.org")
    for _ in range(2):
        assert sign_in(client, "ed@example.org", "wrong password").status_code == 401
    assert sign_in(client, "ed@example.org").status_code == 303
    assert limits.hits("signin-account:ed@example.org", account_views.FAILURE_WINDOW) == 2
    assert sign_in(client, "ed@example.org", "wrong password").status_code == 401
    assert sign_in(client, "ed@example.org").status_code == 429
    assert limits.hits("signin-account:ed@example.org", account_views.FAILURE_WINDOW) == 3


# --- Cookies ---------------------------------------------------------------------------------


def test_remember_me_lasts_at_most_30_days(client):
    make_user("ed@example.org")
    response = sign_in(client, "ed@example.org", remember="y")
    cookie = set_cookies(response)["remember_token"]
    expires = parsedate_to_datetime(re.search(r"Expires=([^;]+)", cookie).group(1))
    now = datetime.now(UTC)
    assert now + timedelta(days=29) < expires <= now + timedelta(days=30, minutes=1)
    max_age = re.search(r"Max-Age=(\d+)", cookie)
    assert max_age is None or int(max_age.group(1)) <= 30 * 24 * 3600
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_without_remember_me_there_is_no_lasting_cookie(client):
    make_user("ed@example.org")
    assert "remember_token" not in set_cookies(sign_in(client, "ed@example.org"))


def test_session_cookie_is_http_only_and_same_site_lax(client):
    make_user("ed@example.org")
    cookie = set_cookies(sign_in(client, "ed@example.org"))["session"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert "Secure" not in cookie


def test_cookies_are_secure_when_configured_for_https(app, tmp_path):
    https_app = make_app(
        tmp_path / "https",
        app.config["SQLALCHEMY_DATABASE_URI"],
        WTF_CSRF_ENABLED=False,
        SESSION_COOKIE_SECURE=True,
    )
    make_user("ed@example.org")
    client = https_app.test_client()
    response = client.post(
        "/editor/sign-in",
        data={"email": "ed@example.org", "password": PASSWORD, "remember": "y"},
        base_url="https://localhost",
    )
    cookies = set_cookies(response)
    assert "Secure" in cookies["session"] and "Secure" in cookies["remember_token"]


# --- Signing out and passwords ---------------------------------------------------------------


def test_sign_out_is_a_post_and_ends_the_session(client):
    make_user("ed@example.org")
    sign_in(client, "ed@example.org", remember="y")
    assert client.get("/editor/sign-out").status_code == 405
    assert is_signed_in(client)
    response = client.post("/editor/sign-out")
    assert response.status_code == 303 and response.location == "/editor/sign-in"
    assert "You are signed out." in client.get(response.location).get_data(as_text=True)
    assert not is_signed_in(client)
    assert client.get_cookie("remember_token") is None


def copy_of(client):
    """Another browser holding copies of `client`'s cookies, as a thief would."""
    thief = client.application.test_client()
    for name in ("session", "remember_token"):
        cookie = client.get_cookie(name)
        if cookie is not None:
            thief.set_cookie(name, cookie.value)
    return thief


def remember_cookie_alone(client):
    """Another browser holding only `client`'s remember-me cookie (its session long gone)."""
    other = client.application.test_client()
    other.set_cookie("remember_token", client.get_cookie("remember_token").value)
    return other


@pytest.mark.parametrize("remember", ["y", ""], ids=["remembered", "session-only"])
def test_copied_cookies_stop_working_when_their_session_signs_out(client, remember):
    make_user("ed@example.org")
    sign_in(client, "ed@example.org", remember=remember)
    copy = copy_of(client)
    assert is_signed_in(copy)
    client.post("/editor/sign-out")
    assert not is_signed_in(copy)


def test_a_copied_remember_cookie_stops_working_after_sign_out(client):
    make_user("ed@example.org")
    sign_in(client, "ed@example.org", remember="y")
    copy = remember_cookie_alone(client)
    client.post("/editor/sign-out")
    assert not is_signed_in(copy)


def test_signing_out_on_one_device_leaves_the_others_signed_in(app, client):
    make_user("ed@example.org")
    laptop, phone = client, app.test_client()
    sign_in(laptop, "ed@example.org")
    sign_in(phone, "ed@example.org", remember="y")
    laptop.post("/editor/sign-out")
    assert is_signed_in(phone) and is_signed_in(remember_cookie_alone(phone))
    assert not is_signed_in(laptop)


def test_each_sign_in_gets_its_own_remember_cookie(app, client):
    make_user("ed@example.org")
    sign_in(client, "ed@example.org", remember="y")
    first = client.get_cookie("remember_token").value
    client.post("/editor/sign-out")
    sign_in(client, "ed@example.org", remember="y")
    assert client.get_cookie("remember_token").value != first


def test_a_remember_cookie_older_than_its_duration_is_refused(app, client, monkeypatch):
    make_user("ed@example.org")
    sign_in(client, "ed@example.org", remember="y")
    kept = remember_cookie_alone(client)
    assert is_signed_in(kept)
    # The browser would have dropped the cookie after 30 days; a copy kept longer is refused.
    later = time.time() + app.config["REMEMBER_COOKIE_DURATION"].total_seconds() + 60
    monkeypatch.setattr(sessions, "time", types.SimpleNamespace(time=lambda: later))
    assert not is_signed_in(remember_cookie_alone(client))
    assert not is_signed_in(copy_of(client))


def test_cookies_from_before_session_generations_are_refused(client):
    user = make_user("ed@example.org")
    with client.session_transaction() as session:
        session["_user_id"] = str(user.id)
    assert not is_signed_in(client)


def test_a_password_change_signs_out_the_other_devices(app, client):
    make_user("ed@example.org")
    laptop, phone = client, app.test_client()
    sign_in(laptop, "ed@example.org", remember="y")
    sign_in(phone, "ed@example.org", remember="y")
    stolen = copy_of(laptop)
    response = change_password(laptop, PASSWORD, NEW_PASSWORD)
    assert response.status_code == 303
    assert "other devices are signed out" in laptop.get("/editor/").get_data(as_text=True)
    # This device stays signed in, remembered as before; the others and any copy are not.
    assert is_signed_in(laptop) and is_signed_in(remember_cookie_alone(laptop))
    assert not is_signed_in(phone) and not is_signed_in(stolen)


def test_an_admin_who_changes_their_own_password_stays_signed_in(app, admin_client):
    me = db.session.scalar(db.select(User).filter_by(email="admin@example.org"))
    other_device = app.test_client()
    sign_in(other_device, "admin@example.org")
    form = user_form("admin@example.org", "admin", password=NEW_PASSWORD)
    response = admin_client.post(f"/editor/users/{me.id}", data=form)
    assert response.status_code == 303
    assert "Saved the account of admin@example.org" in admin_client.get("/editor/users").text
    assert not is_signed_in(other_device)


def test_the_page_after_a_password_change_knows_who_is_signed_in(app, client):
    @app.after_request
    def read_the_user(response):
        # What a template or a later hook would do in the same request.
        response.headers["X-Signed-In-As"] = getattr(current_user, "email", "")
        return response

    make_user("ed@example.org")
    sign_in(client, "ed@example.org")
    response = change_password(client, PASSWORD, NEW_PASSWORD)
    assert response.status_code == 303
    assert response.headers["X-Signed-In-As"] == "ed@example.org"


def test_the_account_page_offers_sign_out_everywhere_as_a_form(client):
    make_user("ed@example.org")
    sign_in(client, "ed@example.org")
    page = client.get("/editor/account/password").get_data(as_text=True)
    form = re.search(
        r'<form[^>]*action="/editor/account/sign-out-everywhere"[^>]*>(.*?)</form>', page, re.S
    )
    assert form and 'method="post"' in form.group(0)
    assert 'name="csrf_token"' in form.group(1) and "Sign out everywhere" in form.group(1)


def test_sign_out_everywhere_ends_every_session_of_the_account(app, client):
    make_user("ed@example.org")
    make_user("other@example.org")
    laptop, phone, someone_else = client, app.test_client(), app.test_client()
    sign_in(laptop, "ed@example.org")
    sign_in(phone, "ed@example.org", remember="y")
    sign_in(someone_else, "other@example.org")
    kept = remember_cookie_alone(phone)
    response = laptop.post("/editor/account/sign-out-everywhere")
    assert response.status_code == 303 and response.location == "/editor/sign-in"
    page = laptop.get(response.location).get_data(as_text=True)
    assert "You are signed out on every device" in page
    assert not is_signed_in(laptop) and not is_signed_in(phone) and not is_signed_in(kept)
    assert is_signed_in(someone_else)
    # Signing in again works as before.
    assert sign_in(phone, "ed@example.org").status_code == 303 and is_signed_in(phone)


def test_sign_out_everywhere_is_a_post(client):
    make_user("ed@example.org")
    sign_in(client, "ed@example.org")
    assert client.get("/editor/account/sign-out-everywhere").status_code == 405
    assert is_signed_in(client)


def change_password(client, current: str, new: str, confirm: str | None = None):
    data = {"current": current, "new": new, "confirm": new if confirm is None else confirm}
    return client.post("/editor/account/password", data=data)


def test_change_password_needs_the_current_one(client):
    make_user("ed@example.org")
    sign_in(client, "ed@example.org")
    response = change_password(client, "not my password", NEW_PASSWORD)
    assert response.status_code == 422
    assert "That is not your current password." in response.get_data(as_text=True)
    assert db.session.scalar(db.select(User)).check_password(PASSWORD)


def test_change_password_needs_the_new_one_twice(client):
    make_user("ed@example.org")
    sign_in(client, "ed@example.org")
    response = change_password(client, PASSWORD, NEW_PASSWORD, NEW_PASSWORD + "!")
    assert response.status_code == 422
    assert "The two passwords differ." in response.get_data(as_text=True)
    response = change_password(client, PASSWORD, "too short")
    assert response.status_code == 422
    assert "between 12 and 1000 characters" in response.get_data(as_text=True)
    assert db.session.scalar(db.select(User)).check_password(PASSWORD)


def test_changed_password_replaces_the_old_one(client):
    make_user("ed@example.org")
    sign_in(client, "ed@example.org")
    response = change_password(client, PASSWORD, NEW_PASSWORD)
    assert response.status_code == 303 and response.location == "/editor/"
    client.post("/editor/sign-out")
    assert sign_in(client, "ed@example.org").status_code == 401
    assert sign_in(client, "ed@example.org", NEW_PASSWORD).status_code == 303


# --- Managing users --------------------------------------------------------------------------


@pytest.fixture
def admin_client(client):
    make_user("admin@example.org", role="admin")
    sign_in(client, "admin@example.org")
    return client


def user_form(email: str, role: str = "writer", active: bool = True, password: str = "", name=""):
    data = {"email": email, "name": name, "role": role, "password": password}
    if active:
        data["active"] = "y"
    return data


def test_admin_creates_an_account_that_can_sign_in(app, admin_client):
    page = admin_client.get("/editor/users/new").get_data(as_text=True)
    assert '<label for="email">Email</label>' in page
    response = admin_client.post(
        "/editor/users/new", data=user_form("New@Example.org", "writer", password=NEW_PASSWORD)
    )
    assert response.status_code == 303 and response.location == "/editor/users"
    listing = admin_client.get("/editor/users").get_data(as_text=True)
    assert "new@example.org" in listing
    user = db.session.scalar(db.select(User).filter_by(email="new@example.org"))
    assert user.role == "writer" and user.password_hash.startswith("$argon2id$")
    assert sign_in(app.test_client(), "new@example.org", NEW_PASSWORD).status_code == 303


def test_control_characters_typed_into_a_name_are_not_stored(admin_client):
    form = user_form("new@example.org", password=NEW_PASSWORD, name="Nia\x0b\x1b\x7f Noor")
    assert admin_client.post("/editor/users/new", data=form).status_code == 303
    assert db.session.scalar(db.select(User.name).filter_by(email="new@example.org")) == "Nia Noor"


@pytest.mark.parametrize(
    ("form", "message"),
    [
        (user_form("admin@example.org", password=NEW_PASSWORD), "Another account has this email."),
        (user_form("new@example.org"), "A new account needs a password."),
        (user_form("new@example.org", password="short"), "between 12 and 1000 characters"),
        (user_form("not an email", password=NEW_PASSWORD), "Invalid email address."),
        (user_form("new@example.org", "owner", password=NEW_PASSWORD), "Not a valid choice"),
    ],
)
def test_account_form_refuses_bad_input_clearly(admin_client, form, message):
    response = admin_client.post("/editor/users/new", data=form)
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert db.session.scalar(db.select(db.func.count(User.id))) == 1


def test_admin_changes_a_role_and_deactivates_an_account(app, admin_client):
    writer = make_user("writer@example.org", role="writer")
    writer_client = app.test_client()
    sign_in(writer_client, "writer@example.org")
    assert writer_client.get("/editor/sections").status_code == 403

    response = admin_client.post(
        f"/editor/users/{writer.id}", data=user_form(writer.email, "admin")
    )
    assert response.status_code == 303
    # The new role ends the open session; the next sign-in has it.
    assert writer_client.get("/editor/sections").status_code == 302
    sign_in(writer_client, "writer@example.org")
    assert writer_client.get("/editor/sections").status_code == 200
    assert db.session.get(User, writer.id).check_password(PASSWORD)

    admin_client.post(f"/editor/users/{writer.id}", data=user_form(writer.email, active=False))
    assert "blocked" in admin_client.get("/editor/users").get_data(as_text=True)
    # The open session ends too, and a new sign-in is refused.
    assert writer_client.get("/editor/").status_code == 302
    response = sign_in(app.test_client(), "writer@example.org")
    assert response.status_code == 401 and SIGN_IN_FAILED in response.get_data(as_text=True)


@pytest.mark.parametrize(
    "change",
    [
        {"role": "editor"},
        {"active": False},
        {"password": NEW_PASSWORD},
    ],
    ids=["role", "block", "password"],
)
def test_an_admins_change_ends_the_accounts_sessions_for_good(app, admin_client, change):
    writer = make_user("writer@example.org", role="writer")
    writer_client = app.test_client()
    sign_in(writer_client, "writer@example.org", remember="y")
    copy = copy_of(writer_client)
    form = user_form(writer.email, **{"role": "writer", **change})
    assert admin_client.post(f"/editor/users/{writer.id}", data=form).status_code == 303
    # Unblocked (or the change undone), the cookies from before still do not work.
    admin_client.post(f"/editor/users/{writer.id}", data=user_form(writer.email, "writer"))
    assert not is_signed_in(writer_client) and not is_signed_in(copy)


@pytest.mark.parametrize(
    "form",
    [user_form("admin@example.org", "editor"), user_form("admin@example.org", "admin", False)],
    ids=["role", "access"],
)
def test_admin_cannot_remove_their_own_admin_access(admin_client, form):
    me = db.session.scalar(db.select(User))
    response = admin_client.post(f"/editor/users/{me.id}", data=form)
    assert response.status_code == 422
    assert "You cannot remove your own admin access." in response.get_data(as_text=True)
    db.session.refresh(me)
    assert me.role == "admin" and me.active


def test_an_unknown_account_is_404(admin_client):
    assert admin_client.get("/editor/users/999").status_code == 404


# --- Who may open what -----------------------------------------------------------------------


def editor_urls(app) -> list[tuple[str, str]]:
    """(method, path) of every editor page and action, with every id set to 1."""
    urls = []
    for rule in app.url_map.iter_rules():
        if not rule.endpoint.startswith("editor.") or rule.endpoint == "editor.sign_in":
            continue
        values = {}
        for name, converter in rule._converters.items():
            if isinstance(converter, IntegerConverter):
                values[name] = 1
            elif isinstance(converter, AnyConverter):
                values[name] = sorted(converter.items)[0]
            else:
                values[name] = "1"
        path = rule.build(values, append_unknown=False)[1]
        urls += [(method, path) for method in sorted(rule.methods - {"HEAD", "OPTIONS"})]
    return urls


def test_every_editor_url_sends_anonymous_visitors_to_sign_in(app, client, add_article):
    add_article("Some article")
    make_user("ed@example.org")
    urls = editor_urls(app)
    assert ("POST", "/editor/articles/1/trash") in urls and ("GET", "/editor/users/1") in urls
    for method, path in urls:
        response = client.open(path, method=method)
        assert response.status_code == 302, (method, path)
        location = urlsplit(response.location)
        assert location.path == "/editor/sign-in", (method, path)
        assert parse_qs(location.query)["next"] == [path], (method, path)
    assert db.session.get(Article, 1).status == "published"


ADMIN_ONLY = [
    ("GET", "/editor/users"),
    ("GET", "/editor/users/new"),
    ("POST", "/editor/users/new"),
    ("GET", "/editor/users/1"),
    ("POST", "/editor/users/1"),
    ("GET", "/editor/sections"),
    ("GET", "/editor/sections/new"),
    ("POST", "/editor/types/new"),
    ("GET", "/editor/authors"),
    ("GET", "/editor/authors/1"),
    ("POST", "/editor/sections/1"),
]


@pytest.mark.parametrize("role", ["editor", "writer"])
@pytest.mark.parametrize(("method", "path"), ADMIN_ONLY)
def test_admin_pages_are_403_for_other_roles(app, client, add_article, role, method, path):
    add_article("Some article", authors=["Ada Writer"])
    make_user("first@example.org", role="admin")
    make_user("someone@example.org", role=role)
    sign_in(client, "someone@example.org")
    data = {"email": "x@example.org", "role": "admin", "password": NEW_PASSWORD, "name": "X"}
    response = client.open(path, method=method, data=data)
    assert response.status_code == 403
    assert "You do not have permission" in response.get_data(as_text=True)
    assert db.session.get(User, 1).role == "admin"
    assert db.session.scalar(db.select(db.func.count(User.id))) == 2


def test_a_writer_cannot_restore_a_published_article_from_the_trash(client, add_article):
    article = add_article("Binned")
    article.status, article.status_before_trash = "trash", "published"
    db.session.commit()
    make_user("writer@example.org", role="writer")
    sign_in(client, "writer@example.org")
    assert client.post(f"/editor/articles/{article.id}/restore").status_code == 403
    db.session.refresh(article)
    assert article.status == "trash"


# --- CSRF ------------------------------------------------------------------------------------


@pytest.fixture
def csrf_on(app, client, add_article):
    """Signed in as an editor with an article open, then CSRF protection on, as in production."""
    article = add_article("Guarded", body="The stored text.\n")
    make_user("ed@example.org")
    sign_in(client, "ed@example.org")
    app.config["WTF_CSRF_ENABLED"] = True
    return article


def article_fields(article) -> dict:
    return {
        "title": "Changed by a forged form",
        "slug": article.slug,
        "article_type": article.type_id,
        "section": article.section_id,
        "body": "Forged body.",
        "version": article.version,
        "save": "Save draft",
    }


def test_posts_without_the_csrf_token_are_refused_and_change_nothing(client, csrf_on):
    article = csrf_on
    posts = [
        ("/editor/articles", {}),
        (f"/editor/articles/{article.id}", article_fields(article)),
        (f"/editor/articles/{article.id}/autosave", {"title": "x", "body": "Forged."}),
        ("/editor/preview", {"body": "Some text"}),
        (f"/editor/articles/{article.id}/trash", {}),
    ]
    for path, data in posts:
        response = client.post(path, data=data)
        assert response.status_code == 400, path
        assert "The form expired" in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.scalar(db.select(db.func.count(Article.id))) == 1
    stored = db.session.get(Article, article.id)
    assert stored.title == "Guarded" and stored.status == "published"
    assert stored.body_md == "The stored text.\n"
    assert db.session.scalar(db.select(Revision)) is None


def test_sign_in_without_the_csrf_token_is_refused(app, client):
    make_user("ed@example.org")
    app.config["WTF_CSRF_ENABLED"] = True
    response = sign_in(client, "ed@example.org")
    assert response.status_code == 400
    assert not is_signed_in(client)


def test_the_same_save_with_the_token_from_the_page_is_accepted(client, csrf_on):
    article = csrf_on
    page = client.get(f"/editor/articles/{article.id}").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    response = client.post(
        f"/editor/articles/{article.id}", data={**article_fields(article), "csrf_token": token}
    )
    assert response.status_code == 303
    db.session.expire_all()
    assert db.session.get(Article, article.id).title == "Changed by a forged form"
