"""Faults: a locked or unreachable database gets a 503 to retry, and a killed gunicorn worker
loses nothing that was acknowledged.
"""

import http.client
import os
import signal
import socket
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from flask_migrate import upgrade
from sqlalchemy import event
from sqlalchemy.orm import Session

from rsflask.db import db
from rsflask.models import RateLimitHit, Subscriber
from tests.conftest import TEST_DATABASE_URI, htmx, make_app
from tests.mail_server import free_port

PROJECT_ROOT = Path(__file__).resolve().parent.parent
on_sqlite = pytest.mark.skipif(
    bool(TEST_DATABASE_URI), reason="locks and checks a SQLite file; the suite runs on another"
)


def assert_friendly_503(response, fragment: bool = False) -> None:
    page = response.get_data(as_text=True)
    assert response.status_code == 503
    assert response.headers["Retry-After"] == "5"
    assert "Briefly unavailable" in page
    assert "Traceback" not in page and "OperationalError" not in page
    assert ("<html" in page) is not fragment


def subscriber_emails() -> list[str]:
    return db.session.scalars(db.select(Subscriber.email)).all()


@pytest.fixture
def impatient_app(app):
    """The test app with CSRF off and a SQLite lock wait of 0.1 s instead of 10 s."""
    app.config.update(WTF_CSRF_ENABLED=False, SQLITE_BUSY_TIMEOUT=100)
    db.engine.dispose()  # pooled connections were opened with the long wait
    return app


@pytest.fixture
def locker(impatient_app):
    """A second connection to the app's SQLite file that can take the write lock."""
    path = impatient_app.config["SQLALCHEMY_DATABASE_URI"].removeprefix("sqlite:///")
    connection = sqlite3.connect(path, isolation_level=None)
    yield connection
    connection.close()


@on_sqlite
def test_a_signup_while_the_database_is_locked_gets_a_503_and_stores_nothing(impatient_app, locker):
    client = impatient_app.test_client()
    locker.execute("BEGIN EXCLUSIVE")

    assert_friendly_503(client.post("/newsletter", data={"email": "first@example.org"}))
    assert_friendly_503(
        client.post("/newsletter", data={"email": "first@example.org"}, headers=htmx()),
        fragment=True,
    )
    # A reader meanwhile gets the page or, if reading has to wait for the lock too, the 503.
    page = client.get("/")
    if page.status_code != 200:
        assert_friendly_503(page)

    locker.execute("ROLLBACK")
    db.session.rollback()
    assert subscriber_emails() == []
    assert db.session.scalars(db.select(RateLimitHit)).all() == []
    response = client.post("/newsletter", data={"email": "first@example.org"})
    assert response.status_code == 303
    assert subscriber_emails() == ["first@example.org"]


@on_sqlite
def test_a_write_is_acknowledged_only_once_it_is_committed(impatient_app, locker):
    """The lock is taken in the middle of the request: after the signup was counted against the
    rate limit (a first commit), before the subscriber is written."""
    client = impatient_app.test_client()
    locked = []

    def lock_after_the_first_commit(session):
        if not locked:
            locker.execute("BEGIN EXCLUSIVE")
            locked.append(True)

    event.listen(Session, "after_commit", lock_after_the_first_commit)
    try:
        assert_friendly_503(client.post("/newsletter", data={"email": "late@example.org"}))
    finally:
        event.remove(Session, "after_commit", lock_after_the_first_commit)
        if locked:
            locker.execute("ROLLBACK")
    assert locked
    db.session.rollback()
    assert db.session.scalar(db.select(RateLimitHit.count)) == 1
    assert subscriber_emails() == []
    assert client.post("/newsletter", data={"email": "late@example.org"}).status_code == 303
    assert subscriber_emails() == ["late@example.org"]


@pytest.mark.parametrize(
    "uri",
    [
        pytest.param(lambda tmp: f"sqlite:///{tmp / 'no-such-folder' / 'x.sqlite3'}", id="sqlite"),
        pytest.param(
            lambda tmp: f"postgresql+psycopg://rsflask@127.0.0.1:{free_port()}/rsflask",
            id="postgresql",
        ),
    ],
)
def test_an_unreachable_database_gets_a_friendly_503_on_every_kind_of_request(tmp_path, uri):
    app = make_app(tmp_path / "instance", uri(tmp_path), WTF_CSRF_ENABLED=False)
    client = app.test_client()
    assert_friendly_503(client.get("/"))
    assert_friendly_503(client.get("/articles/some-story"))
    assert_friendly_503(client.get("/latest", headers=htmx()), fragment=True)
    assert_friendly_503(client.post("/newsletter", data={"email": "reader@example.org"}))


# --- A gunicorn worker killed in the middle of a request ------------------------------------


def children(pid: int) -> set[int]:
    """The live child processes of `pid` (gunicorn's workers, for the arbiter)."""
    found = set()
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        # The command name is in brackets and may hold spaces; the fields after it do not.
        state, parent = stat.rsplit(")", 1)[1].split()[:2]
        if int(parent) == pid and state != "Z":
            found.add(int(entry.name))
    return found


def process_with_connection(pids: set[int], server_port: int, client_port: int) -> int | None:
    """Which of `pids` holds the server end of the loopback connection from `client_port`."""
    wanted = f"0100007F:{server_port:04X} 0100007F:{client_port:04X}"
    inodes = {
        line.split()[9]
        for line in Path("/proc/net/tcp").read_text().splitlines()[1:]
        if " ".join(line.split()[1:3]) == wanted
    }
    for pid in pids:
        try:
            links = {os.readlink(fd) for fd in Path(f"/proc/{pid}/fd").iterdir()}
        except OSError:
            continue
        if any(f"socket:[{inode}]" in links for inode in inodes):
            return pid
    return None


def wait_for(condition, seconds: float, what: str):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        result = condition()
        if result:
            return result
        time.sleep(0.05)
    raise AssertionError(f"gave up after {seconds} s waiting for {what}")


class SignupStream(threading.Thread):
    """Signs readers up one after another; an answer of 303 is an acknowledged write.

    A request that overlapped no kill (none was under way when it started, none began before it
    ended) must be acknowledged: the surviving worker was there to answer it.
    """

    def __init__(self, port: int, limit: int = 2000) -> None:
        super().__init__(daemon=True)
        self.port, self.limit = port, limit
        self.stop = threading.Event()
        self.kills_started = self.kills_done = 0
        self.acknowledged: list[str] = []
        self.failed_without_a_kill: list[str] = []

    def kill(self, pid: int, is_gone) -> None:
        self.kills_started += 1
        os.kill(pid, signal.SIGKILL)
        wait_for(is_gone, 10, f"worker {pid} to die")
        self.kills_done += 1

    def run(self) -> None:
        for number in range(self.limit):
            if self.stop.is_set():
                return
            email = f"reader-{number}@example.org"
            started, done = self.kills_started, self.kills_done
            try:
                connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
                connection.request(
                    "POST",
                    "/newsletter",
                    body=f"email={email}&website=",
                    headers={"Content-Type": "application/x-www-form-urlencoded"},
                )
                status = connection.getresponse().status
                connection.close()
            except OSError as error:
                status = repr(error)
            if status == 303:
                self.acknowledged.append(email)
            elif started == done == self.kills_started:
                self.failed_without_a_kill.append(f"{email}: {status}")


@pytest.fixture
def gunicorn(tmp_path):
    """gunicorn with two sync workers on a fresh SQLite database; always stopped afterwards."""
    database = tmp_path / "gunicorn.sqlite3"
    app = make_app(tmp_path / "instance", f"sqlite:///{database}")
    with app.app_context():
        upgrade()
        db.engine.dispose()
    port = free_port()
    environment = {
        **os.environ,
        "RSFLASK_INSTANCE_PATH": str(tmp_path / "instance"),
        "RSFLASK_SQLALCHEMY_DATABASE_URI": f"sqlite:///{database}",
        "RSFLASK_SECRET_KEY": "gunicorn test secret",
        "RSFLASK_WTF_CSRF_ENABLED": "false",
        "RSFLASK_SIGNUP_RATE_LIMIT": "1000000",
    }
    arbiter = subprocess.Popen(
        [
            *(sys.executable, "-m", "gunicorn", "--workers", "2"),
            *("--bind", f"127.0.0.1:{port}", "--graceful-timeout", "1", "--log-level", "warning"),
            # Loaded once before forking, so that a replacement worker answers at once.
            *("--preload", "--no-control-socket"),
            "wsgi:app",
        ],
        cwd=PROJECT_ROOT,
        env=environment,
        start_new_session=True,
    )
    try:

        def answers() -> bool:
            try:
                connection = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
                connection.request("GET", "/")
                return connection.getresponse().status == 200
            except OSError:
                return False

        wait_for(answers, 30, "gunicorn to answer")
        wait_for(lambda: len(children(arbiter.pid)) == 2, 30, "two workers")
        yield arbiter, port, database
    finally:
        arbiter.send_signal(signal.SIGINT)  # gunicorn's quick shutdown
        try:
            arbiter.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(arbiter.pid, signal.SIGKILL)
            arbiter.wait(timeout=5)


@on_sqlite
def test_a_worker_killed_mid_request_loses_no_acknowledged_write(gunicorn):
    arbiter, port, database = gunicorn
    stream = SignupStream(port)
    stream.start()
    try:
        wait_for(lambda: len(stream.acknowledged) >= 10, 30, "the first signups")

        # A large signup whose body is still arriving: one worker is in the middle of it.
        slow = socket.create_connection(("127.0.0.1", port), timeout=10)
        slow.sendall(
            b"POST /newsletter HTTP/1.1\r\nHost: 127.0.0.1\r\n"
            b"Content-Type: application/x-www-form-urlencoded\r\nContent-Length: 1000000\r\n\r\n"
            b"email=slow%40example.org&website=&padding=" + b"x" * 10_000
        )
        workers, client_port = children(arbiter.pid), slow.getsockname()[1]
        victim = wait_for(
            lambda: process_with_connection(workers, port, client_port), 10, "the slow request"
        )
        stream.kill(victim, lambda: victim not in children(arbiter.pid))
        # The slow request is never acknowledged: its connection just closes (or is reset, as
        # the dead worker left some of the body unread).
        try:
            answer = slow.recv(1024)
        except ConnectionResetError:
            answer = b""
        slow.close()
        assert answer == b""
        # The arbiter starts a new worker; the other one answers meanwhile.
        wait_for(lambda: len(children(arbiter.pid) - {victim}) == 2, 30, "a replacement")
        acknowledged = len(stream.acknowledged)
        wait_for(lambda: len(stream.acknowledged) >= acknowledged + 20, 30, "more signups")

        # A second kill, of whichever worker, in the middle of the stream of signups.
        another = min(children(arbiter.pid))
        stream.kill(another, lambda: another not in children(arbiter.pid))
        wait_for(lambda: len(children(arbiter.pid) - {another}) == 2, 30, "a replacement")
        acknowledged = len(stream.acknowledged)
        wait_for(lambda: len(stream.acknowledged) >= acknowledged + 20, 30, "more signups")
    finally:
        stream.stop.set()
        stream.join(timeout=60)

    assert stream.failed_without_a_kill == []
    checked = sqlite3.connect(database)
    try:
        assert checked.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        stored = {email for (email,) in checked.execute("SELECT email FROM subscribers")}
    finally:
        checked.close()
    assert set(stream.acknowledged) <= stored
    assert "slow@example.org" not in stored
