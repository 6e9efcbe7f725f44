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
from collections.abc import Iterator
from contextlib import contextmanager
from http.client import HTTPConnection
from http.cookiejar import CookieJar
from pathlib import Path
from types import SimpleNamespace

import pytest
from flask_migrate import upgrade
from sqlalchemy import func

from rsflask.article_files import ArticleFile
from rsflask.article_import import save_article
from rsflask.db import db, utcnow
from rsflask.models import Subscriber
from tests.conftest import CLOSED_MAIL_PORT, make_app
from tests.mail_server import free_port

ROOT = Path(__file__).resolve().parent.parent
CLIENTS = 8
SIGNUPS = 400


@pytest.fixture
def gunicorn_site(tmp_path):
    """gunicorn with the shipped configuration, 4 workers, a migrated SQLite database."""
    with serve(tmp_path, workers=4) as site:
        yield site


@pytest.fixture
def one_worker_site(tmp_path):
    """The same with one worker, whose page cache every request meets."""
    with serve(tmp_path, workers=1) as site:
        yield site


@contextmanager
def serve(tmp_path: Path, workers: int) -> Iterator[SimpleNamespace]:
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
                *("--workers", str(workers), "--bind", f"127.0.0.1:{port}", "wsgi:app"),
            ],
            cwd=ROOT,
            env=environment,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    try:
        url = f"http://127.0.0.1:{port}"
        wait_until_healthy(url, process, log_path)
        yield SimpleNamespace(url=url, port=port, app=app, log=log_path)
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
    # One line each, the app's (gunicorn writes no access log): its status and duration.
    assert len(re.findall(r"POST /newsletter 200 [\d.]+ms cache=- id=\w+", log)) == SIGNUPS
    assert "HTTP/1.1" not in log
    assert "Traceback" not in log


def wait_for_line(log: Path, text: str) -> str:
    deadline = time.monotonic() + 30
    while text not in log.read_text() and time.monotonic() < deadline:
        time.sleep(0.05)
    return log.read_text()


def add_story(site: SimpleNamespace) -> None:
    with site.app.app_context():
        story = ArticleFile(
            title="Story",
            slug="story",
            body="First paragraph.\n\nSecond paragraph.\n\nThird one.\n",
            section="Europe",
            type="Analysis",
            authors=["Ada Writer"],
            published=utcnow(),
        )
        save_article(story)
        db.session.commit()
        db.engine.dispose()


def get(site: SimpleNamespace, path: str, headers: dict[str, str]):
    """A GET sent as written: the path as given (urllib would tidy `//`), any header names."""
    connection = HTTPConnection("127.0.0.1", site.port, timeout=60)
    try:
        connection.request("GET", path, headers=headers)
        response = connection.getresponse()
        return response.status, response.headers, response.read().decode()
    finally:
        connection.close()


@pytest.mark.parametrize(("path", "headers"), [("/", {}), ("/latest", {"HX-Request": "true"})])
def test_a_mount_point_sent_as_a_header_reaches_no_other_reader(one_worker_site, path, headers):
    add_story(one_worker_site)
    forged = {**headers, "SCRIPT_NAME": "//evil.example"}
    status, _, _ = get(one_worker_site, f"//evil.example{path}", forged)
    # Answered as the path it names, which is no page of the site.
    assert status == 404
    status, _, html = get(one_worker_site, path, headers)
    assert status == 200
    assert 'href="/articles/story"' in html and "evil.example" not in html


def test_a_client_on_the_loopback_cannot_make_pages_https(one_worker_site):
    """Only the app decides which forwarded headers to believe, and with PROXY_COUNT=0 none."""
    status, headers, html = get(one_worker_site, "/", {"X-Forwarded-Proto": "https"})
    assert status == 200
    assert f'<link rel="canonical" href="http://127.0.0.1:{one_worker_site.port}/">' in html
    assert "Strict-Transport-Security" not in headers


def test_what_a_client_sends_forges_no_line_of_the_log(one_worker_site):
    forged = "[2026-01-01 00:00:00] INFO in logs: GET /editor/ 200 1.0ms"
    path = "/articles/story%0A" + urllib.parse.quote(forged)
    status, _, _ = get(one_worker_site, path, {"User-Agent": f"reader\t\x85{forged}"})
    assert status == 404
    # The line is written once the answer has gone.
    log = wait_for_line(one_worker_site.log, " 404 ")
    # Python's idea of a line break is the broadest (\x85 and \u2028 among others).
    assert not [line for line in log.splitlines() if line.startswith(forged)]
    assert f"GET /articles/story\\n{forged} 404" in log
    # The User-Agent is not logged at all.
    assert "reader\t" not in log and "reader\\t" not in log
