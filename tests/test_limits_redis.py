"""Rate limits in Redis (REDIS_URL set): shared by app servers that share nothing else."""

import types

import pytest
import redis

from rsflask import limits
from rsflask.db import db
from rsflask.editor import accounts as account_views
from rsflask.models import RateLimitHit
from tests.conftest import htmx, make_app
from tests.editor_helpers import PASSWORD, make_user, prepare_editor_tests
from tests.services import redis_url

NOW = 1_800_000_000


@pytest.fixture
def frozen_clock(monkeypatch):
    """One fixed moment, so that no window closes in the middle of a test."""
    clock = types.SimpleNamespace(time=lambda: NOW + 0.5)
    monkeypatch.setattr(limits, "time", clock)
    monkeypatch.setattr(account_views, "time", clock)


@pytest.fixture
def redis_app(app, frozen_clock):
    app.config.update(REDIS_URL=redis_url(), WTF_CSRF_ENABLED=False)
    return app


def test_hits_are_counted_in_redis_per_window_and_expire(redis_app):
    assert [limits.allow("signup:203.0.113.9", 3, 3600) for _ in range(4)] == [
        True,
        True,
        True,
        False,
    ]
    assert limits.hits("signup:203.0.113.9", 3600) == 4
    assert limits.hits("signup:198.51.100.1", 3600) == 0
    client = redis.Redis.from_url(redis_app.config["REDIS_URL"])
    key = f"rsflask:limit:signup:203.0.113.9:{NOW // 3600}"
    assert client.get(key) == b"4"
    assert 0 < client.ttl(key) <= 3600
    # Nothing went to the database.
    assert db.session.scalars(db.select(RateLimitHit)).all() == []


def test_two_app_servers_with_their_own_databases_share_one_limit(redis_app, tmp_path):
    other_server = make_app(
        tmp_path / "other", f"sqlite:///{tmp_path / 'other.sqlite3'}", REDIS_URL=redis_url()
    )
    assert limits.allow("search:203.0.113.9", 2, 60)
    with other_server.app_context():
        assert limits.allow("search:203.0.113.9", 2, 60)
        assert not limits.allow("search:203.0.113.9", 2, 60)
    assert not limits.allow("search:203.0.113.9", 2, 60)


def test_newsletter_signups_are_limited_through_redis(redis_app, client):
    redis_app.config["SIGNUP_RATE_LIMIT"] = 1
    statuses = [
        client.post("/newsletter", data={"email": f"r{n}@example.org"}, headers=htmx()).status_code
        for n in range(2)
    ]
    assert statuses == [200, 429]


def test_redis_down_answers_503_and_never_waves_the_request_through(app, client, frozen_clock):
    # Nothing listens on port 1.
    app.config.update(REDIS_URL="redis://127.0.0.1:1/0", WTF_CSRF_ENABLED=False)
    response = client.post("/newsletter", data={"email": "r@example.org"}, headers=htmx())
    assert response.status_code == 503
    assert "Retry-After" in response.headers


def sign_in_from(client, address: str, password: str):
    response = client.post(
        "/editor/sign-in",
        data={"email": "ed@example.org", "password": password},
        environ_overrides={"REMOTE_ADDR": address},
    )
    # Closed, as a server would: the owner's email goes out then.
    response.close()
    return response


def test_with_redis_guessing_slows_down_without_locking_the_owner_out(
    redis_app, client, monkeypatch, mail_server
):
    prepare_editor_tests(redis_app, monkeypatch)
    redis_app.config.update(SIGNIN_FAILURES_PER_ACCOUNT=3)
    make_user("ed@example.org")
    guessers = [f"203.0.113.{number}" for number in range(10, 16)]
    assert [sign_in_from(client, a, "wrong").status_code for a in guessers] == [401] * 6
    refused = sign_in_from(client, guessers[0], PASSWORD)
    assert refused.status_code == 429 and "Retry-After" in refused.headers
    assert sign_in_from(client, "198.51.100.7", PASSWORD).status_code == 303
    [message] = mail_server.messages
    assert message["To"] == "ed@example.org"
    assert "from 3 different addresses" in message.get_body(("plain",)).get_content()
    assert db.session.scalars(db.select(RateLimitHit)).all() == []
