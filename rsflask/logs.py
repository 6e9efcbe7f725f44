"""Logging: one line per request, INFO to stderr in production.

The line says what an operator looks for: method, path, status, duration, whether the page cache
answered (cache=hit), missed (cache=miss: it rendered a page it may keep) or had no part in it
(cache=-), and the request's id, which the response carries as X-Request-ID. It is written by a
middleware outside the page cache, so hits get theirs too; gunicorn writes no access log of its
own (deploy/gunicorn.conf.py). Under systemd stderr goes to the journal. Errors need nothing
here: Flask logs every unhandled exception with its traceback on the app's logger, which these
settings let through.

A message is always one line: what a request brings (a path with %0A in it decodes to a line
break) could otherwise forge a line of the log, or hide part of one from a terminal.
"""

import logging
import secrets
import sys
import time

from flask import Flask

request_logger = logging.getLogger("rsflask.requests")


class _Stderr(logging.StreamHandler):
    """Writes to whatever sys.stderr is when a line is written.

    The request lines have this handler of their own rather than Flask's, which looks up the
    WSGI error stream through the request context for every line: a line is written for every
    page-cache hit, and that lookup took more time than the hit itself.
    """

    @property
    def stream(self):
        return sys.stderr

    @stream.setter
    def stream(self, value) -> None:
        pass


_request_lines = _Stderr()
_request_lines.setFormatter(logging.Formatter("[%(asctime)s] %(levelname)s %(message)s"))


def escape_controls(text: str) -> str:
    """`text` with control and invisible characters (CR, LF, ESC, bidi overrides...) written as
    Python escapes, and backslashes doubled so that an escape in the log means one in the text."""
    if text.isprintable() and "\\" not in text:
        return text
    return "".join(
        char if char.isprintable() and char != "\\" else char.encode("unicode_escape").decode()
        for char in text
    )


def _one_line(record: logging.LogRecord) -> bool:
    record.msg, record.args = escape_controls(record.getMessage()), None
    return True


class RequestLog:
    """WSGI middleware, outermost: one line for every request."""

    def __init__(self, wsgi_app) -> None:
        self.wsgi_app = wsgi_app

    def __call__(self, environ, start_response):
        started = time.perf_counter()
        request_id = secrets.token_hex(8)

        def log(status: str) -> None:
            # PEP 3333 hands the path over as latin-1 text; the app decodes its bytes as UTF-8.
            path = environ.get("SCRIPT_NAME", "") + environ.get("PATH_INFO", "")
            path = path.encode("latin-1").decode("utf-8", "replace")
            request_logger.info(
                "%s %s %s %.1fms cache=%s id=%s",
                environ["REQUEST_METHOD"],
                path,
                status,
                (time.perf_counter() - started) * 1000,
                environ.get("rsflask.cache", "-"),
                request_id,
            )

        def send_status(line: str, headers: list, exc_info=None):
            # Logged as the answer starts: pages are whole by then (a photo file, the one
            # answer that streams, is sent by nginx in production).
            log(line.split(" ", 1)[0])
            # A new list: a page-cache hit hands over the headers it keeps.
            return start_response(line, [*headers, ("X-Request-ID", request_id)], exc_info)

        try:
            return self.wsgi_app(environ, send_status)
        except BaseException:
            log("500")
            raise


def init_app(app: Flask) -> None:
    if not app.debug and app.logger.level == logging.NOTSET:
        # Flask's own handler on the app's logger writes to stderr, but only from WARNING by
        # default; requests are INFO. In debug mode Flask sets DEBUG itself.
        app.logger.setLevel(logging.INFO)
    # On the loggers themselves, not their handlers (which are the server's): each of the app's
    # messages is escaped once, on whatever handler it ends up.
    app.logger.addFilter(_one_line)
    request_logger.addFilter(_one_line)
    if _request_lines not in request_logger.handlers:
        request_logger.addHandler(_request_lines)
        request_logger.propagate = False
    app.wsgi_app = RequestLog(app.wsgi_app)
