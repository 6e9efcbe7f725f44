"""/healthz for monitors and load balancers, and the log line every request leaves."""

import logging

import pytest

from tests.conftest import make_app


def test_healthz_says_ok_when_the_database_answers(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok", "database": "ok"}
    assert "no-store" in response.headers["Cache-Control"]


def test_healthz_answers_503_when_the_database_does_not(tmp_path):
    # A folder where the database file should be: SQLite cannot open it. The page cache is off
    # because its own lookup would fail first, before the app is reached.
    (tmp_path / "db").mkdir()
    app = make_app(tmp_path / "instance", f"sqlite:///{tmp_path / 'db'}", PAGE_CACHE_BYTES=0)
    response = app.test_client().get("/healthz")
    assert response.status_code == 503
    assert response.get_json() == {"status": "error", "database": "error"}
    assert "no-store" in response.headers["Cache-Control"]


class Lines(logging.Handler):
    def __init__(self) -> None:
        super().__init__()
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


@pytest.fixture
def request_lines():
    handler = Lines()
    logger = logging.getLogger("rsflask.requests")
    logger.addHandler(handler)
    yield handler.records
    logger.removeHandler(handler)


def test_every_request_leaves_one_line_with_method_path_status_duration_cache_and_id(
    client, request_lines, add_article
):
    add_article("Story")
    first = client.get("/healthz?probe=1")
    client.get("/no-such-page")
    client.get("/articles/story")
    client.get("/articles/story")
    lines = [record.getMessage() for record in request_lines]
    assert len(lines) == 4
    method, path, status, duration, cache, request_id = lines[0].split()
    assert (method, path, status, cache) == ("GET", "/healthz", "200", "cache=-")
    assert duration.endswith("ms") and float(duration.removesuffix("ms")) >= 0
    assert request_id == f"id={first.headers['X-Request-ID']}"
    assert lines[1].startswith("GET /no-such-page 404 ")
    # The second reader of the article is answered by the page cache, without Flask: logged too.
    assert [line.split()[4] for line in lines[2:]] == ["cache=miss", "cache=hit"]
    assert len({line.split()[5] for line in lines}) == 4
    assert all(record.levelno == logging.INFO for record in request_lines)


def test_an_unhandled_error_is_logged_with_its_traceback_and_its_request_line(app, request_lines):
    app.config["PROPAGATE_EXCEPTIONS"] = False
    errors = Lines()
    app.logger.addHandler(errors)

    @app.get("/boom")
    def boom():
        raise RuntimeError("the printer is on fire")

    try:
        response = app.test_client().get("/boom")
    finally:
        app.logger.removeHandler(errors)
    assert response.status_code == 500
    [error] = [record for record in errors.records if record.levelno == logging.ERROR]
    assert error.exc_info and "the printer is on fire" in str(error.exc_info[1])
    assert [record.getMessage().split()[:3] for record in request_lines] == [
        ["GET", "/boom", "500"]
    ]


def test_outside_debug_mode_info_lines_get_through(app):
    assert app.logger.isEnabledFor(logging.INFO)
    assert logging.getLogger("rsflask.requests").isEnabledFor(logging.INFO)


@pytest.mark.parametrize(
    "forged",
    [
        "%0AGET /editor/ 200 1.0ms",
        "%0D%0AGET /editor/ 200 1.0ms",
        "%0DGET /editor/ 200 1.0ms",
        "%0B%0C%1C%1D%1E%C2%85%E2%80%A8%E2%80%A9",
        "%1B[2J%1B[1;1H",
        "%E2%80%AEnimda%E2%80%AC",
        "%00%07%08%09%7F%C2%9B",
    ],
)
def test_a_path_forges_no_line_of_the_log(client, request_lines, forged):
    client.get(f"/articles/story{forged}")
    [line] = [record.getMessage() for record in request_lines]
    # Python's idea of a line break is the broadest (it counts \x1c, \x85, \u2028...).
    assert len(logging.Formatter().format(request_lines[0]).splitlines()) == 1
    assert line.isprintable()
    assert line.startswith("GET /articles/story\\")


def test_the_log_shows_escapes_and_backslashes_unambiguously(client, request_lines):
    client.get("/articles/a%0Ab%5Cnc")
    [line] = [record.getMessage() for record in request_lines]
    assert line.startswith("GET /articles/a\\nb\\\\nc 404 ")


def test_an_error_on_a_forged_path_is_logged_on_one_line(app):
    app.config["PROPAGATE_EXCEPTIONS"] = False
    errors = Lines()
    app.logger.addHandler(errors)

    @app.get("/boom/<rest>")
    def boom(rest):
        raise RuntimeError("the printer is on fire")

    try:
        app.test_client().get("/boom/x%0A[2026-01-01 00:00:00] INFO in logs: all is well")
    finally:
        app.logger.removeHandler(errors)
    [error] = [record for record in errors.records if record.levelno == logging.ERROR]
    message = error.getMessage()
    assert message == "Exception on /boom/x\\n[2026-01-01 00:00:00] INFO in logs: all is well [GET]"
    # The traceback stays as it is, below that one line.
    assert error.exc_info and "the printer is on fire" in str(error.exc_info[1])
