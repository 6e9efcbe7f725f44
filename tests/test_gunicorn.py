"""The site under gunicorn with 4 workers on one SQLite file: 400 newsletter signups from 8
clients at once are all stored, exactly once each, and none of them gets a 5xx."""

import os
import re
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from http.cookiejar import CookieJar
from pathlib import Path
from types import SimpleNamespace

import pytest
from flask_migrate import upgrade
from sqlalchemy import func

from rsflask.db import db
from rsflask.models import Subscriber
from tests.conftest import CLOSED_MAIL_PORT, make_app
from tests.mail_server import free_port

ROOT = Path(__file__).resolve().parent.parent
CLIENTS = 8
SIGNUPS = 400



@pytest.fixture
def gunicorn_site(tmp_path):
    """gunicorn with the shipped configuration, 4 workers, a migrated SQLite database."""
    uri = f"sqlite:///{tmp_path / 'site.sqlite3'}"
    app = make_app(tmp_path / "instance", uri)
    with app.app_context():
        upgrade()
        db.engine.dispose()
    port = free_port()
    environment = {
        **os.environ,
        "RSFLASK_INSTANCE_PATH": str(tmp_path / "instance"),
        "RSFLASK_SQLALCHEMY_DATABASE_URI": uri,
        "RSFLASK_SITE_URL": f"http://127.0.0.1:{port}",
        "RSFLASK_SIGNUP_RATE_LIMIT": "100000",
        # Confirmation emails are refused at once: signups are stored all the same.
        "RSFLASK_MAIL_SERVER": "127.0.0.1",
        "RSFLASK_MAIL_PORT": str(CLOSED_MAIL_PORT),
    }
    log_path = tmp_path / "gunicorn.log"
    with log_path.open("w") as log:
        process = subprocess.Popen(
            [
                *(sys.executable, "-m", "gunicorn", "-c", "deploy/gunicorn.conf.py"),
                *("--workers", "4", "--bind", f"127.0.0.1:{port}", "wsgi:app"),
            ],
            cwd=ROOT,
            env=environment,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    try:
        url = f"http://127.0.0.1:{port}"
        wait_until_healthy(url, process, log_path)
        yield SimpleNamespace(url=url, app=app, log=log_path)
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=30)


def wait_until_healthy(url: str, process: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"gunicorn stopped:\n{log.read_text()}")
        try:
            with urllib.request.urlopen(f"{url}/healthz", timeout=5) as response:  # noqa: S310
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.2)
    pytest.fail(f"gunicorn did not answer within a minute:\n{log.read_text()}")


def sign_up(url: str, emails: list[str], statuses: list[int]) -> None:
    """One reader's browser, posting each address from the form on the site's pages."""
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(CookieJar()))
    headers = {"HX-Request": "true", "Origin": url}
    for email in emails:
        data = urllib.parse.urlencode({"email": email, "website": ""})
        # Every URL here is http:// on the loopback, made by this test.
        request = urllib.request.Request(f"{url}/newsletter", data.encode(), headers=headers)  # noqa: S310
        try:
            with opener.open(request, timeout=60) as response:
                statuses.append(response.status)
        except urllib.error.HTTPError as error:
            statuses.append(error.code)


def test_400_signups_from_8_clients_on_4_workers_are_all_stored_once(gunicorn_site):
    emails = [f"reader{number}@example.org" for number in range(SIGNUPS)]
    statuses: list[int] = []
    clients = [
        threading.Thread(
            target=sign_up, args=(gunicorn_site.url, emails[number::CLIENTS], statuses)
        )
        for number in range(CLIENTS)
    ]
    for client in clients:
        client.start()
    for client in clients:
        client.join(timeout=300)
    assert not any(client.is_alive() for client in clients)

    assert len(statuses) == SIGNUPS
    assert [status for status in statuses if not 200 <= status < 400] == []
    with gunicorn_site.app.app_context():
        stored = db.session.scalars(db.select(Subscriber.email)).all()
        assert db.session.scalar(db.select(func.count()).select_from(Subscriber)) == SIGNUPS
        db.engine.dispose()
    assert sorted(stored) == sorted(emails)
    log = gunicorn_site.log.read_text()
    # gunicorn's access log and the app's own line: each request, its status and duration.
    assert len(re.findall(r'"POST /newsletter HTTP/1.1" 200 \d+ \d+ms', log)) == SIGNUPS
    assert len(re.findall(r"POST /newsletter 200 [\d.]+ms", log)) == SIGNUPS
    assert "Traceback" not in log
