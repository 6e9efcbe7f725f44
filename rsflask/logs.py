"""Logging: one line per request (method, path, status, duration), INFO to stderr in production.

Under systemd stderr goes to the journal. Errors need nothing here: Flask logs every unhandled
exception with its traceback on the app's logger, which these settings let through.

A message is always one line: what a request brings (a path with %0A in it decodes to a line
break) could otherwise forge a line of the log, or hide part of one from a terminal.
"""

import logging
import time

from flask import Flask, Response, g, request

request_logger = logging.getLogger("rsflask.requests")


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


def _start_clock() -> None:
    g.request_started = time.perf_counter()


def _note_status(response: Response) -> Response:
    g.response_status = response.status_code
    return response


def _log_request(error: BaseException | None) -> None:
    # In teardown, which runs even when the response could not be finished: a 500 still gets
    # its line.
    started = g.get("request_started")
    if started is None:
        return
    status = g.get("response_status", 500)
    duration = (time.perf_counter() - started) * 1000
    request_logger.info("%s %s %s %.1fms", request.method, request.path, status, duration)


def init_app(app: Flask) -> None:
    if not app.debug and app.logger.level == logging.NOTSET:
        # Flask's own handler on the app's logger writes to stderr, but only from WARNING by
        # default; requests are INFO. In debug mode Flask sets DEBUG itself.
        app.logger.setLevel(logging.INFO)
    # On the loggers themselves, not their handlers (which are the server's): each of the app's
    # messages is escaped once, on whatever handler it ends up.
    app.logger.addFilter(_one_line)
    request_logger.addFilter(_one_line)
    app.before_request(_start_clock)
    app.after_request(_note_status)
    app.teardown_request(_log_request)
